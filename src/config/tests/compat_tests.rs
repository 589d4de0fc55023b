//! [`load`] with Consul-shaped inputs: a broad documented config, unsupported settings and
//! deprecations, bootstrap-expect of one, advertise address detection.
//!
//! Part of `config`, the only module that reads environment variables.

use std::time::Duration;

use super::load_tests::{base, input, write};
use crate::config::*;

#[test]
fn advertise_detection_and_errors() {
    let mut inp = input(base());
    inp.host_addrs = Some(vec![
        HostAddr {
            interface: "eth0".into(),
            ip: "192.168.1.2".parse().unwrap(),
        },
        HostAddr {
            interface: "docker0".into(),
            ip: "172.17.0.1".parse().unwrap(),
        },
    ]);
    let err = load(&inp).unwrap_err().to_string();
    assert_eq!(
        err,
        "Multiple private IPv4 addresses found. Please configure one with 'bind' and/or 'advertise'."
    );
    inp.flags = base().with("advertise", "192.168.1.2");
    assert_eq!(
        load(&inp).unwrap().advertise_addr.unwrap().to_string(),
        "192.168.1.2"
    );
    inp.flags = base().with("bind", "{{ GetInterfaceIP \"docker0\" }}");
    assert_eq!(load(&inp).unwrap().bind_addr.to_string(), "172.17.0.1");
}

#[test]
fn not_yet_supported_and_deprecations() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "x.hcl",
        "encrypt = \"YwgWlBvicJN17UOYcutXLpJSZsw5aWpLEEWqgK635zA=\"\nui = true\nports {\n  https = -1\n}\n\
         service {\n  name = \"web\"\n}\nchecks = [{\n  name = \"c\"\n  ttl = \"10s\"\n}]\n\
         watches = [{\n  type = \"nodes\"\n  args = [\"true\"]\n}]\n",
    );
    let fv = base()
        .with("config-file", &f)
        .with("recursor", "8.8.8.8")
        .with("log-file", "sd.log")
        .with("bootstrap-expect", "0");
    let rt = load(&input(fv)).unwrap();
    // Gossip encryption is built (issue 14): never "accepted but not supported".
    assert!(
        !rt.not_yet_supported
            .iter()
            .any(|s| s.starts_with("encrypt")),
        "{:?}",
        rt.not_yet_supported
    );
    assert!(rt.encrypt.is_some() && rt.encrypt_verify_incoming);
    // The UI is built: `ui = true` only draws the deprecation warning below.
    assert!(!rt
        .not_yet_supported
        .iter()
        .any(|s| s.starts_with("ui_config")));
    assert!(rt.not_yet_supported.contains(&"-log-file".to_string()));
    // Built, so never "accepted but not supported" (issue 13, defect 3).
    for built in ["services", "checks", "watches", "encrypt"] {
        assert!(
            !rt.not_yet_supported.iter().any(|s| s.starts_with(built)),
            "{built}: {:?}",
            rt.not_yet_supported
        );
    }
    assert!(!rt.not_yet_supported.contains(&"-recursor".to_string()));
    assert_eq!(rt.recursors, vec!["8.8.8.8".to_string()]);
    assert!(!rt
        .not_yet_supported
        .iter()
        .any(|s| s.contains("https") || s.contains("bootstrap")));
    assert!(rt
        .warnings
        .iter()
        .any(|w| w.contains("'ui' key is deprecated")));
    assert_eq!(rt.merged["encrypt"], "hidden");
    assert!(rt.ui_enabled);
}

#[test]
fn bootstrap_expect_one_is_bootstrap() {
    let rt = load(&input(
        base().with("server", "true").with("bootstrap-expect", "1"),
    ))
    .unwrap();
    assert!(rt.bootstrap && rt.bootstrap_expect == 0);
    assert!(
        rt.not_yet_supported.is_empty(),
        "{:?}",
        rt.not_yet_supported
    );
    assert!(!rt.leave_on_terminate && rt.skip_leave_on_interrupt);
}

#[test]
fn documented_keys_produce_no_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "full.hcl",
        r#"
