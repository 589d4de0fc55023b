//! `PUT /v1/txn`: KV operations applied atomically. Read-only transactions are served from
//! local state in the requested consistency mode; any write goes through Raft. 200 with
//! `Results` when applied, 409 with `Errors` when rolled back (an operation the caller's ACL
//! token does not permit rolls the whole transaction back).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::put;
use axum::{Extension, Router};
use base64::Engine as _;
use serde::Deserialize;

use crate::agent::acl::{Access, Caller, Resource};

use super::blocking;
use super::body::{decode, read_limited};
use super::error::HttpError;
use super::params::{Params, QueryOptions};
use super::respond;
use crate::agent::state::{Command, CommandResult, KvOp, KvOpError, KvOpResult, KvVerb};
use crate::agent::Agent;
use crate::api::{TxnError, TxnResponse, TxnResult};

/// Consul's cap on operations per transaction (1.14+).
const MAX_OPS: usize = 128;

pub fn routes() -> Router<Arc<Agent>> {
    Router::new().route("/v1/txn", put(txn))
}

/// One request element after key folding: `{"kv": {...}}`.
#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
struct OpIn {
    kv: Option<KvIn>,
    node: Option<serde_json::Value>,
    service: Option<serde_json::Value>,
    check: Option<serde_json::Value>,
    session: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
struct KvIn {
    #[serde(default)]
    verb: String,
    #[serde(default)]
    key: String,
    #[serde(default)]
    value: Option<String>,
    #[serde(default)]
    flags: u64,
    #[serde(default)]
    index: u64,
    #[serde(default)]
    session: Option<String>,
}

fn verb(name: &str) -> Option<KvVerb> {
    Some(match name {
        "set" => KvVerb::Set,
        "cas" => KvVerb::Cas,
        "lock" => KvVerb::Lock,
        "unlock" => KvVerb::Unlock,
        "get" => KvVerb::Get,
        "get-or-empty" => KvVerb::GetOrEmpty,
        "get-tree" => KvVerb::GetTree,
        "check-index" => KvVerb::CheckIndex,
        "check-session" => KvVerb::CheckSession,
        "check-not-exists" => KvVerb::CheckNotExists,
        "delete" => KvVerb::Delete,
        "delete-tree" => KvVerb::DeleteTree,
        "delete-cas" => KvVerb::DeleteCas,
        _ => return None,
    })
}

fn is_read(v: KvVerb) -> bool {
    matches!(
        v,
        KvVerb::Get
            | KvVerb::GetOrEmpty
            | KvVerb::GetTree
            | KvVerb::CheckIndex
            | KvVerb::CheckSession
            | KvVerb::CheckNotExists
    )
}

async fn txn(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    agent.check_dc(p.get("dc"))?;
    let pretty = p.flag("pretty");
    let bytes = read_limited(body, agent.config.txn_max_req_len, |max| {
        format!("Request body too large, max size: {max} bytes. See the txn_max_req_len limit (limits.txn_max_req_len) in the agent configuration.")
    })
    .await?;
    let ops_in: Vec<OpIn> = decode(&bytes, &[])?;
    if ops_in.len() > MAX_OPS {
        return Err(HttpError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "Transaction contains too many operations ({} > {MAX_OPS})",
                ops_in.len()
            ),
        ));
    }
    let mut ops = Vec::with_capacity(ops_in.len());
    let mut errors = Vec::new();
    for (i, op) in ops_in.into_iter().enumerate() {
        match convert(op, agent.config.kv_max_value_size) {
            Ok(op) => ops.push(op),
            Err(what) => errors.push(TxnError { op_index: i, what }),
        }
    }
    for (i, op) in ops.iter().enumerate() {
        if !permitted(&caller, op) {
            errors.push(TxnError {
                op_index: i,
                what: format!(
                    "Permission denied: token lacks permission 'key:{}' on {:?}",
                    if is_read(op.verb) { "read" } else { "write" },
                    op.key
                ),
            });
        }
    }
    if !errors.is_empty() {
        return Ok(rolled_back(errors, pretty));
    }
    let result = if ops.iter().all(|o| is_read(o.verb)) {
        // Read-only: no Raft entry, served in the requested consistency mode.
        let opts = QueryOptions::parse(&p, agent.query_limits())?;
        blocking::gate(&agent, opts.consistency).await?;
        let tables = agent.store.read();
        tables.kv.read_txn(tables.index, &ops, &tables.sessions)
    } else {
        match agent.write_shown(Command::KvTxn(ops)).await?.1 {
            CommandResult::KvTxn(r) => r,
            other => return Err(HttpError::internal(format!("unexpected result {other:?}"))),
        }
    };
    Ok(match result {
        Ok(results) => applied(results, pretty),
        Err(errs) => rolled_back(errs.into_iter().map(to_wire_error).collect(), pretty),
    })
}

/// Whether the caller may run one KV operation (a tree read or delete needs the permission on
/// everything under its prefix).
fn permitted(caller: &Caller, op: &KvOp) -> bool {
    match op.verb {
        KvVerb::DeleteTree => caller.authz.allows_key_prefix(&op.key, Access::Write),
        KvVerb::GetTree => caller.authz.allows_key_prefix(&op.key, Access::Read),
        v if is_read(v) => caller.allows(Resource::Key, &op.key, Access::Read),
        _ => caller.allows(Resource::Key, &op.key, Access::Write),
    }
}

fn convert(op: OpIn, max_value: u64) -> Result<KvOp, String> {
    let Some(kv) = op.kv else {
        let kind = if op.node.is_some() {
            "Node"
        } else if op.service.is_some() {
            "Service"
        } else if op.check.is_some() {
            "Check"
        } else if op.session.is_some() {
            "Session"
        } else {
            return Err("operation has no KV, Node, Service, Check or Session member".into());
        };
        return Err(format!(
            "{kind} operations are not supported by this agent yet"
        ));
    };
    let verb = verb(&kv.verb).ok_or_else(|| format!("unknown KV verb {:?}", kv.verb))?;
    let value = match kv.value {
        None => Vec::new(),
        Some(b64) => base64::engine::general_purpose::STANDARD
            .decode(b64.as_bytes())
            .map_err(|e| format!("Value of key {:?} is not valid base64: {e}", kv.key))?,
    };
    if value.len() as u64 > max_value {
        return Err(format!(
            "Value for key {:?} is too large ({} > {max_value} bytes)",
            kv.key,
            value.len()
        ));
    }
    Ok(KvOp {
        verb,
        key: kv.key,
        value,
        flags: kv.flags,
        index: kv.index,
        session: kv.session.filter(|s| !s.is_empty()),
    })
}

fn to_wire_error(e: KvOpError) -> TxnError {
    TxnError {
        op_index: e.op_index,
        what: e.what,
    }
}

fn applied(results: Vec<KvOpResult>, pretty: bool) -> Response {
    let results = results
        .into_iter()
        .flat_map(|r| r.entries)
        .map(|kv| TxnResult { kv: Some(kv) })
        .collect();
    respond::json(
        StatusCode::OK,
        &TxnResponse {
            results: Some(results),
            errors: None,
        },
        pretty,
        None,
    )
}

fn rolled_back(errors: Vec<TxnError>, pretty: bool) -> Response {
    respond::json(
        StatusCode::CONFLICT,
        &TxnResponse {
            results: None,
            errors: Some(errors),
        },
        pretty,
        None,
    )
}
