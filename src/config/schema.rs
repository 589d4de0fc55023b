//! The typed shape of a config file, with Consul's key names (`agent/config/config.go`). Every
//! field is optional so that one file may set a single key; a source is checked against this
//! shape on its own (so a wrong type names its file), then all sources are merged and the
//! result is read through it once more.
//!
//! Durations are kept as strings here (Go syntax, checked by [`durations`]); service, check,
//! watch and other deep definitions are kept as raw JSON for the parts of the agent that use
//! them. Keys not listed here are reported as unknown-key warnings.
//!
//! Part of `config`, the only module that reads environment variables.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

pub use super::schema_sections::*;

type Map = BTreeMap<String, String>;

/// One config source (file, fragment, environment or flags), as Consul spells it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FileConfig {
    pub acl: Option<Acl>,
    pub addresses: Option<Addresses>,
    pub advertise_addr: Option<String>,
    pub advertise_addr_ipv4: Option<String>,
    pub advertise_addr_ipv6: Option<String>,
    pub advertise_addr_wan: Option<String>,
    pub advertise_addr_wan_ipv4: Option<String>,
    pub advertise_addr_wan_ipv6: Option<String>,
    pub advertise_reconnect_timeout: Option<String>,
    pub alt_domain: Option<String>,
    pub audit: Option<Value>,
    pub auto_config: Option<Value>,
    pub auto_encrypt: Option<AutoEncrypt>,
    pub auto_reload_config: Option<bool>,
    pub autopilot: Option<Autopilot>,
    pub bind_addr: Option<String>,
    pub bootstrap: Option<bool>,
    pub bootstrap_expect: Option<i64>,
    pub cache: Option<Cache>,
    pub check: Option<Value>,
    pub check_output_max_size: Option<i64>,
    pub check_update_interval: Option<String>,
    pub checks: Option<Vec<Value>>,
    pub client_addr: Option<String>,
    pub cloud: Option<Value>,
    pub config_entries: Option<ConfigEntries>,
    pub connect: Option<Connect>,
    pub data_dir: Option<String>,
    pub datacenter: Option<String>,
    pub default_query_time: Option<String>,
    pub disable_anonymous_signature: Option<bool>,
    pub disable_coordinates: Option<bool>,
    pub disable_host_node_id: Option<bool>,
    pub disable_http_unprintable_char_filter: Option<bool>,
    pub disable_keyring_file: Option<bool>,
    pub disable_remote_exec: Option<bool>,
    pub disable_update_check: Option<bool>,
    pub discard_check_output: Option<bool>,
    pub discovery_max_stale: Option<String>,
    pub dns_config: Option<Dns>,
    pub domain: Option<String>,
    pub enable_agent_tls_for_checks: Option<bool>,
    pub enable_central_service_config: Option<bool>,
    pub enable_debug: Option<bool>,
    pub enable_local_script_checks: Option<bool>,
    pub enable_script_checks: Option<bool>,
    pub enable_syslog: Option<bool>,
    pub encrypt: Option<String>,
    pub encrypt_verify_incoming: Option<bool>,
    pub encrypt_verify_outgoing: Option<bool>,
    pub experiments: Option<Vec<String>>,
    pub gossip_lan: Option<Gossip>,
    pub gossip_wan: Option<Gossip>,
    pub http_config: Option<HttpConfig>,
    pub leave_on_terminate: Option<bool>,
    pub license_path: Option<String>,
    pub limits: Option<Limits>,
    pub locality: Option<Value>,
    pub log_file: Option<String>,
    pub log_json: Option<bool>,
    pub log_level: Option<String>,
    pub log_rotate_bytes: Option<i64>,
    pub log_rotate_duration: Option<String>,
    pub log_rotate_max_files: Option<i64>,
    pub log_sublevels: Option<Map>,
    pub max_query_time: Option<String>,
    pub node_id: Option<String>,
    pub node_meta: Option<Map>,
    pub node_name: Option<String>,
    pub partition: Option<String>,
    pub peering: Option<Value>,
    pub performance: Option<Performance>,
    pub pid_file: Option<String>,
    pub ports: Option<PortsConfig>,
    pub primary_datacenter: Option<String>,
    pub primary_gateways: Option<Vec<String>>,
    pub primary_gateways_interval: Option<String>,
    pub protocol: Option<i64>,
    pub raft_logstore: Option<Value>,
    pub raft_protocol: Option<i64>,
    pub raft_snapshot_interval: Option<String>,
    pub raft_snapshot_threshold: Option<i64>,
    pub raft_trailing_logs: Option<i64>,
    pub read_replica: Option<bool>,
    pub reconnect_timeout: Option<String>,
    pub reconnect_timeout_wan: Option<String>,
    pub recursors: Option<Vec<String>>,
    pub rejoin_after_leave: Option<bool>,
    /// sd extension (`-free-ports`): every enabled port chosen by the kernel.
    pub free_ports: Option<bool>,
    pub reporting: Option<Value>,
    pub retry_interval: Option<String>,
    pub retry_interval_wan: Option<String>,
    pub retry_join: Option<Vec<String>>,
    pub retry_join_wan: Option<Vec<String>>,
    pub retry_max: Option<i64>,
    pub retry_max_wan: Option<i64>,
    pub rpc: Option<Value>,
    pub segment: Option<String>,
    pub segments: Option<Vec<Value>>,
    pub serf_lan: Option<String>,
    pub serf_lan_allowed_cidrs: Option<Vec<String>>,
    pub serf_wan: Option<String>,
    pub serf_wan_allowed_cidrs: Option<Vec<String>>,
    pub server: Option<bool>,
    pub server_name: Option<String>,
    pub server_rejoin_age_max: Option<String>,
    pub service: Option<Value>,
    pub services: Option<Vec<Value>>,
    pub session_ttl_min: Option<String>,
    pub skip_leave_on_interrupt: Option<bool>,
    pub snapshot_agent: Option<Value>,
    pub syslog_facility: Option<String>,
    pub tagged_addresses: Option<Map>,
    pub telemetry: Option<Telemetry>,
    pub tls: Option<Tls>,
    pub translate_wan_addrs: Option<bool>,
    pub ui_config: Option<UiConfig>,
    pub unix_sockets: Option<Value>,
    pub use_streaming_backend: Option<bool>,
    pub watches: Option<Vec<Value>>,
    pub xds: Option<Value>,

    // Deprecated keys, still accepted and translated to their successors (see `shape.rs`).
    pub ui: Option<bool>,
    pub ui_dir: Option<String>,
    pub ui_content_path: Option<String>,
    pub start_join: Option<Vec<String>>,
    pub start_join_wan: Option<Vec<String>>,
    pub non_voting_server: Option<bool>,
    pub acl_agent_master_token: Option<String>,
    pub acl_agent_token: Option<String>,
    pub acl_datacenter: Option<String>,
    pub acl_default_policy: Option<String>,
    pub acl_down_policy: Option<String>,
    pub acl_enable_key_list_policy: Option<bool>,
    pub acl_master_token: Option<String>,
    pub acl_replication_token: Option<String>,
    pub acl_token: Option<String>,
    pub acl_ttl: Option<String>,
    pub enable_acl_replication: Option<bool>,
    pub ca_file: Option<String>,
    pub ca_path: Option<String>,
    pub cert_file: Option<String>,
    pub key_file: Option<String>,
    pub tls_cipher_suites: Option<String>,
    pub tls_min_version: Option<String>,
    pub tls_prefer_server_cipher_suites: Option<bool>,
    pub verify_incoming: Option<bool>,
    pub verify_incoming_https: Option<bool>,
    pub verify_incoming_rpc: Option<bool>,
    pub verify_outgoing: Option<bool>,
    pub verify_server_hostname: Option<bool>,
    pub raft_boltdb: Option<Value>,

    // Internal tuning keys Consul accepts in files (not documented for users); kept raw.
    pub ae_interval: Option<Value>,
    pub check_deregister_interval_min: Option<Value>,
    pub check_reap_interval: Option<Value>,
    pub consul: Option<Value>,
    pub segment_limit: Option<Value>,
    pub segment_name_limit: Option<Value>,
    pub sync_coordinate_interval_min: Option<Value>,
    pub sync_coordinate_rate_target: Option<Value>,
}

