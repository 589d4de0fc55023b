//! `/v1/session/...`: create, destroy and renew (on the leader), and the blocking reads info,
//! node and list. A session's defaults are Consul's: the node of the agent the request reached,
//! `serfHealth`, a 15 s lock delay, `release`.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, RawQuery, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, put};
use axum::{Extension, Router};

use super::acl_filter::Trim;
use super::blocking;
use super::body::{decode_canonical, read_limited};
use super::error::HttpError;
use super::forward::origin_node;
use super::params::{read_opts, Params};
use super::respond;
use crate::agent::acl::{Access, Caller, Resource};
use crate::agent::state::{Command, CommandResult, WatchKey};
use crate::agent::Agent;
use crate::api::format_duration;
use crate::api::session::{
    behavior, lock_delay_meant, SessionCreated, SessionEntry, SessionRequest, FIELD_NAMES,
    SERF_HEALTH,
};

/// Largest create body accepted.
const MAX_BODY: u64 = 64 * 1024;
/// The longest TTL a session may have (Consul's `SessionTTLMax`).
const TTL_MAX: Duration = Duration::from_secs(24 * 3600);
/// The lock delay of a session that names none.
const DEFAULT_LOCK_DELAY: Duration = Duration::from_secs(15);

pub fn routes() -> Router<Arc<Agent>> {
    Router::new()
        .route("/v1/session/create", put(create))
        .route("/v1/session/destroy/{*id}", put(destroy))
        .route("/v1/session/destroy/", put(missing_session))
        .route("/v1/session/renew/{*id}", put(renew))
        .route("/v1/session/renew/", put(missing_session))
        .route("/v1/session/info/{*id}", get(info))
        .route("/v1/session/info/", get(missing_session))
        .route("/v1/session/node/{*node}", get(of_node))
        .route("/v1/session/node/", get(missing_node))
        .route("/v1/session/list", get(list))
}

async fn missing_session() -> HttpError {
    HttpError::bad_request("Missing session")
}

async fn missing_node() -> HttpError {
    HttpError::bad_request("Missing node name")
}

async fn create(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    RawQuery(q): RawQuery,
    req: Request,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    agent.check_dc(p.get("dc"))?;
    let node = origin_node(&agent, req.extensions());
    let bytes = read_limited(req.into_body(), MAX_BODY, |max| {
        format!("Request body too large, max size: {max} bytes")
    })
    .await?;
    let body: SessionRequest = if bytes.iter().all(u8::is_ascii_whitespace) {
        SessionRequest::default()
    } else {
        decode_canonical(&bytes, FIELD_NAMES, &[])?
    };
    let mut entry = entry_of(body, node, agent.config.session_ttl_min)?;
    caller.require(Resource::Session, &entry.node, Access::Write)?;
    entry.id = new_id(&agent);
    match agent
        .write(Command::SessionCreate(Box::new(entry.clone())))
        .await?
        .1
    {
        CommandResult::Session(Ok(())) => {}
        CommandResult::Session(Err(e)) => return Err(HttpError::bad_request(e.to_string())),
        other => return Err(HttpError::internal(format!("unexpected result {other:?}"))),
    }
    agent.session_timers.reset(&entry);
    Ok(respond::json(
        StatusCode::OK,
        &SessionCreated { id: entry.id },
        p.flag("pretty"),
        None,
    ))
}

/// The session a create request describes, with Consul's defaults and checks.
fn entry_of(
    body: SessionRequest,
    node: String,
    ttl_min: Duration,
) -> Result<SessionEntry, HttpError> {
    let behavior = body.behavior.unwrap_or_default();
    let behavior = match behavior.as_str() {
        "" => behavior::RELEASE.to_string(),
        behavior::RELEASE | behavior::DELETE => behavior,
        other => {
            return Err(HttpError::bad_request(format!(
                "Invalid Behavior setting '{other}'"
            )))
        }
    };
    let ttl = body.ttl.unwrap_or_default();
    if !ttl.is_empty() {
        let d = crate::api::parse_duration(&ttl)
            .map_err(|e| HttpError::bad_request(format!("Session TTL '{ttl}' invalid: {e}")))?;
        if !d.is_zero() && (d < ttl_min || d > TTL_MAX) {
            return Err(HttpError::bad_request(format!(
                "Invalid Session TTL '{}', must be between [{}={}]",
                d.as_nanos(),
                format_duration(ttl_min),
                format_duration(TTL_MAX)
            )));
        }
    }
    // Naming any checks (even none) replaces the default serfHealth; `Checks` is the older
    // name of `NodeChecks`.
    let named =
        body.checks.is_some() || body.node_checks.is_some() || body.service_checks.is_some();
    let node_checks = if named {
        let mut checks: Vec<String> = body.node_checks.unwrap_or_default();
        for c in body.checks.unwrap_or_default() {
            if !checks.contains(&c) {
                checks.push(c);
            }
        }
        checks
    } else {
        vec![SERF_HEALTH.to_string()]
    };
    let lock_delay = body.lock_delay.map_or(DEFAULT_LOCK_DELAY, lock_delay_meant);
    Ok(SessionEntry {
        id: String::new(),
        name: body.name.unwrap_or_default(),
        node: body.node.filter(|n| !n.is_empty()).unwrap_or(node),
        lock_delay: u64::try_from(lock_delay.as_nanos()).unwrap_or(u64::MAX),
        behavior,
        ttl,
        node_checks: Some(node_checks),
        service_checks: body.service_checks.filter(|c| !c.is_empty()),
        create_index: 0,
        modify_index: 0,
    })
}

