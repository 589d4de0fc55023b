//! "Any agent accepts any request": the API layer's first step (`layer.rs`) sends a request
//! elsewhere when this agent cannot answer it, over the server RPC port, and returns the answer
//! unchanged ([`route`]).
//!
//! - On a server, requests only the leader may answer (writes, `default` and `consistent`
//!   reads) go to the leader; `?stale` reads and agent-local endpoints stay here. A request that
//!   arrived from another server is never forwarded again: if this server is not the leader
//!   either, the answer is 500 "No cluster leader".
//! - On a client agent, everything but the agent-local `/v1/agent/` endpoints and user
//!   events (`/v1/event/`: gossip, answered here) goes to a server
//!   known through gossip (the one that answered last, else another at random), which serves it
//!   or forwards it to its leader. A server that cannot be reached is skipped for the next.
//!
//! - A request whose `?dc=` names another datacenter goes, from a client agent, to a server
//!   of its own datacenter first; a server sends it to a server of the named datacenter
//!   (found in the WAN pool), which serves it as if a client agent had sent it. The answer,
//!   headers included, is the remote datacenter's.
//!
//! - With ACLs on, a server of a secondary datacenter (`primary_datacenter` names another)
//!   sends `/v1/acl/` requests to the primary, which keeps tokens, policies and roles; only
//!   `Local` tokens live in the datacenter that made them.
//!
//! The sending itself, with its retries while no leader or server is reachable, is
//! `endpoints::forward`'s.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};

use super::body::read_limited;
use super::error::HttpError;
use super::params::Params;
use crate::agent::endpoints::{forward, EndpointError};
use crate::agent::rpc::messages::is_hop_by_hop;
use crate::agent::rpc::{ForwardRequest, ForwardResponse, Forwarded, FromDatacenter, OriginNode};
use crate::agent::Agent;

/// Whether a request must be answered by the leader.
pub fn needs_leader(method: &Method, path: &str, query: Option<&str>) -> bool {
    let stale_read = || method == Method::GET && Params::parse(query).flag("stale");
    if path == "/v1/catalog/datacenters" {
        return false;
    }
    if path == "/v1/kv"
        || path.starts_with("/v1/kv/")
        || path.starts_with("/v1/session/")
        || path == "/v1/query"
        || path.starts_with("/v1/query/")
        || path.starts_with("/v1/catalog/")
        || path.starts_with("/v1/health/")
        || path.starts_with("/v1/internal/ui/")
        || path == "/v1/config"
        || path.starts_with("/v1/config/")
        || path == "/v1/coordinate/nodes"
        || path.starts_with("/v1/coordinate/node/")
        || path.starts_with("/v1/acl/")
    {
        return !stale_read();
    }
    if path == "/v1/snapshot" {
        return !stale_read();
    }
    // A transaction may hold writes; the leader serves the whole of it.
    if path == "/v1/txn" || path == "/v1/coordinate/update" {
        return true;
    }
    if path == "/v1/operator/autopilot/configuration" || path == "/v1/operator/usage" {
        return !stale_read();
    }
    if path == "/v1/operator/autopilot/health" || path == "/v1/operator/autopilot/state" {
        return true;
    }
    if path == "/v1/operator/raft/configuration" {
        return !stale_read();
    }
    path == "/v1/operator/raft/peer" || path == "/v1/operator/raft/transfer-leader"
}

/// Whether a client agent must send this request to a server: everything but its own
/// endpoints (`/v1/agent/`) and user events (fired into gossip and listed from here).
pub fn needs_server(path: &str) -> bool {
    path.starts_with("/v1/")
        && !path.starts_with("/v1/agent/")
        && !path.starts_with("/v1/event/")
        && !path.starts_with("/v1/connect/")
        && !path.starts_with("/v1/discovery-chain/")
}

