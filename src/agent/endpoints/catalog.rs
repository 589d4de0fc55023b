//! The catalog and health calls the agent makes itself (anti-entropy, a client agent's DNS
//! cache), typed: [`QueryOptions`] in, `api` types and [`QueryMeta`] out. A read is answered
//! from this server's state when it may be (the leader, or any server for a stale read) and a
//! write is applied here on the leader; otherwise the call is sent on through
//! [`forward`](super::forward), to the leader or (from a client agent) to a server, and its
//! answer decoded here, the one place that knows its wire form. The writes are the ones the
//! HTTP API's handlers make ([`register`], [`deregister`]).

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::forward::{self, ToLeader};
use super::{read, Consistency, EndpointError, QueryMeta, QueryOptions};
use crate::agent::rpc::{ForwardRequest, ForwardResponse};
use crate::agent::state::{Command, CommandResult, Tables, WatchKey};
use crate::agent::Agent;
use crate::api::catalog::{
    CatalogDeregistration, CatalogNode, CatalogRegistration, HealthCheck, Node, ServiceEntry,
};

impl Agent {
    /// `/v1/catalog/node/:node`: the node and its services, or `None`.
    pub async fn catalog_node(
        &self,
        node: &str,
        q: &QueryOptions,
    ) -> Result<(Option<CatalogNode>, QueryMeta), EndpointError> {
        let path = format!("/v1/catalog/node/{}", escape(node));
        self.typed_read(&path, q, WatchKey::Node(node.to_string()), |t| {
            (t.catalog.catalog_node(node), t.catalog.node_index(node))
        })
        .await
    }

    /// `/v1/catalog/nodes`: every node.
    pub async fn catalog_nodes(
        &self,
        q: &QueryOptions,
    ) -> Result<(Vec<Node>, QueryMeta), EndpointError> {
        self.typed_read("/v1/catalog/nodes", q, WatchKey::Nodes, |t| {
            (t.catalog.nodes(), t.catalog.nodes_index())
        })
        .await
    }

    /// `/v1/health/node/:node`: the node's checks.
    pub async fn node_checks(
        &self,
        node: &str,
        q: &QueryOptions,
    ) -> Result<(Vec<HealthCheck>, QueryMeta), EndpointError> {
        let path = format!("/v1/health/node/{}", escape(node));
        self.typed_read(&path, q, WatchKey::Node(node.to_string()), |t| {
            (t.catalog.node_checks(node), t.catalog.node_index(node))
        })
        .await
    }

    /// `/v1/health/service/:service`: every instance with its node and checks.
    pub async fn service_health(
        &self,
        service: &str,
        q: &QueryOptions,
    ) -> Result<(Vec<ServiceEntry>, QueryMeta), EndpointError> {
        let path = format!("/v1/health/service/{}", escape(service));
        self.typed_read(&path, q, WatchKey::Service(service.to_string()), |t| {
            (
                t.catalog.health_service(service, false),
                t.catalog.service_index(service),
            )
        })
        .await
    }

    /// `PUT /v1/catalog/register`.
    pub async fn catalog_register(&self, reg: CatalogRegistration) -> Result<(), EndpointError> {
        if self.write_here("/v1/catalog/register", &reg).await? {
            register(self, reg).await?;
        }
        Ok(())
    }

    /// `PUT /v1/catalog/deregister`.
    pub async fn catalog_deregister(&self, d: CatalogDeregistration) -> Result<(), EndpointError> {
        if self.write_here("/v1/catalog/deregister", &d).await? {
            deregister(self, d).await?;
        }
        Ok(())
    }

    /// Runs `local` here when this agent may answer `q`, else sends the read on and decodes
    /// the answer.
    async fn typed_read<T: DeserializeOwned>(
        &self,
        path: &str,
        q: &QueryOptions,
        watch: WatchKey,
        local: impl FnMut(&Tables) -> (T, u64),
    ) -> Result<(T, QueryMeta), EndpointError> {
        let message = request(
            self,
            "GET",
            format!("{path}{}", query_string(q)),
            Vec::new(),
        );
        if let Some(dc) = self.other_datacenter(q) {
            let answer = self.send_to_datacenter(dc, &message).await?;
            return decode_from(dc, answer, q.consistency);
        }
        let stale = q.consistency == Consistency::Stale;
        match self.send_unless_here(&message, stale).await? {
            None => read::query(self, q, watch, local).await,
            Some(answer) => decode(answer, q.consistency),
        }
    }

