//! Turns the merged, typed configuration into a [`RuntimeConfig`], validating as it goes the
//! way Consul's builder does (`agent/config/builder.go`): every error says which key or flag
//! to change.
//!
//! Part of `config`, the only module that reads environment variables.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::addr::{self, HostAddr};
use super::build_checks as check;
use super::error::ConfigError;
use super::runtime::{AutopilotConfig, DnsConfig, GossipTuning, Ports, RaftTuning, RuntimeConfig};
use super::schema::FileConfig;

/// Facts about the host, looked up only when needed (tests inject them).
pub(crate) struct Host {
    pub hostname: Option<String>,
    pub addrs: Option<Vec<HostAddr>>,
}

impl Host {
    fn addrs(&mut self) -> Result<&[HostAddr], ConfigError> {
        if self.addrs.is_none() {
            self.addrs = Some(addr::host_addrs()?);
        }
        Ok(self.addrs.as_deref().unwrap_or_default())
    }

    /// Host addresses if `text` needs them (a template), else none.
    fn addrs_for(&mut self, text: &str) -> Result<&[HostAddr], ConfigError> {
        if text.contains("{{") {
            self.addrs()
        } else {
            Ok(&[])
        }
    }
}

/// Parses a Go duration, with advice in the error.
pub(crate) fn go_duration(text: &str) -> Result<Duration, String> {
    crate::api::parse_duration(text)
        .map_err(|e| format!("{e}; use Go duration syntax like 30s, 5m or 1h30m"))
}

/// Duration at `path`, or `default` when unset.
fn dur(path: &str, v: &Option<String>, default: Duration) -> Result<Duration, ConfigError> {
    match v {
        None => Ok(default),
        Some(text) => go_duration(text).map_err(|e| ConfigError::invalid(format!("{path}: {e}"))),
    }
}

/// `gossip_lan` / `gossip_wan`: durations and counts must be above zero.
fn gossip_tuning(
    section: &str,
    g: Option<&super::schema_sections::Gossip>,
) -> Result<GossipTuning, ConfigError> {
    let Some(g) = g else {
        return Ok(GossipTuning::default());
    };
    let duration = |key: &str, v: &Option<String>| -> Result<Option<Duration>, ConfigError> {
        let path = format!("{section}.{key}");
        match v {
            None => Ok(None),
            Some(_) => match dur(&path, v, Duration::ZERO)? {
                d if d.is_zero() => Err(ConfigError::invalid(format!(
                    "{path} must be greater than zero"
                ))),
                d => Ok(Some(d)),
            },
        }
    };
    let positive = |key: &str, v: Option<i64>| -> Result<Option<u32>, ConfigError> {
        match v {
            None => Ok(None),
            Some(n) if (1..=i64::from(u16::MAX)).contains(&n) => Ok(u32::try_from(n).ok()),
            Some(n) => Err(ConfigError::invalid(format!(
                "{section}.{key} cannot be {n}. Must be between 1 and 65535"
            ))),
        }
    };
    Ok(GossipTuning {
        gossip_interval: duration("gossip_interval", &g.gossip_interval)?,
        gossip_nodes: positive("gossip_nodes", g.gossip_nodes)?.map(|n| n as usize),
        probe_interval: duration("probe_interval", &g.probe_interval)?,
        probe_timeout: duration("probe_timeout", &g.probe_timeout)?,
        retransmit_mult: positive("retransmit_mult", g.retransmit_mult)?,
        suspicion_mult: positive("suspicion_mult", g.suspicion_mult)?,
    })
}

/// A count that must not be negative.
fn count(path: &str, v: Option<i64>, default: u64) -> Result<u64, ConfigError> {
    match v {
        None => Ok(default),
        Some(n) => u64::try_from(n).map_err(|_| {
            ConfigError::invalid(format!(
                "{path} cannot be {n}. Must be greater than or equal to zero"
            ))
        }),
    }
}

fn count32(path: &str, v: Option<i64>, default: u32) -> Result<u32, ConfigError> {
    let n = count(path, v, u64::from(default))?;
    u32::try_from(n).map_err(|_| ConfigError::invalid(format!("{path} is too large: {n}")))
}

