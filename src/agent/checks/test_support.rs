//! Test backends on 127.0.0.1 with OS-chosen ports: a tiny HTTP/1.1 server (plain or TLS with
//! a self-signed certificate) whose paths answer 200, 429, 500, slowly, with a large body, a
//! redirect, a custom reason phrase, an echo of the request, or statuses the test queues; and
//! a port known to be closed.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_rustls::rustls;

use super::CheckUpdate;

/// A self-signed certificate for `sd-check-test` (P-256, valid until 2126), test-only.
const CERT_PEM: &str = "
MIIBoTCCAUegAwIBAgIUEQetMCu3tlfusO9MZqkhC0sGwm4wCgYIKoZIzj0EAwIw
GDEWMBQGA1UEAwwNc2QtY2hlY2stdGVzdDAgFw0yNjExMzAwMTIzNDBaGA8yMTI2
MTEwNjAxMjM0MFowGDEWMBQGA1UEAwwNc2QtY2hlY2stdGVzdDBZMBMGByqGSM49
AgEGCCqGSM49AwEHA0IABBaOLsFPxeWUEx/xMguglujrtN0QzjVdnQUv0/8uCYRF
vP80LXti5i6Is7giQDqkEewDDyephYrLXsLK+rFHCEujbTBrMB0GA1UdDgQWBBRg
hkjfxYCFpx9os2TnRLy1OoZ28zAfBgNVHSMEGDAWgBRghkjfxYCFpx9os2TnRLy1
OoZ28zAPBgNVHRMBAf8EBTADAQH/MBgGA1UdEQQRMA+CDXNkLWNoZWNrLXRlc3Qw
CgYIKoZIzj0EAwIDSAAwRQIgW2mmsJNeJR8IceI1TniIM+vYQEx/e/Y8xB5oBYGK
ZvMCIQDP+mZ02iN26KacGGaVOPEbyfCYyd2AnxNn841JZPaLZQ==";
const KEY_PKCS8: &str = "
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgaq6xcYoNQzPqVR0M
MsimtGTvplnEzQiwcqxBs7yzp4mhRANCAAQWji7BT8XllBMf8TILoJbo67TdEM41
XZ0FL9P/LgmERbz/NC17YuYuiLO4IkA6pBHsAw8nqYWKy17CyvqxRwhL";

/// The length of `/big`'s body.
const BIG_BODY: usize = 10_000;

/// A port nothing listens on (bound, then released).
pub async fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

/// The next update, failing the test if none comes within a (generous) deadline.
pub async fn next(rx: &mut mpsc::Receiver<CheckUpdate>) -> CheckUpdate {
    tokio::time::timeout(Duration::from_secs(20), rx.recv())
        .await
        .expect("no check update within 20 s")
        .expect("update channel closed")
}

/// Waits until every sender is gone: the runner's task has ended.
pub async fn closed(rx: &mut mpsc::Receiver<CheckUpdate>) {
    let ended = tokio::time::timeout(Duration::from_secs(20), async {
        while rx.recv().await.is_some() {}
    })
    .await;
    assert!(
        ended.is_ok(),
        "the runner still holds its sender after 20 s"
    );
}

