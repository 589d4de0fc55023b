//! Per-request options (`?dc`, `?stale`, `?consistent`, `?index`/`?wait`, `?near`,
//! `?node-meta`, `?filter`, token) and the metadata Consul returns in `X-Consul-*` headers.

use std::collections::BTreeMap;
use std::time::Duration;

use reqwest::header::HeaderMap;

/// Options of a read. `index` + `wait` make it a blocking query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryOptions {
    /// Overrides the client's datacenter (`?dc=`).
    pub datacenter: Option<String>,
    /// `?stale`: any server may answer.
    pub stale: bool,
    /// `?consistent`: the leader confirms leadership first.
    pub consistent: bool,
    /// `?index=`: block until the result's index is past this one.
    pub index: u64,
    /// `?wait=`: the longest to block (the agent's default is 5m).
    pub wait: Option<Duration>,
    /// Overrides the client's token.
    pub token: Option<String>,
    /// `?filter=`: a go-bexpr expression.
    pub filter: Option<String>,
    /// `?near=`: sort by round-trip time from this node.
    pub near: Option<String>,
    /// `?node-meta=key:value`, one parameter per pair: only nodes with all of this metadata.
    pub node_meta: BTreeMap<String, String>,
}

/// Options of a write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteOptions {
    pub datacenter: Option<String>,
    pub token: Option<String>,
}

/// What the agent said about a read, from its response headers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryMeta {
    /// `X-Consul-Index`: pass back as [`QueryOptions::index`] to block for a change.
    pub last_index: u64,
    /// `X-Consul-KnownLeader`.
    pub known_leader: bool,
    /// `X-Consul-LastContact`: time since the answering server last heard from the leader.
    pub last_contact: Duration,
    /// `X-Consul-ContentHash`, for hash-based blocking endpoints.
    pub last_content_hash: Option<String>,
}

impl QueryMeta {
    /// Reads the metadata headers; a missing or malformed header leaves its default.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        QueryMeta {
            last_index: text("X-Consul-Index")
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0),
            known_leader: text("X-Consul-KnownLeader") == Some("true"),
            last_contact: text("X-Consul-LastContact")
                .and_then(|v| v.trim().parse().ok())
                .map(Duration::from_millis)
                .unwrap_or_default(),
            last_content_hash: text("X-Consul-ContentHash")
                .filter(|v| !v.is_empty())
                .map(str::to_string),
        }
    }
}

impl QueryMeta {
    /// The index to block on next, following Consul's rules for blocking-query loops: if the
    /// index went backwards (a snapshot restore, a new leader) start over from 0, otherwise use
    /// the returned index but never less than 1.
    pub fn next_wait_index(&self, previous: u64) -> u64 {
        if self.last_index < previous {
            0
        } else {
            self.last_index.max(1)
        }
    }
}

/// Query parameters for `q`, in the spelling Consul's Go client sends (`stale=`, `wait=5000ms`);
/// `node-meta` appears once per pair.
pub(crate) fn query_params(q: &QueryOptions) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut push = |k: &str, v: String| out.push((k.to_string(), v));
    if let Some(dc) = q.datacenter.as_ref().filter(|d| !d.is_empty()) {
        push("dc", dc.clone());
    }
    if q.stale {
        push("stale", String::new());
    }
    if q.consistent {
        push("consistent", String::new());
    }
    if q.index != 0 {
        push("index", q.index.to_string());
    }
    if let Some(wait) = q.wait.filter(|w| !w.is_zero()) {
        push("wait", wait_param(wait));
    }
    if let Some(near) = q.near.as_ref().filter(|n| !n.is_empty()) {
        push("near", near.clone());
    }
    for (key, value) in &q.node_meta {
        push("node-meta", format!("{key}:{value}"));
    }
    if let Some(filter) = q.filter.as_ref().filter(|f| !f.is_empty()) {
        push("filter", filter.clone());
    }
    out
}

/// `wait` in whole milliseconds; a positive wait under 1ms becomes 1ms, because 0 would mean
/// the agent's (long) default.
fn wait_param(wait: Duration) -> String {
    format!("{}ms", wait.as_millis().max(1))
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    #[test]
    fn parses_consul_headers() {
        let mut h = HeaderMap::new();
        h.insert("X-Consul-Index", HeaderValue::from_static("42"));
        h.insert("X-Consul-KnownLeader", HeaderValue::from_static("true"));
        h.insert("X-Consul-LastContact", HeaderValue::from_static("15"));
        let m = QueryMeta::from_headers(&h);
        assert_eq!(m.last_index, 42);
        assert!(m.known_leader);
        assert_eq!(m.last_contact, Duration::from_millis(15));
        assert_eq!(m.last_content_hash, None);
    }

    #[test]
    fn next_wait_index_rules() {
        let meta = |i| QueryMeta {
            last_index: i,
            ..Default::default()
        };
        assert_eq!(meta(10).next_wait_index(5), 10);
        assert_eq!(meta(3).next_wait_index(5), 0);
        assert_eq!(meta(0).next_wait_index(0), 1);
    }

    #[test]
    fn tolerates_missing_or_bad_headers() {
        let mut h = HeaderMap::new();
        h.insert("X-Consul-Index", HeaderValue::from_static("nope"));
        h.insert("X-Consul-KnownLeader", HeaderValue::from_static("false"));
        assert_eq!(QueryMeta::from_headers(&h), QueryMeta::default());
    }

    #[test]
    fn params_for_blocking_stale_query() {
        let q = QueryOptions {
            datacenter: Some("dc2".into()),
            stale: true,
            index: 7,
            wait: Some(Duration::from_micros(10)),
            filter: Some("Node == \"a\"".into()),
            node_meta: BTreeMap::from([
                ("rack".into(), "r1".into()),
                ("os".into(), "linux".into()),
            ]),
            ..Default::default()
        };
        let p = query_params(&q);
        let metas: Vec<&str> = p
            .iter()
            .filter(|(n, _)| n == "node-meta")
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(metas, ["os:linux", "rack:r1"]);
        let get = |k: &str| p.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("dc"), Some("dc2"));
        assert_eq!(get("stale"), Some(""));
        assert_eq!(get("index"), Some("7"));
        assert_eq!(get("wait"), Some("1ms"));
        assert_eq!(get("filter"), Some("Node == \"a\""));
        assert_eq!(get("consistent"), None);
        assert!(query_params(&QueryOptions::default()).is_empty());
    }
}
