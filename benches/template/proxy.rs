//! A counting HTTP proxy between `sd template` and the agent: every request is passed on and
//! answered as the agent answered it (status, `X-Consul-*` headers, body), and counted once
//! its answer is back, with the path it asked for; the requests waiting for their answer
//! (parked blocking queries, mostly) are counted too.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use anyhow::Result;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;

#[derive(Default)]
pub struct Counts {
    /// The paths (without the query) of the requests answered so far, in order.
    pub answered: Vec<String>,
    /// Requests passed on and not answered yet.
    pub in_flight: usize,
}

#[derive(Clone)]
struct Shared {
    agent: SocketAddr,
    client: reqwest::Client,
    counts: Arc<Mutex<Counts>>,
}

pub struct Proxy {
    pub addr: SocketAddr,
    pub counts: Arc<Mutex<Counts>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Proxy {
    pub async fn start(agent: SocketAddr) -> Result<Proxy> {
        let counts: Arc<Mutex<Counts>> = Arc::default();
        let shared = Shared {
            agent,
            client: reqwest::Client::builder().build()?,
            counts: counts.clone(),
        };
        let app = axum::Router::new().fallback(forward).with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Proxy { addr, counts, task })
    }

    /// How many requests have been answered so far.
    pub fn answered(&self) -> usize {
        self.counts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .answered
            .len()
    }

    /// How many requests wait for their answer now.
    pub fn in_flight(&self) -> usize {
        self.counts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .in_flight
    }

    /// The paths answered from index `from` on.
    pub fn paths_since(&self, from: usize) -> Vec<String> {
        let c = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        c.answered[from.min(c.answered.len())..].to_vec()
    }
}

async fn forward(
    State(s): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    let url = format!(
        "http://{}{}",
        s.agent,
        uri.path_and_query().map_or("/", |p| p.as_str())
    );
    let method =
        reqwest::Method::from_bytes(method.as_str().as_bytes()).unwrap_or(reqwest::Method::GET);
    let mut req = s.client.request(method, url).body(body);
    let waiting = InFlight::new(&s.counts);
    for (k, v) in &headers {
        if k.as_str().starts_with("x-consul") {
            req = req.header(k.as_str(), v.as_bytes());
        }
    }
    let answer = match req.send().await {
        Ok(a) => a,
        Err(e) => {
            return (
                StatusCode::BAD_GATEWAY,
                HeaderMap::new(),
                Bytes::from(e.to_string()),
            )
        }
    };
    let status = StatusCode::from_u16(answer.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut out = HeaderMap::new();
    for (k, v) in answer.headers() {
        let name = k.as_str();
        if name.starts_with("x-consul") || name == "content-type" {
            if let (Ok(k), Ok(v)) = (
                axum::http::HeaderName::from_bytes(name.as_bytes()),
                axum::http::HeaderValue::from_bytes(v.as_bytes()),
            ) {
                out.insert(k, v);
            }
        }
    }
    let bytes = answer.bytes().await.unwrap_or_default();
    drop(waiting);
    s.counts
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .answered
        .push(uri.path().to_string());
    (status, out, Bytes::from(bytes.to_vec()))
}

/// Counts one request as waiting until dropped (also when the client goes away mid-request).
struct InFlight(Arc<Mutex<Counts>>);

impl InFlight {
    fn new(counts: &Arc<Mutex<Counts>>) -> InFlight {
        counts.lock().unwrap_or_else(|p| p.into_inner()).in_flight += 1;
        InFlight(counts.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).in_flight -= 1;
    }
}
