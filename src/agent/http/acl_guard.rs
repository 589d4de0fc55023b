//! ACL enforcement for every route: a step of the API layer (`layer.rs`, [`admit`]) that finds
//! the caller's token (`?token=`, `X-Consul-Token`, `Authorization: Bearer`, in Consul's order;
//! none: the agent's default token), resolves it, checks what the route needs ([`need`]) and
//! hands the [`Caller`] to the handler, which filters lists and checks what depends on the body.
//! It runs where a request is served (after forwarding), so the server that answers is the one
//! that checks.
//!
//! [`need`] is the one table of what each route requires. A path it does not know needs a
//! management token: a route added without thought is closed, not open.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{HeaderValue, Method};
use axum::response::{IntoResponse, Response};

use super::error::HttpError;
use super::params::Params;
use crate::agent::acl::{Access, Caller, Resource, Scope};
use crate::agent::Agent;

/// What a route requires before its handler runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Need {
    /// Nothing: open to anyone (status, the UI's files, routes that reveal nothing).
    Nothing,
    /// Access to one named thing.
    Named(Resource, String, Access),
    /// A single-valued rule (`operator`, `keyring`, `acl`).
    Scope(Scope, Access),
    /// Write on every key under a prefix (a recursive delete).
    KeyWritePrefix(String),
    /// A valid token; the handler checks the rest (filters lists, reads the body).
    Handler,
}

/// The header that tells a client some results were hidden from it.
pub const FILTERED_HEADER: &str = "x-consul-results-filtered-by-acls";

