//! What the web UI reads besides the public API: Consul's UI-private summaries
//! (`/v1/internal/ui/services`, `/v1/internal/ui/nodes`, `/v1/internal/ui/node/:node`), in the
//! field names Consul's own UI expects, so either UI runs against either agent.

use serde::{Deserialize, Serialize};

use super::catalog::{AgentService, HealthCheck, Meta};

/// One service name across the datacenter (`/v1/internal/ui/services`). The check counts
/// count each check once per node: a node's own checks (such as `serfHealth`) count once for
/// every service on it, however many instances it runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub struct ServiceSummary {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub kind: String,
    pub name: String,
    pub datacenter: String,
    /// The union of the instances' tags, sorted (`null` when none, as Consul).
    pub tags: Option<Vec<String>>,
    /// The nodes running an instance, sorted.
    pub nodes: Vec<String>,
    /// The distinct `external-source` meta values of the instances (`null` when none).
    pub external_sources: Option<Vec<String>>,
    pub instance_count: usize,
    pub checks_passing: usize,
    pub checks_warning: usize,
    pub checks_critical: usize,
    pub gateway_config: GatewayConfig,
    pub transparent_proxy: bool,
    pub connect_native: bool,
    pub connected_with_proxy: bool,
    pub connected_with_gateway: bool,
}

/// Mesh gateway details; sd has no mesh, so always empty (`{}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct GatewayConfig {}

/// A node with everything on it (`/v1/internal/ui/nodes`, `/v1/internal/ui/node/:node`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub struct NodeInfo {
    #[serde(rename = "ID")]
    pub id: String,
    pub node: String,
    pub address: String,
    pub tagged_addresses: Meta,
    pub meta: Meta,
    pub services: Vec<AgentService>,
    pub checks: Vec<HealthCheck>,
}
