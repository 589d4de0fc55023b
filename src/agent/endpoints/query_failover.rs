//! Prepared query failover across datacenters (Consul's `queryFailover`): when a query finds
//! no healthy instance here, it runs in other datacenters in turn, first the `NearestN`
//! nearest (by WAN round trip), then those `Datacenters` lists that the WAN pool knows, each
//! once, until one has instances. The query travels with the request (the other datacenter
//! does not hold it) to `POST /v1/internal/query/execute-remote`, which a server answers only
//! for another datacenter's server. The answer says which datacenter served and after how
//! many tries (`Datacenter`, `Failovers`).

use serde::{Deserialize, Serialize};

use super::catalog::{decode, request};
use super::{forward, Consistency, EndpointError};
use crate::agent::wan::router;
use crate::agent::Agent;
use crate::api::prepared_query::{PreparedQuery, QueryExecuteResponse, QueryFailover};

/// The internal route a datacenter runs another one's query on.
pub const EXECUTE_REMOTE: &str = "/v1/internal/query/execute-remote";

/// What travels to the other datacenter.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RemoteExecute {
    /// The query as it ran here (a template already rendered).
    pub query: PreparedQuery,
    /// `?limit=` (0: all).
    pub limit: usize,
}

/// The datacenters to try, in order: the `nearest_n` nearest other than `own`, then the
/// listed ones that are `known`, none twice.
pub fn order(by_distance: &[String], own: &str, f: &QueryFailover) -> Vec<String> {
    let mut out: Vec<String> = by_distance
        .iter()
        .filter(|dc| *dc != own)
        .take(usize::try_from(f.nearest_n).unwrap_or(0))
        .cloned()
        .collect();
    for dc in f.datacenters.iter().flatten() {
        if dc != own && by_distance.contains(dc) && !out.contains(dc) {
            out.push(dc.clone());
        }
    }
    out
}

/// `local` (this datacenter's answer) when it has instances or the query has no failover;
/// otherwise the first other datacenter's answer with instances, or the last one tried.
pub async fn run(
    agent: &Agent,
    local: QueryExecuteResponse,
    query: &PreparedQuery,
    limit: usize,
) -> QueryExecuteResponse {
    let f = &query.service.failover;
    if !local.nodes.is_empty()
        || (f.nearest_n == 0 && f.datacenters.as_ref().is_none_or(Vec::is_empty))
    {
        return local;
    }
    let Some(wan) = &agent.wan else {
        return local;
    };
    let own = &agent.config.datacenter;
    let targets = order(&router::datacenters(wan, own), own, f);
    let mut answer = local;
    let mut tries = 0;
    for dc in targets {
        tries += 1;
        match execute_in(agent, &dc, query, limit).await {
            Ok(remote) if !remote.nodes.is_empty() => {
                return QueryExecuteResponse {
                    failovers: tries,
                    ..remote
                };
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(datacenter = %dc, query = %query.id, "prepared query failover: {e}");
            }
        }
    }
    answer.failovers = tries;
    answer
}

/// Runs `query` in datacenter `dc`.
async fn execute_in(
    agent: &Agent,
    dc: &str,
    query: &PreparedQuery,
    limit: usize,
) -> Result<QueryExecuteResponse, EndpointError> {
    let body = RemoteExecute {
        query: query.clone(),
        limit,
    };
    let body = serde_json::to_vec(&body).map_err(|e| EndpointError::Decode(e.to_string()))?;
    let message = request(agent, "POST", format!("{EXECUTE_REMOTE}?dc={dc}"), body);
    let answer = forward::to_datacenter(agent, dc, &message).await?;
    decode(answer, Consistency::Default).map(|(r, _)| r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_first_then_the_listed_known_ones_once() {
        let by_distance: Vec<String> = ["dc1", "dc3", "dc2", "dc4"].map(String::from).to_vec();
        let f = |n: i64, listed: &[&str]| QueryFailover {
            nearest_n: n,
            datacenters: Some(listed.iter().map(|s| s.to_string()).collect()),
            targets: None,
        };
        assert_eq!(order(&by_distance, "dc1", &f(2, &[])), ["dc3", "dc2"]);
        assert_eq!(
            order(&by_distance, "dc1", &f(1, &["dc4", "dc3", "dc9", "dc1"])),
            ["dc3", "dc4"],
            "dc3 once, dc9 unknown, dc1 is this one"
        );
        assert_eq!(order(&by_distance, "dc1", &f(0, &["dc2"])), ["dc2"]);
        assert!(order(&by_distance, "dc1", &f(0, &[])).is_empty());
        assert_eq!(order(&by_distance, "dc1", &f(9, &[])).len(), 3);
    }
}
