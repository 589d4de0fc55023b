//! [`load`] end to end: layering, formats, type errors, unknown keys, dev mode, validation.
//!
//! Part of `config`, the only module that reads environment variables.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use crate::config::*;

/// A load input with no environment, a fixed host name and one private address.
pub(super) fn input(flags: FlagValues) -> LoadInput<'static> {
    LoadInput {
        flags,
        env: &no_env,
        hostname: Some("testhost".into()),
        host_addrs: Some(vec![
            HostAddr {
                interface: "lo".into(),
                ip: "127.0.0.1".parse().unwrap(),
            },
            HostAddr {
                interface: "eth0".into(),
                ip: "10.0.0.5".parse().unwrap(),
            },
        ]),
    }
}

pub(super) fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

pub(super) fn base() -> FlagValues {
    FlagValues::new().with("data-dir", "/tmp/sd-config-test-data")
}

fn load_err(fv: FlagValues) -> String {
    load(&input(fv)).unwrap_err().to_string()
}

#[test]
fn defaults() {
    let rt = load(&input(base())).unwrap();
    assert_eq!(rt.datacenter, "dc1");
    assert_eq!(rt.node_name, "testhost");
    assert_eq!(rt.bind_addr.to_string(), "0.0.0.0");
    assert_eq!(rt.advertise_addr.unwrap().to_string(), "10.0.0.5");
    assert_eq!(rt.client_addrs[0].to_string(), "127.0.0.1");
    assert_eq!(rt.ports, Ports::default());
    assert_eq!(rt.domain, "consul.");
    assert_eq!(rt.log_level, "info");
    assert_eq!(rt.default_query_time, Duration::from_secs(300));
    assert_eq!(rt.max_query_time, Duration::from_secs(600));
    assert_eq!(rt.kv_max_value_size, 512 * 1024);
    assert_eq!(rt.raft.multiplier, 1);
    assert!(!rt.server && rt.leave_on_terminate && !rt.skip_leave_on_interrupt);
    assert!(
        rt.not_yet_supported.is_empty(),
        "{:?}",
        rt.not_yet_supported
    );
    assert!(rt.warnings.is_empty(), "{:?}", rt.warnings);
    assert_eq!(rt.merged["ports"]["http"], 8500);
    assert_eq!(rt.merged["node_name"], "testhost");
}

#[test]
fn precedence_defaults_files_env_flags() {
    let dir = tempfile::tempdir().unwrap();
    let f1 = write(
        dir.path(),
        "1.json",
        r#"{"datacenter": "a", "node_name": "n1", "log_level": "warn", "ports": {"http": 1001, "dns": 1002}}"#,
    );
    let f2 = write(
        dir.path(),
        "2.hcl",
        "datacenter = \"b\"\nnode_name = \"n2\"\nports {\n  http = 2001\n}\n",
    );
    let env_vars: HashMap<&str, &str> = [("SD_NODE", "n-env"), ("SD_HTTP_PORT", "3001")].into();
    let env = move |k: &str| env_vars.get(k).map(|v| v.to_string());
    let fv = base()
        .with("config-file", &f1)
        .with("config-file", &f2)
        .with("http-port", "4001");
    let mut inp = input(fv);
    inp.env = &env;
    let rt = load(&inp).unwrap();
    assert_eq!(rt.log_level, "warn"); // file 1 only
    assert_eq!(rt.ports.dns, 1002); // file 1, map merged with file 2
    assert_eq!(rt.datacenter, "b"); // file 2 over file 1
    assert_eq!(rt.node_name, "n-env"); // env over files
    assert_eq!(rt.ports.http, 4001); // flag over env
    assert_eq!(rt.config_files.len(), 2);
}

#[test]
fn lists_append_across_layers() {
    let dir = tempfile::tempdir().unwrap();
    let f1 = write(
        dir.path(),
        "a.json",
        r#"{"retry_join": ["a"], "start_join": ["s"]}"#,
    );
    let f2 = write(dir.path(), "b.hcl", "retry_join = [\"b\"]\n");
    let env = |k: &str| (k == "SD_RETRY_JOIN").then(|| "e1,e2".to_string());
    let fv = base()
        .with("config-dir", dir.path().display().to_string())
        .with("retry-join", "f");
    let mut inp = input(fv);
    inp.env = &env;
    let rt = load(&inp).unwrap();
    assert_eq!(rt.retry_join, ["a", "s", "b", "e1", "e2", "f"]);
    assert!(rt
        .config_files
        .iter()
        .any(|p| p.display().to_string() == f1));
    assert!(rt
        .config_files
        .iter()
        .any(|p| p.display().to_string() == f2));
}

