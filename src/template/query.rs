//! consul-template's query strings, parsed into the dependencies they name:
//! `service "[tag.]name[?query][@dc][~near][|filter]"`, `key "path[?query][@dc]"`,
//! `node "[name][?query][@dc]"`, `nodes "[?query][@dc][~near]"`, `services "[?query][@dc]"`.
//!
//! Pure parsing: no I/O. The grammar follows consul-template's dependency package: a tag may
//! hold dots (the last dot before the name splits them), a service name may not.

use std::sync::LazyLock;

use regex::Regex;

/// A query string that does not follow the grammar of its function.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}: invalid format: {input:?}")]
pub struct QueryError {
    /// Which dependency kind was being parsed (`health.service`, `kv.get`, ...).
    pub kind: &'static str,
    pub input: String,
}

/// The health statuses a `service` query may keep.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum StatusFilter {
    Any,
    Passing,
    Warning,
    Critical,
    Maintenance,
}

impl StatusFilter {
    fn parse(s: &str) -> Option<StatusFilter> {
        Some(match s.trim() {
            "any" => StatusFilter::Any,
            "passing" => StatusFilter::Passing,
            "warning" => StatusFilter::Warning,
            "critical" => StatusFilter::Critical,
            "maintenance" => StatusFilter::Maintenance,
            _ => return None,
        })
    }

    /// The status name as Consul spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            StatusFilter::Any => "any",
            StatusFilter::Passing => "passing",
            StatusFilter::Warning => "warning",
            StatusFilter::Critical => "critical",
            StatusFilter::Maintenance => "maintenance",
        }
    }
}

/// Options after `?`: `ns`, `partition`, `peer`, `sameness-group` (Enterprise and peering
/// options; kept so the query identifies its dependency, sent to the agent as given).
pub type QueryParams = Vec<(String, String)>;

/// `service`: the instances of one service with their health.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct ServiceQuery {
    pub tag: Option<String>,
    pub name: String,
    pub params: QueryParams,
    pub dc: Option<String>,
    pub near: Option<String>,
    /// Sorted, deduplicated; `[Passing]` when the query names none.
    pub filters: Vec<StatusFilter>,
}

impl ServiceQuery {
    /// Whether the agent filters (`?passing`): only when the filter is exactly `passing`.
    /// Any other set is fetched whole and filtered on each instance's aggregated status.
    pub fn server_side_passing(&self) -> bool {
        self.filters == [StatusFilter::Passing]
    }

    /// Whether an instance whose aggregated status is `status` is kept.
    pub fn keeps(&self, status: &str) -> bool {
        self.server_side_passing()
            || self
                .filters
                .iter()
                .any(|f| *f == StatusFilter::Any || f.as_str() == status)
    }
}

/// `key`, `keyExists`, `keyOrDefault`, `ls`, `tree`: a key or a prefix.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct KeyQuery {
    /// Without a leading `/`.
    pub key: String,
    pub params: QueryParams,
    pub dc: Option<String>,
}

/// `node`: one node and its services (`None` name = the agent's own node).
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct NodeQuery {
    pub name: Option<String>,
    pub params: QueryParams,
    pub dc: Option<String>,
}

/// `nodes`: every node of a datacenter.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct NodesQuery {
    pub params: QueryParams,
    pub dc: Option<String>,
    pub near: Option<String>,
}

/// `services`: every service name of a datacenter with its tags.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct ServicesQuery {
    pub params: QueryParams,
    pub dc: Option<String>,
}

const QUERY: &str = r"(\?(?P<query>[[:word:]\-=&]+))?";
const DC: &str = r"(@(?P<dc>[[:word:]\.\-]+))?";
const NEAR: &str = r"(~(?P<near>[[:word:]\.\-]+))?";

fn re(pattern: String) -> Regex {
    // The patterns are constants of this file; a typo is caught by the unit tests.
    Regex::new(&pattern).unwrap_or_else(|e| panic!("bad built-in pattern {pattern}: {e}"))
}