acl = {
  enabled = false
  default_policy = "allow"
  down_policy = "extend-cache"
  enable_token_persistence = true
  tokens = {
    initial_management = "t1",
    agent = "t2",
  }
}
addresses = { http = "127.0.0.1" }
advertise_addr = "10.0.0.9"
autopilot { cleanup_dead_servers = true, max_trailing_logs = 250 }
cache = { entry_fetch_max_burst = 2 },
check_update_interval = "5m"
config_entries {
  bootstrap {
    kind = "proxy-defaults"
    name = "global"
  }
}
connect { enabled = false }
disable_update_check = true
dns_config {
  allow_stale = true
  max_stale = "87600h"
  service_ttl = { "*" = "5s" }
  soa { min_ttl = 1 }
}
enable_central_service_config = true
encrypt_verify_incoming = true
gossip_lan { probe_interval = "1s" }
http_config {
  response_headers { "Access-Control-Allow-Origin" = "*" }
}
leave_on_terminate = true
limits { http_max_conns_per_client = 400, rpc_rate = 100.5 }
log_json = false
node_meta { "rack-id" = "r1" }
performance { raft_multiplier = 1 }
raft_logstore { backend = "boltdb" }
reconnect_timeout = "72h"
session_ttl_min = "10s"
skip_leave_on_interrupt = false
telemetry { disable_hostname = true, prometheus_retention_time = "0s" }
tls {
  defaults { verify_incoming = false }
}
ui_config { enabled = false, content_path = "/ui/" }
unix_sockets { mode = "0700" }
verify_outgoing = false
watches = [{ type = "key", key = "k", handler_type = "script", args = ["x"] }]
"#,
    );
    let rt = load(&input(base().with("config-file", &f))).unwrap();
    let unknown: Vec<&String> = rt
        .warnings
        .iter()
        .filter(|w| w.contains("unknown key"))
        .collect();
    assert!(unknown.is_empty(), "{unknown:?}");
    assert!(rt
        .warnings
        .iter()
        .any(|w| w.contains("'verify_outgoing' key is deprecated")));
    assert_eq!(rt.merged["acl"]["tokens"]["agent"], "hidden");
    assert_eq!(
        rt.merged["config_entries"]["bootstrap"][0]["name"],
        "global"
    );
    assert_eq!(rt.dns.service_ttl["*"], Duration::from_secs(5));
    assert_eq!(rt.node_meta["rack-id"], "r1");
    assert_eq!(rt.http_max_conns_per_client, 400);
    assert_eq!(rt.watches.len(), 1);
}

#[test]
fn keys_are_matched_in_any_case_as_consul_does() {
    // Issue 13, defect 2: `{"Service": {...}}` as Consul's docs write it.
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "svc.json",
        r#"{"Service": {"Name": "queue", "ID": "queue-1", "Port": 5672}, "Ports": {"HTTP": 9511}, "Node_Meta": {"Rack": "r1"}}"#,
    );
    let rt = load(&input(base().with("config-file", &f))).unwrap();
    assert_eq!(rt.services.len(), 1, "{:?}", rt.warnings);
    assert_eq!(rt.services[0]["Name"], "queue");
    assert_eq!(rt.ports.http, 9511);
    assert_eq!(rt.node_meta.get("Rack").map(String::as_str), Some("r1"));
    assert!(
        !rt.warnings.iter().any(|w| w.contains("unknown key")),
        "{:?}",
        rt.warnings
    );
}

#[test]
fn tls_settings_fall_back_to_defaults_and_the_old_top_level_names() {
    let dir = tempfile::tempdir().unwrap();
    // The old flat names (Consul < 1.12) land in tls.defaults; a protocol block overrides.
    let f = write(
        dir.path(),
        "tls.hcl",
        "ca_file = \"/c/ca.pem\"\ncert_file = \"/c/s.pem\"\nkey_file = \"/c/s-key.pem\"\n\
         verify_incoming = true\nverify_outgoing = true\nverify_server_hostname = true\n\
         tls {\n  https {\n    verify_incoming = false\n    tls_min_version = \"TLSv1_3\"\n  }\n}\n",
    );
    let rt = load(&input(base().with("config-file", &f))).unwrap();
    let rpc = &rt.tls.internal_rpc;
    assert_eq!(
        rpc.cert_file.as_deref(),
        Some(std::path::Path::new("/c/s.pem"))
    );
    assert!(rpc.verify_incoming && rpc.verify_outgoing && rpc.verify_server_hostname);
    assert!(!rpc.min_version_13);
    let https = &rt.tls.https;
    assert_eq!(
        https.ca_file.as_deref(),
        Some(std::path::Path::new("/c/ca.pem"))
    );
    assert!(!https.verify_incoming && https.min_version_13 && !https.verify_server_hostname);

    // Settings that cannot work are refused at start, naming the key.
    for (text, says) in [
        (
            "tls { defaults { verify_incoming = true } }",
            "no ca_file or ca_path",
        ),
        (
            "tls { https { cert_file = \"/c/s.pem\" } }",
            "cert_file and key_file must be given together",
        ),
        (
            "tls { defaults { tls_min_version = \"TLSv1_1\" } }",
            "TLS 1.2 and 1.3 only",
        ),
        (
            "tls { defaults { tls_min_version = \"ssl3\" } }",
            "not a TLS version",
        ),
        (
            "tls { internal_rpc { verify_outgoing = true } }",
            "no ca_file or ca_path",
        ),
    ] {
        let f = write(dir.path(), "bad.hcl", text);
        let err = load(&input(base().with("config-file", &f)))
            .unwrap_err()
            .to_string();
        assert!(err.contains(says), "{text}: {err}");
    }
}
