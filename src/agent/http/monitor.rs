//! `GET /v1/agent/monitor?loglevel=&logjson`: streams this agent's log lines as they are
//! written, at the level asked (`info` by default; trace, debug, info, warn, err/error), as
//! plain text or JSON lines, until the client goes away. A level Consul does not know is a 400
//! `Unknown log level: <level>`.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::sync::broadcast::error::RecvError;
use tracing::Level;

use super::error::HttpError;
use super::params::Params;
use crate::agent::Agent;

pub fn routes() -> Router<Arc<Agent>> {
    Router::new().route("/v1/agent/monitor", get(monitor))
}

/// hclog's level names, as Consul reads `?loglevel`.
fn level_of(name: &str) -> Option<Level> {
    Some(match name.to_ascii_lowercase().as_str() {
        "trace" => Level::TRACE,
        "debug" => Level::DEBUG,
        "info" => Level::INFO,
        "warn" => Level::WARN,
        "err" | "error" => Level::ERROR,
        _ => return None,
    })
}

async fn monitor(
    State(agent): State<Arc<Agent>>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    let name = p
        .get("loglevel")
        .filter(|l| !l.is_empty())
        .unwrap_or("INFO");
    let level = level_of(name)
        .ok_or_else(|| HttpError::bad_request(format!("Unknown log level: {name}")))?;
    let open = agent
        .log_monitor
        .get()
        .ok_or_else(|| HttpError::internal("this agent's log lines are not available"))?;
    let feed = open(level, p.flag("logjson"));
    let lines = futures::stream::unfold(feed, move |mut feed| async move {
        loop {
            match feed.lines.recv().await {
                // tracing orders levels by verbosity: ERROR < WARN < INFO < DEBUG < TRACE.
                Ok((l, line)) if l <= level => {
                    return Some((Ok::<_, std::io::Error>(Bytes::from(line.to_vec())), feed))
                }
                Ok(_) | Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => return None,
            }
        }
    });
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        Body::from_stream(lines),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hclog_level_names() {
        assert_eq!(level_of("DEBUG"), Some(Level::DEBUG));
        assert_eq!(level_of("err"), Some(Level::ERROR));
        assert_eq!(level_of("loud"), None);
    }
}
