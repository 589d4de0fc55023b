//! End-to-end: TLS through the real binary. `sd tls ca create` and `sd tls cert create` make
//! the cluster's CA and certificates (checked with Debian's openssl, which also makes a second,
//! foreign CA, and signs with a CA `sd tls cert create` did not make).
//! Two servers and a client agent with `verify_incoming`, `verify_outgoing` and
//! `verify_server_hostname`: Raft and forwarded requests travel over mutual TLS; the HTTPS
//! port serves the API to a client holding a certificate (and `sd` reaches it with
//! `-ca-file -client-cert -client-key`), refuses one without, and answers plain HTTP with
//! Go's 400; a server whose certificate another CA signed never becomes a Raft peer; and
//! `sd reload` swaps the HTTPS certificate for new connections.

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::certs::{sd_cert, sd_in};
use common::cluster::{client_agent, eventually, first_server, joining_server, peers};
use common::{fails, loopback_block, loopback_host, ok, run_sd, stdout};

/// Runs openssl in `dir`, failing the test with its output when it fails.
fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl is installed by .ci/run (apt: openssl)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA in `dir` as `<name>.pem` and `<name>-key.pem`.
fn ca(dir: &Path, name: &str) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &format!("{name}-key.pem"),
            "-out",
            &format!("{name}.pem"),
            "-days",
            "30",
            "-subj",
            &format!("/CN={name}"),
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
}

/// A config file for an agent holding certificate `name` and trusting `ca`.
fn tls_config(dir: &Path, ca: &str, name: &str) -> PathBuf {
    let p = |f: String| dir.join(f).display().to_string();
    let file = dir.join(format!("{name}.hcl"));
    std::fs::write(
        &file,
        format!(
            r#"
ports {{ https = 8501 }}
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
"#,
            p(format!("{ca}.pem")),
            p(format!("{name}.pem")),
            p(format!("{name}-key.pem"))
        ),
    )
    .unwrap();
    file
}