/// A running test server; it stops when dropped.
pub struct TestServer {
    pub port: u16,
    scheme: &'static str,
    statuses: Arc<Statuses>,
    hits: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl TestServer {
    pub async fn http() -> TestServer {
        TestServer::start(None).await
    }

    pub async fn https() -> TestServer {
        let der = |text: &str| {
            let compact: String = text.split_whitespace().collect();
            base64::engine::general_purpose::STANDARD
                .decode(compact)
                .unwrap()
        };
        let cert = rustls::pki_types::CertificateDer::from(der(CERT_PEM));
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(der(KEY_PKCS8).into());
        let config = rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(vec![cert], key)
            .unwrap();
        TestServer::start(Some(tokio_rustls::TlsAcceptor::from(Arc::new(config)))).await
    }

    async fn start(tls: Option<tokio_rustls::TlsAcceptor>) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let scheme = if tls.is_some() { "https" } else { "http" };
        let statuses = Arc::new(Statuses::default());
        let hits = Arc::new(AtomicUsize::new(0));
        let (s, h) = (statuses.clone(), hits.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (s, h, tls) = (s.clone(), h.clone(), tls.clone());
                tokio::spawn(async move {
                    h.fetch_add(1, Ordering::SeqCst);
                    match tls {
                        None => serve(stream, None, &s).await,
                        Some(acceptor) => {
                            if let Ok(stream) = acceptor.accept(stream).await {
                                let sni = stream.get_ref().1.server_name().map(str::to_string);
                                serve(stream, Some(sni.unwrap_or_default()), &s).await;
                            }
                        }
                    }
                });
            }
        });
        TestServer {
            port,
            scheme,
            statuses,
            hits,
            task,
        }
    }

    /// The URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}://127.0.0.1:{}{path}", self.scheme, self.port)
    }

    /// What `/status` answers next: these codes in turn, the last one for good.
    pub fn set_statuses(&self, codes: &[u16]) {
        *self.statuses.codes.lock().unwrap() = codes.iter().copied().collect();
    }

    /// Connections accepted so far.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

/// The codes `/status` answers in turn, and how many it answered.
#[derive(Default)]
struct Statuses {
    codes: Mutex<VecDeque<u16>>,
    served: AtomicUsize,
}

impl Statuses {
    /// The next code (200 when none was queued) and this request's number, from 1.
    fn next(&self) -> (u16, usize) {
        let mut codes = self.codes.lock().unwrap();
        let code = if codes.len() > 1 {
            codes.pop_front().unwrap_or(200)
        } else {
            codes.front().copied().unwrap_or(200)
        };
        (code, self.served.fetch_add(1, Ordering::SeqCst) + 1)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Answers one request on `stream`. `sni` is the TLS server name the client sent, if TLS.
async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    sni: Option<String>,
    statuses: &Statuses,
) {
    let Some((head, body)) = read_request(&mut stream).await else {
        return;
    };
    let mut lines = head.lines();
    let request_line = lines.next().unwrap_or_default().to_string();
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or_default();
    let path = parts.next().unwrap_or_default();
    let (code_reason, extra, text) = match path {
        "/ok" => ("200 OK", "", "all good".to_string()),
        "/busy" => ("429 Too Many Requests", "", "slow down".to_string()),
        "/fail" => ("500 Internal Server Error", "", "broken".to_string()),
        "/custom" => ("200 Everything Fine", "", "fine".to_string()),
        "/big" => ("200 OK", "", format!("{}END", "x".repeat(BIG_BODY - 3))),
        "/redirect" => (
            "301 Moved Permanently",
            "Location: /ok\r\n",
            "moved".to_string(),
        ),
        "/slow" => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            ("200 OK", "", "late".to_string())
        }
        "/status" => {
            let (code, n) = statuses.next();
            let line = match code {
                200 => "200 OK",
                429 => "429 Too Many Requests",
                _ => "503 Service Unavailable",
            };
            (line, "", format!("status {code} (request {n})"))
        }
        _ => {
            let mut echo = format!("{method} {path}\n");
            // Header names lowered (HTTP/1 names are case-insensitive), values as sent.
            for (name, value) in lines.filter_map(|l| l.split_once(':')) {
                echo.push_str(&format!("{}:{value}\n", name.to_ascii_lowercase()));
            }
            if let Some(sni) = sni {
                echo.push_str(&format!("sni={sni}\n"));
            }
            echo.push_str(&format!("body={body}"));
            ("200 OK", "", echo)
        }
    };
    let response = format!(
        "HTTP/1.1 {code_reason}\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// The request head (up to the blank line) and its Content-Length body.
async fn read_request<S: AsyncRead + Unpin>(stream: &mut S) -> Option<(String, String)> {
    let mut data = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 || data.len() > 64 * 1024 {
            return None;
        }
        data.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let length: usize = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    let mut body = data[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some((head, String::from_utf8_lossy(&body).into_owned()))
}
