//! The lowest config layers: Consul's defaults (`agent/config/default.go`) and the `-dev`
//! overlay, written as config sources with Consul's key names so they merge like any file.
//!
//! Where sd differs from Consul on purpose:
//! * `performance.raft_multiplier` is 1, not 5: Consul scales its Raft timers by 5 for slow
//!   shared hardware; sd's timers are tuned for production at 1 (Consul's own advice for
//!   production servers), which keeps leader failover within a second.
//! * `ports.grpc_tls` stays -1 on servers (sd has no gRPC interface).
//! * `-dev` also sets `bootstrap = true` and `client_addr = 127.0.0.1` explicitly, and leaves
//!   `data_dir` unset (the agent then uses a temporary directory).
//!
//! Part of `config`, the only module that reads environment variables.

use serde_json::{json, Value};

/// Consul's defaults, adjusted for sd as described in the module doc.
pub(crate) fn defaults() -> Value {
    json!({
        "acl": {
            "token_ttl": "30s",
            "policy_ttl": "30s",
            "default_policy": "allow",
            "down_policy": "extend-cache"
        },
        "autopilot": {
            "cleanup_dead_servers": true,
            "last_contact_threshold": "200ms",
            "max_trailing_logs": 250,
            "server_stabilization_time": "10s"
        },
        "bind_addr": "0.0.0.0",
        "bootstrap": false,
        "bootstrap_expect": 0,
        "check_output_max_size": 4096,
        "check_update_interval": "5m",
        "client_addr": "127.0.0.1",
        "datacenter": "dc1",
        "default_query_time": "300s",
        "disable_coordinates": false,
        "disable_host_node_id": true,
        "disable_remote_exec": true,
        "dns_config": {
            "allow_stale": true,
            "a_record_limit": 0,
            "udp_answer_limit": 3,
            "max_stale": "87600h",
            "recursor_timeout": "2s"
        },
        "domain": "consul.",
        "encrypt_verify_incoming": true,
        "encrypt_verify_outgoing": true,
        "limits": {
            "http_max_conns_per_client": 200,
            "https_handshake_timeout": "5s",
            "rpc_handshake_timeout": "5s",
            "rpc_client_timeout": "60s",
            "rpc_max_burst": 1000,
            "rpc_max_conns_per_client": 100,
            "kv_max_value_size": 524288,
            "txn_max_req_len": 524288
        },
        "log_level": "info",
        "max_query_time": "600s",
        "performance": {
            "leave_drain_time": "5s",
            "raft_multiplier": 1,
            "rpc_hold_timeout": "7s"
        },
        "ports": {
            "dns": 8600,
            "http": 8500,
            "https": -1,
            "grpc": -1,
            "grpc_tls": -1,
            "serf_lan": 8301,
            "serf_wan": 8302,
            "server": 8300
        },
        "protocol": 2,
        "raft_protocol": 3,
        "raft_snapshot_interval": "30s",
        "raft_snapshot_threshold": 16384,
        "raft_trailing_logs": 10240,
        "reconnect_timeout": "72h",
        "reconnect_timeout_wan": "72h",
        "retry_interval": "30s",
        "retry_interval_wan": "30s",
        "server": false,
        "server_rejoin_age_max": "168h",
        "session_ttl_min": "10s",
        "syslog_facility": "LOCAL0",
        "ui_config": {
            "enabled": false,
            "content_path": "/ui/"
        }
    })
}

/// What `-dev` changes on top of the defaults (files, environment and flags still win).
pub(crate) fn dev() -> Value {
    json!({
        "bind_addr": "127.0.0.1",
        "client_addr": "127.0.0.1",
        "bootstrap": true,
        "consul": { "coordinate": { "update_period": "100ms" } },
        "disable_anonymous_signature": true,
        "disable_keyring_file": true,
        "enable_debug": true,
        "log_level": "debug",
        "performance": { "raft_multiplier": 1 },
        "server": true,
        "ui_config": { "enabled": true }
    })
}
