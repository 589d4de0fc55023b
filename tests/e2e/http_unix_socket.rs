//! The HTTP API on a unix socket: `addresses.http = "... unix:///path"` with `unix_sockets`'
//! mode, the CLI over it through `CONSUL_HTTP_ADDR=unix:///path`, a socket left by a kill -9
//! replaced at the next start, and a path that is not a socket refused.

use crate::common;

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::time::Duration;

use common::{fails, ok, run_sd_env, AgentBuilder};

fn config(dir: &std::path::Path, sock: &std::path::Path) -> std::path::PathBuf {
    let file = dir.join("unix.json");
    std::fs::write(
        &file,
        format!(
            r#"{{"addresses": {{"http": "127.0.0.1 unix://{}"}}, "unix_sockets": {{"mode": "0700"}}}}"#,
            sock.display()
        ),
    )
    .unwrap();
    file
}

#[test]
fn the_api_and_the_cli_over_a_unix_socket() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("sd.sock");
    let file = config(dir.path(), &sock);
    let mut agent = AgentBuilder::dev()
        .arg(format!("-config-file={}", file.display()))
        .start();
    let meta = std::fs::symlink_metadata(&sock).expect("the socket exists");
    assert!(meta.file_type().is_socket());
    assert_eq!(meta.permissions().mode() & 0o777, 0o700);
    assert!(
        !agent.log().contains("addresses.http"),
        "no 'not supported' warning: {}",
        agent.log()
    );

    let addr = format!("unix://{}", sock.display());
    let env = [("CONSUL_HTTP_ADDR", addr.as_str())];
    ok(&run_sd_env(&["kv", "put", "over/unix", "yes"], &env, None));
    let got = ok(&run_sd_env(&["kv", "get", "over/unix"], &env, None));
    assert_eq!(got.trim(), "yes");
    // The same store over TCP.
    let got = ok(&agent.cli(&["kv", "get", "over/unix"]));
    assert_eq!(got.trim(), "yes");
    let members = ok(&run_sd_env(&["members"], &env, None));
    assert!(members.contains("alive"), "{members}");

    // kill -9 leaves the socket file behind: the next start replaces it.
    agent.kill9();
    assert!(sock.exists());
    let agent = AgentBuilder::dev()
        .arg(format!("-config-file={}", file.display()))
        .start();
    ok(&run_sd_env(&["members"], &env, None));
    drop(agent);

    // A missing socket is named as Go names it.
    let missing = format!("unix://{}", dir.path().join("gone.sock").display());
    let err = fails(
        &run_sd_env(
            &["members"],
            &[("CONSUL_HTTP_ADDR", missing.as_str())],
            None,
        ),
        1,
    );
    assert!(
        err.contains("dial unix ") && err.contains("gone.sock: connect: no such file or directory"),
        "{err}"
    );

    // A relative socket path in the client is a clear error.
    let err = fails(
        &run_sd_env(
            &["members"],
            &[("CONSUL_HTTP_ADDR", "unix://sd.sock")],
            None,
        ),
        1,
    );
    assert!(err.contains("unix:///absolute/path.sock"), "{err}");
}

#[test]
fn a_path_that_is_not_a_socket_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("precious.txt");
    std::fs::write(&sock, "keep me").unwrap();
    let file = config(dir.path(), &sock);
    let mut agent = AgentBuilder::dev()
        .arg(format!("-config-file={}", file.display()))
        .spawn();
    let (status, log) = agent.wait_exit(Duration::from_secs(20));
    assert!(!status.success());
    assert!(log.contains("exists and is not a socket"), "{log}");
    assert_eq!(std::fs::read_to_string(&sock).unwrap(), "keep me");
}
