//! Tests of the scheduler against real backends. Intervals are 100 ms through the test-only
//! [`RunnerOptions::with_min_interval`]; waits have generous deadlines and nothing asserts how
//! fast anything happened.

use super::*;
use crate::agent::checks::test_support::{closed, next, TestServer};

const INTERVAL: Duration = Duration::from_millis(100);

fn options() -> RunnerOptions {
    RunnerOptions::default().with_min_interval(Duration::from_millis(10))
}

fn http(url: &str) -> CheckType {
    CheckType {
        http: url.to_string(),
        interval: Some(INTERVAL),
        ..CheckType::default()
    }
}

async fn wait_for_hits(server: &TestServer, hits: usize) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while server.hits() < hits {
        assert!(
            tokio::time::Instant::now() < deadline,
            "server not hit {hits} times"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn an_http_check_reports_each_change() {
    let server = TestServer::http().await;
    let url = server.url("/status");
    server.set_statuses(&[200, 503, 429]);
    let (tx, mut rx) = mpsc::channel(16);
    let _handle = RunnerHandle::spawn("web", &http(&url), &options(), tx).unwrap();
    let expected = [
        (Status::Passing, "200 OK Output: status 200 (request 1)"),
        (
            Status::Critical,
            "503 Service Unavailable Output: status 503 (request 2)",
        ),
        (
            Status::Warning,
            "429 Too Many Requests Output: status 429 (request 3)",
        ),
        (
            Status::Warning,
            "429 Too Many Requests Output: status 429 (request 4)",
        ),
    ];
    for (status, tail) in expected {
        let update = next(&mut rx).await;
        assert_eq!(update.check_id, "web");
        assert_eq!(
            (update.status, update.output),
            (status, format!("HTTP GET {url}: {tail}"))
        );
    }
}

#[tokio::test]
async fn unchanged_results_are_not_reported_again() {
    let server = TestServer::http().await;
    let (tx, mut rx) = mpsc::channel(16);
    let _handle = RunnerHandle::spawn("web", &http(&server.url("/ok")), &options(), tx).unwrap();
    assert_eq!(next(&mut rx).await.status, Status::Passing);
    // Four more runs (each starts after the previous result was handled): no new update.
    wait_for_hits(&server, 5).await;
    assert!(rx.try_recv().is_err());
}

#[tokio::test]
async fn failures_before_critical_needs_that_many_failures_in_a_row() {
    let server = TestServer::http().await;
    let url = server.url("/status");
    server.set_statuses(&[200, 503, 200, 503, 503]);
    let mut def = http(&url);
    def.failures_before_critical = 2;
    let (tx, mut rx) = mpsc::channel(16);
    let _handle = RunnerHandle::spawn("web", &def, &options(), tx).unwrap();
    let seen: Vec<(Status, String)> = [
        next(&mut rx).await,
        next(&mut rx).await,
        next(&mut rx).await,
    ]
    .into_iter()
    .map(|u| (u.status, u.output))
    .collect();
    // Requests 2 (one failure) and 4 (the first of two) are not reported.
    let expected = [
        (Status::Passing, "200 OK Output: status 200 (request 1)"),
        (Status::Passing, "200 OK Output: status 200 (request 3)"),
        (
            Status::Critical,
            "503 Service Unavailable Output: status 503 (request 5)",
        ),
    ]
    .map(|(s, tail)| (s, format!("HTTP GET {url}: {tail}")));
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn failures_before_warning_turns_warning_first() {
    let server = TestServer::http().await;
    let url = server.url("/status");
    server.set_statuses(&[200, 503, 503]);
    let mut def = http(&url);
    def.failures_before_warning = 1;
    def.failures_before_critical = 2;
    let (tx, mut rx) = mpsc::channel(16);
    let _handle = RunnerHandle::spawn("web", &def, &options(), tx).unwrap();
    let statuses = [
        next(&mut rx).await,
        next(&mut rx).await,
        next(&mut rx).await,
    ]
    .map(|u| u.status);
    assert_eq!(
        statuses,
        [Status::Passing, Status::Warning, Status::Critical]
    );
}

#[tokio::test]
async fn stopping_a_runner_ends_its_task() {
    let server = TestServer::http().await;
    let (tx, mut rx) = mpsc::channel(16);
    let handle = RunnerHandle::spawn("web", &http(&server.url("/ok")), &options(), tx).unwrap();
    assert_eq!(next(&mut rx).await.status, Status::Passing);
    handle.stop().await;
    let hits = server.hits();
    // The task is gone (its sender dropped) and the server sees no more requests.
    closed(&mut rx).await;
    tokio::time::sleep(INTERVAL * 5).await;
    assert_eq!(server.hits(), hits);
}

#[tokio::test]
async fn dropping_the_handle_ends_its_task() {
    let (tx, mut rx) = mpsc::channel(16);
    let def = CheckType {
        args: vec!["/bin/sh".into(), "-c".into(), "echo fine".into()],
        interval: Some(INTERVAL),
        ..CheckType::default()
    };
    let handle = RunnerHandle::spawn("script", &def, &options(), tx).unwrap();
    let update = next(&mut rx).await;
    assert_eq!(
        (update.status, update.output.as_str()),
        (Status::Passing, "fine\n")
    );
    drop(handle);
    closed(&mut rx).await;
}

#[tokio::test]
async fn a_ttl_check_expires_and_recovers() {
    let (tx, mut rx) = mpsc::channel(16);
    let def = CheckType {
        ttl: Some(Duration::from_millis(200)),
        status: "passing".into(),
        ..CheckType::default()
    };
    let handle = RunnerHandle::spawn("ttl", &def, &options(), tx).unwrap();
    let expired = next(&mut rx).await;
    assert_eq!(
        (expired.status, expired.output.as_str()),
        (Status::Critical, "TTL expired")
    );
    assert_eq!(
        handle.ttl_update(Status::Passing, "db ok"),
        Some("db ok".to_string())
    );
    let update = next(&mut rx).await;
    assert_eq!(
        (update.status, update.output.as_str()),
        (Status::Passing, "db ok")
    );
    let expired = next(&mut rx).await;
    assert_eq!(
        (expired.status, expired.output.as_str()),
        (
            Status::Critical,
            "TTL expired (last output before timeout follows): db ok"
        )
    );
}

#[tokio::test]
async fn only_ttl_checks_take_ttl_updates() {
    let (tx, _rx) = mpsc::channel(16);
    let def = CheckType {
        tcp: "127.0.0.1:1".into(),
        interval: Some(INTERVAL),
        ..CheckType::default()
    };
    let handle = RunnerHandle::spawn("tcp", &def, &options(), tx).unwrap();
    assert_eq!(handle.kind(), CheckKind::Tcp);
    assert_eq!(handle.ttl_update(Status::Passing, ""), None);
}

#[test]
fn intervals_below_the_minimum_are_raised() {
    let def = http("http://x");
    assert_eq!(interval("c", &def, MIN_INTERVAL), MIN_INTERVAL);
    assert_eq!(interval("c", &def, Duration::from_millis(10)), INTERVAL);
}

#[test]
fn the_first_run_is_staggered_within_the_interval() {
    assert_eq!(stagger(Duration::ZERO), Duration::ZERO);
    for _ in 0..100 {
        assert!(stagger(INTERVAL) < INTERVAL);
    }
}

#[test]
fn spawning_outside_a_runtime_is_an_error_not_a_panic() {
    let (tx, _rx) = mpsc::channel(1);
    let err = RunnerHandle::spawn("x", &http("http://x"), &options(), tx).unwrap_err();
    assert_eq!(err, ChecksError::NoRuntime);
}