#[test]
fn a_cluster_over_mutual_tls_with_an_https_api() {
    let block = loopback_block();
    let ip = |n| loopback_host(block, n);
    let ips: Vec<String> = (1..=5).map(|n| ip(n).to_string()).collect();
    let tmp = tempfile::tempdir().unwrap();
    let certs = tmp.path().join("certs");
    std::fs::create_dir_all(&certs).unwrap();
    // The cluster's CA and certificates from sd itself; openssl agrees they chain.
    let out = ok(&sd_in(&certs, &["tls", "ca", "create"]));
    assert_eq!(
        out,
        "==> Saved consul-agent-ca.pem\n==> Saved consul-agent-ca-key.pem\n"
    );
    let err = fails(&sd_in(&certs, &["tls", "ca", "create"]), 1);
    assert!(err.contains("consul-agent-ca.pem already exists."), "{err}");
    std::fs::rename(certs.join("consul-agent-ca.pem"), certs.join("ca.pem")).unwrap();
    std::fs::rename(
        certs.join("consul-agent-ca-key.pem"),
        certs.join("ca-key.pem"),
    )
    .unwrap();
    let mode = |f: &str| {
        std::fs::metadata(certs.join(f))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode("ca-key.pem"), 0o600);
    let err = fails(
        &sd_in(
            &certs,
            &[
                "tls",
                "cert",
                "create",
                "-ca",
                "ca.pem",
                "-key",
                "ca-key.pem",
            ],
        ),
        1,
    );
    assert!(
        err.contains("Please provide either -server, -client, or -cli"),
        "{err}"
    );
    for (kind, name) in [
        ("-server", "s1"),
        ("-server", "s2"),
        ("-client", "c1"),
        ("-cli", "cli"),
    ] {
        let saved = sd_cert(&certs, kind, "ca", name, &ips);
        assert_eq!(saved, format!("dc1{kind}-consul-0.pem"));
        assert_eq!(mode(&format!("{name}-key.pem")), 0o600);
        openssl(
            &certs,
            &["verify", "-CAfile", "ca.pem", &format!("{name}.pem")],
        );
    }
    // A foreign CA (openssl's, with a multi-part subject), and sd signing with it.
    ca(&certs, "other-ca");
    sd_cert(&certs, "-server", "other-ca", "rogue", &ips);
    openssl(&certs, &["verify", "-CAfile", "other-ca.pem", "rogue.pem"]);
    let d = |n: &str| tmp.path().join(n);
    let conf =
        |name: &str, ca: &str| format!("-config-file={}", tls_config(&certs, ca, name).display());

    let s1 = first_server(ip(1), &d("s1"), "tls-s1")
        .arg(conf("s1", "ca"))
        .start();
    let s2 = joining_server(ip(2), &d("s2"), "tls-s2", ip(1))
        .arg(conf("s2", "ca"))
        .spawn();
    eventually("two Raft peers over TLS", &[&s1, &s2], || {
        peers(&s1).len() == 2
    });
    assert!(
        s1.log().contains("TLS-Outgoing: true, TLS-Incoming: true"),
        "{}",
        s1.log()
    );
    // A write through the follower reaches the leader over server RPC (TLS), and the client
    // agent's requests reach a server the same way.
    let c1 = client_agent(ip(3), &d("c1"), "tls-c1", ip(1))
        .arg(conf("c1", "ca"))
        .spawn();
    eventually("the follower forwards a write", &[&s1, &s2], || {
        s2.cli(&["kv", "put", "tls/k", "over-tls"]).status.success()
    });
    eventually("the client agent forwards a read", &[&s1, &c1], || {
        c1.cli(&["kv", "get", "tls/k"]).status.success()
    });
    assert_eq!(ok(&c1.cli(&["kv", "get", "tls/k"])).trim(), "over-tls");

    // The HTTPS API: sd with the CA and a client certificate; none without; plain HTTP gets 400.
    let https = format!("https://{}:8501", ip(1));
    let pem = |f: &str| certs.join(f).display().to_string();
    let with_cert = [
        "kv",
        "get",
        "-http-addr",
        &https,
        "-ca-file",
        &pem("ca.pem"),
        "-client-cert",
        &pem("cli.pem"),
        "-client-key",
        &pem("cli-key.pem"),
        "tls/k",
    ];
    assert_eq!(ok(&run_sd(&with_cert)).trim(), "over-tls");
    let err = fails(
        &run_sd(&[
            "kv",
            "get",
            "-http-addr",
            &https,
            "-ca-file",
            &pem("ca.pem"),
            "tls/k",
        ]),
        1,
    );
    assert!(!err.is_empty());
    let err = fails(&run_sd(&["kv", "get", "-http-addr", &https, "tls/k"]), 1);
    assert!(!err.is_empty());
    let plain = reqwest::blocking::get(format!("http://{}:8501/v1/kv/tls/k", ip(1))).unwrap();
    assert_eq!(plain.status().as_u16(), 400);
    assert_eq!(
        plain.text().unwrap(),
        "Client sent an HTTP request to an HTTPS server.\n"
    );

    // A server whose certificate another CA signed joins gossip but never Raft.
    let rogue = joining_server(ip(4), &d("rogue"), "tls-rogue", ip(1))
        .arg(conf("rogue", "other-ca"))
        .spawn();
    eventually(
        "the leader refuses the rogue's certificate",
        &[&s1, &rogue],
        || s1.log().contains("TLS handshake") || rogue.log().contains("TLS handshake"),
    );
    std::thread::sleep(std::time::Duration::from_secs(3));
    assert_eq!(peers(&s1).len(), 2, "{:?}", peers(&s1));
    drop(rogue);

    // sd reload reads the certificates again: the HTTPS port now serves one from another CA.
    std::fs::copy(certs.join("rogue.pem"), certs.join("s1.pem")).unwrap();
    std::fs::copy(certs.join("rogue-key.pem"), certs.join("s1-key.pem")).unwrap();
    ok(&s1.cli(&["reload"]));
    eventually("the old CA no longer trusts the HTTPS port", &[&s1], || {
        !run_sd(&with_cert).status.success()
    });
    let other = [
        "kv",
        "get",
        "-http-addr",
        &https,
        "-ca-file",
        &pem("other-ca.pem"),
        "-client-cert",
        &pem("cli.pem"),
        "-client-key",
        &pem("cli-key.pem"),
        "tls/k",
    ];
    assert_eq!(stdout(&run_sd(&other)).trim(), "over-tls");

    // A missing certificate file stops the start with its name.
    let bad = run_sd(&[
        "agent",
        "-dev",
        "-hcl",
        r#"tls { defaults { cert_file = "/nonexistent/c.pem" key_file = "/nonexistent/k.pem" } } ports { https = 0 }"#,
    ]);
    let err = fails(&bad, 1);
    assert!(err.contains("/nonexistent/c.pem"), "{err}");
}
