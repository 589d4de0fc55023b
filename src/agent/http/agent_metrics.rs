//! `GET /v1/agent/metrics`: the agent's telemetry as JSON (go-metrics' in-memory sink shape)
//! or, with `?format=prometheus`, in the Prometheus text format; and the middleware that times
//! every routed request as Consul's `consul.api.http` sample, labelled `method` and `path`
//! (the route with `/` → `_` and its parameters cut to a trailing `_`: `v1_kv_`).
//! Like Consul, any other `format` value gets JSON.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, RawQuery, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::params::Params;
use super::respond;
use crate::agent::metrics::{gauges, prometheus};
use crate::agent::Agent;

pub fn routes() -> Router<Arc<Agent>> {
    Router::new().route("/v1/agent/metrics", get(agent_metrics))
}

async fn agent_metrics(State(agent): State<Arc<Agent>>, RawQuery(q): RawQuery) -> Response {
    let p = Params::parse(q.as_deref());
    let now = gauges::collect(&agent);
    if p.get("format") == Some("prometheus") {
        let body = agent.metrics.prometheus(&now);
        return (
            StatusCode::OK,
            [(header::CONTENT_TYPE, prometheus::CONTENT_TYPE)],
            body,
        )
            .into_response();
    }
    let summary = agent.metrics.summary(&now);
    respond::json(StatusCode::OK, &summary, p.flag("pretty"), None)
}

/// Consul's `path` label of a route: `/v1/kv/{*key}` → `v1_kv_`, `/v1/agent/self` →
/// `v1_agent_self` (Consul's mux patterns end in `/` where a parameter follows).
pub fn path_label(route: &str) -> String {
    fixed_part(route).replace('/', "_")
}

/// The route up to its first parameter, without the leading `/` (empty: not timed).
fn fixed_part(route: &str) -> &str {
    let fixed = route.split('{').next().unwrap_or_default();
    fixed.trim_start_matches('/')
}

/// Times each request that matched an API route (forwarding included) as `consul.api.http`;
/// like Consul, `/` and unknown paths are not timed. Everything this router serves counts:
/// requests other agents forward here and the agent's own anti-entropy requests too.
pub struct Timer {
    /// The route and the method; `None` for what is not timed.
    route: Option<(MatchedPath, Method)>,
    start: Instant,
}

impl Timer {
    /// Starts timing `req` (the labels are made when it ends: a parked blocking query keeps
    /// only the route's shared name and the method).
    pub fn start(req: &Request) -> Timer {
        let route = req
            .extensions()
            .get::<MatchedPath>()
            .filter(|m| !fixed_part(m.as_str()).is_empty())
            .map(|m| (m.clone(), req.method().clone()));
        Timer {
            route,
            start: Instant::now(),
        }
    }

    /// Records the sample.
    pub fn stop(self, agent: &Agent) {
        if let Some((route, method)) = self.route {
            let path = path_label(route.as_str());
            let labels = [("method", method.as_str()), ("path", path.as_str())];
            agent
                .metrics
                .measure_since("consul.api.http", &labels, self.start);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::path_label;

    #[test]
    fn path_labels_follow_consul_patterns() {
        assert_eq!(path_label("/v1/kv/{*key}"), "v1_kv_");
        assert_eq!(path_label("/v1/kv/"), "v1_kv_");
        assert_eq!(path_label("/v1/agent/self"), "v1_agent_self");
        assert_eq!(path_label("/v1/health/state/{state}"), "v1_health_state_");
        assert_eq!(path_label("/"), "");
    }
}
