//! Tests of script checks against real processes (`/bin/sh`, `sleep`).

use super::*;
use crate::agent::checks::CheckType;

const TIMEOUT: Duration = Duration::from_secs(30);

fn sh(script: &str) -> Vec<String> {
    vec!["/bin/sh".into(), "-c".into(), script.into()]
}

async fn run(script: &str) -> (Status, String) {
    ScriptProbe::new(sh(script), TIMEOUT, 4096).run().await
}

/// Whether process `pid` is gone (or a zombie waiting for its parent).
fn dead(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
    }
}

async fn wait_dead(pid: u32) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !dead(pid) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "process {pid} still alive"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn exit_codes_map_to_statuses() {
    assert_eq!(run("exit 0").await, (Status::Passing, String::new()));
    assert_eq!(run("exit 1").await, (Status::Warning, String::new()));
    assert_eq!(run("exit 2").await, (Status::Critical, String::new()));
    assert_eq!(run("kill -9 $$").await.0, Status::Critical);
}

#[tokio::test]
async fn stdout_and_stderr_are_captured_together() {
    let (status, output) = run("echo out; echo err >&2; exit 1").await;
    assert_eq!(status, Status::Warning);
    assert_eq!(output, "out\nerr\n");
}

#[tokio::test]
async fn long_output_keeps_its_end_with_consuls_note() {
    let probe = ScriptProbe::new(sh("printf '0123456789abcdef'"), TIMEOUT, 4);
    assert_eq!(
        probe.run().await,
        (
            Status::Passing,
            "Captured 4 of 16 bytes\n...\ncdef".to_string()
        )
    );
}

#[tokio::test]
async fn a_legacy_script_runs_through_the_shell() {
    let def = CheckType {
        script: "test 2 -gt 1 && echo yes".into(),
        ..CheckType::default()
    };
    let probe = ScriptProbe::new(def.command(), TIMEOUT, 4096);
    assert_eq!(probe.run().await, (Status::Passing, "yes\n".to_string()));
}

#[tokio::test]
async fn commands_that_cannot_start_are_critical_in_gos_words() {
    let missing = ScriptProbe::new(vec!["sd-no-such-command".into()], TIMEOUT, 4096);
    assert_eq!(
        missing.run().await,
        (
            Status::Critical,
            "exec: \"sd-no-such-command\": executable file not found in $PATH".to_string()
        )
    );
    let path = ScriptProbe::new(vec!["/nonexistent/check".into()], TIMEOUT, 4096);
    assert_eq!(
        path.run().await.1,
        "fork/exec /nonexistent/check: no such file or directory"
    );
}

#[tokio::test]
async fn a_timeout_kills_the_whole_process_group() {
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("pid");
    // The shell starts a grandchild, records its PID, prints and waits: all must die.
    let script = format!(
        "sleep 60 & echo $! > {}; echo started; wait",
        pidfile.display()
    );
    // Generous, so the shell surely prints before it: the assertion is on the output.
    let probe = ScriptProbe::new(sh(&script), Duration::from_secs(3), 4096);
    let (status, output) = probe.run().await;
    assert_eq!(status, Status::Critical);
    assert_eq!(output, "Timed out (3s) running check\n\nstarted\n");
    let pid: u32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    wait_dead(pid).await;
}

#[tokio::test]
async fn a_timeout_without_output_says_only_so() {
    let probe = ScriptProbe::new(
        vec!["sleep".into(), "60".into()],
        Duration::from_millis(200),
        64,
    );
    assert_eq!(
        probe.run().await,
        (
            Status::Critical,
            "Timed out (200ms) running check".to_string()
        )
    );
}

#[tokio::test]
async fn dropping_a_run_in_flight_kills_its_group() {
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("pid");
    let script = format!("sleep 60 & echo $! > {}; wait", pidfile.display());
    let probe = ScriptProbe::new(sh(&script), TIMEOUT, 4096);
    let run = tokio::spawn(async move { probe.run().await });
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let pid: u32 = loop {
        if let Some(pid) = std::fs::read_to_string(&pidfile)
            .ok()
            .and_then(|s| s.trim().parse().ok())
        {
            break pid;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "script did not start"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    run.abort();
    let _ = run.await;
    wait_dead(pid).await;
}
