//! Tests of the registry: replacing, removing, TTL reports and Consul's errors.

use std::time::Duration;

use super::*;
use crate::agent::checks::test_support::{closed, next, TestServer};

fn registry() -> (Checks, mpsc::Receiver<CheckUpdate>) {
    let (tx, rx) = mpsc::channel(16);
    let options = RunnerOptions::default().with_min_interval(Duration::from_millis(10));
    (Checks::with_options(tx, options), rx)
}

fn ttl(secs: u64) -> CheckType {
    CheckType {
        ttl: Some(Duration::from_secs(secs)),
        ..CheckType::default()
    }
}

fn http(url: &str) -> CheckType {
    CheckType {
        http: url.to_string(),
        interval: Some(Duration::from_millis(100)),
        ..CheckType::default()
    }
}

#[tokio::test]
async fn bad_definitions_are_refused_in_consuls_words() {
    let (checks, _rx) = registry();
    assert_eq!(
        checks
            .add("c", &CheckType::default())
            .unwrap_err()
            .to_string(),
        "Check is not valid: TTL must be > 0 for TTL checks"
    );
    assert_eq!(
        checks.add("", &ttl(10)).unwrap_err().to_string(),
        "CheckID missing"
    );
    assert!(checks.ids().is_empty());
}

#[tokio::test]
async fn ttl_updates_reach_ttl_checks_only() {
    let (checks, mut rx) = registry();
    assert_eq!(checks.add("ttl", &ttl(60)), Ok(CheckKind::Ttl));
    let tcp = CheckType {
        tcp: "127.0.0.1:1".into(),
        interval: Some(Duration::from_secs(1)),
        ..CheckType::default()
    };
    assert_eq!(checks.add("tcp", &tcp), Ok(CheckKind::Tcp));
    assert_eq!(
        checks
            .ttl_update("nope", Status::Passing, "")
            .unwrap_err()
            .to_string(),
        "Unknown check ID \"nope\". Ensure that the check ID is passed, not the check name."
    );
    assert_eq!(
        checks
            .ttl_update("tcp", Status::Passing, "")
            .unwrap_err()
            .to_string(),
        "CheckID \"tcp\" does not have associated TTL"
    );
    assert_eq!(
        checks.ttl_update("ttl", Status::Warning, "disk 91%"),
        Ok("disk 91%".to_string())
    );
    let update = loop {
        let u = next(&mut rx).await;
        if u.check_id == "ttl" {
            break u;
        }
    };
    assert_eq!(
        (update.status, update.output.as_str()),
        (Status::Warning, "disk 91%")
    );
}

#[tokio::test]
async fn ttl_notes_are_cut_to_the_output_limit() {
    let (tx, _rx) = mpsc::channel(16);
    let checks = Checks::with_options(tx, RunnerOptions::new(8));
    checks.add("ttl", &ttl(60)).unwrap();
    assert_eq!(
        checks.ttl_update("ttl", Status::Passing, "0123456789"),
        Ok("01234567 ... (captured 8 of 10 bytes)".to_string())
    );
}

#[tokio::test]
async fn adding_again_replaces_the_runner() {
    let server = TestServer::http().await;
    let (checks, mut rx) = registry();
    checks.add("c", &ttl(60)).unwrap();
    assert_eq!(
        checks.add("c", &http(&server.url("/ok"))),
        Ok(CheckKind::Http)
    );
    assert_eq!(checks.ids(), vec!["c"]);
    assert_eq!(checks.kind("c"), Some(CheckKind::Http));
    assert_eq!(next(&mut rx).await.status, Status::Passing);
    assert_eq!(
        checks.ttl_update("c", Status::Passing, "").unwrap_err(),
        ChecksError::NotTtl("c".into())
    );
}

#[tokio::test]
async fn removing_and_stopping_end_the_runners() {
    let server = TestServer::http().await;
    let (checks, mut rx) = registry();
    checks.add("a", &http(&server.url("/ok"))).unwrap();
    checks.add("b", &http(&server.url("/fail"))).unwrap();
    checks.add("c", &ttl(60)).unwrap();
    assert!(checks.remove("a"));
    assert!(!checks.remove("a"));
    assert_eq!(checks.ids(), vec!["b", "c"]);
    checks.stop_all();
    assert!(checks.ids().is_empty());
    drop(checks);
    // With the registry and every runner gone, no sender is left.
    closed(&mut rx).await;
}
