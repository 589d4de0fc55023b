//! Catalog and health wire types (`api/catalog.go`, `api/health.go`, `api/agent.go`): nodes,
//! service instances, health checks and the shapes the catalog and health endpoints return.
//! PascalCase field names exactly as Consul writes them; the same types read registrations.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A string → string map (node and service meta, node tagged addresses).
pub type Meta = BTreeMap<String, String>;

/// Check statuses, as Consul spells them.
pub mod health {
    pub const PASSING: &str = "passing";
    pub const WARNING: &str = "warning";
    pub const CRITICAL: &str = "critical";
    pub const MAINTENANCE: &str = "maintenance";

    /// Whether `s` is a status a check can have.
    pub fn is_valid(s: &str) -> bool {
        matches!(s, PASSING | WARNING | CRITICAL)
    }

    /// How bad a status is, for aggregation: maintenance > critical > warning > passing.
    pub fn severity(s: &str) -> u8 {
        match s {
            PASSING => 0,
            WARNING => 1,
            CRITICAL => 2,
            _ => 3,
        }
    }
}

/// A node as the catalog holds it (`/v1/catalog/nodes`, `Node` in health entries).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub struct Node {
    #[serde(rename = "ID")]
    pub id: String,
    pub node: String,
    pub address: String,
    pub datacenter: String,
    pub tagged_addresses: Meta,
    pub meta: Meta,
    pub create_index: u64,
    pub modify_index: u64,
}

/// One tagged address of a service (`{"Address": ..., "Port": ...}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub struct ServiceAddress {
    pub address: String,
    pub port: u16,
}

/// DNS SRV weights by health.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Weights {
    pub passing: u32,
    pub warning: u32,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            passing: 1,
            warning: 1,
        }
    }
}

/// A service instance on a node (`AgentService`: `/v1/agent/services`, `Services` of
/// `/v1/catalog/node/:node`, `Service` of health entries).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub struct AgentService {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub kind: String,
    #[serde(rename = "ID")]
    pub id: String,
    pub service: String,
    pub tags: Vec<String>,
    pub meta: Meta,
    pub port: u16,
    pub address: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub tagged_addresses: BTreeMap<String, ServiceAddress>,
    pub weights: Weights,
    pub enable_tag_override: bool,
    pub datacenter: String,
    /// Catalog only: the agent's own endpoints leave these out.
    #[serde(skip_serializing_if = "is_zero")]
    pub create_index: u64,
    #[serde(skip_serializing_if = "is_zero")]
    pub modify_index: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// `PUT /v1/agent/service/register`. Checks stay raw JSON here: the agent's check module reads
/// them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub struct AgentServiceRegistration {
    pub kind: String,
    #[serde(rename = "ID")]
    pub id: String,
    pub name: String,
    pub tags: Vec<String>,
    pub port: u16,
    pub address: String,
    pub tagged_addresses: BTreeMap<String, ServiceAddress>,
    pub meta: Meta,
    pub weights: Option<Weights>,
    pub enable_tag_override: bool,
    pub check: Option<serde_json::Value>,
    pub checks: Vec<serde_json::Value>,
}

/// What a check runs, as health endpoints show it (only what is set).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub struct CheckDefinition {
    #[serde(rename = "HTTP", skip_serializing_if = "String::is_empty")]
    pub http: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub header: BTreeMap<String, Vec<String>>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub method: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub body: String,
    #[serde(rename = "TLSSkipVerify", skip_serializing_if = "std::ops::Not::not")]
    pub tls_skip_verify: bool,
    #[serde(rename = "TCP", skip_serializing_if = "String::is_empty")]
    pub tcp: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub interval: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub timeout: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub deregister_critical_service_after: String,
}

