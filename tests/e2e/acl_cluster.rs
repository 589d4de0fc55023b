//! End-to-end: the seed's cluster secured, through the real binary. Three servers with ACLs
//! on and deny by default, gossip encrypted (`sd keygen`) and server RPC over mutual TLS
//! (`sd tls`, `verify_server_hostname`):
//!
//! - the seed's commands (members, a service registered through a follower, the catalog, KV,
//!   DNS) work with the management token and fail, or show nothing, without one;
//! - DNS answers once the agent's `dns` token (`sd acl set-agent-token`) may read;
//! - a server with another gossip key cannot join (and says why), and one whose certificate
//!   another CA signed never becomes a Raft peer;
//! - a snapshot restore brings back a deleted policy;
//! - tokens survive a kill -9 of every server.

use crate::common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::certs::{sd_cert, sd_in};
use common::cluster::{eventually, peers};
use common::dig::{dig, dns_addr};
use common::{fails, loopback_block, loopback_host, ok, run_sd, run_sd_env, Agent, AgentBuilder};

const MGMT: &str = "0b6f1c7e-2f5d-4a4b-9a51-3c8d2e7f4a10";
const RECOVERY: &str = "5f0e9a3c-8b1d-4e2f-a6c7-9d0b1e2f3a4b";

/// A server's config file: its certificate, the gossip key, ACLs deny by default.
fn config(dir: &Path, certs: &Path, ca: &str, cert: &str, key: &str) -> PathBuf {
    let p = |f: String| certs.join(f).display().to_string();
    let file = dir.join(format!("{cert}-{}.hcl", &key[..6].replace('/', "_")));
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        &file,
        format!(
            r#"
encrypt = "{key}"
tls {{
  defaults {{
    ca_file = "{}"
    cert_file = "{}"
    key_file = "{}"
    verify_incoming = true
    verify_outgoing = true
  }}
  internal_rpc {{ verify_server_hostname = true }}
}}
acl {{
  enabled = true
  default_policy = "deny"
  tokens {{
    initial_management = "{MGMT}"
    agent = "{MGMT}"
    agent_recovery = "{RECOVERY}"
  }}
}}
"#,
            p(format!("{ca}.pem")),
            p(format!("{cert}.pem")),
            p(format!("{cert}-key.pem")),
        ),
    )
    .unwrap();
    file
}

/// `sd` against `a` with `token` (none: anonymous).
fn sd(a: &Agent, token: Option<&str>, args: &[&str]) -> std::process::Output {
    let addr = a.http_addr();
    let mut env = vec![("CONSUL_HTTP_ADDR", addr.as_str())];
    if let Some(t) = token {
        env.push(("CONSUL_HTTP_TOKEN", t));
    }
    run_sd_env(args, &env, None)
}

/// A CA made by `sd tls ca create` in `dir`, renamed `<name>.pem` / `<name>-key.pem`.
fn sd_ca(dir: &Path, name: &str) {
    std::fs::create_dir_all(dir).unwrap();
    ok(&sd_in(dir, &["tls", "ca", "create"]));
    std::fs::rename(
        dir.join("consul-agent-ca.pem"),
        dir.join(format!("{name}.pem")),
    )
    .unwrap();
    std::fs::rename(
        dir.join("consul-agent-ca-key.pem"),
        dir.join(format!("{name}-key.pem")),
    )
    .unwrap();
}

