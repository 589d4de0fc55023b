//! Tests of the agent flag table through clap and Go-style normalisation, and of [`load`]
//! end to end (layering, formats, errors, warnings).
//!
//! Part of `config`, the only module that reads environment variables.

use std::ffi::OsString;
use std::net::IpAddr;

use clap::Command;

use super::*;
use crate::goflag::normalize::go_style;

mod compat_tests;
mod load_tests;

fn agent() -> Command {
    Command::new("agent").args(agent_args())
}

/// Parses an `sd agent` command line the way `sd` does.
fn parse(args: &[&str]) -> Result<FlagValues, clap::Error> {
    let mut cmd = agent();
    let argv: Vec<OsString> = std::iter::once("agent")
        .chain(args.iter().copied())
        .map(OsString::from)
        .collect();
    let argv = go_style(&mut cmd, argv);
    let m = cmd.try_get_matches_from(argv)?;
    Ok(flags_from_matches(&m))
}

fn sample(kind: FlagKind) -> &'static str {
    match kind {
        FlagKind::Bool => "true",
        FlagKind::Str => "x",
        FlagKind::Int => "7",
        FlagKind::Duration => "15s",
        FlagKind::List => "a",
        FlagKind::Map => "k:v",
    }
}

#[test]
fn every_flag_parses_go_style() {
    for spec in AGENT_FLAGS {
        let name = spec.name;
        let dash = format!("-{name}");
        let value = sample(spec.kind);
        let (separate, joined): (Vec<String>, Vec<String>) = match spec.kind {
            FlagKind::Bool => (vec![dash.clone()], vec![format!("{dash}=false")]),
            _ => (
                vec![dash.clone(), value.to_string()],
                vec![format!("--{name}={value}")],
            ),
        };
        let a: Vec<&str> = separate.iter().map(String::as_str).collect();
        let got = parse(&a).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(got.values(name), [value], "{name}");
        let a: Vec<&str> = joined.iter().map(String::as_str).collect();
        let got = parse(&a).unwrap_or_else(|e| panic!("{name}: {e}"));
        let expect = if spec.kind == FlagKind::Bool {
            "false"
        } else {
            value
        };
        assert_eq!(got.values(name), [expect], "{name}");
    }
}

#[test]
fn table_covers_consul_flags() {
    let names: Vec<&str> = AGENT_FLAGS.iter().map(|f| f.name).collect();
    for required in [
        "server",
        "bootstrap",
        "bootstrap-expect",
        "data-dir",
        "datacenter",
        "node",
        "node-id",
        "disable-host-node-id",
        "node-meta",
        "bind",
        "advertise",
        "advertise-wan",
        "serf-lan-bind",
        "serf-wan-bind",
        "client",
        "http-port",
        "https-port",
        "dns-port",
        "grpc-port",
        "grpc-tls-port",
        "server-port",
        "serf-lan-port",
        "serf-wan-port",
        "free-ports",
        "join",
        "retry-join",
        "retry-interval",
        "retry-max",
        "join-wan",
        "retry-join-wan",
        "retry-interval-wan",
        "retry-max-wan",
        "rejoin",
        "encrypt",
        "disable-keyring-file",
        "enable-script-checks",
        "enable-local-script-checks",
        "config-file",
        "config-dir",
        "config-format",
        "hcl",
        "dev",
        "ui",
        "ui-dir",
        "ui-content-path",
        "domain",
        "alt-domain",
        "recursor",
        "log-level",
        "log-json",
        "log-file",
        "log-rotate-bytes",
        "log-rotate-duration",
        "log-rotate-max-files",
        "syslog",
        "pid-file",
        "protocol",
        "raft-protocol",
        "default-query-time",
        "max-query-time",
        "allow-write-http-from",
        "serf-lan-allowed-cidrs",
        "serf-wan-allowed-cidrs",
        "check_output_max_size",
        "auto-reload-config",
        "primary-gateway",
        "segment",
        "read-replica",
        "non-voting-server",
    ] {
        assert!(names.contains(&required), "missing -{required}");
    }
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), names.len(), "duplicate flag names");
    assert_eq!(
        find("http-port").and_then(AgentFlag::key),
        Some("ports.http")
    );
    assert_eq!(
        find("ui").and_then(AgentFlag::key),
        Some("ui_config.enabled")
    );
    assert_eq!(find("node").and_then(AgentFlag::key), Some("node_name"));
    assert_eq!(
        find("check_output_max_size").unwrap().env_var(),
        "SD_CHECK_OUTPUT_MAX_SIZE"
    );
    assert_eq!(find("data-dir").unwrap().env_var(), "SD_DATA_DIR");
}