/// Whether `?dc=` on this path chooses the datacenter that serves it: every endpoint but the
/// agent's own, the lists of datacenters and those that act on this agent's gossip pools.
pub fn routes_by_datacenter(path: &str) -> bool {
    path.starts_with("/v1/")
        && !path.starts_with("/v1/agent/")
        && path != "/v1/catalog/datacenters"
        && path != "/v1/coordinate/datacenters"
        && path != "/v1/event/list"
        && path != "/v1/operator/keyring"
        && !path.starts_with("/v1/connect/")
        && !path.starts_with("/v1/discovery-chain/")
}

/// Whether a secondary datacenter's server sends this ACL request to the primary, where
/// tokens, policies, roles and auth methods are kept: all of `/v1/acl/` but logins, the
/// caller's own token and the replication status (and `Local` tokens: [`serve_acl_here`]).
pub fn for_primary(path: &str) -> bool {
    path.starts_with("/v1/acl/")
        && !matches!(
            path,
            "/v1/acl/login" | "/v1/acl/logout" | "/v1/acl/token/self" | "/v1/acl/replication"
        )
}

/// A token request a secondary serves itself: making or changing a token marked `Local`, or
/// reading, changing or deleting a token this datacenter holds (its local tokens).
fn serve_acl_here(agent: &Agent, parts: &axum::http::request::Parts, body: &[u8]) -> bool {
    let path = parts.uri.path();
    if let Some(id) = path.strip_prefix("/v1/acl/token/") {
        let id = id.split('/').next().unwrap_or_default();
        if agent.store.read().acl.token(id).is_some() {
            return true;
        }
    }
    let writes = parts.method == Method::PUT || parts.method == Method::POST;
    if !(writes && (path == "/v1/acl/token" || path.starts_with("/v1/acl/token/"))) {
        return false;
    }
    // Field names are matched in any case, as the handler matches them.
    let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    v.as_object().is_some_and(|o| {
        o.iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("local") && v.as_bool() == Some(true))
    })
}

/// The datacenter a request's `?dc=` names, when it is not this agent's own and the endpoint
/// routes by it.
fn other_datacenter(agent: &Agent, path: &str, query: Option<&str>) -> Option<String> {
    // Most requests carry no `dc`: no parsing for them.
    let query = query.filter(|q| q.contains("dc="))?;
    let dc = Params::parse(Some(query)).get("dc")?.to_string();
    (!dc.is_empty() && dc != agent.config.datacenter && routes_by_datacenter(path)).then_some(dc)
}

/// Where a request is served.
pub enum Routed {
    /// Here: the request goes on to ACLs and its route.
    Here(Box<Request>),
    /// Elsewhere (the leader, a server or another datacenter), or refused: the answer.
    Answered(Response),
}

/// Serve locally, or forward to the leader (servers), a server (clients) or another
/// datacenter. Everything that forwards is boxed: rare and large, its room would otherwise sit
/// in every request's future, parked blocking queries included.
pub async fn route(agent: &Agent, req: Box<Request>) -> Routed {
    let uri = req.uri();
    if let Some(dc) = other_datacenter(agent, uri.path(), uri.query()) {
        let result = if req.extensions().get::<FromDatacenter>().is_some() {
            // Sent here by another datacenter for a third one: this server's WAN view and
            // the sender's disagree; never relay it further.
            Err(EndpointError::NoPathToDatacenter(dc).into())
        } else if agent.raft_opt().is_none() {
            Box::pin(to_server(agent, *req)).await
        } else {
            Box::pin(to_datacenter(agent, &dc, *req)).await
        };
        return answered(result);
    }
    let req = match agent.acl_primary() {
        Some(primary)
            if for_primary(uri.path()) && req.extensions().get::<FromDatacenter>().is_none() =>
        {
            let primary = primary.to_string();
            match Box::pin(to_primary(agent, &primary, *req)).await {
                Ok(Primary::Answered(resp)) => return Routed::Answered(resp),
                Ok(Primary::ServeHere(req)) => Box::new(req),
                Err(e) => return Routed::Answered(e.into_response()),
            }
        }
        _ => req,
    };
    let uri = req.uri();
    let Some(raft) = agent.raft_opt() else {
        if !needs_server(uri.path()) {
            return Routed::Here(req);
        }
        return answered(Box::pin(to_server(agent, *req)).await);
    };
    if !needs_leader(req.method(), uri.path(), uri.query()) || raft.is_leader() {
        return Routed::Here(req);
    }
    if req.extensions().get::<Forwarded>().is_some() {
        return Routed::Answered(HttpError::no_leader().into_response());
    }
    match Box::pin(to_leader(agent, raft, *req)).await {
        Ok(routed) => routed,
        Err(e) => Routed::Answered(e.into_response()),
    }
}