    /// The datacenter `q` names, when it is not this one.
    pub(super) fn other_datacenter<'a>(&self, q: &'a QueryOptions) -> Option<&'a str> {
        q.datacenter
            .as_deref()
            .filter(|dc| **dc != self.config.datacenter)
    }

    /// Sends `message` to datacenter `dc`: a server asks one of its servers, a client agent
    /// asks its own server (which does the same).
    pub(super) async fn send_to_datacenter(
        &self,
        dc: &str,
        message: &ForwardRequest,
    ) -> Result<ForwardResponse, EndpointError> {
        match self.raft_opt() {
            Some(_) => Box::pin(forward::to_datacenter(self, dc, message)).await,
            None => Box::pin(forward::to_server(self, message)).await,
        }
    }

    /// True when a write of `body` to `path` is for this agent to apply (it leads);
    /// otherwise sends it on and checks the answer.
    pub(super) async fn write_here(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> Result<bool, EndpointError> {
        let body = serde_json::to_vec(body).map_err(|e| EndpointError::Decode(e.to_string()))?;
        let message = request(self, "PUT", path.to_string(), body);
        match self.send_unless_here(&message, false).await? {
            None => Ok(true),
            Some(answer) => {
                decode::<serde::de::IgnoredAny>(answer, Consistency::Default).map(|_| false)
            }
        }
    }

    /// `None` when this agent serves `message` itself (a server that leads, or any server
    /// when `stale`); otherwise the answer of the leader or (from a client agent) a server.
    pub(super) async fn send_unless_here(
        &self,
        message: &ForwardRequest,
        stale: bool,
    ) -> Result<Option<ForwardResponse>, EndpointError> {
        Ok(match self.raft_opt() {
            Some(raft) if stale || raft.is_leader() => None,
            Some(raft) => match Box::pin(forward::to_leader(self, raft, message)).await? {
                ToLeader::Answer(answer) => Some(answer),
                ToLeader::ServeHere => None,
            },
            None => Some(Box::pin(forward::to_server(self, message)).await?),
        })
    }
}

/// Applies a catalog registration on the leader: its datacenter must be this one.
pub async fn register(agent: &Agent, mut reg: CatalogRegistration) -> Result<(), EndpointError> {
    agent.check_dc(Some(&reg.datacenter))?;
    reg.datacenter = agent.config.datacenter.clone();
    write(agent, Command::CatalogRegister(Box::new(reg))).await
}

/// Applies a catalog deregistration on the leader.
pub async fn deregister(agent: &Agent, d: CatalogDeregistration) -> Result<(), EndpointError> {
    agent.check_dc(Some(&d.datacenter))?;
    if d.node.is_empty() {
        return Err(EndpointError::Invalid("Must provide node".into()));
    }
    write(
        agent,
        Command::CatalogDeregister {
            node: d.node,
            service_id: d.service_id,
            check_id: d.check_id,
        },
    )
    .await
}

/// Writes a catalog command; a change the catalog refuses is [`EndpointError::Invalid`].
pub async fn write(agent: &Agent, cmd: Command) -> Result<(), EndpointError> {
    match agent.write(cmd).await? {
        (_, CommandResult::Catalog(Ok(()))) => Ok(()),
        (_, CommandResult::Catalog(Err(e))) => Err(EndpointError::Invalid(e.to_string())),
        (_, other) => Err(EndpointError::Write(format!(
            "unexpected result of a catalog write: {other:?}"
        ))),
    }
}

/// The request a call sends on, as the HTTP API would receive it, made with the agent's own
/// token when ACLs are on.
pub(crate) fn request(agent: &Agent, method: &str, uri: String, body: Vec<u8>) -> ForwardRequest {
    let token = agent.acls.enabled().then(|| agent.acls.agent_secret());
    request_as(token.as_deref(), method, uri, body)
}

/// The request a call sends on, carrying `token` (none: no token header).
pub(crate) fn request_as(
    token: Option<&str>,
    method: &str,
    uri: String,
    body: Vec<u8>,
) -> ForwardRequest {
    ForwardRequest {
        method: method.into(),
        uri,
        headers: token
            .map(|t| {
                vec![(
                    "x-consul-token".to_string(),
                    serde_bytes::ByteBuf::from(t.as_bytes().to_vec()),
                )]
            })
            .unwrap_or_default(),
        body: serde_bytes::ByteBuf::from(body),
        origin_node: None,
    }
}