#[test]
fn a_secured_cluster_runs_the_seed_and_keeps_its_acls() {
    let block = loopback_block();
    let ip = |n| loopback_host(block, n);
    let ips: Vec<String> = (1..=6).map(|n| ip(n).to_string()).collect();
    let tmp = tempfile::tempdir().unwrap();
    let certs = tmp.path().join("certs");
    sd_ca(&certs, "ca");
    for name in ["s1", "s2", "s3", "s4"] {
        sd_cert(&certs, "-server", "ca", name, &ips);
    }
    let foreign = tmp.path().join("foreign");
    sd_ca(&foreign, "other-ca");
    sd_cert(&foreign, "-server", "other-ca", "rogue", &ips);
    let key = ok(&run_sd(&["keygen"])).trim().to_string();
    let other_key = ok(&run_sd(&["keygen"])).trim().to_string();

    let server = |n: u8, certs: &Path, ca: &str, cert: &str, key: &str| {
        let dir = tmp.path().join(format!("s{n}"));
        AgentBuilder::dev_free()
            .arg("-server")
            .arg("-bootstrap-expect=3")
            .arg(format!("-data-dir={}", dir.display()))
            .arg(format!("-node=sec-{n}"))
            .arg(format!("-retry-join={}", ip(1)))
            .arg("-retry-interval=200ms")
            .arg(format!(
                "-config-file={}",
                config(&tmp.path().join("conf"), certs, ca, cert, key).display()
            ))
            .at(ip(n))
    };
    let start_all = || -> Vec<Agent> {
        (1..=3)
            .map(|n| server(n, &certs, "ca", &format!("s{n}"), &key).spawn())
            .collect()
    };
    let mut servers = start_all();
    let settle = |servers: &[Agent]| {
        let refs: Vec<&Agent> = servers.iter().collect();
        eventually("three Raft peers over mutual TLS", &refs, || {
            servers.iter().all(|s| peers(s).len() == 3)
        });
        eventually("the management token everywhere", &refs, || {
            servers.iter().all(|s| {
                sd(s, Some(MGMT), &["acl", "token", "read", "-self"])
                    .status
                    .success()
            })
        });
    };
    settle(&servers);
    let (s1, s2) = (&servers[0], &servers[1]);
    assert!(s1.log().contains("Gossip: true"), "{}", s1.log());

    // The seed's commands with the management token, and without one.
    eventually("every member listed with the token", &[s1, s2], || {
        let members = ok(&sd(s2, Some(MGMT), &["members"]));
        (1..=3).all(|n| members.contains(&format!("sec-{n}")))
    });
    // Without a token every member is hidden: nothing listed, exit 2 as for no match.
    let anonymous = sd(s2, None, &["members"]);
    assert_eq!(anonymous.status.code(), Some(2));
    assert!(!common::stdout(&anonymous).contains("sec-1"));
    let reg = r#"{"Name":"web","Port":1314,"Tags":["v1"]}"#;
    let url = format!("{}/v1/agent/service/register", s2.url());
    let denied = reqwest::blocking::Client::new()
        .put(&url)
        .body(reg)
        .send()
        .unwrap();
    assert_eq!(denied.status().as_u16(), 403);
    let accepted = reqwest::blocking::Client::new()
        .put(&url)
        .header("X-Consul-Token", MGMT)
        .body(reg)
        .send()
        .unwrap();
    assert_eq!(accepted.status().as_u16(), 200);
    // The follower's anti-entropy reaches the leader with the agent token.
    eventually("web in the catalog", &[s1, s2], || {
        ok(&sd(s1, Some(MGMT), &["catalog", "services"])).contains("web")
    });
    assert!(!ok(&sd(s1, None, &["catalog", "services"])).contains("web"));
    ok(&sd(s2, Some(MGMT), &["kv", "put", "app/config", "v1"]));
    assert_eq!(
        ok(&sd(s1, Some(MGMT), &["kv", "get", "app/config"])).trim(),
        "v1"
    );
    let err = fails(&sd(s1, None, &["kv", "put", "app/config", "v2"]), 1);
    assert!(err.contains("403 (Permission denied"), "{err}");
    let err = fails(&sd(s1, None, &["kv", "get", "app/config"]), 1);
    assert!(err.contains("403 (Permission denied"), "{err}");

    // DNS acts with the agent's dns token: nothing until it may read.
    let dns = dns_addr(s1);
    assert!(dig(dns, &["web.service.consul", "A"]).data("A").is_empty());
    let out = ok(&sd(
        s1,
        Some(MGMT),
        &[
            "acl",
            "token",
            "create",
            "-description",
            "dns",
            "-templated-policy",
            "builtin/dns",
        ],
    ));
    let dns_secret = out
        .lines()
        .find_map(|l| l.strip_prefix("SecretID:"))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| panic!("{out}"));
    let out = ok(&sd(
        s1,
        Some(MGMT),
        &["acl", "set-agent-token", "dns", &dns_secret],
    ));
    assert_eq!(out.trim(), "ACL token successfully set");
    eventually("DNS answers for web", &[s1], || {
        dig(dns, &["web.service.consul", "A"]).data("A") == vec![ip(2).to_string()]
    });

    // Another gossip key cannot join, and says why (the recovery token works on the agent's
    // own endpoints before it has any server to ask).
    let wrong = server(4, &certs, "ca", "s4", &other_key).spawn();
    let err = fails(
        &sd(&wrong, Some(RECOVERY), &["join", &ip(1).to_string()]),
        1,
    );
    assert!(err.contains("refused the join"), "{err}");
    drop(wrong);
    // A certificate from another CA never makes a Raft peer.
    let rogue = server(5, &foreign, "other-ca", "rogue", &key).spawn();
    eventually("the rogue's certificate refused", &[s1, &rogue], || {
        s1.log().contains("TLS handshake") || rogue.log().contains("TLS handshake")
    });
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(peers(s1).len(), 3, "{:?}", peers(s1));
    drop(rogue);

    // A snapshot restore keeps ACLs: a policy deleted after the snapshot comes back.
    ok(&sd(
        s1,
        Some(MGMT),
        &[
            "acl",
            "policy",
            "create",
            "-name",
            "keep-me",
            "-rules",
            r#"key_prefix "app/" { policy = "read" }"#,
        ],
    ));
    let snap = tmp.path().join("backup.snap");
    let snap_arg = snap.display().to_string();
    ok(&sd(s1, Some(MGMT), &["snapshot", "save", &snap_arg]));
    let err = fails(&sd(s1, None, &["snapshot", "save", &snap_arg]), 1);
    assert!(err.contains("Permission denied"), "{err}");
    ok(&sd(
        s1,
        Some(MGMT),
        &["acl", "policy", "delete", "-name", "keep-me"],
    ));
    assert!(!sd(
        s1,
        Some(MGMT),
        &["acl", "policy", "read", "-name", "keep-me"]
    )
    .status
    .success());
    ok(&sd(s1, Some(MGMT), &["snapshot", "restore", &snap_arg]));
    eventually("the policy back after the restore", &[s1], || {
        sd(
            s1,
            Some(MGMT),
            &["acl", "policy", "read", "-name", "keep-me"],
        )
        .status
        .success()
    });

    // Tokens persist: a reader token still works after every server is killed and restarted.
    let out = ok(&sd(
        s1,
        Some(MGMT),
        &[
            "acl",
            "token",
            "create",
            "-description",
            "reader",
            "-policy-name",
            "keep-me",
        ],
    ));
    let reader = out
        .lines()
        .find_map(|l| l.strip_prefix("SecretID:"))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| panic!("{out}"));
    assert_eq!(
        ok(&sd(s2, Some(&reader), &["kv", "get", "app/config"])).trim(),
        "v1"
    );
    for s in servers.iter_mut() {
        s.kill9();
    }
    drop(servers);
    let servers = start_all();
    settle(&servers);
    let back = &servers[2];
    eventually("the reader token after the restart", &[back], || {
        sd(back, Some(&reader), &["kv", "get", "app/config"])
            .status
            .success()
    });
    assert_eq!(
        ok(&sd(back, Some(&reader), &["kv", "get", "app/config"])).trim(),
        "v1"
    );
    let err = fails(
        &sd(back, Some(&reader), &["kv", "put", "app/config", "v3"]),
        1,
    );
    assert!(err.contains("Permission denied"), "{err}");
}
