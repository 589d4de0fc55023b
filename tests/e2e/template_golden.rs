//! The golden corpus: real-world-style `.ctmpl` files (nginx, haproxy, Prometheus targets,
//! /etc/hosts, an application's KV settings, the seed's template, and Go `text/template`'s
//! semantics) rendered by the real `sd template -once` against a dev agent loaded with
//! `fixture.json`, compared byte for byte with the `.out` files Go's own `text/template`
//! produced from the same data (`tools/golden`, run with `go run`).

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{stderr, stdout, Agent, AgentBuilder};
use serde_json::{json, Value};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/template/golden")
}

fn fixture() -> Value {
    let text = std::fs::read_to_string(corpus_dir().join("fixture.json")).expect("fixture.json");
    serde_json::from_str(&text).expect("fixture.json is JSON")
}

fn text(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_string()
}

/// Registers the fixture's nodes, services (each with one check of its status) and keys.
fn load(agent: &Agent, f: &Value) {
    for node in f["nodes"].as_array().expect("nodes") {
        let body =
            json!({"Node": node["Node"], "Address": node["Address"], "NodeMeta": node["Meta"]});
        agent.put_ok("/v1/catalog/register", &body.to_string());
    }
    for s in f["services"].as_array().expect("services") {
        if s["builtin"].as_bool() == Some(true) {
            continue;
        }
        let node = text(s, "Node");
        let meta = f["nodes"]
            .as_array()
            .and_then(|ns| ns.iter().find(|n| n["Node"] == node.as_str()))
            .map(|n| n["Meta"].clone())
            .unwrap_or(json!({}));
        let body = json!({
            "Node": node,
            "Address": s["NodeAddress"],
            "NodeMeta": meta,
            "Service": {
                "ID": s["ID"], "Service": s["Name"], "Tags": s["Tags"], "Port": s["Port"],
                "Address": s["Address"], "Meta": s["Meta"],
            },
            "Checks": [{
                "CheckID": format!("check:{}", text(s, "ID")), "Name": "golden",
                "Status": s["Status"], "ServiceID": s["ID"],
            }],
        });
        agent.put_ok("/v1/catalog/register", &body.to_string());
    }
    for (key, value) in f["kv"].as_object().expect("kv") {
        agent.put_ok(&format!("/v1/kv/{key}"), value.as_str().expect("kv value"));
    }
}

#[test]
fn corpus_renders_as_go_text_template_does() {
    let f = fixture();
    let agent = AgentBuilder::dev()
        .arg(format!("-node={}", text(&f, "agent_node")))
        .start();
    load(&agent, &f);
    // The agent puts its own `consul` service in the catalog shortly after it elects itself.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !common::http_get(&format!("{}/v1/catalog/services", agent.url()))
        .is_ok_and(|(_, body)| body.contains("\"consul\""))
    {
        assert!(
            std::time::Instant::now() < deadline,
            "no consul service in the catalog"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    let out_dir = tempfile::tempdir().expect("tempdir");
    let mut sources: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("corpus dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ctmpl"))
        .collect();
    sources.sort();
    assert!(sources.len() >= 8, "corpus went missing: {sources:?}");

    let mut cmd = Command::new(common::sd_bin());
    cmd.env_clear()
        .arg("template")
        .arg("-once")
        .arg(format!("-consul-addr={}", agent.http_addr()));
    for (k, v) in f["env"].as_object().expect("env") {
        cmd.env(k, v.as_str().expect("env value"));
    }
    for src in &sources {
        let dest = out_dir.path().join(src.file_name().expect("name"));
        cmd.arg(format!("-template={}:{}", src.display(), dest.display()));
    }
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = cmd.spawn().expect("spawn sd template");
    let output = wait_with_deadline(child, Duration::from_secs(60));
    assert!(
        output.status.success(),
        "sd template -once failed: {:?}\nstdout: {}\nstderr: {}",
        output.status.code(),
        stdout(&output),
        stderr(&output)
    );

    let mut failures = Vec::new();
    for src in &sources {
        let name = src.file_name().expect("name");
        let expected = std::fs::read_to_string(src.with_extension("out"))
            .unwrap_or_else(|e| panic!("{}: no expected output: {e}", src.display()));
        let got = std::fs::read_to_string(out_dir.path().join(name))
            .unwrap_or_else(|e| panic!("{}: not rendered: {e}", src.display()));
        if got != expected {
            failures.push(format!(
                "{}:\n{}",
                src.display(),
                first_difference(&expected, &got)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Waits for `child`, killing it past `deadline` (a hang is a failure, not a stuck CI run).
fn wait_with_deadline(mut child: std::process::Child, deadline: Duration) -> std::process::Output {
    let start = std::time::Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!(
                "sd template -once still running after {deadline:?}\nstderr: {}",
                stderr(&out)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("output")
}

/// The first line where two texts differ, with both versions.
fn first_difference(expected: &str, got: &str) -> String {
    let (e, g): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), got.lines().collect());
    for i in 0..e.len().max(g.len()) {
        let (a, b) = (e.get(i), g.get(i));
        if a != b {
            return format!(
                "line {}:\n  expected: {:?}\n  got:      {:?}",
                i + 1,
                a.unwrap_or(&"<end>"),
                b.unwrap_or(&"<end>")
            );
        }
    }
    "the texts differ only in their final newline".into()
}
