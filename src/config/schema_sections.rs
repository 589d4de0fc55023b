//! The nested blocks of a config file (`ports {}`, `acl {}`, `dns_config {}`, ...), with
//! Consul's key names. Part of [`super::schema`].
//!
//! Part of `config`, the only module that reads environment variables.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

type Map = BTreeMap<String, String>;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Acl {
    pub enabled: Option<bool>,
    pub default_policy: Option<String>,
    pub down_policy: Option<String>,
    pub enable_key_list_policy: Option<bool>,
    pub enable_token_persistence: Option<bool>,
    pub enable_token_replication: Option<bool>,
    pub msp_disable_bootstrap: Option<bool>,
    pub policy_ttl: Option<String>,
    pub role_ttl: Option<String>,
    pub token_ttl: Option<String>,
    pub tokens: Option<AclTokens>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AclTokens {
    pub agent: Option<String>,
    pub agent_master: Option<String>,
    pub agent_recovery: Option<String>,
    pub config_file_service_registration: Option<String>,
    pub default: Option<String>,
    pub dns: Option<String>,
    pub initial_management: Option<String>,
    pub managed_service_provider: Option<Vec<Value>>,
    pub master: Option<String>,
    pub replication: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Addresses {
    pub dns: Option<String>,
    pub grpc: Option<String>,
    pub grpc_tls: Option<String>,
    pub http: Option<String>,
    pub https: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AutoEncrypt {
    pub allow_tls: Option<bool>,
    pub dns_san: Option<Vec<String>>,
    pub ip_san: Option<Vec<String>>,
    pub tls: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Autopilot {
    pub cleanup_dead_servers: Option<bool>,
    pub disable_upgrade_migration: Option<bool>,
    pub last_contact_threshold: Option<String>,
    pub max_trailing_logs: Option<i64>,
    pub min_quorum: Option<u32>,
    pub redundancy_zone_tag: Option<String>,
    pub server_stabilization_time: Option<String>,
    pub upgrade_version_tag: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Cache {
    pub entry_fetch_max_burst: Option<i64>,
    pub entry_fetch_rate: Option<f64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ConfigEntries {
    pub bootstrap: Option<Vec<Value>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Connect {
    pub ca_config: Option<Value>,
    pub ca_provider: Option<String>,
    pub enable_mesh_gateway_wan_federation: Option<bool>,
    /// Removed in later Consul versions; accepted.
    pub enable_serverless_plugin: Option<bool>,
    pub enabled: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Dns {
    pub a_record_limit: Option<i64>,
    pub allow_stale: Option<bool>,
    pub cache_max_age: Option<String>,
    pub disable_compression: Option<bool>,
    pub enable_additional_node_meta_txt: Option<bool>,
    pub enable_truncate: Option<bool>,
    pub max_stale: Option<String>,
    pub node_ttl: Option<String>,
    pub only_passing: Option<bool>,
    pub prefer_namespace: Option<bool>,
    pub recursor_strategy: Option<String>,
    pub recursor_timeout: Option<String>,
    pub service_ttl: Option<Map>,
    pub soa: Option<Soa>,
    pub udp_answer_limit: Option<i64>,
    pub use_cache: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Soa {
    pub expire: Option<u32>,
    pub min_ttl: Option<u32>,
    pub refresh: Option<u32>,
    pub retry: Option<u32>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Gossip {
    pub gossip_interval: Option<String>,
    pub gossip_nodes: Option<i64>,
    pub probe_interval: Option<String>,
    pub probe_timeout: Option<String>,
    pub retransmit_mult: Option<i64>,
    pub suspicion_mult: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct HttpConfig {
    pub allow_write_http_from: Option<Vec<String>>,
    pub block_endpoints: Option<Vec<String>>,
    pub max_header_bytes: Option<i64>,
    pub response_headers: Option<Map>,
    pub use_cache: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Limits {
    pub http_max_conns_per_client: Option<i64>,
    pub https_handshake_timeout: Option<String>,
    pub kv_max_value_size: Option<u64>,
    pub request_limits: Option<RequestLimits>,
    pub rpc_client_timeout: Option<String>,
    pub rpc_handshake_timeout: Option<String>,
    pub rpc_max_burst: Option<i64>,
    pub rpc_max_conns_per_client: Option<i64>,
    pub rpc_rate: Option<f64>,
    pub txn_max_req_len: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RequestLimits {
    pub mode: Option<String>,
    pub read_rate: Option<f64>,
    pub write_rate: Option<f64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Performance {
    pub leave_drain_time: Option<String>,
    pub raft_multiplier: Option<i64>,
    pub rpc_hold_timeout: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PortsConfig {
    pub dns: Option<i32>,
    pub expose_max_port: Option<i32>,
    pub expose_min_port: Option<i32>,
    pub grpc: Option<i32>,
    pub grpc_tls: Option<i32>,
    pub http: Option<i32>,
    pub https: Option<i32>,
    pub proxy_max_port: Option<i32>,
    pub proxy_min_port: Option<i32>,
    pub serf_lan: Option<i32>,
    pub serf_wan: Option<i32>,
    pub server: Option<i32>,
    pub sidecar_max_port: Option<i32>,
    pub sidecar_min_port: Option<i32>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Telemetry {
    pub circonus_api_app: Option<String>,
    pub circonus_api_token: Option<String>,
    pub circonus_api_url: Option<String>,
    pub circonus_broker_id: Option<String>,
    pub circonus_broker_select_tag: Option<String>,
    pub circonus_check_display_name: Option<String>,
    pub circonus_check_force_metric_activation: Option<String>,
    pub circonus_check_id: Option<String>,
    pub circonus_check_instance_id: Option<String>,
    pub circonus_check_search_tag: Option<String>,
    pub circonus_check_tags: Option<String>,
    pub circonus_submission_interval: Option<String>,
    pub circonus_submission_url: Option<String>,
    pub disable_hostname: Option<bool>,
    pub disable_compat_1_9: Option<bool>,
    pub dogstatsd_addr: Option<String>,
    pub dogstatsd_tags: Option<Vec<String>>,
    pub enable_host_metrics: Option<bool>,
    pub filter_default: Option<bool>,
    pub metrics_prefix: Option<String>,
    pub prefix_filter: Option<Vec<String>>,
    pub prometheus_retention_time: Option<String>,
    pub retry_failed_connection: Option<bool>,
    pub statsd_address: Option<String>,
    pub statsite_address: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Tls {
    pub defaults: Option<TlsProtocol>,
    pub grpc: Option<TlsProtocol>,
    pub https: Option<TlsProtocol>,
    pub internal_rpc: Option<TlsProtocol>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct TlsProtocol {
    pub ca_file: Option<String>,
    pub ca_path: Option<String>,
    pub cert_file: Option<String>,
    pub key_file: Option<String>,
    pub tls_cipher_suites: Option<String>,
    pub tls_min_version: Option<String>,
    pub use_auto_cert: Option<bool>,
    pub verify_incoming: Option<bool>,
    pub verify_outgoing: Option<bool>,
    pub verify_server_hostname: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct UiConfig {
    pub content_path: Option<String>,
    pub dashboard_url_templates: Option<Map>,
    pub dir: Option<String>,
    pub enabled: Option<bool>,
    pub metrics_provider: Option<String>,
    pub metrics_provider_files: Option<Vec<String>>,
    pub metrics_provider_options_json: Option<String>,
    pub metrics_proxy: Option<Value>,
}