#[test]
fn json_and_hcl_are_equivalent() {
    let dir = tempfile::tempdir().unwrap();
    let json = write(
        dir.path(),
        "c.json",
        r#"{
          "server": true, "bootstrap_expect": 3, "node_meta": {"rack": "r1"},
          "ports": {"http": 8600, "dns": 8700},
          "service": {"name": "web", "port": 80},
          "check": {"id": "c1", "ttl": "10s"},
          "ui_config": {"enabled": true},
          "performance": {"raft_multiplier": 2},
          "telemetry": {"prometheus_retention_time": "30s"}
        }"#,
    );
    let hcl = write(
        dir.path(),
        "c.hcl",
        r#"
server = true
bootstrap_expect = 3
node_meta {
  rack = "r1"
}
ports {
  http = 8600
  dns  = 8700
}
service {
  name = "web"
  port = 80
}
check {
  id  = "c1"
  ttl = "10s"
}
ui_config {
  enabled = true
}
performance {
  raft_multiplier = 2
}
telemetry {
  prometheus_retention_time = "30s"
}
"#,
    );
    let j = load(&input(base().with("config-file", &json))).unwrap();
    let h = load(&input(base().with("config-file", &hcl))).unwrap();
    assert_eq!(j.ports, h.ports);
    assert_eq!(j.services, h.services);
    assert_eq!(j.checks, h.checks);
    assert_eq!(j.node_meta, h.node_meta);
    assert_eq!(j.raft, h.raft);
    assert_eq!(j.bootstrap_expect, 3);
    assert_eq!(h.services[0]["name"], "web");
    assert_eq!(j.warnings, ["bootstrap_expect > 0: expecting 3 servers"]);
    assert_eq!(j.warnings, h.warnings);
    let strip = |v: &[String]| -> Vec<String> {
        v.iter()
            .map(|s| s.split(" (in ").next().unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(strip(&j.not_yet_supported), strip(&h.not_yet_supported));
}

#[test]
fn repeated_hcl_blocks_become_lists() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "s.hcl",
        "service {\n  name = \"a\"\n}\nservice {\n  name = \"b\"\n}\nservices = [{ name = \"c\" }]\n",
    );
    let g = write(dir.path(), "t.json", r#"{"service": {"name": "d"}}"#);
    let rt = load(&input(
        base().with("config-file", &f).with("config-file", &g),
    ))
    .unwrap();
    let names: Vec<&str> = rt
        .services
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(names, ["c", "a", "b", "d"]);
}

#[test]
fn wrong_type_names_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "a.json", r#"{"ports": {"http": "x"}}"#);
    let err = load_err(base().with("config-file", &f));
    assert_eq!(
        err,
        format!("config file {f}: ports.http: invalid type: string \"x\", expected i32")
    );
    let g = write(dir.path(), "b.hcl", "retry_join = \"solo\"\n");
    let err = load_err(base().with("config-file", &g));
    assert!(
        err.starts_with(&format!("config file {g}: retry_join: ")),
        "{err}"
    );
    let k = write(dir.path(), "d.json", r#"{"acl": {"tokens": {"agent": 5}}}"#);
    let err = load_err(base().with("config-file", &k));
    assert!(
        err.starts_with(&format!("config file {k}: acl.tokens.agent: ")),
        "{err}"
    );
    let h = write(dir.path(), "c.json", r#"{"max_query_time": "ten"}"#);
    let err = load_err(base().with("config-file", &h));
    assert!(
        err.starts_with(&format!("config file {h}: max_query_time: ")),
        "{err}"
    );
}

#[test]
fn unknown_key_warns_with_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "a.json",
        r#"{"ports": {"htp": 1}, "bogus": true, "services": [{"name": "raw is fine"}]}"#,
    );
    let rt = load(&input(base().with("config-file", &f))).unwrap();
    assert_eq!(rt.warnings.len(), 2, "{:?}", rt.warnings);
    assert!(rt
        .warnings
        .iter()
        .any(|w| w.contains(&f) && w.contains("\"ports.htp\"")));
    assert!(rt
        .warnings
        .iter()
        .any(|w| w.contains(&f) && w.contains("\"bogus\"")));
}

