//! Tests of HTTP checks against a real HTTP/1.1 server on loopback (plain and TLS).

use super::*;
use crate::agent::checks::test_support::{closed_port, TestServer};

const TIMEOUT: Duration = Duration::from_secs(10);

fn get(url: &str) -> CheckType {
    CheckType {
        http: url.to_string(),
        interval: Some(Duration::from_secs(1)),
        ..CheckType::default()
    }
}

async fn run(def: CheckType) -> (Status, String) {
    HttpProbe::new(&def, TIMEOUT, 4096, &HttpClients::default())
        .unwrap()
        .run()
        .await
}

#[tokio::test]
async fn status_codes_map_to_statuses_with_consuls_output() {
    let server = TestServer::http().await;
    let cases = [
        ("/ok", Status::Passing, "200 OK Output: all good"),
        (
            "/busy",
            Status::Warning,
            "429 Too Many Requests Output: slow down",
        ),
        (
            "/fail",
            Status::Critical,
            "500 Internal Server Error Output: broken",
        ),
        (
            "/custom",
            Status::Passing,
            "200 Everything Fine Output: fine",
        ),
    ];
    for (path, status, tail) in cases {
        let url = server.url(path);
        assert_eq!(
            run(get(&url)).await,
            (status, format!("HTTP GET {url}: {tail}"))
        );
    }
}

#[tokio::test]
async fn the_body_is_cut_to_its_last_bytes() {
    let server = TestServer::http().await;
    let url = server.url("/big");
    let (status, output) = HttpProbe::new(&get(&url), TIMEOUT, 100, &HttpClients::default())
        .unwrap()
        .run()
        .await;
    assert_eq!(status, Status::Passing);
    let expected_body = format!("{}END", "x".repeat(97));
    assert_eq!(
        output,
        format!("HTTP GET {url}: 200 OK Output: {expected_body}")
    );
}

#[tokio::test]
async fn a_slow_server_times_out_critical() {
    let server = TestServer::http().await;
    let url = server.url("/slow");
    let probe = HttpProbe::new(
        &get(&url),
        Duration::from_millis(300),
        4096,
        &HttpClients::default(),
    )
    .unwrap();
    assert_eq!(
        probe.run().await,
        (
            Status::Critical,
            format!(
                "Get {url:?}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
            )
        )
    );
}

#[tokio::test]
async fn a_closed_port_is_critical_with_the_dial_error() {
    let port = closed_port().await;
    let url = format!("http://127.0.0.1:{port}/health");
    assert_eq!(
        run(get(&url)).await,
        (
            Status::Critical,
            format!("Get {url:?}: dial tcp 127.0.0.1:{port}: connect: connection refused")
        )
    );
}

#[tokio::test]
async fn redirects_are_followed_unless_disabled() {
    let server = TestServer::http().await;
    let url = server.url("/redirect");
    assert_eq!(
        run(get(&url)).await,
        (
            Status::Passing,
            format!("HTTP GET {url}: 200 OK Output: all good")
        )
    );
    let mut def = get(&url);
    def.disable_redirects = true;
    assert_eq!(
        run(def).await,
        (
            Status::Critical,
            format!("HTTP GET {url}: 301 Moved Permanently Output: moved")
        )
    );
}

#[tokio::test]
async fn method_headers_and_body_are_sent() {
    let server = TestServer::http().await;
    let url = server.url("/echo");
    let mut def = get(&url);
    def.method = "POST".into();
    def.body = "ping".into();
    def.header
        .insert("X-Check".into(), vec!["a".into(), "b".into()]);
    let (status, output) = run(def).await;
    assert_eq!(status, Status::Passing);
    assert!(output.starts_with(&format!("HTTP POST {url}: 200 OK Output: POST /echo\n")));
    for line in [
        "x-check: a\n",
        "x-check: b\n",
        "user-agent: Consul Health Check\n",
        "accept: text/plain, text/*, */*\n",
        "body=ping",
    ] {
        assert!(output.contains(line), "{line:?} missing from {output:?}");
    }
}

#[tokio::test]
async fn a_header_of_the_check_replaces_a_default() {
    let server = TestServer::http().await;
    let mut def = get(&server.url("/echo"));
    def.header
        .insert("User-Agent".into(), vec!["probe/1".into()]);
    let (_, output) = run(def).await;
    assert!(output.contains("user-agent: probe/1\n"), "{output}");
    assert!(!output.contains("Consul Health Check"), "{output}");
}

#[tokio::test]
async fn requests_that_cannot_be_built_are_critical() {
    let mut def = get("http://127.0.0.1:1/");
    def.method = "GE T".into();
    assert_eq!(
        run(def).await,
        (
            Status::Critical,
            "net/http: invalid method \"GE T\"".to_string()
        )
    );
    let (status, output) = run(get("ftp://127.0.0.1/x")).await;
    assert_eq!(status, Status::Critical);
    assert_eq!(
        output,
        "Get \"ftp://127.0.0.1/x\": unsupported protocol scheme \"ftp\""
    );
    let (_, output) = run(get("not a url")).await;
    assert!(output.starts_with("parse \"not a url\": "), "{output}");
}

#[tokio::test]
async fn tls_certificates_are_verified_unless_skipped() {
    let server = TestServer::https().await;
    let url = server.url("/ok");
    let (status, output) = run(get(&url)).await;
    assert_eq!(status, Status::Critical);
    assert!(output.starts_with(&format!("Get {url:?}: ")), "{output}");
    let mut def = get(&url);
    def.tls_skip_verify = true;
    assert_eq!(
        run(def).await,
        (
            Status::Passing,
            format!("HTTP GET {url}: 200 OK Output: all good")
        )
    );
}

#[tokio::test]
async fn tls_server_name_is_sent_while_host_stays() {
    let server = TestServer::https().await;
    let url = server.url("/echo");
    let mut def = get(&url);
    def.tls_skip_verify = true;
    let (_, plain) = run(def.clone()).await;
    assert!(
        plain.contains("sni=\n"),
        "no SNI for an IP address: {plain}"
    );
    def.tls_server_name = "sd-check-test".into();
    let (status, output) = run(def).await;
    assert_eq!(status, Status::Passing, "{output}");
    assert!(
        output.starts_with(&format!("HTTP GET {url}: 200 OK")),
        "{output}"
    );
    assert!(output.contains("sni=sd-check-test\n"), "{output}");
    assert!(
        output.contains(&format!("host: 127.0.0.1:{}\n", server.port)),
        "{output}"
    );
}

#[test]
fn go_ops_capitalise_only_the_first_letter() {
    assert_eq!(go_op("GET"), "Get");
    assert_eq!(go_op("post"), "Post");
}