static SERVICE_RE: LazyLock<Regex> = LazyLock::new(|| {
    re(format!(
        r"\A((?P<tag>[[:word:]=:\.\-]+)\.)?(?P<name>[[:word:]\-]+){QUERY}{DC}{NEAR}\z"
    ))
});
static KEY_RE: LazyLock<Regex> =
    LazyLock::new(|| re(format!(r"\A/?(?P<key>[^@\?]+){QUERY}{DC}\z")));
static PREFIX_RE: LazyLock<Regex> =
    LazyLock::new(|| re(format!(r"\A/?(?P<key>[^@\?]*){QUERY}{DC}\z")));
static NODE_RE: LazyLock<Regex> =
    LazyLock::new(|| re(format!(r"\A(?P<name>[[:word:]\.\-]+)?{QUERY}{DC}\z")));
static NODES_RE: LazyLock<Regex> = LazyLock::new(|| re(format!(r"\A{QUERY}{DC}{NEAR}\z")));
static SERVICES_RE: LazyLock<Regex> = LazyLock::new(|| re(format!(r"\A{QUERY}{DC}\z")));

fn group(c: &regex::Captures<'_>, name: &str) -> Option<String> {
    c.name(name)
        .map(|m| m.as_str().to_string())
        .filter(|s| !s.is_empty())
}

