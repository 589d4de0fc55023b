//! Prepared queries as Consul's `/v1/query` endpoints send and take them
//! (`structs.PreparedQuery`): the stored definition, the answer of `/execute` and of
//! `/explain`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::api::catalog::ServiceEntry;

/// The only template type Consul has.
pub const NAME_PREFIX_MATCH: &str = "name_prefix_match";

/// One prepared query. `CreateIndex` and `ModifyIndex` sit at the top level, as Go's embedded
/// `RaftIndex` puts them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct PreparedQuery {
    #[serde(rename = "ID", default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub session: String,
    #[serde(default)]
    pub token: String,
    #[serde(default)]
    pub template: QueryTemplate,
    #[serde(default)]
    pub service: ServiceQuery,
    #[serde(rename = "DNS", default)]
    pub dns: QueryDns,
    #[serde(default)]
    pub create_index: u64,
    #[serde(default)]
    pub modify_index: u64,
}

impl PreparedQuery {
    /// Whether it is a template (applies to every name it prefixes) rather than a static query.
    pub fn is_template(&self) -> bool {
        !self.template.kind.is_empty()
    }
}

/// `Template`: empty for a static query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct QueryTemplate {
    #[serde(rename = "Type", default)]
    pub kind: String,
    #[serde(default)]
    pub regexp: String,
    #[serde(default)]
    pub remove_empty_tags: bool,
}

/// `Service`: what the query selects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct ServiceQuery {
    #[serde(default)]
    pub service: String,
    #[serde(default)]
    pub failover: QueryFailover,
    #[serde(default)]
    pub only_passing: bool,
    #[serde(rename = "IgnoreCheckIDs", default)]
    pub ignore_check_ids: Option<Vec<String>>,
    #[serde(default)]
    pub near: String,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    pub node_meta: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub service_meta: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub peer: String,
    #[serde(default)]
    pub connect: bool,
}

/// `Failover`: where to look when the local datacenter has no healthy instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct QueryFailover {
    #[serde(rename = "NearestN", default)]
    pub nearest_n: i64,
    #[serde(default)]
    pub datacenters: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targets: Option<Vec<FailoverTarget>>,
}

/// One entry of `Failover.Targets`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct FailoverTarget {
    #[serde(default)]
    pub peer_name: String,
    #[serde(default)]
    pub datacenter: String,
}

/// `DNS`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct QueryDns {
    #[serde(rename = "TTL", default)]
    pub ttl: String,
}

/// `POST /v1/query`'s answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryCreated {
    #[serde(rename = "ID")]
    pub id: String,
}

/// `GET /v1/query/:id/execute`'s answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct QueryExecuteResponse {
    pub service: String,
    pub nodes: Vec<ServiceEntry>,
    #[serde(rename = "DNS")]
    pub dns: QueryDns,
    pub datacenter: String,
    pub failovers: u32,
}

/// `GET /v1/query/:id/explain`'s answer: the query as it would run (a template rendered).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct QueryExplainResponse {
    pub query: PreparedQuery,
}

/// The field names of query bodies, for matching keys sent in any case.
pub const FIELD_NAMES: &[&str] = &[
    "ID",
    "Name",
    "Session",
    "Token",
    "Template",
    "Type",
    "Regexp",
    "RemoveEmptyTags",
    "Service",
    "Failover",
    "NearestN",
    "Datacenters",
    "Targets",
    "PeerName",
    "Datacenter",
    "OnlyPassing",
    "IgnoreCheckIDs",
    "Near",
    "Tags",
    "NodeMeta",
    "ServiceMeta",
    "Peer",
    "Connect",
    "DNS",
    "TTL",
    "CreateIndex",
    "ModifyIndex",
    "Namespace",
    "Partition",
    "SamenessGroup",
];

/// The keys whose values are maps keyed by users (kept as sent).
pub const OPAQUE: &[&str] = &["NodeMeta", "ServiceMeta"];
