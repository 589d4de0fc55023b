//! The resolved configuration the agent runs with. Every field has its final value: defaults,
//! files, environment and flags have already been merged.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::Duration;

/// Listener ports; a negative value disables that listener (Consul's `-1`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ports {
    pub http: i32,
    pub https: i32,
    pub dns: i32,
    pub grpc: i32,
    pub grpc_tls: i32,
    pub server: i32,
    pub serf_lan: i32,
    pub serf_wan: i32,
}

impl Default for Ports {
    fn default() -> Self {
        Ports {
            http: 8500,
            https: -1,
            dns: 8600,
            grpc: -1,
            grpc_tls: -1,
            server: 8300,
            serf_lan: 8301,
            serf_wan: 8302,
        }
    }
}

/// Raft timing and log-compaction settings (`performance.raft_multiplier`, `raft_snapshot_*`,
/// `raft_trailing_logs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RaftTuning {
    pub multiplier: u32,
    pub snapshot_threshold: u64,
    pub snapshot_interval: Duration,
    pub trailing_logs: u64,
}

impl Default for RaftTuning {
    fn default() -> Self {
        RaftTuning {
            multiplier: 1,
            snapshot_threshold: 16384,
            snapshot_interval: Duration::from_secs(30),
            trailing_logs: 10240,
        }
    }
}

/// Everything the agent needs to start.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    pub node_name: String,
    /// `node_id` from config; when `None` the agent generates one and persists it in the data dir.
    pub node_id: Option<String>,
    pub node_meta: BTreeMap<String, String>,
    pub datacenter: String,
    pub primary_datacenter: String,
    pub server: bool,
    pub bootstrap: bool,
    pub bootstrap_expect: u32,
    pub dev: bool,
    /// Required unless `dev`.
    pub data_dir: Option<PathBuf>,
    pub bind_addr: IpAddr,
    pub advertise_addr: Option<IpAddr>,
    pub client_addrs: Vec<IpAddr>,
    pub ports: Ports,
    pub domain: String,
    pub log_level: String,
    pub log_json: bool,
    pub ui_enabled: bool,
    pub enable_script_checks: bool,
    pub enable_local_script_checks: bool,
    pub retry_join: Vec<String>,
    pub pid_file: Option<PathBuf>,
    /// `limits.kv_max_value_size`.
    pub kv_max_value_size: u64,
    /// `limits.txn_max_req_len`.
    pub txn_max_req_len: u64,
    pub default_query_time: Duration,
    pub max_query_time: Duration,
    pub raft: RaftTuning,
    /// Settings accepted but whose capability sd does not have yet, named the way the user gave
    /// them (`-ui`, `encrypt` in file x.hcl); the agent logs one WARN line for each.
    pub not_yet_supported: Vec<String>,
    /// Non-fatal problems found while loading (unknown keys), logged at start.
    pub warnings: Vec<String>,
    /// The merged configuration as JSON with Consul's key names, for `/v1/agent/self`.
    pub merged: serde_json::Value,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        RuntimeConfig {
            node_name: String::new(),
            node_id: None,
            node_meta: BTreeMap::new(),
            datacenter: "dc1".into(),
            primary_datacenter: "dc1".into(),
            server: false,
            bootstrap: false,
            bootstrap_expect: 0,
            dev: false,
            data_dir: None,
            bind_addr: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            advertise_addr: None,
            client_addrs: vec![IpAddr::V4(Ipv4Addr::LOCALHOST)],
            ports: Ports::default(),
            domain: "consul.".into(),
            log_level: "info".into(),
            log_json: false,
            ui_enabled: false,
            enable_script_checks: false,
            enable_local_script_checks: false,
            retry_join: Vec::new(),
            pid_file: None,
            kv_max_value_size: 512 * 1024,
            txn_max_req_len: 512 * 1024,
            default_query_time: Duration::from_secs(300),
            max_query_time: Duration::from_secs(600),
            raft: RaftTuning::default(),
            not_yet_supported: Vec::new(),
            warnings: Vec::new(),
            merged: serde_json::Value::Null,
        }
    }
}