/// Consul's port rule: unset or <= 0 disables the listener (-1); above 65535 is an error.
fn port(name: &str, v: Option<i32>, default: i32) -> Result<i32, ConfigError> {
    match v.unwrap_or(default) {
        p if p <= 0 => Ok(-1),
        p if p > 65535 => Err(ConfigError::invalid(format!(
            "ports.{name}: invalid port {p}; use 1-65535, or -1 to disable"
        ))),
        p => Ok(p),
    }
}

fn non_empty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Builds the runtime config. `dev` is `-dev`; `warnings` collects non-fatal findings.
pub(crate) fn build(
    c: &FileConfig,
    dev: bool,
    host: &mut Host,
    warnings: &mut Vec<String>,
) -> Result<RuntimeConfig, ConfigError> {
    let d = RuntimeConfig::default();

    let datacenter = check::datacenter(c.datacenter.as_deref().unwrap_or("dc1"))?;
    let primary_datacenter = non_empty(&c.primary_datacenter)
        .map(str::to_lowercase)
        .unwrap_or_else(|| datacenter.clone());

    let data_dir = non_empty(&c.data_dir).map(PathBuf::from);
    match &data_dir {
        None if !dev => {
            return Err(ConfigError::invalid(
                "data_dir is required; set -data-dir or data_dir in a config file",
            ))
        }
        Some(dir) if dir.exists() && !dir.is_dir() => {
            return Err(ConfigError::invalid(format!(
                "data_dir {:?} is not a directory; point -data-dir at a directory",
                dir.display().to_string()
            )))
        }
        _ => {}
    }

    let node_name = match non_empty(&c.node_name) {
        Some(n) => n.to_string(),
        None => host.hostname.clone().unwrap_or_default(),
    };
    if node_name.is_empty() {
        return Err(ConfigError::invalid(
            "node_name cannot be empty and the host name could not be read; set -node or node_name",
        ));
    }
    check::node_name_dns(&node_name, warnings);
    let node_id = non_empty(&c.node_id).map(check::node_id).transpose()?;
    let node_meta = c.node_meta.clone().unwrap_or_default();
    check::node_meta(&node_meta)?;

    let server = c.server.unwrap_or(false);
    let mut bootstrap = c.bootstrap.unwrap_or(false);
    let mut bootstrap_expect = c.bootstrap_expect.unwrap_or(0);
    // Before the checks, as Consul: `-dev -bootstrap-expect 1` (how client test suites start
    // Consul) is bootstrap mode, not a conflict with -dev.
    if bootstrap_expect == 1 {
        warnings.push("BootstrapExpect is set to 1; this is the same as Bootstrap mode.".into());
        bootstrap = true;
        bootstrap_expect = 0;
    }
    check::bootstrap(server, bootstrap, bootstrap_expect, dev)?;
    check::bootstrap_warnings(server, bootstrap, bootstrap_expect, dev, warnings);
    let bootstrap_expect = u32::try_from(bootstrap_expect)
        .map_err(|_| ConfigError::invalid("bootstrap_expect is too large"))?;

    let p = c.ports.clone().unwrap_or_default();
    let dp = Ports::default();
    let ports = Ports {
        http: port("http", p.http, dp.http)?,
        https: port("https", p.https, dp.https)?,
        dns: port("dns", p.dns, dp.dns)?,
        grpc: port("grpc", p.grpc, dp.grpc)?,
        grpc_tls: port("grpc_tls", p.grpc_tls, dp.grpc_tls)?,
        server: port("server", p.server, dp.server)?,
        serf_lan: port("serf_lan", p.serf_lan, dp.serf_lan)?,
        serf_wan: port("serf_wan", p.serf_wan, dp.serf_wan)?,
    };
    if ports.server <= 0 {
        return Err(ConfigError::invalid(
            "server-port must be greater than zero (ports.server)",
        ));
    }
    if ports.serf_lan <= 0 {
        return Err(ConfigError::invalid(
            "serf-lan-port must be greater than zero (ports.serf_lan)",
        ));
    }

    let bind_text = c.bind_addr.clone().unwrap_or_else(|| "0.0.0.0".into());
    let bind_addr = addr::parse_one_ip("bind_addr", &bind_text, host.addrs_for(&bind_text)?)?;
    let advertise_addr = match non_empty(&c.advertise_addr) {
        Some(text) => {
            let ip = addr::parse_one_ip("advertise_addr", text, host.addrs_for(text)?)?;
            if ip.is_unspecified() {
                return Err(ConfigError::invalid(
                    "Advertise address cannot be 0.0.0.0, :: or [::]",
                ));
            }
            ip
        }
        None if bind_addr.is_unspecified() => addr::detect_advertise(bind_addr, host.addrs()?)?,
        None => bind_addr,
    };
    let advertise_addr_wan = match non_empty(&c.advertise_addr_wan) {
        Some(text) => {
            let ip = addr::parse_one_ip("advertise_addr_wan", text, host.addrs_for(text)?)?;
            if ip.is_unspecified() {
                return Err(ConfigError::invalid(
                    "Advertise WAN address cannot be 0.0.0.0, :: or [::]",
                ));
            }
            ip
        }
        None => advertise_addr,
    };
    let serf_lan_addr = optional_ip("serf_lan", &c.serf_lan, host)?;
    let serf_wan_addr = optional_ip("serf_wan", &c.serf_wan, host)?;
    let client_text = c.client_addr.clone().unwrap_or_default();
    let client_addrs = addr::parse_ips("client_addr", &client_text, host.addrs_for(&client_text)?)?;
    let http_listen = match c.addresses.as_ref().and_then(|a| a.http.clone()) {
        Some(text) if !text.trim().is_empty() => {
            super::http_listen::http_listen(&text, host.addrs_for(&text)?)?
        }
        _ => super::http_listen::HttpListen {
            ips: client_addrs.clone(),
            unix: Vec::new(),
        },
    };
    let https_addrs = match c.addresses.as_ref().and_then(|a| a.https.clone()) {
        Some(text) if text.contains("unix://") => {
            return Err(ConfigError::invalid(
                "addresses.https: sd serves HTTPS on IP addresses only; use addresses.http for a unix socket",
            ))
        }
        Some(text) if !text.trim().is_empty() => {
            addr::parse_ips("addresses.https", &text, host.addrs_for(&text)?)?
        }
        _ => client_addrs.clone(),
    };
    let unix_socket_perms = super::http_listen::unix_socket_perms(c.unix_sockets.as_ref())?;
    if client_addrs.is_empty() {
        warnings.push(
            "client_addr is empty, client services (DNS, HTTP) will not be listening for connections"
                .into(),
        );
    }

    let log_level = check::log_level(c.log_level.as_deref().unwrap_or("info"))?;

    let perf = c.performance.clone().unwrap_or_default();
    let multiplier = perf.raft_multiplier.unwrap_or(1);
    if !(1..=10).contains(&multiplier) {
        return Err(ConfigError::invalid(format!(
            "performance.raft_multiplier cannot be {multiplier}. Must be between 1 and 10"
        )));
    }
    let dr = RaftTuning::default();
    let raft = RaftTuning {
        multiplier: multiplier as u32,
        snapshot_threshold: count(
            "raft_snapshot_threshold",
            c.raft_snapshot_threshold,
            dr.snapshot_threshold,
        )?,
        snapshot_interval: dur(
            "raft_snapshot_interval",
            &c.raft_snapshot_interval,
            dr.snapshot_interval,
        )?,
        trailing_logs: count("raft_trailing_logs", c.raft_trailing_logs, dr.trailing_logs)?,
    };

    let limits = c.limits.clone().unwrap_or_default();
    let http_cfg = c.http_config.clone().unwrap_or_default();
    let allow_write_http_from = http_cfg.allow_write_http_from.unwrap_or_default();
    for cidr in &allow_write_http_from {
        check::cidr("http_config.allow_write_http_from", cidr)?;
    }
    for (key, list) in [
        ("serf_lan_allowed_cidrs", &c.serf_lan_allowed_cidrs),
        ("serf_wan_allowed_cidrs", &c.serf_wan_allowed_cidrs),
    ] {
        for cidr in list.iter().flatten() {
            check::cidr(key, cidr)?;
        }
    }

    let encrypt = non_empty(&c.encrypt).map(String::from);
    if let Some(key) = &encrypt {
        check::encrypt_key(key)?;
    }
    let recursors = c.recursors.clone().unwrap_or_default();
    check::recursors(&recursors)?;

    let check_output_max_size = c.check_output_max_size.unwrap_or(4096);
    if check_output_max_size < 1 {
        return Err(ConfigError::invalid(
            "check_output_max_size must be positive, to discard check output use the discard_check_output flag",
        ));
    }

    let ui = c.ui_config.clone().unwrap_or_default();

    Ok(RuntimeConfig {
        node_name,
        node_id,
        node_meta,
        datacenter,
        primary_datacenter,
        server,
        bootstrap,
        bootstrap_expect,
        dev,
        data_dir,
        bind_addr,
        advertise_addr: Some(advertise_addr),
        client_addrs,
        https_addrs,
        http_listen,
        unix_socket_perms,
        ports,
        domain: check::domain(c.domain.as_deref().unwrap_or("consul.")),
        log_level,
        log_json: c.log_json.unwrap_or(false),
        ui_enabled: ui.enabled.unwrap_or(false),
        enable_script_checks: c.enable_script_checks.unwrap_or(false),
        enable_local_script_checks: c.enable_local_script_checks.unwrap_or(false),
        retry_join: c.retry_join.clone().unwrap_or_default(),
        pid_file: non_empty(&c.pid_file).map(PathBuf::from),
        kv_max_value_size: limits.kv_max_value_size.unwrap_or(d.kv_max_value_size),
        txn_max_req_len: limits.txn_max_req_len.unwrap_or(d.txn_max_req_len),
        default_query_time: dur(
            "default_query_time",
            &c.default_query_time,
            d.default_query_time,
        )?,
        max_query_time: dur("max_query_time", &c.max_query_time, d.max_query_time)?,
        raft,
        not_yet_supported: Vec::new(),
        warnings: Vec::new(),
        merged: serde_json::Value::Null,
        advertise_addr_wan: Some(advertise_addr_wan),
        serf_lan_addr,
        serf_wan_addr,
        alt_domain: non_empty(&c.alt_domain).map(check::domain),
        recursors,
        retry_join_wan: c.retry_join_wan.clone().unwrap_or_default(),
        retry_interval: dur("retry_interval", &c.retry_interval, d.retry_interval)?,
        retry_max: count32("retry_max", c.retry_max, 0)?,
        retry_interval_wan: dur(
            "retry_interval_wan",
            &c.retry_interval_wan,
            d.retry_interval_wan,
        )?,
        retry_max_wan: count32("retry_max_wan", c.retry_max_wan, 0)?,
        reconnect_timeout_wan: dur(
            "reconnect_timeout_wan",
            &c.reconnect_timeout_wan,
            d.reconnect_timeout_wan,
        )?,
        gossip_lan: gossip_tuning("gossip_lan", c.gossip_lan.as_ref())?,
        gossip_wan: gossip_tuning("gossip_wan", c.gossip_wan.as_ref())?,
        rejoin_after_leave: c.rejoin_after_leave.unwrap_or(false),
        free_ports: c.free_ports.unwrap_or(false),
        encrypt,
        encrypt_verify_incoming: c.encrypt_verify_incoming.unwrap_or(true),
        encrypt_verify_outgoing: c.encrypt_verify_outgoing.unwrap_or(true),
        disable_keyring_file: c.disable_keyring_file.unwrap_or(false),
        leave_on_terminate: c.leave_on_terminate.unwrap_or(!server),
        skip_leave_on_interrupt: c.skip_leave_on_interrupt.unwrap_or(server),
        ui_dir: non_empty(&ui.dir).map(PathBuf::from),
        ui_content_path: check::content_path(ui.content_path.as_deref().unwrap_or("/ui/"))?,
        check_output_max_size: check_output_max_size as usize,
        check_update_interval: dur(
            "check_update_interval",
            &c.check_update_interval,
            d.check_update_interval,
        )?,
        session_ttl_min: dur("session_ttl_min", &c.session_ttl_min, d.session_ttl_min)?,
        reconnect_timeout: dur(
            "reconnect_timeout",
            &c.reconnect_timeout,
            d.reconnect_timeout,
        )?,
        leave_drain_time: dur(
            "performance.leave_drain_time",
            &perf.leave_drain_time,
            d.leave_drain_time,
        )?,
        rpc_hold_timeout: dur(
            "performance.rpc_hold_timeout",
            &perf.rpc_hold_timeout,
            d.rpc_hold_timeout,
        )?,
        http_max_conns_per_client: count32(
            "limits.http_max_conns_per_client",
            limits.http_max_conns_per_client,
            d.http_max_conns_per_client,
        )?,
        allow_write_http_from,
        http_response_headers: check::response_headers(
            http_cfg.response_headers.unwrap_or_default(),
        )?,
        disable_update_check: c.disable_update_check.unwrap_or(false),
        disable_remote_exec: c.disable_remote_exec.unwrap_or(true),
        enable_debug: c.enable_debug.unwrap_or(false),
        services: c.services.clone().unwrap_or_default(),
        checks: c.checks.clone().unwrap_or_default(),
        watches: c.watches.clone().unwrap_or_default(),
        config_files: Vec::new(),
        dns: dns_config(c)?,
        autopilot: autopilot_config(c)?,
        coordinates: super::coordinates::coordinate_config(c)?,
        tls: super::tls::tls_config(c)?,
        acl: super::acl::acl_config(c)?,
    })
}

