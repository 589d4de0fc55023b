//! End-to-end: `/v1/agent/monitor` and `sd monitor` on a real agent logging at info: a monitor
//! at debug sees the agent's debug lines too (plain or JSON) as they are written, an
//! interrupted monitor exits 0, one whose agent goes away says so and exits 1, and an unknown
//! level is Consul's 400.

use crate::common;

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{http_get, AgentBuilder};

fn monitor(a: &common::Agent, args: &[&str]) -> Child {
    Command::new(common::sd_bin())
        .arg("monitor")
        .args(args)
        .env("CONSUL_HTTP_ADDR", a.http_addr())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn sd monitor")
}

fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{sig}"), &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
}

fn wait(child: &mut Child) -> (i32, String) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "sd monitor did not exit");
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    (status.code().unwrap_or(-1), out)
}

#[test]
fn monitor_streams_lines_at_its_own_level() {
    let mut a = AgentBuilder::dev().arg("-log-level=info").start();
    let mut text = monitor(&a, &["-log-level=debug"]);
    let mut json = monitor(&a, &["-log-level", "info", "-log-json"]);
    // Until both are connected, what they should see may be written before they listen.
    std::thread::sleep(Duration::from_millis(500));
    let out = a.cli(&["reload"]);
    assert_eq!(common::ok(&out).trim(), "Configuration reload triggered");
    a.put_ok(
        "/v1/agent/service/register",
        r#"{"Name":"m","Check":{"TTL":"1h"}}"#,
    );
    std::thread::sleep(Duration::from_millis(500));
    signal(&text, "INT");
    let (code, lines) = wait(&mut text);
    assert_eq!(code, 0, "{lines}");
    assert!(
        lines.contains(" INFO agent: Reloaded configuration"),
        "{lines}"
    );
    assert!(
        lines.contains("DEBUG "),
        "a debug monitor sees debug lines: {lines}"
    );
    // The agent itself logs at info: no debug line in its own log.
    assert!(!a.log().contains("DEBUG "), "{}", a.log());

    // The JSON monitor outlives the agent: it says the remote side ended, and exits 1.
    a.kill9();
    let (code, lines) = wait(&mut json);
    assert_eq!(code, 1, "{lines}");
    let first: serde_json::Value = serde_json::from_str(lines.lines().next().unwrap()).unwrap();
    assert_eq!(first["level"], "INFO");
    assert!(
        !lines.contains("\"DEBUG\""),
        "an info monitor sees no debug lines: {lines}"
    );
    assert!(lines.contains("Remote side ended the monitor!"), "{lines}");
}

#[test]
fn unknown_levels_are_refused() {
    let a = AgentBuilder::dev().start();
    let (status, body) = http_get(&format!("{}/v1/agent/monitor?loglevel=loud", a.url())).unwrap();
    assert_eq!((status, body.trim()), (400, "Unknown log level: loud"));
    let out = a.cli(&["monitor", "-log-level=loud"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        common::stderr(&out).contains("Error starting monitor"),
        "{}",
        common::stderr(&out)
    );
}