/// Every duration-valued key set in `c`, with its key path, for syntax checking.
pub fn durations(c: &FileConfig) -> Vec<(String, &str)> {
    let mut out: Vec<(String, &str)> = Vec::new();
    add(
        &mut out,
        "advertise_reconnect_timeout",
        &c.advertise_reconnect_timeout,
    );
    add(&mut out, "check_update_interval", &c.check_update_interval);
    add(&mut out, "default_query_time", &c.default_query_time);
    add(&mut out, "discovery_max_stale", &c.discovery_max_stale);
    add(&mut out, "log_rotate_duration", &c.log_rotate_duration);
    add(&mut out, "max_query_time", &c.max_query_time);
    add(
        &mut out,
        "primary_gateways_interval",
        &c.primary_gateways_interval,
    );
    add(
        &mut out,
        "raft_snapshot_interval",
        &c.raft_snapshot_interval,
    );
    add(&mut out, "reconnect_timeout", &c.reconnect_timeout);
    add(&mut out, "reconnect_timeout_wan", &c.reconnect_timeout_wan);
    add(&mut out, "retry_interval", &c.retry_interval);
    add(&mut out, "retry_interval_wan", &c.retry_interval_wan);
    add(&mut out, "server_rejoin_age_max", &c.server_rejoin_age_max);
    add(&mut out, "session_ttl_min", &c.session_ttl_min);
    add(&mut out, "acl_ttl", &c.acl_ttl);
    if let Some(a) = &c.acl {
        add(&mut out, "acl.policy_ttl", &a.policy_ttl);
        add(&mut out, "acl.role_ttl", &a.role_ttl);
        add(&mut out, "acl.token_ttl", &a.token_ttl);
    }
    if let Some(a) = &c.autopilot {
        add(
            &mut out,
            "autopilot.last_contact_threshold",
            &a.last_contact_threshold,
        );
        add(
            &mut out,
            "autopilot.server_stabilization_time",
            &a.server_stabilization_time,
        );
    }
    if let Some(d) = &c.dns_config {
        add(&mut out, "dns_config.cache_max_age", &d.cache_max_age);
        add(&mut out, "dns_config.max_stale", &d.max_stale);
        add(&mut out, "dns_config.node_ttl", &d.node_ttl);
        add(&mut out, "dns_config.recursor_timeout", &d.recursor_timeout);
    }
    for (name, g) in [("gossip_lan", &c.gossip_lan), ("gossip_wan", &c.gossip_wan)] {
        if let Some(g) = g {
            add(
                &mut out,
                &format!("{name}.gossip_interval"),
                &g.gossip_interval,
            );
            add(
                &mut out,
                &format!("{name}.probe_interval"),
                &g.probe_interval,
            );
            add(&mut out, &format!("{name}.probe_timeout"), &g.probe_timeout);
        }
    }
    if let Some(l) = &c.limits {
        add(
            &mut out,
            "limits.https_handshake_timeout",
            &l.https_handshake_timeout,
        );
        add(&mut out, "limits.rpc_client_timeout", &l.rpc_client_timeout);
        add(
            &mut out,
            "limits.rpc_handshake_timeout",
            &l.rpc_handshake_timeout,
        );
    }
    if let Some(p) = &c.performance {
        add(
            &mut out,
            "performance.leave_drain_time",
            &p.leave_drain_time,
        );
        add(
            &mut out,
            "performance.rpc_hold_timeout",
            &p.rpc_hold_timeout,
        );
    }
    if let Some(t) = &c.telemetry {
        add(
            &mut out,
            "telemetry.prometheus_retention_time",
            &t.prometheus_retention_time,
        );
    }
    if let Some(d) = &c.dns_config {
        if let Some(ttls) = &d.service_ttl {
            for (svc, v) in ttls {
                out.push((format!("dns_config.service_ttl.{svc}"), v.as_str()));
            }
        }
    }
    out
}

fn add<'a>(out: &mut Vec<(String, &'a str)>, path: &str, v: &'a Option<String>) {
    if let Some(v) = v {
        out.push((path.to_string(), v.as_str()));
    }
}