use super::flags::find;

#[test]
fn seed_command_lines_parse() {
    let one = parse(&[
        "-server",
        "-bootstrap",
        "-ui",
        "-data-dir=/var/lib/consul-data",
        "-bind=192.168.242.68",
        "-client=0.0.0.0",
        "-node=consul-server01",
    ])
    .unwrap();
    let got: Vec<(&str, &str)> = one.iter().collect();
    assert_eq!(
        got,
        [
            ("server", "true"),
            ("bootstrap", "true"),
            ("ui", "true"),
            ("data-dir", "/var/lib/consul-data"),
            ("bind", "192.168.242.68"),
            ("client", "0.0.0.0"),
            ("node", "consul-server01"),
        ]
    );

    let two = parse(&[
        "-server",
        "-ui",
        "-data-dir=/var/lib/consul-data",
        "-bind=192.168.242.69",
        "-client=0.0.0.0",
        "-node=consul-server02",
        "-enable-script-checks=true",
        "-datacenter=dc1",
        "-join",
        "192.168.242.68",
    ])
    .unwrap();
    assert_eq!(two.last("enable-script-checks"), Some("true"));
    assert_eq!(two.values("join"), ["192.168.242.68"]);
    assert_eq!(two.last("datacenter"), Some("dc1"));

    // And they load (the data dir need not exist yet).
    let mut input = load_tests::input(two);
    input.host_addrs = Some(Vec::new());
    let rt = load(&input).unwrap();
    assert!(rt.server && rt.ui_enabled && rt.enable_script_checks);
    assert_eq!(rt.node_name, "consul-server02");
    assert_eq!(rt.bind_addr.to_string(), "192.168.242.69");
    assert_eq!(rt.advertise_addr, Some("192.168.242.69".parse().unwrap()));
    assert_eq!(rt.client_addrs, ["0.0.0.0".parse::<IpAddr>().unwrap()]);
    assert_eq!(rt.retry_join, ["192.168.242.68"]);
    assert!(!rt.not_yet_supported.contains(&"-ui".to_string()));
    assert!(!rt.not_yet_supported.contains(&"-join".to_string()));
}

#[test]
fn unknown_flag_is_a_clap_error() {
    let err = parse(&["-bogus"]).unwrap_err();
    assert_eq!(err.kind(), clap::error::ErrorKind::UnknownArgument);
    // A boolean never takes the next word as its value.
    assert!(parse(&["-server", "extra"]).is_err());
}

#[test]
fn repeated_flags_last_wins_and_lists_keep_order() {
    let fv = parse(&[
        "-log-level=debug",
        "-config-dir=/d",
        "-log-level",
        "warn",
        "-config-file=/a.json",
        "-config-dir",
        "/e",
    ])
    .unwrap();
    assert_eq!(fv.values("log-level"), ["warn"]);
    let twice = parse(&["-server", "-server=false"]).unwrap();
    assert_eq!(twice.values("server"), ["false"]);
    let order: Vec<(&str, &str)> = fv.iter().filter(|(n, _)| n.starts_with("config")).collect();
    assert_eq!(
        order,
        [
            ("config-dir", "/d"),
            ("config-file", "/a.json"),
            ("config-dir", "/e")
        ]
    );
}

#[test]
fn defaults_are_not_command_line_values() {
    let fv = parse(&["-node=n1"]).unwrap();
    assert_eq!(fv.iter().count(), 1);
}
