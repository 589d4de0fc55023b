//! End-to-end: gRPC health checks against a real gRPC server (Debian's python3-grpcio,
//! `tests/clients/grpc_health_server.py`), cleartext and TLS: SERVING passes with Consul's
//! output, NOT_SERVING, an unknown service (a gRPC error) and a closed port are critical with
//! grpc-go's words, and an untrusted certificate fails unless `TLSSkipVerify`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use crate::common;
use common::cluster::eventually;
use common::{free_port, http_get, AgentBuilder};

/// The gRPC server, killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_server(port: u16, tls: Option<(&Path, &Path)>) -> Server {
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/clients/grpc_health_server.py");
    let mut cmd = Command::new("/usr/bin/python3");
    cmd.arg(script).arg(port.to_string());
    if let Some((cert, key)) = tls {
        cmd.arg(cert).arg(key);
    }
    let mut child = cmd.stdout(Stdio::piped()).spawn().unwrap_or_else(|e| {
        panic!("/usr/bin/python3 cannot run ({e}); .ci/run installs python3-grpcio")
    });
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(
        line.trim(),
        "ready",
        "the gRPC server did not start (python3-grpcio missing?)"
    );
    Server(child)
}

/// A self-signed certificate for `grpc.test`.
fn certificate(dir: &Path) -> (PathBuf, PathBuf) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let out = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=grpc.test",
        ])
        .args(["-addext", "subjectAltName=DNS:grpc.test,IP:127.0.0.1"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl runs (.ci/run installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (cert, key)
}

fn checks(a: &common::Agent) -> Value {
    let (_, body) = http_get(&format!("{}/v1/agent/checks", a.url())).unwrap();
    serde_json::from_str(&body).unwrap()
}

#[test]
fn grpc_checks_cleartext_and_tls() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = certificate(dir.path());
    let (plain, tls) = (free_port(), free_port());
    let _plain = start_server(plain, None);
    let _tls = start_server(tls, Some((&cert, &key)));
    let closed = free_port();
    let a = AgentBuilder::dev().start();
    let cases = [
        ("serving", format!(r#""GRPC": "127.0.0.1:{plain}""#)),
        ("web", format!(r#""GRPC": "127.0.0.1:{plain}/web""#)),
        ("down", format!(r#""GRPC": "127.0.0.1:{plain}/down""#)),
        ("unknown", format!(r#""GRPC": "127.0.0.1:{plain}/nope""#)),
        ("closed", format!(r#""GRPC": "127.0.0.1:{closed}""#)),
        (
            "tls-skip",
            format!(r#""GRPC": "127.0.0.1:{tls}/web", "GRPCUseTLS": true, "TLSSkipVerify": true"#),
        ),
        (
            "tls-untrusted",
            format!(
                r#""GRPC": "127.0.0.1:{tls}/web", "GRPCUseTLS": true, "TLSServerName": "grpc.test""#
            ),
        ),
    ];
    for (id, fields) in &cases {
        a.put_ok(
            "/v1/agent/check/register",
            &format!(
                r#"{{"ID": "{id}", "Name": "{id}", "Interval": "1s", "Timeout": "3s", {fields}}}"#
            ),
        );
    }
    eventually("every gRPC check has run", &[&a], || {
        let c = checks(&a);
        cases
            .iter()
            .all(|(id, _)| !c[id]["Output"].as_str().unwrap_or_default().is_empty())
    });
    let c = checks(&a);
    let status = |id: &str| c[id]["Status"].as_str().unwrap().to_string();
    let output = |id: &str| c[id]["Output"].as_str().unwrap().to_string();
    assert_eq!(status("serving"), "passing", "{}", output("serving"));
    assert_eq!(
        output("serving"),
        format!("gRPC check 127.0.0.1:{plain}: success")
    );
    assert_eq!(status("web"), "passing", "{}", output("web"));
    assert_eq!(status("down"), "critical");
    assert_eq!(
        output("down"),
        format!("gRPC 127.0.0.1:{plain}/down serving status: NOT_SERVING")
    );
    assert_eq!(status("unknown"), "critical");
    assert_eq!(
        output("unknown"),
        "rpc error: code = NotFound desc = unknown service"
    );
    assert_eq!(status("closed"), "critical");
    assert!(
        output("closed").starts_with("rpc error: code = Unavailable"),
        "{}",
        output("closed")
    );
    assert!(
        output("closed").contains("connection refused"),
        "{}",
        output("closed")
    );
    assert_eq!(status("tls-skip"), "passing", "{}", output("tls-skip"));
    assert_eq!(
        status("tls-untrusted"),
        "critical",
        "{}",
        output("tls-untrusted")
    );
    assert!(
        output("tls-untrusted").contains("rpc error: code = Unavailable"),
        "{}",
        output("tls-untrusted")
    );
}
