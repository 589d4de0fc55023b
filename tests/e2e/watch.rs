//! End-to-end: `sd watch` for every type, printing once or running a handler on each change
//! (JSON on stdin, `CONSUL_INDEX`), and an agent's `watches` with a command and an HTTP
//! handler; refusals in Consul's words.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::common;
use common::cluster::eventually_within;
use common::{fails, http, ok, Agent, AgentBuilder};

fn put(a: &Agent, path: &str, body: &str) {
    let (status, text) = http("PUT", &format!("{}{path}", a.url()), body.as_bytes()).unwrap();
    assert_eq!(status, 200, "{path}: {text}");
}

fn watch_in_background(a: &Agent, args: &[&str]) -> Child {
    Command::new(common::sd_bin())
        .arg("watch")
        .arg(format!("-http-addr={}", a.http_addr()))
        .args(args)
        .env_remove("CONSUL_HTTP_ADDR")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The JSON documents a handler appended to `file`, one per run, each followed by a
/// `--INDEX` line.
fn runs(file: &Path) -> Vec<(serde_json::Value, u64)> {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let mut out = Vec::new();
    let mut doc = String::new();
    for line in text.lines() {
        if let Some(index) = line.strip_prefix("--") {
            if let (Ok(v), Ok(i)) = (serde_json::from_str(&doc), index.parse()) {
                out.push((v, i));
            }
            doc.clear();
        } else {
            doc.push_str(line);
        }
    }
    out
}

const HANDLER: &str = "cat >> {out}; echo \"--$CONSUL_INDEX\" >> {out}";

#[test]
fn sd_watch_prints_once_or_runs_a_handler_on_each_change() {
    let a = AgentBuilder::dev().start();
    let dir = tempfile::tempdir().unwrap();

    // No handler: the view once, as indented JSON.
    assert_eq!(
        ok(&a.cli(&["watch", "-type=key", "-key=w/a"])).trim(),
        "null"
    );
    put(&a, "/v1/kv/w/a", "1");
    let out = ok(&a.cli(&["watch", "-type=key", "-key=w/a"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["Value"], "MQ==");
    assert!(out.contains("\n    \"Key\": \"w/a\""), "indented: {out}");
    let services: serde_json::Value =
        serde_json::from_str(&ok(&a.cli(&["watch", "-type=services"]))).unwrap();
    assert!(services.get("consul").is_some(), "{services}");
    let nodes: serde_json::Value =
        serde_json::from_str(&ok(&a.cli(&["watch", "-type=nodes"]))).unwrap();
    assert_eq!(nodes.as_array().unwrap().len(), 1);
    let checks: serde_json::Value =
        serde_json::from_str(&ok(&a.cli(&["watch", "-type=checks", "-state=passing"]))).unwrap();
    assert!(checks
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["CheckID"] == "serfHealth"));

    // A handler on a prefix: runs at start and on each change, with the index.
    let out_file = dir.path().join("prefix");
    let script = HANDLER.replace("{out}", out_file.to_str().unwrap());
    let mut w = watch_in_background(&a, &["-type=keyprefix", "-prefix=w/", &script]);
    eventually_within("the first run", Duration::from_secs(10), &[&a], || {
        runs(&out_file).len() == 1
    });
    put(&a, "/v1/kv/w/b", "2");
    eventually_within(
        "a run for the change",
        Duration::from_secs(10),
        &[&a],
        || runs(&out_file).len() == 2,
    );
    let r = runs(&out_file);
    assert_eq!(r[0].0.as_array().unwrap().len(), 1);
    assert_eq!(r[1].0.as_array().unwrap().len(), 2);
    assert!(
        r[1].1 > r[0].1,
        "CONSUL_INDEX grows: {:?}",
        (r[0].1, r[1].1)
    );
    // A write elsewhere changes nothing here.
    put(&a, "/v1/kv/other", "x");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(runs(&out_file).len(), 2);
    w.kill().unwrap();
    let _ = w.wait();

    // Service instances, passing only; and events, each handed over once.
    let svc_file = dir.path().join("service");
    let script = HANDLER.replace("{out}", svc_file.to_str().unwrap());
    let ws = watch_in_background(
        &a,
        &[
            "-type=service",
            "-service=web",
            "-passingonly=true",
            &script,
        ],
    );
    let ev_file = dir.path().join("events");
    let script = HANDLER.replace("{out}", ev_file.to_str().unwrap());
    let we = watch_in_background(&a, &["-type=event", "-name=deploy", &script]);
    eventually_within("both first runs", Duration::from_secs(10), &[&a], || {
        runs(&svc_file).len() == 1 && runs(&ev_file).len() == 1
    });
    put(
        &a,
        "/v1/agent/service/register",
        r#"{"Name":"web","Port":80}"#,
    );
    eventually_within("the instance", Duration::from_secs(10), &[&a], || {
        runs(&svc_file)
            .last()
            .is_some_and(|(v, _)| v.as_array().is_some_and(|a| a.len() == 1))
    });
    ok(&a.cli(&["event", "-name=deploy", "one"]));
    eventually_within("the first event", Duration::from_secs(10), &[&a], || {
        runs(&ev_file).len() == 2
    });
    ok(&a.cli(&["event", "-name=deploy", "two"]));
    eventually_within("the second event", Duration::from_secs(10), &[&a], || {
        runs(&ev_file).len() == 3
    });
    let r = runs(&ev_file);
    assert_eq!(r[1].0.as_array().unwrap().len(), 1, "{:?}", r[1].0);
    assert_eq!(
        r[2].0.as_array().unwrap().len(),
        1,
        "only the new event: {:?}",
        r[2].0
    );
    assert_eq!(r[2].0[0]["Payload"], "dHdv");
    for mut c in [ws, we] {
        c.kill().unwrap();
        let _ = c.wait();
    }

    // A failing handler ends the watch with exit 1, as consul watch does.
    let out = a.cli(&["watch", "-type=nodes", "exit 3"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        common::stderr(&out).contains("Error executing handler"),
        "{}",
        common::stderr(&out)
    );

    // Refusals.
    assert_eq!(
        fails(&a.cli(&["watch"]), 1).trim(),
        "Watch type must be specified"
    );
    assert_eq!(
        fails(&a.cli(&["watch", "-type=key"]), 1).trim(),
        "Must specify a single key to watch"
    );
    assert_eq!(
        fails(&a.cli(&["watch", "-type=bogus"]), 1).trim(),
        "Unsupported watch type: bogus"
    );
    assert_eq!(
        fails(
            &a.cli(&["watch", "-type=checks", "-service=a", "-state=any"]),
            1
        )
        .trim(),
        "Cannot specify service and state"
    );
}

/// A one-request-at-a-time HTTP server: each request's headers and body go to the channel.
fn hook_server() -> (String, std::sync::mpsc::Receiver<(String, String)>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            let mut len = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
                head.push_str(&line);
            }
            let mut body = vec![0; len];
            let _ = reader.read_exact(&mut body);
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            if tx
                .send((head, String::from_utf8_lossy(&body).into_owned()))
                .is_err()
            {
                return;
            }
        }
    });
    (url, rx)
}