/// `?index=...&wait=...ms` for a blocking read, `stale` or `consistent` for the mode, `dc`
/// for another datacenter.
pub(super) fn query_string(q: &QueryOptions) -> String {
    let mut parts = Vec::new();
    if let Some(dc) = &q.datacenter {
        parts.push(format!("dc={}", escape(dc)));
    }
    if q.min_index > 0 {
        parts.push(format!("index={}", q.min_index));
        parts.push(format!("wait={}ms", q.wait.as_millis()));
    }
    match q.consistency {
        Consistency::Stale => parts.push("stale".into()),
        Consistency::Consistent => parts.push("consistent".into()),
        Consistency::Default => {}
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// [`decode`] of another datacenter's answer: its "No path to datacenter" (from a client
/// agent's server) is [`EndpointError::NoPathToDatacenter`].
pub(crate) fn decode_from<T: DeserializeOwned>(
    dc: &str,
    answer: ForwardResponse,
    consistency: Consistency,
) -> Result<(T, QueryMeta), EndpointError> {
    decode(answer, consistency).map_err(|e| match e {
        EndpointError::Remote(t) if t.contains("No path to datacenter") => {
            EndpointError::NoPathToDatacenter(dc.to_string())
        }
        e => e,
    })
}

/// A forwarded answer: a 200's JSON body and `X-Consul-*` headers, or the error it carries.
pub(super) fn decode<T: DeserializeOwned>(
    answer: ForwardResponse,
    consistency: Consistency,
) -> Result<(T, QueryMeta), EndpointError> {
    let body = answer.body.into_vec();
    if answer.status != 200 {
        let text = String::from_utf8_lossy(&body).trim().to_string();
        return Err(match (answer.status, text.as_str()) {
            (500, "No cluster leader") => EndpointError::NoLeader,
            (400, _) => EndpointError::Invalid(text),
            (403, "ACL not found") => EndpointError::AclNotFound,
            (403, _) => EndpointError::PermissionDenied(text),
            (404, _) => EndpointError::NotFound(text),
            (status, _) => EndpointError::Remote(format!("{status}: {text}")),
        });
    }
    let header = |name: &str| {
        answer
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| std::str::from_utf8(v).ok())
            .map(str::to_string)
    };
    let number = |name: &str| header(name).and_then(|v| v.parse().ok()).unwrap_or(0);
    let meta = QueryMeta {
        index: number("X-Consul-Index"),
        known_leader: header("X-Consul-KnownLeader").as_deref() == Some("true"),
        last_contact_ms: number("X-Consul-LastContact"),
        consistency,
    };
    // An empty body (a write that answers nothing, as Consul's coordinate update) reads as null.
    let body: &[u8] = if body.is_empty() { b"null" } else { &body };
    let value = serde_json::from_slice(body).map_err(|e| EndpointError::Decode(e.to_string()))?;
    Ok((value, meta))
}

/// A name as one path segment.
pub(super) fn escape(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn query_strings_carry_blocking_and_mode() {
        let mut q = QueryOptions::default();
        assert_eq!(query_string(&q), "");
        q.min_index = 7;
        q.wait = Duration::from_millis(1500);
        q.consistency = Consistency::Stale;
        assert_eq!(query_string(&q), "?index=7&wait=1500ms&stale");
        q.min_index = 0;
        q.consistency = Consistency::Consistent;
        assert_eq!(query_string(&q), "?consistent");
    }

    #[test]
    fn forwarded_answers_decode_with_their_metadata_or_their_error() {
        let ok = ForwardResponse {
            status: 200,
            headers: vec![
                (
                    "x-consul-index".into(),
                    serde_bytes::ByteBuf::from(b"42".to_vec()),
                ),
                (
                    "x-consul-knownleader".into(),
                    serde_bytes::ByteBuf::from(b"true".to_vec()),
                ),
                (
                    "x-consul-lastcontact".into(),
                    serde_bytes::ByteBuf::from(b"15".to_vec()),
                ),
            ],
            body: serde_bytes::ByteBuf::from(b"[\"a\"]".to_vec()),
        };
        let (v, meta): (Vec<String>, _) = decode(ok, Consistency::Stale).expect("decodes");
        assert_eq!(v, ["a"]);
        assert_eq!(
            (meta.index, meta.known_leader, meta.last_contact_ms),
            (42, true, 15)
        );
        let err = |status, body: &str| ForwardResponse {
            status,
            headers: Vec::new(),
            body: serde_bytes::ByteBuf::from(body.as_bytes().to_vec()),
        };
        assert_eq!(
            decode::<bool>(err(500, "No cluster leader\n"), Consistency::Default).err(),
            Some(EndpointError::NoLeader)
        );
        assert_eq!(
            decode::<bool>(err(400, "Must provide node"), Consistency::Default).err(),
            Some(EndpointError::Invalid("Must provide node".into()))
        );
        assert!(matches!(
            decode::<bool>(err(200, "not json"), Consistency::Default),
            Err(EndpointError::Decode(_))
        ));
    }
}
