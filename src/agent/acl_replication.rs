//! ACL replication (Consul's): the leader of a secondary datacenter copies the primary's
//! policies and roles, and with `acl.enable_token_replication` its tokens that are not
//! `Local`, into its own Raft state, using `acl.tokens.replication`. Tokens then resolve in the
//! secondary from its own state, through a partition from the primary too; a token not
//! replicated yet is still resolved at the primary (`endpoints::acl`).
//!
//! Each round lists the primary's objects (`/v1/acl/policies`, `/v1/acl/roles`,
//! `/v1/acl/tokens`), reads in full those whose `Hash` differs from the local copy, writes them
//! through Raft, and deletes local copies the primary no longer has. Rounds run every
//! [`EVERY`] while this server leads; `/v1/acl/replication` reports the last one.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::endpoints::catalog::{decode_from, request_as};
use super::endpoints::{forward, Consistency, EndpointError};
use super::raft::RaftNode;
use super::state::acl::AclOp;
use super::state::{Command, CommandResult};
use super::Agent;
use crate::api::acl::{
    AclPolicy, AclPolicyListEntry, AclRole, AclToken, AclTokenListEntry, ANONYMOUS_ACCESSOR,
    GLOBAL_MANAGEMENT_ID,
};

/// How often a secondary's leader replicates.
pub const EVERY: Duration = Duration::from_secs(1);

/// `/v1/acl/replication`'s answer (Consul's field names).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Status {
    pub enabled: bool,
    pub running: bool,
    pub source_datacenter: String,
    pub replication_type: String,
    pub replicated_index: u64,
    pub replicated_role_index: u64,
    pub replicated_token_index: u64,
    pub last_success: String,
    pub last_error: String,
    pub last_error_message: String,
}

/// The replication status, shared with the HTTP handler.
#[derive(Default)]
pub struct Replication {
    status: Mutex<Status>,
}