#[test]
fn minus_one_disables_a_port() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "p.hcl", "ports {\n  dns = -1\n}\n");
    let rt = load(&input(
        base().with("config-file", &f).with("http-port", "-1"),
    ))
    .unwrap();
    assert_eq!(
        (rt.ports.http, rt.ports.dns, rt.ports.server),
        (-1, -1, 8300)
    );
    let err = load_err(base().with("http-port", "70000"));
    assert!(err.contains("ports.http") && err.contains("70000"), "{err}");
    let err = load_err(base().with("server-port", "-1"));
    assert!(err.contains("server-port"), "{err}");
}

#[test]
fn https_listens_on_its_own_addresses_or_client_addr() {
    let dir = tempfile::tempdir().unwrap();
    let rt = load(&input(base().with("client", "10.0.0.5"))).unwrap();
    assert_eq!(rt.https_addrs, rt.client_addrs);
    let f = write(dir.path(), "a.hcl", "addresses { https = \"127.0.0.1\" }\n");
    let rt = load(&input(
        base().with("config-file", &f).with("client", "10.0.0.5"),
    ))
    .unwrap();
    assert_eq!(
        rt.https_addrs,
        vec!["127.0.0.1".parse::<std::net::IpAddr>().unwrap()]
    );
    let f = write(
        dir.path(),
        "u.hcl",
        "addresses { https = \"unix:///tmp/s\" }\n",
    );
    let err = load_err(base().with("config-file", &f));
    assert!(err.contains("addresses.https"), "{err}");
}

#[test]
fn acl_block_with_old_and_new_token_names() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "acl.hcl",
        "acl_master_token = \"m\"\nacl {\n  enabled = true\n  default_policy = \"deny\"\n  down_policy = \"deny\"\n  token_ttl = \"5s\"\n  tokens { agent = \"a\" }\n}\n",
    );
    let rt = load(&input(base().with("config-file", &f))).unwrap();
    assert!(rt.acl.enabled && !rt.acl.default_allow);
    assert_eq!(rt.acl.down_policy, crate::config::acl::DownPolicy::Deny);
    assert_eq!(rt.acl.token_ttl, Duration::from_secs(5));
    assert_eq!(rt.acl.tokens.initial_management.as_deref(), Some("m"));
    assert_eq!(rt.acl.tokens.agent.as_deref(), Some("a"));
    let f = write(
        dir.path(),
        "bad.hcl",
        "acl { default_policy = \"maybe\" }\n",
    );
    let err = load_err(base().with("config-file", &f));
    assert!(err.contains("acl.default_policy"), "{err}");
}

#[test]
fn dev_mode() {
    let rt = load(&input(FlagValues::new().with("dev", "true"))).unwrap();
    assert!(rt.dev && rt.server && rt.bootstrap && rt.ui_enabled);
    assert_eq!(rt.bind_addr.to_string(), "127.0.0.1");
    assert_eq!(rt.advertise_addr.unwrap().to_string(), "127.0.0.1");
    assert_eq!(rt.client_addrs[0].to_string(), "127.0.0.1");
    assert_eq!(rt.log_level, "debug");
    assert_eq!(rt.data_dir, None);
    assert!(
        rt.not_yet_supported.is_empty(),
        "{:?}",
        rt.not_yet_supported
    );
    // Flags still win over dev defaults.
    let rt = load(&input(
        FlagValues::new()
            .with("dev", "true")
            .with("log-level", "info"),
    ))
    .unwrap();
    assert_eq!(rt.log_level, "info");
    let err = load_err(
        FlagValues::new()
            .with("dev", "true")
            .with("bootstrap-expect", "3"),
    );
    assert!(err.contains("dev mode"), "{err}");
    // Issue 13, defect 1: but 1 is bootstrap mode, as in Consul (client test suites start it so).
    let rt = load(&input(
        FlagValues::new()
            .with("dev", "true")
            .with("bootstrap-expect", "1"),
    ))
    .unwrap();
    assert!(rt.dev && rt.bootstrap && rt.bootstrap_expect == 0);
    assert!(rt
        .warnings
        .iter()
        .any(|w| w == "BootstrapExpect is set to 1; this is the same as Bootstrap mode."));
}