/// A health check (`HealthCheck`: `/v1/health/...`, `/v1/agent/checks`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub struct HealthCheck {
    pub node: String,
    #[serde(rename = "CheckID")]
    pub check_id: String,
    pub name: String,
    pub status: String,
    pub notes: String,
    pub output: String,
    #[serde(rename = "ServiceID")]
    pub service_id: String,
    pub service_name: String,
    pub service_tags: Vec<String>,
    #[serde(rename = "Type")]
    pub kind: String,
    pub interval: String,
    pub timeout: String,
    pub exposed_port: u16,
    pub definition: CheckDefinition,
    pub create_index: u64,
    pub modify_index: u64,
}

/// One instance of a service with its node (`/v1/catalog/service/:name`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub struct CatalogService {
    #[serde(rename = "ID")]
    pub id: String,
    pub node: String,
    pub address: String,
    pub datacenter: String,
    pub tagged_addresses: Meta,
    pub node_meta: Meta,
    #[serde(rename = "ServiceID")]
    pub service_id: String,
    pub service_name: String,
    pub service_address: String,
    pub service_tagged_addresses: BTreeMap<String, ServiceAddress>,
    pub service_tags: Vec<String>,
    pub service_meta: Meta,
    pub service_port: u16,
    pub service_weights: Weights,
    pub service_enable_tag_override: bool,
    pub service_kind: String,
    pub create_index: u64,
    pub modify_index: u64,
}

/// One instance with its node and every check that applies to it (`/v1/health/service/:name`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub struct ServiceEntry {
    pub node: Node,
    pub service: AgentService,
    pub checks: Vec<HealthCheck>,
}

/// `/v1/catalog/node/:node`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub struct CatalogNode {
    pub node: Node,
    pub services: BTreeMap<String, AgentService>,
}

/// `/v1/catalog/node-services/:node`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub struct CatalogNodeServiceList {
    pub node: Node,
    pub services: Vec<AgentService>,
}

/// `PUT /v1/catalog/register`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub struct CatalogRegistration {
    #[serde(rename = "ID")]
    pub id: String,
    pub node: String,
    pub address: String,
    pub datacenter: String,
    pub tagged_addresses: Meta,
    pub node_meta: Meta,
    pub service: Option<AgentService>,
    pub check: Option<HealthCheck>,
    pub checks: Vec<HealthCheck>,
    pub skip_node_update: bool,
}

/// `PUT /v1/catalog/deregister`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub struct CatalogDeregistration {
    pub node: String,
    pub datacenter: String,
    #[serde(rename = "ServiceID")]
    pub service_id: String,
    #[serde(rename = "CheckID")]
    pub check_id: String,
}

/// Every field name the registration types above use, for matching request keys sent in any
/// case or in snake_case (`service_id`, `serviceid`, `ServiceID`) back to Consul's spelling.
pub const FIELD_NAMES: &[&str] = &[
    "ID",
    "Node",
    "Address",
    "Datacenter",
    "TaggedAddresses",
    "NodeMeta",
    "Meta",
    "Service",
    "Check",
    "Checks",
    "SkipNodeUpdate",
    "Kind",
    "Tags",
    "Port",
    "Weights",
    "Passing",
    "Warning",
    "EnableTagOverride",
    "CreateIndex",
    "ModifyIndex",
    "CheckID",
    "Name",
    "Status",
    "Notes",
    "Output",
    "ServiceID",
    "ServiceName",
    "ServiceTags",
    "Type",
    "Interval",
    "Timeout",
    "ExposedPort",
    "Definition",
    "HTTP",
    "Header",
    "Method",
    "Body",
    "TLSSkipVerify",
    "TCP",
    "DeregisterCriticalServiceAfter",
    "Args",
    "ScriptArgs",
    "Script",
    "TTL",
    "SuccessBeforePassing",
    "FailuresBeforeWarning",
    "FailuresBeforeCritical",
    "OutputMaxSize",
    "TLSServerName",
    "DisableRedirects",
    "GRPC",
    "UDP",
    "H2PING",
    "DockerContainerID",
    "AliasService",
    "AliasNode",
    "OSService",
];

/// Keys under which users name their own keys: left alone when matching field names.
pub const OPAQUE_FIELDS: &[&str] = &["Meta", "NodeMeta", "TaggedAddresses", "Header"];
