//! End-to-end: the agent configured through Consul-style files (JSON and HCL), the environment
//! and flags, in that order of precedence; `sd validate`.

use crate::common;

use std::time::Duration;

use common::{free_port, http_get, run_sd, stderr, stdout, AgentBuilder};

fn node_name(agent: &common::Agent) -> String {
    let (_, body) = http_get(&format!("{}/v1/agent/self", agent.url())).unwrap();
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v["Config"]["NodeName"].as_str().unwrap().to_string()
}

#[test]
fn files_env_and_flags_layer_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let conf = dir.path().join("conf.d");
    std::fs::create_dir(&conf).unwrap();
    // Files load alphabetically: b.json overrides a.hcl.
    std::fs::write(
        conf.join("a.hcl"),
        format!(
            "server = true\nbootstrap = true\nnode_name = \"from-hcl\"\ndata_dir = \"{}\"\nbind_addr = \"127.0.0.1\"\nnode_meta {{\n  rack = \"r1\"\n}}\n",
            data.display()
        ),
    )
    .unwrap();
    std::fs::write(
        conf.join("b.json"),
        r#"{"node_name": "from-json", "datacenter": "east"}"#,
    )
    .unwrap();

    // Files only.
    let a = AgentBuilder::dev_free()
        .arg(format!("-config-dir={}", conf.display()))
        .start();
    assert_eq!(node_name(&a), "from-json");
    let (_, body) = http_get(&format!("{}/v1/agent/self", a.url())).unwrap();
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["Config"]["Datacenter"], "east");
    assert_eq!(v["Meta"]["rack"], "r1");
    drop(a);

    // The environment beats files.
    let b = AgentBuilder::dev_free()
        .arg(format!("-config-dir={}", conf.display()))
        .env("SD_NODE", "from-env")
        .start();
    assert_eq!(node_name(&b), "from-env");
    drop(b);

    // Flags beat the environment.
    let c = AgentBuilder::dev_free()
        .arg(format!("-config-dir={}", conf.display()))
        .arg("-node=from-flag")
        .env("SD_NODE", "from-env")
        .start();
    assert_eq!(node_name(&c), "from-flag");
}

#[test]
fn config_file_sets_the_http_port() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let file = dir.path().join("agent.hcl");
    std::fs::write(
        &file,
        format!(
            "ports {{\n  http = {port}\n  dns = -1\n  server = {}\n  serf_lan = {}\n  serf_wan = {}\n}}\n",
            free_port(),
            free_port(),
            free_port()
        ),
    )
    .unwrap();
    let mut child = std::process::Command::new(common::sd_bin())
        .args(["agent", "-dev", &format!("-config-file={}", file.display())])
        .env("TMPDIR", dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let mut answered = false;
    while std::time::Instant::now() < deadline {
        if let Ok((200, _)) = http_get(&format!("http://127.0.0.1:{port}/v1/status/leader")) {
            answered = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        answered,
        "agent did not serve HTTP on the port from its config file"
    );
}

#[test]
fn validate_checks_files_without_starting_anything() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("agent.json");
    std::fs::write(&file, r#"{"ports": {"http": 8500}}"#).unwrap();
    let out = run_sd(&["validate", "-quiet", &file.display().to_string()]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "like Consul, a config without data_dir is incomplete"
    );
    assert!(stderr(&out).contains("data_dir"), "{}", stderr(&out));
    let data = dir.path().join("never-created");
    std::fs::write(
        &file,
        format!(
            r#"{{"ports": {{"http": 8500}}, "data_dir": "{}", "server": true}}"#,
            data.display()
        ),
    )
    .unwrap();
    let out = run_sd(&["validate", &file.display().to_string()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Configuration is valid!"));
    assert!(!data.exists(), "validate must not create the data dir");
}

#[test]
fn wrong_type_names_file_and_key_and_unknown_key_warns() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"ports": {"http": "eighty"}}"#).unwrap();
    let mut a = AgentBuilder::dev()
        .arg(format!("-config-file={}", bad.display()))
        .spawn();
    let (status, log) = a.wait_exit(Duration::from_secs(20));
    assert!(!status.success());
    assert!(
        log.contains("bad.json") && log.contains("ports.http"),
        "{log}"
    );

    let odd = dir.path().join("odd.hcl");
    std::fs::write(&odd, "no_such_key = 1\n").unwrap();
    let b = AgentBuilder::dev()
        .arg(format!("-config-file={}", odd.display()))
        .start();
    let log = b.log();
    assert!(
        log.contains("odd.hcl") && log.contains("no_such_key"),
        "{log}"
    );
}

#[test]
fn not_yet_supported_flags_warn_once_each() {
    let a = AgentBuilder::dev()
        .arg("-ui")
        .arg("-encrypt=pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s=")
        .arg("-log-file=sd.log")
        .start();
    let log = a.log();
    let lines = log
        .lines()
        .filter(|l| l.contains("WARN") && l.contains("-log-file"))
        .count();
    assert_eq!(lines, 1, "one WARN naming -log-file:\n{log}");
    // The UI and gossip encryption are built: -ui and -encrypt draw no warning.
    for built in ["-ui", "-encrypt"] {
        assert!(
            !log.lines().any(|l| l.contains("WARN") && l.contains(built)),
            "{built}: {log}"
        );
    }
    assert!(log.contains("Encrypt: Gossip: true"), "{log}");
}
