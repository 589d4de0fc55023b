//! The resolved configuration the agent runs with. Every field has its final value: defaults,
//! files, environment and flags have already been merged (see [`crate::config::load`]).
//! Config is the only module that reads environment variables; this file reads none.

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
    /// Where HTTPS listens: `addresses.https`, else `client_addr`.
    pub https_addrs: Vec<IpAddr>,
    /// Where HTTP listens: `addresses.http`, else `client_addr`.
    pub http_listen: super::http_listen::HttpListen,
    /// `unix_sockets`.
    pub unix_socket_perms: super::http_listen::UnixSocketPerms,
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
    /// Secrets (`encrypt`, tokens) are replaced by `"hidden"`.
    pub merged: serde_json::Value,

    /// `advertise_addr_wan`; `None` until resolved (then the LAN advertise address).
    pub advertise_addr_wan: Option<IpAddr>,
    /// `serf_lan` / `serf_wan`: gossip bind addresses; `None` means `bind_addr`.
    pub serf_lan_addr: Option<IpAddr>,
    pub serf_wan_addr: Option<IpAddr>,
    pub alt_domain: Option<String>,
    /// `recursors`: upstream DNS servers.
    pub recursors: Vec<String>,
    /// `retry_join_wan` (with `start_join_wan`): servers of other datacenters to join over WAN
    /// gossip, on servers only.
    pub retry_join_wan: Vec<String>,
    pub retry_interval: Duration,
    /// `retry_max`; 0 retries forever.
    pub retry_max: u32,
    pub retry_interval_wan: Duration,
    /// `retry_max_wan`; 0 retries forever.
    pub retry_max_wan: u32,
    /// `reconnect_timeout_wan`: failed WAN members are reaped after this long.
    pub reconnect_timeout_wan: Duration,
    /// `gossip_lan` / `gossip_wan`: memberlist tunings over the pool's defaults.
    pub gossip_lan: GossipTuning,
    pub gossip_wan: GossipTuning,
    pub rejoin_after_leave: bool,
    /// `-free-ports` (sd extension): bind every enabled port to one the kernel picks.
    pub free_ports: bool,
    /// `encrypt`: base64 gossip key (validated to decode to 16 or 32 bytes).
    pub encrypt: Option<String>,
    /// `encrypt_verify_incoming`: refuse gossip that is not encrypted (when a key is set).
    pub encrypt_verify_incoming: bool,
    /// `encrypt_verify_outgoing`: encrypt what this agent sends (when a key is set).
    pub encrypt_verify_outgoing: bool,
    /// `disable_keyring_file`: keep the keyring in memory only (`-dev` sets it).
    pub disable_keyring_file: bool,
    /// Defaults: true on clients, false on servers.
    pub leave_on_terminate: bool,
    /// Defaults: false on clients, true on servers.
    pub skip_leave_on_interrupt: bool,
    pub ui_dir: Option<PathBuf>,
    /// `ui_config.content_path`, always starting and ending with `/`.
    pub ui_content_path: String,
    pub check_output_max_size: usize,
    pub check_update_interval: Duration,
    pub session_ttl_min: Duration,
    pub reconnect_timeout: Duration,
    /// `performance.leave_drain_time`.
    pub leave_drain_time: Duration,
    /// `performance.rpc_hold_timeout`.
    pub rpc_hold_timeout: Duration,
    /// `limits.http_max_conns_per_client`.
    pub http_max_conns_per_client: u32,
    /// `http_config.allow_write_http_from` (CIDRs, checked).
    pub allow_write_http_from: Vec<String>,
    /// `http_config.response_headers`.
    pub http_response_headers: BTreeMap<String, String>,
    pub disable_update_check: bool,
    pub disable_remote_exec: bool,
    pub enable_debug: bool,
    /// `service`/`services` from every source, in load order, raw (Consul's key names).
    pub services: Vec<serde_json::Value>,
    /// `check`/`checks` from every source, in load order, raw.
    pub checks: Vec<serde_json::Value>,
    /// `watches`, raw.
    pub watches: Vec<serde_json::Value>,
    /// The config files actually read, in load order.
    pub config_files: Vec<PathBuf>,
    pub dns: DnsConfig,
    pub autopilot: AutopilotConfig,
    pub coordinates: CoordinateConfig,
    /// `tls { ... }`: the HTTPS API's and server RPC's certificates and checks.
    pub tls: super::tls::TlsConfig,
    /// The `acl` block.
    pub acl: super::acl::AclConfig,
}

/// `dns_config {}`.
/// `gossip_lan { ... }` / `gossip_wan { ... }`: what is set replaces the pool's default
/// (memberlist's names; `suspicion_mult` counts probe intervals).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GossipTuning {
    pub gossip_interval: Option<Duration>,
    pub gossip_nodes: Option<usize>,
    pub probe_interval: Option<Duration>,
    pub probe_timeout: Option<Duration>,
    pub retransmit_mult: Option<u32>,
    pub suspicion_mult: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsConfig {
    pub allow_stale: bool,
    pub max_stale: Duration,
    pub node_ttl: Duration,
    /// Per-service TTLs; the key may be `*` or end in `*` (prefix match).
    pub service_ttl: BTreeMap<String, Duration>,
    pub udp_answer_limit: u32,
    pub a_record_limit: u32,
    pub only_passing: bool,
    pub enable_truncate: bool,
    /// `enable_additional_node_meta_txt`: node meta as TXT records next to SRV and A answers.
    pub enable_additional_node_meta_txt: bool,
    pub disable_compression: bool,
    pub recursor_timeout: Duration,
    pub soa_refresh: u32,
    pub soa_retry: u32,
    pub soa_expire: u32,
    pub soa_min_ttl: u32,
}

