//! The `sd agent` flag table: every flag Consul's agent accepts (`agent/config/flags.go`), its
//! value kind, the config-file key it sets, its help text and whether sd implements the
//! capability yet. The clap arguments, the `SD_*` environment variables and the
//! "not yet supported" warnings are all derived from this one table.
//!
//! Config is the only module that reads environment variables; this file only names them.

use clap::Arg;

use crate::goflag::{flag, multi, opt};

/// What a flag's value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagKind {
    /// Go-style boolean: `-server`, `-server=false`.
    Bool,
    /// One string; the last occurrence wins.
    Str,
    /// One integer; the last occurrence wins.
    Int,
    /// One Go duration (`30s`, `1m30s`); the last occurrence wins.
    Duration,
    /// Repeatable; each occurrence adds one element.
    List,
    /// Repeatable `key:value`; each occurrence adds one entry.
    Map,
}

/// Where a flag's value goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A config-file key path, dot-separated (`ports.http`).
    Key(&'static str),
    /// `-config-file`: a file (or directory) to load.
    ConfigFile,
    /// `-config-dir`: a directory whose `*.json`/`*.hcl` files are loaded.
    ConfigDir,
    /// `-config-format`: forces the format of every config file.
    ConfigFormat,
    /// `-hcl`: an inline HCL fragment.
    Hcl,
    /// `-dev`: development mode.
    Dev,
}

/// Whether sd does what the flag asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// Implemented (or stored for the part of the agent that uses it).
    Yes,
    /// Accepted; makes no difference to sd (it speaks a single protocol version, never
    /// derives node IDs from the host).
    NoEffect,
    /// Accepted and kept in the merged config, but the capability is missing: the agent logs
    /// one warning naming the flag.
    NotYet,
}

/// One row of the agent flag table.
#[derive(Debug, Clone, Copy)]
pub struct AgentFlag {
    pub name: &'static str,
    pub kind: FlagKind,
    pub target: Target,
    pub value_name: &'static str,
    pub help: &'static str,
    pub support: Support,
}

impl AgentFlag {
    /// The config-file key path this flag sets, if it sets one.
    pub fn key(&self) -> Option<&'static str> {
        match self.target {
            Target::Key(k) => Some(k),
            _ => None,
        }
    }

    /// The environment variable that sets this flag: `SD_` + the name upper-cased with `-`
    /// turned into `_` (`-data-dir` -> `SD_DATA_DIR`).
    pub fn env_var(&self) -> String {
        env_var_name(self.name)
    }

    /// The clap argument for this flag, Go-style.
    pub fn arg(&self) -> Arg {
        match self.kind {
            FlagKind::Bool => flag(self.name, self.help).overrides_with(self.name),
            FlagKind::List | FlagKind::Map => multi(self.name, self.value_name, self.help),
            FlagKind::Str | FlagKind::Int | FlagKind::Duration => {
                // Go's flag package lets a later occurrence replace an earlier one.
                opt(self.name, self.value_name, self.help).overrides_with(self.name)
            }
        }
    }
}

/// `SD_<NAME>`: the flag name upper-cased, `-` and `_` both becoming `_`.
pub fn env_var_name(flag: &str) -> String {
    let mut out = String::from("SD_");
    out.extend(flag.chars().map(|c| match c {
        '-' => '_',
        c => c.to_ascii_uppercase(),
    }));
    out
}

const fn row(
    name: &'static str,
    kind: FlagKind,
    target: Target,
    value_name: &'static str,
    support: Support,
    help: &'static str,
) -> AgentFlag {
    AgentFlag {
        name,
        kind,
        target,
        value_name,
        help,
        support,
    }
}

use FlagKind::{Bool, Duration as Dur, Int, List, Map, Str};
use Support::{NoEffect, NotYet, Yes};
use Target::Key;