fn answered(result: Result<Response, HttpError>) -> Routed {
    Routed::Answered(result.unwrap_or_else(|e| e.into_response()))
}

/// The request as it travels over server RPC, its body read within the limit the handler
/// would apply.
async fn message(
    agent: &Agent,
    parts: &axum::http::request::Parts,
    body: Body,
) -> Result<(ForwardRequest, bytes::Bytes), HttpError> {
    // The same limits and words the leader's handler would use.
    let (limit, setting) = if parts.uri.path() == "/v1/txn" {
        (agent.config.txn_max_req_len, "txn_max_req_len")
    } else {
        (agent.config.kv_max_value_size, "kv_max_value_size")
    };
    let body = read_limited(body, limit, |max| {
        format!("Request body too large, max size: {max} bytes. See the {setting} limit (limits.{setting}) in the agent configuration.")
    })
    .await?;
    let message = ForwardRequest {
        method: parts.method.as_str().to_string(),
        uri: parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_string(), ToString::to_string),
        headers: parts
            .headers
            .iter()
            .filter(|(name, _)| !is_hop_by_hop(name.as_str()))
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    serde_bytes::ByteBuf::from(v.as_bytes().to_vec()),
                )
            })
            .collect(),
        body: serde_bytes::ByteBuf::from(body.to_vec()),
        origin_node: Some(origin_node(agent, &parts.extensions)),
    };
    Ok((message, body))
}

/// The node a request is on behalf of: the one it first reached.
pub fn origin_node(agent: &Agent, extensions: &axum::http::Extensions) -> String {
    origin_node_of(agent, extensions.get::<OriginNode>())
}

/// The node of the agent a request first reached: `origin` when it was forwarded, else this one.
pub fn origin_node_of(agent: &Agent, origin: Option<&OriginNode>) -> String {
    origin.map_or_else(|| agent.config.node_name.clone(), |o| o.0.clone())
}

async fn to_leader(
    agent: &Agent,
    raft: &crate::agent::raft::RaftNode,
    req: Request,
) -> Result<Routed, HttpError> {
    let (parts, body) = req.into_parts();
    let (message, body) = message(agent, &parts, body).await?;
    Ok(match forward::to_leader(agent, raft, &message).await? {
        forward::ToLeader::Answer(answer) => Routed::Answered(into_response(answer)),
        forward::ToLeader::ServeHere => {
            Routed::Here(Box::new(Request::from_parts(parts, Body::from(body))))
        }
    })
}

/// What became of a secondary's ACL request.
enum Primary {
    /// The primary datacenter's answer.
    Answered(Response),
    /// A `Local` token's request, to serve in this datacenter (on its leader).
    ServeHere(Request),
}

/// A secondary's ACL request, served by the primary datacenter (or here: [`serve_acl_here`]).
async fn to_primary(agent: &Agent, primary: &str, req: Request) -> Result<Primary, HttpError> {
    let (parts, body) = req.into_parts();
    let (message, body) = message(agent, &parts, body).await?;
    if serve_acl_here(agent, &parts, &body) {
        return Ok(Primary::ServeHere(Request::from_parts(
            parts,
            Body::from(body),
        )));
    }
    let answer = forward::to_datacenter(agent, primary, &message).await?;
    Ok(Primary::Answered(into_response(answer)))
}