#[test]
fn validation_errors() {
    let err = load_err(FlagValues::new());
    assert_eq!(
        err,
        "data_dir is required; set -data-dir or data_dir in a config file"
    );
    let err = load_err(
        base()
            .with("server", "true")
            .with("bootstrap", "true")
            .with("bootstrap-expect", "3"),
    );
    assert!(err.contains("mutually exclusive"), "{err}");
    let err = load_err(base().with("bootstrap-expect", "3"));
    assert!(err.contains("requires 'server = true'"), "{err}");
    let err = load_err(base().with("bind", "1.2.3"));
    assert!(err.contains("bind_addr") && err.contains("1.2.3"), "{err}");
    let err = load_err(base().with("client", "127.0.0.1 nope"));
    assert!(err.contains("client_addr"), "{err}");
    let err = load_err(base().with("advertise", "0.0.0.0"));
    assert!(err.contains("Advertise address cannot be 0.0.0.0"), "{err}");
    let err = load_err(base().with("config-format", "yaml"));
    assert!(
        err.contains("-config-format") && err.contains("'hcl' or 'json'"),
        "{err}"
    );
    let err = load_err(base().with("config-file", "/nonexistent/sd.json"));
    assert!(err.contains("/nonexistent/sd.json"), "{err}");
    let err = load_err(base().with("datacenter", "DC 1"));
    assert!(err.contains("datacenter"), "{err}");
    let err = load_err(base().with("log-level", "loud"));
    assert!(err.contains("log_level"), "{err}");
    let err = load_err(base().with("node-id", "xyz"));
    assert!(err.contains("node_id"), "{err}");
    let err = load_err(base().with("encrypt", "short"));
    assert!(err.contains("encrypt"), "{err}");
}

#[test]
fn malformed_files_name_file_and_position() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "bad.json", "{\n  \"server\": true,\n}\n");
    let err = load_err(base().with("config-file", &f));
    assert!(
        err.starts_with(&format!("config file {f}: ")) && err.contains("line 3"),
        "{err}"
    );
    let g = write(dir.path(), "bad.hcl", "server = true\nports {\n");
    let err = load_err(base().with("config-file", &g));
    assert!(err.starts_with(&format!("config file {g}: ")), "{err}");
    let h = write(dir.path(), "conf.txt", "{}");
    let err = load_err(base().with("config-file", &h));
    assert!(err.contains("-config-format"), "{err}");
    // With -config-format the extension does not matter.
    let rt = load(&input(
        base().with("config-file", &h).with("config-format", "json"),
    ));
    assert!(rt.is_ok());
}

#[test]
fn config_dir_is_alphabetical_and_skips_others() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "b.json", r#"{"node_name": "from-b"}"#);
    write(dir.path(), "a.hcl", "node_name = \"from-a\"\n");
    write(dir.path(), "z.txt", "not config");
    write(dir.path(), "empty.json", "");
    std::fs::create_dir(dir.path().join("sub.json")).unwrap();
    let rt = load(&input(
        base().with("config-dir", dir.path().display().to_string()),
    ))
    .unwrap();
    assert_eq!(rt.node_name, "from-b");
    assert!(
        rt.warnings.iter().any(|w| w.contains("z.txt")),
        "{:?}",
        rt.warnings
    );
}

#[test]
fn hcl_fragments_and_env_scheme() {
    let env = |k: &str| match k {
        "SD_DATA_DIR" => Some("/tmp/from-env".to_string()),
        "SD_SERVER" => Some("1".to_string()),
        "SD_HCL" => Some("node_meta = { a = \"1\", b = \"2\" }".to_string()),
        _ => None,
    };
    let mut inp = input(FlagValues::new().with("hcl", "datacenter = \"frag\""));
    inp.env = &env;
    let rt = load(&inp).unwrap();
    assert_eq!(rt.data_dir.as_deref(), Some(Path::new("/tmp/from-env")));
    assert!(rt.server);
    assert_eq!(rt.datacenter, "frag");
    assert_eq!(rt.node_meta.len(), 2);
    let bad = |k: &str| (k == "SD_SERVER").then(|| "maybe".to_string());
    let mut inp = input(base());
    inp.env = &bad;
    let err = load(&inp).unwrap_err().to_string();
    assert!(err.contains("SD_SERVER"), "{err}");
}