/// A session ID no live session has.
fn new_id(agent: &Agent) -> String {
    loop {
        let id = uuid::Uuid::new_v4().to_string();
        if !agent.store.read().sessions.contains(&id) {
            return id;
        }
    }
}

/// `session:write` on the node of session `id` (on every node's sessions when there is no such
/// session, so that its absence tells a caller without the permission nothing).
fn require_write(agent: &Agent, caller: &Caller, id: &str) -> Result<(), HttpError> {
    let node = agent.store.read().sessions.get(id).map(|s| s.node.clone());
    Ok(caller.require(
        Resource::Session,
        node.as_deref().unwrap_or_default(),
        Access::Write,
    )?)
}

async fn destroy(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    agent.check_dc(p.get("dc"))?;
    require_write(&agent, &caller, &id)?;
    agent
        .write(Command::SessionDestroy { id: id.clone() })
        .await?;
    agent.session_timers.clear(&id);
    Ok(respond::json(StatusCode::OK, &true, p.flag("pretty"), None))
}

/// Restarts a TTL session's timer on the leader; no Raft write, as in Consul.
async fn renew(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let (_, opts) = read_opts(&agent, q.as_deref())?;
    require_write(&agent, &caller, &id)?;
    let (session, index) = {
        let t = agent.store.read();
        (t.sessions.get(&id).cloned(), t.sessions.index())
    };
    let Some(session) = session else {
        return Err(HttpError::new(
            StatusCode::NOT_FOUND,
            format!("Session id '{id}' not found"),
        ));
    };
    agent.session_timers.reset(&session);
    let meta = agent.query_meta(index.max(1), opts.consistency);
    Ok(respond::json(
        StatusCode::OK,
        &[session],
        opts.pretty,
        Some(&meta),
    ))
}

async fn info(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    read(agent, &caller, q, move |t| {
        t.get(&id).cloned().into_iter().collect()
    })
    .await
}

async fn of_node(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(node): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    read(agent, &caller, q, move |t| {
        t.of_node(&node).cloned().collect()
    })
    .await
}

async fn list(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    read(agent, &caller, q, |t| t.list().cloned().collect()).await
}

/// A blocking read of the session table: always a list (`[]` when empty, and without the
/// sessions of nodes the caller may not read), indexed by the table's last change.
async fn read(
    agent: Arc<Agent>,
    caller: &Caller,
    q: Option<String>,
    select: impl Fn(&crate::agent::state::session::SessionTable) -> Vec<SessionEntry>,
) -> Result<Response, HttpError> {
    let filtered = std::sync::atomic::AtomicBool::new(false);
    let mut resp = blocking::json_read(&agent, q.as_deref(), WatchKey::Sessions, |t| {
        let mut sessions = select(&t.sessions);
        filtered.store(sessions.trim(caller), std::sync::atomic::Ordering::Relaxed);
        (Ok(sessions), t.sessions.index().max(1))
    })
    .await?;
    super::acl_guard::mark_filtered(
        &mut resp,
        caller,
        filtered.load(std::sync::atomic::Ordering::Relaxed),
    );
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_consuls() {
        let e = entry_of(
            SessionRequest::default(),
            "n1".into(),
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(e.node, "n1");
        assert_eq!(e.lock_delay, 15_000_000_000);
        assert_eq!(e.behavior, "release");
        assert_eq!(e.node_checks, Some(vec!["serfHealth".to_string()]));
        assert_eq!(e.service_checks, None);
    }

    #[test]
    fn named_checks_replace_serf_health() {
        let body = SessionRequest {
            checks: Some(vec!["a".into()]),
            node_checks: Some(vec!["b".into(), "a".into()]),
            ..Default::default()
        };
        let e = entry_of(body, "n1".into(), Duration::from_secs(10)).unwrap();
        assert_eq!(e.node_checks, Some(vec!["b".to_string(), "a".to_string()]));
        let none = SessionRequest {
            node_checks: Some(Vec::new()),
            ..Default::default()
        };
        let e = entry_of(none, "n1".into(), Duration::from_secs(10)).unwrap();
        assert_eq!(e.check_ids().count(), 0);
    }

    #[test]
    fn ttl_and_behavior_are_checked() {
        let min = Duration::from_secs(10);
        let ttl = |t: &str| SessionRequest {
            ttl: Some(t.into()),
            ..Default::default()
        };
        assert_eq!(
            entry_of(ttl("5s"), "n".into(), min).unwrap_err().message,
            "Invalid Session TTL '5000000000', must be between [10s=24h0m0s]"
        );
        assert!(entry_of(ttl("25h"), "n".into(), min).is_err());
        assert!(entry_of(ttl("soon"), "n".into(), min)
            .unwrap_err()
            .message
            .starts_with("Session TTL 'soon' invalid"));
        assert!(entry_of(ttl("10s"), "n".into(), min).is_ok());
        assert!(entry_of(ttl("0s"), "n".into(), min).is_ok());
        let b = SessionRequest {
            behavior: Some("explode".into()),
            ..Default::default()
        };
        assert_eq!(
            entry_of(b, "n".into(), min).unwrap_err().message,
            "Invalid Behavior setting 'explode'"
        );
    }
}
