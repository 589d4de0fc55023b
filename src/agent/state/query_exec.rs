//! Running a prepared query against this datacenter's catalog, as Consul's `execute` does: the
//! service's instances without those failing a check (critical, or warning with
//! `OnlyPassing`; checks named in `IgnoreCheckIDs` do not count), then the node meta, service
//! meta and tag filters (every tag required, none of the `!`-prefixed ones, case aside),
//! shuffled, sorted by estimated round trip from the `near` node when it has a network
//! coordinate (nodes without one last), the `near` node itself first when it is among the first
//! 10, and cut at `limit`.

use std::collections::BTreeMap;

use rand::seq::SliceRandom;

use super::store::Tables;
use crate::api::catalog::{health, ServiceEntry};
use crate::api::prepared_query::{PreparedQuery, QueryExecuteResponse};

/// Where and for whom the query runs.
#[derive(Debug, Clone, Default)]
pub struct ExecuteOptions<'a> {
    /// This datacenter's name (stamped on the answer).
    pub datacenter: &'a str,
    /// The node of the agent that took the request (`_agent`).
    pub agent_node: &'a str,
    /// `?near=` (overrides the query's `Near`).
    pub near: Option<&'a str>,
    /// The client's address (`_ip`).
    pub source_ip: Option<String>,
    /// `?limit=` (0: all).
    pub limit: usize,
}

/// Resolves `name` (an ID, a name, or a name a template prefixes) and runs the query: `Ok(None)`
/// when no query answers to it. The query as it ran (a template rendered) comes with the
/// answer, for a failover to other datacenters.
pub fn resolve_and_execute(
    t: &Tables,
    name: &str,
    o: &ExecuteOptions,
    connect: bool,
) -> Result<Option<(QueryExecuteResponse, PreparedQuery)>, String> {
    Ok(t.queries.resolve(name)?.map(|mut q| {
        q.service.connect |= connect;
        (execute(t, &q, o), q)
    }))
}

/// Runs `query` (already resolved and rendered) against the catalog of `t`.
pub fn execute(t: &Tables, query: &PreparedQuery, o: &ExecuteOptions) -> QueryExecuteResponse {
    let catalog = &t.catalog;
    let s = &query.service;
    // Connect-capable instances: sd has no Connect, so there are none.
    let mut nodes: Vec<ServiceEntry> = if s.connect {
        Vec::new()
    } else {
        catalog.health_service(&s.service, false)
    };
    let ignored = s.ignore_check_ids.as_deref().unwrap_or_default();
    nodes.retain(|e| healthy(e, s.only_passing, ignored));
    if let Some(meta) = s.node_meta.as_ref().filter(|m| !m.is_empty()) {
        nodes.retain(|e| satisfies(&e.node.meta, meta));
    }
    if let Some(meta) = s.service_meta.as_ref().filter(|m| !m.is_empty()) {
        nodes.retain(|e| satisfies(&e.service.meta, meta));
    }
    if let Some(tags) = s.tags.as_ref().filter(|t| !t.is_empty()) {
        nodes.retain(|e| tagged(&e.service.tags, tags));
    }
    nodes.shuffle(&mut rand::rng());
    let near = o.near.filter(|n| !n.is_empty()).unwrap_or(&s.near);
    let near_node = match near {
        "_agent" => Some(o.agent_node.to_string()),
        "_ip" => o.source_ip.as_deref().and_then(|ip| {
            catalog
                .nodes()
                .into_iter()
                .find(|n| n.address == ip)
                .map(|n| n.node)
        }),
        "" => None,
        other => Some(other.to_string()),
    };
    if let Some(near) = near_node {
        t.coordinates
            .sort_by_distance(&near, &mut nodes, |e| &e.node.node);
        // Consul looks for the node among the first 10 (after its distance sort).
        if let Some(i) = nodes.iter().take(10).position(|e| e.node.node == near) {
            nodes.swap(0, i);
        }
    }
    if o.limit > 0 {
        nodes.truncate(o.limit);
    }
    QueryExecuteResponse {
        service: s.service.clone(),
        nodes,
        dns: query.dns.clone(),
        datacenter: o.datacenter.to_string(),
        failovers: 0,
    }
}

/// Consul's `FilterIgnore`: no check critical, and none warning with `only_passing`.
fn healthy(e: &ServiceEntry, only_passing: bool, ignored: &[String]) -> bool {
    e.checks
        .iter()
        .filter(|c| !ignored.contains(&c.check_id))
        .all(|c| match c.status.as_str() {
            health::CRITICAL => false,
            health::WARNING => !only_passing,
            _ => true,
        })
}

fn satisfies(have: &BTreeMap<String, String>, want: &BTreeMap<String, String>) -> bool {
    want.iter().all(|(k, v)| have.get(k) == Some(v))
}

fn tagged(have: &[String], filter: &[String]) -> bool {
    let have: Vec<String> = have.iter().map(|t| t.to_lowercase()).collect();
    filter.iter().all(|t| {
        let t = t.to_lowercase();
        match t.strip_prefix('!') {
            Some(not) => !have.iter().any(|h| h == not),
            None => have.contains(&t),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_filter_requires_all_and_excludes_bang_tags() {
        let have = vec!["Primary".to_string(), "v1".to_string()];
        assert!(tagged(&have, &["primary".into()]));
        assert!(tagged(&have, &["primary".into(), "!experimental".into()]));
        assert!(!tagged(&have, &["primary".into(), "!V1".into()]));
        assert!(!tagged(&have, &["v2".into()]));
    }
}