/// Every flag of `sd agent`, in alphabetical order.
#[rustfmt::skip]
pub const AGENT_FLAGS: &[AgentFlag] = &[
    row("advertise", Str, Key("advertise_addr"), "ADDR", Yes,
        "Address other cluster members use to reach this agent. Defaults to the bind address, or the host's private IPv4 address when binding 0.0.0.0."),
    row("advertise-wan", Str, Key("advertise_addr_wan"), "ADDR", Yes,
        "Address servers in other datacenters use to reach this one. Default: the -advertise address."),
    row("allow-write-http-from", List, Key("http_config.allow_write_http_from"), "CIDR", NotYet,
        "Reject HTTP write requests from clients outside this CIDR range. Repeatable."),
    row("alt-domain", Str, Key("alt_domain"), "DOMAIN", Yes,
        "A second domain the DNS interface answers for."),
    row("auto-reload-config", Bool, Key("auto_reload_config"), "", NotYet,
        "Reload the configuration when a config file changes."),
    row("bind", Str, Key("bind_addr"), "ADDR", Yes,
        "Address for cluster traffic (server RPC and gossip). Default 0.0.0.0."),
    row("bootstrap", Bool, Key("bootstrap"), "", Yes,
        "Let this server elect itself leader without waiting for others. Use on at most one server per datacenter."),
    row("bootstrap-expect", Int, Key("bootstrap_expect"), "N", Yes,
        "Wait until N servers have joined, then bootstrap the cluster. Requires -server."),
    row("check_output_max_size", Int, Key("check_output_max_size"), "BYTES", Yes,
        "Longest check output kept, in bytes (must be positive). Default 4096."),
    row("client", Str, Key("client_addr"), "ADDRS", Yes,
        "Addresses (space-separated) the HTTP and DNS interfaces listen on. Default 127.0.0.1."),
    row("config-dir", List, Target::ConfigDir, "DIR", Yes,
        "Directory whose *.json and *.hcl files are loaded in alphabetical order (no subdirectories). Repeatable."),
    row("config-file", List, Target::ConfigFile, "FILE", Yes,
        "A config file, JSON or HCL by extension, or a directory loaded like -config-dir. Repeatable; later ones override earlier ones."),
    row("config-format", Str, Target::ConfigFormat, "json|hcl", Yes,
        "Read every config file in this format whatever its extension."),
    row("data-dir", Str, Key("data_dir"), "PATH", Yes,
        "Directory for the agent's state. Required unless -dev."),
    row("datacenter", Str, Key("datacenter"), "NAME", Yes,
        "Datacenter this agent belongs to. Default dc1."),
    row("default-query-time", Dur, Key("default_query_time"), "DURATION", Yes,
        "How long a blocking query waits when the request names no wait time. Default 300s."),
    row("dev", Bool, Target::Dev, "", Yes,
        "Development mode: a self-bootstrapping single server on 127.0.0.1 with a throwaway data directory, the UI enabled and debug logging."),
    row("disable-host-node-id", Bool, Key("disable_host_node_id"), "", NoEffect,
        "Do not derive the node ID from host information (sd always generates a random one)."),
    row("disable-keyring-file", Bool, Key("disable_keyring_file"), "", Yes,
        "Do not save the gossip keyring to the data directory."),
    row("dns-port", Int, Key("ports.dns"), "PORT", Yes,
        "DNS port (TCP and UDP). Default 8600; -1 disables."),
    row("domain", Str, Key("domain"), "DOMAIN", Yes,
        "Domain the DNS interface answers for. Default consul."),
    row("enable-local-script-checks", Bool, Key("enable_local_script_checks"), "", Yes,
        "Allow script checks defined in local config files only."),
    row("enable-script-checks", Bool, Key("enable_script_checks"), "", Yes,
        "Allow script checks, including ones registered over the HTTP API (lets API users run commands)."),
    row("encrypt", Str, Key("encrypt"), "KEY", Yes,
        "Key that encrypts gossip traffic: 16 or 32 random bytes, base64-encoded (`sd keygen`)."),
    row("free-ports", Bool, Key("free_ports"), "", Yes,
        "sd extension: bind every enabled port (HTTP, DNS, server RPC, serf LAN) to a free one the kernel picks; the agent advertises the ports it got and logs them (\"Started HTTP server address=...\"). For tests and agents run side by side."),
    row("grpc-port", Int, Key("ports.grpc"), "PORT", NotYet,
        "gRPC port. Default -1 (off)."),
    row("grpc-tls-port", Int, Key("ports.grpc_tls"), "PORT", NotYet,
        "gRPC-over-TLS port. Default -1 (off)."),
    row("hcl", List, Target::Hcl, "HCL", Yes,
        "An inline HCL config fragment, applied after the config files. Repeatable."),
    row("http-port", Int, Key("ports.http"), "PORT", Yes,
        "HTTP API and UI port. Default 8500; -1 disables."),
    row("https-port", Int, Key("ports.https"), "PORT", NotYet,
        "HTTPS API port. Default -1 (off)."),
    row("join", List, Key("start_join"), "ADDR", Yes,
        "Agent to contact at start-up to join its cluster; handled like -retry-join. Repeatable."),
    row("join-wan", List, Key("start_join_wan"), "ADDR", Yes,
        "Server in another datacenter to contact over WAN gossip at start-up. Repeatable."),
    row("log-file", Str, Key("log_file"), "PATH", NotYet,
        "Also write logs to this file."),
    row("log-json", Bool, Key("log_json"), "", Yes,
        "Write logs as JSON."),
    row("log-level", Str, Key("log_level"), "LEVEL", Yes,
        "Log level: trace, debug, info, warn or error. Default info."),
    row("log-rotate-bytes", Int, Key("log_rotate_bytes"), "BYTES", NotYet,
        "Rotate the log file after this many bytes."),
    row("log-rotate-duration", Dur, Key("log_rotate_duration"), "DURATION", NotYet,
        "Rotate the log file after this long. Default 24h."),
    row("log-rotate-max-files", Int, Key("log_rotate_max_files"), "N", NotYet,
        "How many rotated log files to keep."),
    row("max-query-time", Dur, Key("max_query_time"), "DURATION", Yes,
        "Longest wait a blocking query may ask for. Default 600s."),
    row("node", Str, Key("node_name"), "NAME", Yes,
        "Node name; no two members may share one. Default: the host name."),
    row("node-id", Str, Key("node_id"), "UUID", Yes,
        "UUID identifying this node. Default: generated on first start and stored in the data directory."),
    row("node-meta", Map, Key("node_meta"), "KEY:VALUE", Yes,
        "A metadata pair for this node. Repeatable."),
    row("non-voting-server", Bool, Key("read_replica"), "", NotYet,
        "Deprecated name of -read-replica."),
    row("pid-file", Str, Key("pid_file"), "PATH", Yes,
        "Write the agent's process ID to this file."),
    row("primary-gateway", List, Key("primary_gateways"), "ADDR", NotYet,
        "Mesh gateway in the primary datacenter used for WAN federation. Repeatable."),
    row("protocol", Int, Key("protocol"), "N", NoEffect,
        "RPC protocol version (sd speaks one version)."),
    row("raft-protocol", Int, Key("raft_protocol"), "N", NoEffect,
        "Raft protocol version (sd speaks one version)."),
    row("read-replica", Bool, Key("read_replica"), "", NotYet,
        "Run as a server that receives replicated data but never votes in Raft (a Consul Enterprise feature)."),
    row("recursor", List, Key("recursors"), "ADDR", Yes,
        "Upstream DNS server for names outside the domain. Repeatable."),
    row("rejoin", Bool, Key("rejoin_after_leave"), "", Yes,
        "Rejoin the cluster at start even after a graceful leave."),
    row("retry-interval", Dur, Key("retry_interval"), "DURATION", Yes,
        "Pause between -retry-join attempts. Default 30s."),
    row("retry-interval-wan", Dur, Key("retry_interval_wan"), "DURATION", Yes,
        "Pause between -retry-join-wan attempts. Default 30s."),
    row("retry-join", List, Key("retry_join"), "ADDR", Yes,
        "Agent to join at start-up, trying again until it succeeds. Repeatable."),
    row("retry-join-wan", List, Key("retry_join_wan"), "ADDR", Yes,
        "Server in another datacenter to join over WAN gossip, trying again until it succeeds. Repeatable."),
    row("retry-max", Int, Key("retry_max"), "N", Yes,
        "Stop -retry-join after N failed attempts (0: keep trying)."),
    row("retry-max-wan", Int, Key("retry_max_wan"), "N", Yes,
        "Stop -retry-join-wan after N failed attempts (0: keep trying)."),
    row("segment", Str, Key("segment"), "NAME", NotYet,
        "Name of the LAN gossip segment this agent belongs to (a Consul Enterprise feature)."),
    row("serf-lan-allowed-cidrs", List, Key("serf_lan_allowed_cidrs"), "CIDR", NotYet,
        "Only accept LAN gossip from this network. Repeatable."),
    row("serf-lan-bind", Str, Key("serf_lan"), "ADDR", Yes,
        "Address for LAN gossip. Default: the bind address."),
    row("serf-lan-port", Int, Key("ports.serf_lan"), "PORT", Yes,
        "LAN gossip port. Default 8301."),
    row("serf-wan-allowed-cidrs", List, Key("serf_wan_allowed_cidrs"), "CIDR", NotYet,
        "Only accept WAN gossip from this network. Repeatable."),
    row("serf-wan-bind", Str, Key("serf_wan"), "ADDR", Yes,
        "Address for WAN gossip. Default: the bind address."),
    row("serf-wan-port", Int, Key("ports.serf_wan"), "PORT", Yes,
        "WAN gossip port. Default 8302; -1 disables."),
    row("server", Bool, Key("server"), "", Yes,
        "Run as a server (Raft voter) instead of a client."),
    row("server-port", Int, Key("ports.server"), "PORT", Yes,
        "Server RPC port. Default 8300."),
    row("syslog", Bool, Key("enable_syslog"), "", NotYet,
        "Also send logs to syslog."),
    row("ui", Bool, Key("ui_config.enabled"), "", Yes,
        "Serve the web UI under /ui/."),
    row("ui-content-path", Str, Key("ui_config.content_path"), "PATH", Yes,
        "URL path the UI is served under. Default /ui/."),
    row("ui-dir", Str, Key("ui_config.dir"), "DIR", Yes,
        "Serve the UI from this directory instead of the built-in one."),
];

/// Config-file keys (no flag of their own) whose capability sd lacks; setting one to a
/// non-empty, non-false value makes the agent warn once, naming the key and the file.
pub const FILE_KEYS_NOT_YET: &[&str] = &[
    "addresses.dns",
    "addresses.grpc",
    "audit",
    "auto_config.enabled",
    "auto_encrypt.tls",
    "cloud",
    "config_entries.bootstrap",
    "connect.enabled",
    "http_config.block_endpoints",
    "segments",
    "telemetry.dogstatsd_addr",
    "telemetry.prometheus_retention_time",
    "telemetry.statsd_address",
    "telemetry.statsite_address",
    "tls.grpc.cert_file",
];

/// The table row for `name`, if it is an agent flag.
pub fn find(name: &str) -> Option<&'static AgentFlag> {
    AGENT_FLAGS.iter().find(|f| f.name == name)
}

/// The clap arguments of `sd agent`, one per table row.
pub fn agent_args() -> Vec<Arg> {
    AGENT_FLAGS.iter().map(AgentFlag::arg).collect()
}