#[test]
fn agent_watches_run_commands_and_http_handlers() {
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("agent-watch");
    let (url, hooks) = hook_server();
    let config = dir.path().join("watches.json");
    let watches = serde_json::json!({
        "watches": [
            {"type": "key", "key": "cfg/flag", "args": ["/bin/sh", "-c",
                HANDLER.replace("{out}", out_file.to_str().unwrap())]},
            {"type": "keyprefix", "prefix": "cfg/", "handler_type": "http",
             "http_handler_config": {"path": url, "method": "POST",
                "header": {"X-Team": ["ops"]}, "timeout": "5s"}}
        ]
    });
    std::fs::write(&config, watches.to_string()).unwrap();
    let a = AgentBuilder::dev()
        .arg(format!("-config-file={}", config.display()))
        .start();
    assert!(
        !a.log().contains("watches is accepted but not supported"),
        "{}",
        a.log()
    );
    eventually_within(
        "the command's first run",
        Duration::from_secs(10),
        &[&a],
        || runs(&out_file).len() == 1,
    );
    let (head, body) = hooks
        .recv_timeout(Duration::from_secs(10))
        .expect("first POST");
    assert!(head.starts_with("POST /hook"), "{head}");
    assert!(
        head.to_ascii_lowercase().contains("x-consul-index:"),
        "{head}"
    );
    assert!(head.to_ascii_lowercase().contains("x-team: ops"), "{head}");
    assert_eq!(body.trim(), "[]");
    put(&a, "/v1/kv/cfg/flag", "on");
    eventually_within(
        "the command's second run",
        Duration::from_secs(10),
        &[&a],
        || runs(&out_file).len() == 2,
    );
    assert_eq!(runs(&out_file)[1].0["Value"], "b24=");
    let (_, body) = hooks
        .recv_timeout(Duration::from_secs(10))
        .expect("second POST");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v[0]["Key"], "cfg/flag");

    // A watch without a handler stops the agent at start, naming the problem.
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"watches": [{"type": "nodes"}]}"#).unwrap();
    let mut b = AgentBuilder::dev()
        .arg(format!("-config-file={}", bad.display()))
        .spawn();
    let (status, log) = b.wait_exit(Duration::from_secs(20));
    assert_eq!(status.code(), Some(1), "{log}");
    assert!(log.contains("Must define a watch handler"), "{log}");
}