impl Default for DnsConfig {
    fn default() -> Self {
        DnsConfig {
            allow_stale: true,
            max_stale: Duration::from_secs(87600 * 3600),
            node_ttl: Duration::ZERO,
            service_ttl: BTreeMap::new(),
            udp_answer_limit: 3,
            a_record_limit: 0,
            only_passing: false,
            enable_truncate: false,
            enable_additional_node_meta_txt: true,
            disable_compression: false,
            recursor_timeout: Duration::from_secs(2),
            soa_refresh: 3600,
            soa_retry: 600,
            soa_expire: 86400,
            soa_min_ttl: 0,
        }
    }
}

impl RuntimeConfig {}

/// `autopilot {}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutopilotConfig {
    pub cleanup_dead_servers: bool,
    pub last_contact_threshold: Duration,
    pub max_trailing_logs: u64,
    pub min_quorum: u32,
    pub server_stabilization_time: Duration,
}

impl Default for AutopilotConfig {
    fn default() -> Self {
        AutopilotConfig {
            cleanup_dead_servers: true,
            last_contact_threshold: Duration::from_millis(200),
            max_trailing_logs: 250,
            min_quorum: 0,
            server_stabilization_time: Duration::from_secs(10),
        }
    }
}

/// Network coordinates: whether they are kept, how often agents send theirs and how the
/// leader batches them into Raft (Consul's defaults).
#[derive(Debug, Clone, PartialEq)]
pub struct CoordinateConfig {
    /// `disable_coordinates`.
    pub disabled: bool,
    /// `consul.coordinate.update_period`: how often the leader writes the updates it gathered.
    pub update_period: Duration,
    /// `consul.coordinate.update_batch_size`: updates per Raft entry.
    pub update_batch_size: usize,
    /// `consul.coordinate.update_max_batches`: entries per period (the rest are dropped).
    pub update_max_batches: usize,
    /// `sync_coordinate_interval_min`: the shortest time between an agent's updates.
    pub sync_interval_min: Duration,
    /// `sync_coordinate_rate_target`: updates per second the whole cluster aims at.
    pub sync_rate_target: f64,
}

impl Default for CoordinateConfig {
    fn default() -> Self {
        CoordinateConfig {
            disabled: false,
            update_period: Duration::from_secs(5),
            update_batch_size: 128,
            update_max_batches: 5,
            sync_interval_min: Duration::from_secs(15),
            sync_rate_target: 64.0,
        }
    }
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
            https_addrs: vec![IpAddr::V4(Ipv4Addr::LOCALHOST)],
            http_listen: super::http_listen::HttpListen {
                ips: vec![IpAddr::V4(Ipv4Addr::LOCALHOST)],
                unix: Vec::new(),
            },
            unix_socket_perms: Default::default(),
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
            advertise_addr_wan: None,
            serf_lan_addr: None,
            serf_wan_addr: None,
            alt_domain: None,
            recursors: Vec::new(),
            retry_join_wan: Vec::new(),
            retry_interval: Duration::from_secs(30),
            retry_max: 0,
            retry_interval_wan: Duration::from_secs(30),
            retry_max_wan: 0,
            reconnect_timeout_wan: Duration::from_secs(72 * 3600),
            gossip_lan: GossipTuning::default(),
            gossip_wan: GossipTuning::default(),
            rejoin_after_leave: false,
            free_ports: false,
            encrypt: None,
            encrypt_verify_incoming: true,
            encrypt_verify_outgoing: true,
            disable_keyring_file: false,
            leave_on_terminate: true,
            skip_leave_on_interrupt: false,
            ui_dir: None,
            ui_content_path: "/ui/".into(),
            check_output_max_size: 4096,
            check_update_interval: Duration::from_secs(300),
            session_ttl_min: Duration::from_secs(10),
            reconnect_timeout: Duration::from_secs(72 * 3600),
            leave_drain_time: Duration::from_secs(5),
            rpc_hold_timeout: Duration::from_secs(7),
            http_max_conns_per_client: 200,
            allow_write_http_from: Vec::new(),
            http_response_headers: BTreeMap::new(),
            disable_update_check: false,
            disable_remote_exec: true,
            enable_debug: false,
            services: Vec::new(),
            checks: Vec::new(),
            watches: Vec::new(),
            config_files: Vec::new(),
            dns: DnsConfig::default(),
            autopilot: AutopilotConfig::default(),
            coordinates: CoordinateConfig::default(),
            tls: Default::default(),
            acl: Default::default(),
        }
    }
}
