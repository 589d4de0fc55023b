//! End-to-end: a symlink named `consul` pointing at `sd` behaves as `sd`.

use crate::common;

use std::process::Command;

use common::{sd_bin, stderr, stdout, AgentBuilder};

#[test]
fn consul_symlink_is_sd() {
    let agent = AgentBuilder::dev().start();
    let dir = tempfile::tempdir().unwrap();
    let consul = dir.path().join("consul");
    std::os::unix::fs::symlink(sd_bin(), &consul).unwrap();
    let run = |args: &[&str]| {
        Command::new(&consul)
            .args(args)
            .env("CONSUL_HTTP_ADDR", agent.http_addr())
            .output()
            .expect("run consul symlink")
    };
    let put = run(&["kv", "put", "drop/in", "by-name"]);
    assert!(put.status.success(), "{}", stderr(&put));
    assert_eq!(stdout(&put), "Success! Data written to: drop/in\n");
    let get = run(&["kv", "get", "drop/in"]);
    assert_eq!(stdout(&get), "by-name\n", "{}", stderr(&get));
    let bad = run(&["no-such-command"]);
    assert_eq!(bad.status.code(), Some(2));
}