/// A request for another datacenter, served there.
async fn to_datacenter(agent: &Agent, dc: &str, req: Request) -> Result<Response, HttpError> {
    let (parts, body) = req.into_parts();
    let (message, _) = message(agent, &parts, body).await?;
    Ok(into_response(
        forward::to_datacenter(agent, dc, &message).await?,
    ))
}

/// A client agent's request, served by a server.
async fn to_server(agent: &Agent, req: Request) -> Result<Response, HttpError> {
    let (parts, body) = req.into_parts();
    let (message, _) = message(agent, &parts, body).await?;
    Ok(into_response(forward::to_server(agent, &message).await?))
}

fn into_response(answer: ForwardResponse) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut resp = (status, answer.body.into_vec()).into_response();
    let headers = resp.headers_mut();
    headers.clear();
    for (name, value) in answer.headers {
        if is_hop_by_hop(&name) {
            continue;
        }
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(&value),
        ) {
            headers.append(n, v);
        }
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_requests_a_client_agent_sends_to_a_server() {
        assert!(needs_server("/v1/kv/a"));
        assert!(needs_server("/v1/status/leader"));
        assert!(needs_server("/v1/operator/raft/configuration"));
        assert!(!needs_server("/v1/agent/members"));
        assert!(!needs_server("/v1/agent/self"));
        assert!(!needs_server("/ui/"));
        assert!(!needs_server("/v1/event/fire/deploy"));
        assert!(!needs_server("/v1/event/list"));
    }

    #[test]
    fn which_requests_route_by_datacenter() {
        assert!(routes_by_datacenter("/v1/kv/a"));
        assert!(routes_by_datacenter("/v1/health/service/web"));
        assert!(routes_by_datacenter("/v1/event/fire/deploy"));
        assert!(routes_by_datacenter("/v1/query/x/execute"));
        assert!(!routes_by_datacenter("/v1/agent/members"));
        assert!(!routes_by_datacenter("/v1/catalog/datacenters"));
        assert!(!routes_by_datacenter("/v1/event/list"));
        assert!(!routes_by_datacenter("/ui/"));
    }

    #[test]
    fn which_requests_go_to_the_leader() {
        let get = Method::GET;
        assert!(needs_leader(&get, "/v1/kv/a", None));
        assert!(needs_leader(&get, "/v1/kv/a", Some("consistent")));
        assert!(!needs_leader(&get, "/v1/kv/a", Some("stale")));
        assert!(needs_leader(&Method::PUT, "/v1/kv/a", Some("stale")));
        assert!(needs_leader(&Method::DELETE, "/v1/kv/a", None));
        assert!(needs_leader(&Method::PUT, "/v1/txn", None));
        assert!(!needs_leader(&get, "/v1/status/leader", None));
        assert!(!needs_leader(&get, "/v1/kvx", None));
        assert!(needs_leader(&get, "/v1/catalog/services", None));
        assert!(!needs_leader(&get, "/v1/health/service/web", Some("stale")));
        assert!(needs_leader(&Method::PUT, "/v1/catalog/register", None));
        assert!(!needs_leader(&get, "/v1/catalog/datacenters", None));
        assert!(!needs_leader(&get, "/v1/agent/self", None));
        assert!(needs_leader(&get, "/v1/operator/raft/configuration", None));
        assert!(needs_leader(&Method::PUT, "/v1/session/renew/x", None));
        assert!(needs_leader(&get, "/v1/session/list", None));
        assert!(!needs_leader(&get, "/v1/session/list", Some("stale")));
        assert!(needs_leader(
            &Method::DELETE,
            "/v1/operator/raft/peer",
            None
        ));
    }
}