/// The secret a request carries, in Consul's order of precedence.
pub fn token_of(params: &Params, headers: &axum::http::HeaderMap) -> Option<String> {
    if let Some(t) = params.get("token").filter(|t| !t.is_empty()) {
        return Some(t.to_string());
    }
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    if let Some(t) = header("x-consul-token") {
        return Some(t.to_string());
    }
    let auth = header("authorization")?;
    let (scheme, token) = auth.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// The caller's check: the request, with its [`Caller`] attached for the handler, or the
/// refusal (stamped, see [`stamp`]).
pub async fn admit(agent: &Agent, mut req: Box<Request>) -> Result<Box<Request>, Response> {
    let question = agent.acls.enabled().then(|| {
        // The query string is read once, for the route's needs and the token.
        let params = Params::parse(req.uri().query());
        let path = req.uri().path().to_string();
        let need = need(req.method(), &path, &params, &agent.config.node_name);
        (path, need, token_of(&params, req.headers()))
    });
    match authorize(agent, question).await {
        Ok(caller) => {
            req.extensions_mut().insert(caller);
            Ok(req)
        }
        Err(e) => {
            let mut resp = e.into_response();
            stamp(agent, &mut resp);
            Err(resp)
        }
    }
}

/// Marks an answer served here with the agent's default ACL policy, as Consul does.
pub fn stamp(agent: &Agent, resp: &mut Response) {
    let default_policy = if agent.acls.config.default_allow || !agent.acls.enabled() {
        "allow"
    } else {
        "deny"
    };
    resp.headers_mut().insert(
        "x-consul-default-acl-policy",
        HeaderValue::from_static(default_policy),
    );
}

/// The caller, once the route's needs are met (`question`: the path, what it needs and the
/// secret sent; `None` when ACLs are off).
async fn authorize(
    agent: &Agent,
    question: Option<(String, Need, Option<String>)>,
) -> Result<Arc<Caller>, HttpError> {
    let Some((path, need, secret)) = question else {
        return Ok(agent.acls.everyone());
    };
    let caller = match secret.as_deref() {
        // The recovery token works on this agent's own endpoints, servers or not.
        Some(s) if path.starts_with("/v1/agent/") && agent.acls.is_agent_recovery(s) => {
            recovery_caller(agent)
        }
        _ if need == Need::Nothing => return Ok(agent.acls.everyone()),
        s => agent.caller(s).await?,
    };
    match &need {
        Need::Nothing | Need::Handler => {}
        Need::Named(resource, name, access) => caller.require(*resource, name, *access)?,
        Need::Scope(scope, access) => caller.require_scope(*scope, *access)?,
        Need::KeyWritePrefix(prefix) => {
            if !caller.authz.allows_key_write_prefix(prefix) {
                return Err(caller
                    .denied(&format!("'key:write' on every key under {prefix:?}"))
                    .into());
            }
        }
    }
    Ok(caller)
}

/// What the recovery token may do: this agent's own endpoints.
fn recovery_caller(agent: &Agent) -> Arc<Caller> {
    let node = &agent.config.node_name;
    let rules = crate::agent::acl::rules::parse(&format!(
        "agent {node:?} {{ policy = \"write\" }}\nnode_prefix \"\" {{ policy = \"read\" }}"
    ))
    .unwrap_or_default();
    Arc::new(Caller {
        authz: Arc::new(crate::agent::acl::Authorizer::new(&[&rules], false)),
        accessor: "agent-recovery-token".into(),
    })
}

/// The rest of a path after `prefix`, percent-decoded.
fn tail(path: &str, prefix: &str) -> String {
    let rest = path.strip_prefix(prefix).unwrap_or_default();
    percent_encoding::percent_decode_str(rest)
        .decode_utf8_lossy()
        .into_owned()
}

/// What `method path?query` requires on agent `node` (see the module doc).
fn need(method: &Method, path: &str, p: &Params, node: &str) -> Need {
    use Access::{Read, Write};
    let reads = method == Method::GET || method == Method::HEAD;
    let rw = if reads { Read } else { Write };
    let agent = |access| Need::Named(Resource::Agent, node.to_string(), access);
    if !path.starts_with("/v1/") {
        // The UI's files and `/`: the UI itself asks the API with the user's token.
        return Need::Nothing;
    }
    if path.starts_with("/v1/status/")
        || path == "/v1/catalog/datacenters"
        || path == "/v1/coordinate/datacenters"
        || path == "/v1/agent/version"
        || path.starts_with("/v1/connect/")
        || path.starts_with("/v1/agent/connect/")
        || path.starts_with("/v1/discovery-chain/")
        || path.starts_with("/v1/catalog/connect/")
        || path.starts_with("/v1/catalog/gateway-services/")
        || path.starts_with("/v1/health/connect/")
        || path.starts_with("/v1/health/ingress/")
    {
        return Need::Nothing;
    }
    if path == "/v1/kv" || path.starts_with("/v1/kv/") {
        let key = tail(path, "/v1/kv/");
        return match *method {
            Method::GET if p.flag("recurse") || p.flag("keys") => Need::Handler,
            Method::DELETE if p.flag("recurse") => Need::KeyWritePrefix(key),
            _ => Need::Named(Resource::Key, key, rw),
        };
    }
    if path.starts_with("/v1/event/fire/") {
        return Need::Named(Resource::Event, tail(path, "/v1/event/fire/"), Write);
    }
    if path.starts_with("/v1/coordinate/node/") {
        return Need::Named(Resource::Node, tail(path, "/v1/coordinate/node/"), Read);
    }
    match path {
        "/v1/snapshot" => return Need::Scope(Scope::Acl, Write),
        "/v1/operator/keyring" => return Need::Scope(Scope::Keyring, rw),
        "/v1/agent/self" | "/v1/agent/metrics" | "/v1/agent/monitor" => return agent(Read),
        "/v1/agent/reload" | "/v1/agent/leave" => return agent(Write),
        "/v1/agent/host" => return Need::Scope(Scope::Operator, Read),
        "/v1/agent/maintenance" => return Need::Named(Resource::Node, node.to_string(), Write),
        _ => {}
    }
    if path.starts_with("/v1/agent/join/") {
        return agent(Write);
    }
    if path.starts_with("/v1/agent/force-leave/") {
        return Need::Scope(Scope::Operator, Write);
    }
    if path.starts_with("/v1/agent/token/") {
        return Need::Scope(Scope::Acl, Write);
    }
    if path.starts_with("/v1/operator/") {
        return Need::Scope(Scope::Operator, rw);
    }
    // Not yet narrowed to the node, event or query named (stricter than Consul: the
    // permission on every one of them is needed).
    let everyone_of = |resource| Need::Named(resource, String::new(), rw);
    if path == "/v1/coordinate/nodes" || path == "/v1/coordinate/update" {
        return everyone_of(Resource::Node);
    }
    if path == "/v1/event/list" {
        return everyone_of(Resource::Event);
    }
    if path == "/v1/query" || path.starts_with("/v1/query/") {
        return everyone_of(Resource::Query);
    }
    if let Some(rest) = path.strip_prefix("/v1/config/") {
        let (kind, name) = rest.split_once('/').unwrap_or((rest, ""));
        return match kind {
            "service-defaults" | "service-router" | "service-splitter" | "service-resolver"
            | "service-intentions" => Need::Named(Resource::Service, tail(name, ""), rw),
            _ => Need::Scope(Scope::Operator, rw),
        };
    }
    if path == "/v1/config" {
        return Need::Scope(Scope::Operator, Write);
    }
    // Filtered lists and body-dependent writes: the handlers check.
    const HANDLED: &[&str] = &[
        "/v1/acl/",
        "/v1/internal/acl/",
        "/v1/catalog/",
        "/v1/health/",
        "/v1/internal/ui/",
        "/v1/internal/query/",
        "/v1/agent/service",
        "/v1/agent/check",
        "/v1/agent/health/",
        "/v1/agent/members",
        "/v1/txn",
        "/v1/session/",
    ];
    if HANDLED.iter().any(|h| path.starts_with(h)) {
        return Need::Handler;
    }
    Need::Scope(Scope::Acl, Write)
}

/// Adds `X-Consul-Results-Filtered-By-ACLs: true` when something was hidden from a caller
/// with a token of its own (Consul does not tell anonymous callers).
pub fn mark_filtered(resp: &mut Response, caller: &Caller, filtered: bool) {
    if filtered && !caller.is_anonymous() {
        resp.headers_mut()
            .insert(FILTERED_HEADER, HeaderValue::from_static("true"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_map_to_consuls_permissions() {
        let n = |m: Method, p: &str, q: Option<&str>| need(&m, p, &Params::parse(q), "n1");
        assert_eq!(n(Method::GET, "/v1/status/leader", None), Need::Nothing);
        assert_eq!(n(Method::GET, "/ui/", None), Need::Nothing);
        assert_eq!(
            n(Method::GET, "/v1/kv/a%2Fb", None),
            Need::Named(Resource::Key, "a/b".into(), Access::Read)
        );
        assert_eq!(
            n(Method::PUT, "/v1/kv/a", Some("cas=0")),
            Need::Named(Resource::Key, "a".into(), Access::Write)
        );
        assert_eq!(
            n(Method::DELETE, "/v1/kv/a/", Some("recurse")),
            Need::KeyWritePrefix("a/".into())
        );
        assert_eq!(n(Method::GET, "/v1/kv/a/", Some("keys")), Need::Handler);
        assert_eq!(
            n(Method::PUT, "/v1/agent/reload", None),
            Need::Named(Resource::Agent, "n1".into(), Access::Write)
        );
        assert_eq!(
            n(Method::GET, "/v1/operator/raft/configuration", None),
            Need::Scope(Scope::Operator, Access::Read)
        );
        assert_eq!(
            n(Method::PUT, "/v1/operator/keyring", None),
            Need::Scope(Scope::Keyring, Access::Write)
        );
        assert_eq!(
            n(Method::PUT, "/v1/event/fire/deploy", None),
            Need::Named(Resource::Event, "deploy".into(), Access::Write)
        );
        assert_eq!(n(Method::GET, "/v1/catalog/services", None), Need::Handler);
        // Unknown routes are closed.
        assert_eq!(
            n(Method::GET, "/v1/something/new", None),
            Need::Scope(Scope::Acl, Access::Write)
        );
    }

    #[test]
    fn tokens_come_from_query_then_header_then_bearer() {
        let req = |uri: &str, headers: &[(&str, &str)]| {
            let mut b = axum::http::Request::builder().uri(uri);
            for (k, v) in headers {
                b = b.header(*k, *v);
            }
            let r = b.body(axum::body::Body::empty()).unwrap();
            (r.uri().query().map(str::to_string), r.headers().clone())
        };
        let token_of = |(q, h): (Option<String>, axum::http::HeaderMap)| {
            token_of(&Params::parse(q.as_deref()), &h)
        };
        assert_eq!(
            token_of(req("/v1/kv/a?token=q", &[("x-consul-token", "h")])),
            Some("q".into())
        );
        assert_eq!(
            token_of(req(
                "/v1/kv/a",
                &[("x-consul-token", "h"), ("authorization", "Bearer b")]
            )),
            Some("h".into())
        );
        assert_eq!(
            token_of(req("/v1/kv/a", &[("authorization", "bearer  b ")])),
            Some("b".into())
        );
        assert_eq!(
            token_of(req("/v1/kv/a", &[("authorization", "Basic x")])),
            None
        );
        assert_eq!(token_of(req("/v1/kv/a?token=", &[])), None);
    }
}
