//! End-to-end: real Consul clients against `sd agent -dev`, each its own project's code:
//! Debian's python3-consul, PyPI's py-consul and python-consul2 (sessions, locks, events,
//! blocking reads, prepared queries) and
//! Patroni's Consul DCS (leader election through sessions), from `tests/clients/`. `.ci/run`
//! installs them; a missing one fails the test, it is never skipped.

use std::path::PathBuf;
use std::process::Command;

use crate::common::AgentBuilder;

fn script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/clients")
        .join(name)
}

/// Runs `python script port` and fails with its output unless it exits 0.
fn run(python: &str, name: &str, port: u16) {
    let out = Command::new(python)
        .arg(script(name))
        .arg(port.to_string())
        .output()
        .unwrap_or_else(|e| panic!("{python} cannot run ({e}); .ci/run installs it"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{python} {name} failed:\n{text}");
    assert!(text.contains(" ok"), "{text}");
}

fn port(agent: &crate::common::Agent) -> u16 {
    agent
        .http_addr()
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn debians_python_consul_and_patroni() {
    let a = AgentBuilder::dev().start();
    // Debian's interpreter, where Debian's packages live.
    run("/usr/bin/python3", "consul_client.py", port(&a));
    run("/usr/bin/python3", "patroni_dcs.py", port(&a));
}

#[test]
fn pypi_py_consul() {
    let a = AgentBuilder::dev().start();
    run("python3", "consul_client.py", port(&a));
}

#[test]
fn pypi_python_consul2() {
    let a = AgentBuilder::dev().start();
    // In its own virtual environment (.ci/run): it imports as `consul`, like py-consul.
    run(
        "/opt/sd-ci/python-consul2/bin/python",
        "consul_client.py",
        port(&a),
    );
}