/// The `?a=b&c=d` part; only the options consul-template knows.
fn params(
    c: &regex::Captures<'_>,
    kind: &'static str,
    input: &str,
) -> Result<QueryParams, QueryError> {
    let Some(text) = group(c, "query") else {
        return Ok(Vec::new());
    };
    let mut out: QueryParams = form_urlencoded::parse(text.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let known = ["ns", "partition", "peer", "sameness-group"];
    if out.iter().any(|(k, _)| !known.contains(&k.as_str()))
        || (out.iter().any(|(k, _)| k == "peer") && out.iter().any(|(k, _)| k == "sameness-group"))
    {
        return Err(QueryError {
            kind,
            input: input.to_string(),
        });
    }
    out.sort();
    Ok(out)
}

/// Parses a `service` query; `input` is the arguments joined with `|` (the two-argument form
/// `service "web" "passing,warning"` is `web|passing,warning`).
pub fn service(input: &str) -> Result<ServiceQuery, QueryError> {
    let kind = "health.service";
    let bad = || QueryError {
        kind,
        input: input.to_string(),
    };
    let (query, filter) = match input.split_once('|') {
        Some((q, f)) => (q, Some(f)),
        None => (input, None),
    };
    let c = SERVICE_RE.captures(query).ok_or_else(bad)?;
    let mut filters = Vec::new();
    if let Some(filter) = filter {
        for part in filter.split([',', '|']) {
            filters.push(StatusFilter::parse(part).ok_or_else(bad)?);
        }
    }
    if filters.is_empty() {
        filters.push(StatusFilter::Passing);
    }
    filters.sort();
    filters.dedup();
    Ok(ServiceQuery {
        tag: group(&c, "tag"),
        name: group(&c, "name").ok_or_else(bad)?,
        params: params(&c, kind, input)?,
        dc: group(&c, "dc"),
        near: group(&c, "near"),
        filters,
    })
}

/// Parses a `key`/`keyExists`/`keyOrDefault` query.
pub fn key(input: &str) -> Result<KeyQuery, QueryError> {
    key_with(&KEY_RE, "kv.get", input)
}

/// Parses an `ls`/`tree` prefix (may be empty: the whole store).
pub fn prefix(input: &str) -> Result<KeyQuery, QueryError> {
    key_with(&PREFIX_RE, "kv.list", input)
}

fn key_with(re: &Regex, kind: &'static str, input: &str) -> Result<KeyQuery, QueryError> {
    let c = re.captures(input).ok_or_else(|| QueryError {
        kind,
        input: input.to_string(),
    })?;
    Ok(KeyQuery {
        key: c
            .name("key")
            .map(|m| m.as_str().to_string())
            .unwrap_or_default(),
        params: params(&c, kind, input)?,
        dc: group(&c, "dc"),
    })
}

/// Parses a `node` query.
pub fn node(input: &str) -> Result<NodeQuery, QueryError> {
    let kind = "catalog.node";
    let c = NODE_RE.captures(input).ok_or_else(|| QueryError {
        kind,
        input: input.to_string(),
    })?;
    Ok(NodeQuery {
        name: group(&c, "name"),
        params: params(&c, kind, input)?,
        dc: group(&c, "dc"),
    })
}

/// Parses a `nodes` query.
pub fn nodes(input: &str) -> Result<NodesQuery, QueryError> {
    let kind = "catalog.nodes";
    let c = NODES_RE.captures(input).ok_or_else(|| QueryError {
        kind,
        input: input.to_string(),
    })?;
    Ok(NodesQuery {
        params: params(&c, kind, input)?,
        dc: group(&c, "dc"),
        near: group(&c, "near"),
    })
}

/// Parses a `services` query.
pub fn services(input: &str) -> Result<ServicesQuery, QueryError> {
    let kind = "catalog.services";
    let c = SERVICES_RE.captures(input).ok_or_else(|| QueryError {
        kind,
        input: input.to_string(),
    })?;
    Ok(ServicesQuery {
        params: params(&c, kind, input)?,
        dc: group(&c, "dc"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_service_defaults_to_server_side_passing() {
        let q = service("nginx").unwrap();
        assert_eq!(q.name, "nginx");
        assert_eq!(q.tag, None);
        assert_eq!(q.filters, [StatusFilter::Passing]);
        assert!(q.server_side_passing());
    }

    #[test]
    fn full_service_syntax() {
        let q = service("a.b.web?ns=team&partition=p1@dc2~_agent|warning,passing").unwrap();
        assert_eq!(q.tag.as_deref(), Some("a.b"));
        assert_eq!(q.name, "web");
        assert_eq!(
            q.params,
            vec![
                ("ns".to_string(), "team".to_string()),
                ("partition".to_string(), "p1".to_string())
            ]
        );
        assert_eq!(q.dc.as_deref(), Some("dc2"));
        assert_eq!(q.near.as_deref(), Some("_agent"));
        assert_eq!(q.filters, [StatusFilter::Passing, StatusFilter::Warning]);
        assert!(!q.server_side_passing());
        assert!(q.keeps("warning"));
        assert!(!q.keeps("critical"));
        assert!(service("web|any").unwrap().keeps("critical"));
    }

    #[test]
    fn bad_service_queries_name_themselves() {
        for bad in [
            "",
            "web.",
            "web|healthy",
            "web?colour=red",
            "web@",
            "we b",
            "web?peer=a&sameness-group=b",
        ] {
            let err = service(bad).unwrap_err();
            assert_eq!(err.kind, "health.service", "{bad}");
            assert!(err.to_string().contains(&format!("{bad:?}")));
        }
    }

    #[test]
    fn keys_and_prefixes() {
        let k = key("/config/app/port@dc1").unwrap();
        assert_eq!(k.key, "config/app/port");
        assert_eq!(k.dc.as_deref(), Some("dc1"));
        assert!(key("").is_err());
        assert_eq!(prefix("").unwrap().key, "");
        assert_eq!(prefix("app/").unwrap().key, "app/");
        assert!(key("a@").is_err());
    }

    #[test]
    fn catalog_queries() {
        assert_eq!(node("").unwrap().name, None);
        let n = node("web-1@dc3").unwrap();
        assert_eq!(n.name.as_deref(), Some("web-1"));
        assert_eq!(n.dc.as_deref(), Some("dc3"));
        let ns = nodes("@dc2~node1").unwrap();
        assert_eq!(ns.near.as_deref(), Some("node1"));
        assert_eq!(services("@dc1").unwrap().dc.as_deref(), Some("dc1"));
        assert!(services("web").is_err());
        assert!(nodes("x").is_err());
    }
}