fn optional_ip(
    key: &str,
    v: &Option<String>,
    host: &mut Host,
) -> Result<Option<IpAddr>, ConfigError> {
    match non_empty(v) {
        None => Ok(None),
        Some(text) => addr::parse_one_ip(key, text, host.addrs_for(text)?).map(Some),
    }
}

fn dns_config(c: &FileConfig) -> Result<DnsConfig, ConfigError> {
    let d = DnsConfig::default();
    let Some(x) = &c.dns_config else {
        return Ok(d);
    };
    let mut service_ttl = std::collections::BTreeMap::new();
    for (name, ttl) in x.service_ttl.iter().flatten() {
        let path = format!("dns_config.service_ttl.{name}");
        service_ttl.insert(
            name.clone(),
            dur(&path, &Some(ttl.clone()), Duration::ZERO)?,
        );
    }
    let soa = x.soa.clone().unwrap_or_default();
    Ok(DnsConfig {
        allow_stale: x.allow_stale.unwrap_or(d.allow_stale),
        max_stale: dur("dns_config.max_stale", &x.max_stale, d.max_stale)?,
        node_ttl: dur("dns_config.node_ttl", &x.node_ttl, d.node_ttl)?,
        service_ttl,
        udp_answer_limit: count32(
            "dns_config.udp_answer_limit",
            x.udp_answer_limit,
            d.udp_answer_limit,
        )?,
        a_record_limit: count32(
            "dns_config.a_record_limit",
            x.a_record_limit,
            d.a_record_limit,
        )?,
        only_passing: x.only_passing.unwrap_or(d.only_passing),
        enable_truncate: x.enable_truncate.unwrap_or(d.enable_truncate),
        enable_additional_node_meta_txt: x
            .enable_additional_node_meta_txt
            .unwrap_or(d.enable_additional_node_meta_txt),
        disable_compression: x.disable_compression.unwrap_or(d.disable_compression),
        recursor_timeout: dur(
            "dns_config.recursor_timeout",
            &x.recursor_timeout,
            d.recursor_timeout,
        )?,
        soa_refresh: soa.refresh.unwrap_or(d.soa_refresh),
        soa_retry: soa.retry.unwrap_or(d.soa_retry),
        soa_expire: soa.expire.unwrap_or(d.soa_expire),
        soa_min_ttl: soa.min_ttl.unwrap_or(d.soa_min_ttl),
    })
}

fn autopilot_config(c: &FileConfig) -> Result<AutopilotConfig, ConfigError> {
    let d = AutopilotConfig::default();
    let Some(x) = &c.autopilot else {
        return Ok(d);
    };
    Ok(AutopilotConfig {
        cleanup_dead_servers: x.cleanup_dead_servers.unwrap_or(d.cleanup_dead_servers),
        last_contact_threshold: dur(
            "autopilot.last_contact_threshold",
            &x.last_contact_threshold,
            d.last_contact_threshold,
        )?,
        max_trailing_logs: count(
            "autopilot.max_trailing_logs",
            x.max_trailing_logs,
            d.max_trailing_logs,
        )?,
        min_quorum: x.min_quorum.unwrap_or(d.min_quorum),
        server_stabilization_time: dur(
            "autopilot.server_stabilization_time",
            &x.server_stabilization_time,
            d.server_stabilization_time,
        )?,
    })
}