impl Replication {
    pub fn status(&self) -> Status {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Status> {
        self.status.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Replicates while this server leads a secondary datacenter (returns at once elsewhere).
pub async fn run(agent: Arc<Agent>, raft: Arc<RaftNode>) {
    let Some(primary) = agent.acl_primary().map(str::to_string) else {
        return;
    };
    let tokens = agent.acls.token_replication();
    {
        let mut s = agent.acl_replication.lock();
        s.enabled = true;
        s.source_datacenter = primary.clone();
        s.replication_type = if tokens { "tokens" } else { "policies" }.into();
    }
    loop {
        let leads = raft.is_leader();
        agent.acl_replication.lock().running = leads;
        if leads {
            let now = super::acl::stamp::now();
            match round(&agent, &primary, tokens).await {
                Ok(indexes) => {
                    let mut s = agent.acl_replication.lock();
                    (s.replicated_index, s.replicated_role_index) = (indexes[0], indexes[1]);
                    s.replicated_token_index = indexes[2];
                    s.last_success = now;
                }
                Err(e) => {
                    tracing::warn!("acl replication from {primary}: {e}");
                    let mut s = agent.acl_replication.lock();
                    s.last_error = now;
                    s.last_error_message = e.to_string();
                }
            }
        }
        tokio::time::sleep(EVERY).await;
    }
}

/// One round; the primary's indexes of policies, roles and tokens it copied.
async fn round(agent: &Agent, primary: &str, tokens: bool) -> Result<[u64; 3], EndpointError> {
    let secret = agent
        .acls
        .tokens()
        .replication
        .ok_or_else(|| EndpointError::Invalid("acl.tokens.replication is not set".into()))?;
    let remote = Remote {
        agent,
        primary,
        secret: &secret,
    };

    let (listed, policy_index) = remote
        .get::<Vec<AclPolicyListEntry>>("/v1/acl/policies")
        .await?;
    let local = local_hashes(agent, |t| {
        t.acl
            .policies()
            .map(|p| (p.id.clone(), p.hash.clone()))
            .collect()
    });
    let remote_hashes = listed.iter().map(|p| (p.id.as_str(), p.hash.as_str()));
    let (changed, gone) = diff(remote_hashes, &local, GLOBAL_MANAGEMENT_ID);
    for id in changed {
        let (full, _) = remote
            .get::<AclPolicy>(&format!("/v1/acl/policy/{id}"))
            .await?;
        apply(agent, AclOp::PolicySet(Box::new(full))).await?;
    }
    for id in gone {
        apply(agent, AclOp::PolicyDelete(id)).await?;
    }

    let (roles, role_index) = remote.get::<Vec<AclRole>>("/v1/acl/roles").await?;
    let local = local_hashes(agent, |t| {
        t.acl
            .roles()
            .map(|r| (r.id.clone(), r.hash.clone()))
            .collect()
    });
    let remote_hashes = roles.iter().map(|r| (r.id.as_str(), r.hash.as_str()));
    let (changed, gone) = diff(remote_hashes, &local, "");
    for r in roles.iter().filter(|r| changed.contains(&r.id)) {
        apply(agent, AclOp::RoleSet(Box::new(r.clone()))).await?;
    }
    for id in gone {
        apply(agent, AclOp::RoleDelete(id)).await?;
    }

    if !tokens {
        return Ok([policy_index, role_index, 0]);
    }
    let (listed, token_index) = remote
        .get::<Vec<AclTokenListEntry>>("/v1/acl/tokens")
        .await?;
    let local = local_hashes(agent, |t| {
        t.acl
            .tokens()
            .filter(|t| !t.local)
            .map(|t| (t.accessor_id.clone(), t.hash.clone()))
            .collect()
    });
    let remote_hashes = listed
        .iter()
        .filter(|t| !t.local)
        .map(|t| (t.accessor_id.as_str(), t.hash.as_str()));
    let (changed, gone) = diff(remote_hashes, &local, ANONYMOUS_ACCESSOR);
    for id in changed {
        let (full, _) = remote
            .get::<AclToken>(&format!("/v1/acl/token/{id}"))
            .await?;
        apply(agent, AclOp::TokenSet(Box::new(full))).await?;
    }
    for id in gone {
        apply(agent, AclOp::TokenDelete(id)).await?;
    }
    Ok([policy_index, role_index, token_index])
}

/// ID -> `Hash` of this server's copies of one kind of object.
fn local_hashes(
    agent: &Agent,
    of: impl FnOnce(&crate::agent::state::Tables) -> BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    of(&agent.store.read())
}

/// What to copy (IDs whose hash differs or that are missing here) and what to delete (IDs the
/// primary no longer has), leaving the built-in `keep` alone.
fn diff<'a>(
    remote: impl Iterator<Item = (&'a str, &'a str)>,
    local: &BTreeMap<String, String>,
    keep: &str,
) -> (Vec<String>, Vec<String>) {
    let mut seen = BTreeSet::new();
    let mut changed = Vec::new();
    for (id, hash) in remote {
        seen.insert(id);
        if id != keep && local.get(id).map(String::as_str) != Some(hash) {
            changed.push(id.to_string());
        }
    }
    let gone = local
        .keys()
        .filter(|id| !seen.contains(id.as_str()) && *id != keep)
        .cloned()
        .collect();
    (changed, gone)
}

/// Reads from the primary with the replication token.
struct Remote<'a> {
    agent: &'a Agent,
    primary: &'a str,
    secret: &'a str,
}

impl Remote<'_> {
    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<(T, u64), EndpointError> {
        let uri = format!("{path}?dc={}", self.primary);
        let message = request_as(Some(self.secret), "GET", uri, Vec::new());
        let answer = forward::to_datacenter(self.agent, self.primary, &message).await?;
        decode_from::<T>(self.primary, answer, Consistency::Default)
            .map(|(v, meta)| (v, meta.index))
    }
}

async fn apply(agent: &Agent, op: AclOp) -> Result<(), EndpointError> {
    match agent.write(Command::Acl(op)).await?.1 {
        CommandResult::Acl(Err(e)) => Err(EndpointError::Write(e)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_what_changed_and_deletes_what_went() {
        let local: BTreeMap<String, String> =
            [("a", "1"), ("b", "2"), ("gone", "3"), ("builtin", "x")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        let remote = [("a", "1"), ("b", "changed"), ("new", "4"), ("builtin", "y")];
        let (changed, gone) = diff(remote.into_iter(), &local, "builtin");
        assert_eq!(changed, ["b", "new"]);
        assert_eq!(gone, ["gone"]);
    }
}
