//! ACL tokens, policies and roles as Consul's `/v1/acl/*` endpoints send and take them
//! (`api/acl.go`): PascalCase fields, `ID`-suffixed names spelled Go's way, empty lists left out
//! where Consul leaves them out.

use serde::{Deserialize, Serialize};

/// The built-in policy that grants everything.
pub const GLOBAL_MANAGEMENT_ID: &str = "00000000-0000-0000-0000-000000000001";
/// Its name.
pub const GLOBAL_MANAGEMENT_NAME: &str = "global-management";
/// The token of requests that carry none.
pub const ANONYMOUS_ACCESSOR: &str = "00000000-0000-0000-0000-000000000002";
/// Its secret.
pub const ANONYMOUS_SECRET: &str = "anonymous";

/// A policy or role a token (or role) is linked to: by ID, or by name when created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct Link {
    #[serde(rename = "ID", default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
}

/// A service identity: write on the service (and its sidecar proxy), read on every service
/// and node, for discovery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct ServiceIdentity {
    pub service_name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub datacenters: Vec<String>,
}

/// A node identity: write on the node, read on every service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct NodeIdentity {
    pub node_name: String,
    #[serde(default)]
    pub datacenter: String,
}

/// A built-in policy template applied with variables (`builtin/service`, `builtin/node`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct TemplatedPolicy {
    pub template_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_variables: Option<TemplateVariables>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub datacenters: Vec<String>,
}

/// The variables of a templated policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct TemplateVariables {
    #[serde(default)]
    pub name: String,
}

/// A token (`GET /v1/acl/token/:id`, the body and answer of create and update).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct AclToken {
    #[serde(rename = "AccessorID", default)]
    pub accessor_id: String,
    #[serde(rename = "SecretID", default)]
    pub secret_id: String,
    #[serde(default)]
    pub description: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<Link>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<Link>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub service_identities: Vec<ServiceIdentity>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub node_identities: Vec<NodeIdentity>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub templated_policies: Vec<TemplatedPolicy>,
    #[serde(default)]
    pub local: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub auth_method: String,
    /// RFC 3339; absent when the token never expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_time: Option<String>,
    /// Go duration text in requests (`"1h"`); the answer gives it in nanoseconds.
    #[serde(
        rename = "ExpirationTTL",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub expiration_ttl: Option<serde_json::Value>,
    #[serde(default)]
    pub create_time: String,
    #[serde(default)]
    pub hash: String,
    #[serde(default)]
    pub create_index: u64,
    #[serde(default)]
    pub modify_index: u64,
}

/// A token as `GET /v1/acl/tokens` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct AclTokenListEntry {
    #[serde(rename = "AccessorID")]
    pub accessor_id: String,
    #[serde(rename = "SecretID")]
    pub secret_id: String,
    pub description: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<Link>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<Link>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub service_identities: Vec<ServiceIdentity>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub node_identities: Vec<NodeIdentity>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub templated_policies: Vec<TemplatedPolicy>,
    pub local: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub auth_method: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_time: Option<String>,
    pub create_time: String,
    pub hash: String,
    pub create_index: u64,
    pub modify_index: u64,
    /// Tokens of the ACL system before 1.4 (never made by sd).
    #[serde(default)]
    pub legacy: bool,
}

impl From<&AclToken> for AclTokenListEntry {
    fn from(t: &AclToken) -> AclTokenListEntry {
        AclTokenListEntry {
            accessor_id: t.accessor_id.clone(),
            secret_id: t.secret_id.clone(),
            description: t.description.clone(),
            policies: t.policies.clone(),
            roles: t.roles.clone(),
            service_identities: t.service_identities.clone(),
            node_identities: t.node_identities.clone(),
            templated_policies: t.templated_policies.clone(),
            local: t.local,
            auth_method: t.auth_method.clone(),
            expiration_time: t.expiration_time.clone(),
            create_time: t.create_time.clone(),
            hash: t.hash.clone(),
            create_index: t.create_index,
            modify_index: t.modify_index,
            legacy: false,
        }
    }
}

/// A policy (`GET /v1/acl/policy/:id`, the body and answer of create and update).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct AclPolicy {
    #[serde(rename = "ID", default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub rules: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub datacenters: Vec<String>,
    #[serde(default)]
    pub hash: String,
    #[serde(default)]
    pub create_index: u64,
    #[serde(default)]
    pub modify_index: u64,
}

/// A policy as `GET /v1/acl/policies` lists it (no rules).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct AclPolicyListEntry {
    #[serde(rename = "ID")]
    pub id: String,
    pub name: String,
    pub description: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub datacenters: Vec<String>,
    pub hash: String,
    pub create_index: u64,
    pub modify_index: u64,
}

impl From<&AclPolicy> for AclPolicyListEntry {
    fn from(p: &AclPolicy) -> AclPolicyListEntry {
        AclPolicyListEntry {
            id: p.id.clone(),
            name: p.name.clone(),
            description: p.description.clone(),
            datacenters: p.datacenters.clone(),
            hash: p.hash.clone(),
            create_index: p.create_index,
            modify_index: p.modify_index,
        }
    }
}

/// A role: a named set of policies and identities tokens link to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct AclRole {
    #[serde(rename = "ID", default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<Link>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub service_identities: Vec<ServiceIdentity>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub node_identities: Vec<NodeIdentity>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub templated_policies: Vec<TemplatedPolicy>,
    #[serde(default)]
    pub hash: String,
    #[serde(default)]
    pub create_index: u64,
    #[serde(default)]
    pub modify_index: u64,
}

/// An auth method (`/v1/acl/auth-method`): how `/v1/acl/login` trusts outside credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct AclAuthMethod {
    #[serde(default)]
    pub name: String,
    /// `jwt` (the only type sd has).
    #[serde(rename = "Type", default)]
    pub kind: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub display_name: String,
    #[serde(default)]
    pub description: String,
    /// The longest life of a token made by a login, Go duration text (`"10m0s"`).
    #[serde(
        rename = "MaxTokenTTL",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub max_token_ttl: Option<serde_json::Value>,
    /// `local` (the default) or `global`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub token_locality: String,
    /// The type's settings (`JWTValidationPubKeys`, `BoundIssuer`, `ClaimMappings`, ...).
    #[serde(default)]
    pub config: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub create_index: u64,
    #[serde(default)]
    pub modify_index: u64,
}

/// A binding rule (`/v1/acl/binding-rule`): what a login through its auth method gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct AclBindingRule {
    #[serde(rename = "ID", default)]
    pub id: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub auth_method: String,
    /// A filter expression over the login's `value.*` and `list.*` variables (empty: all).
    #[serde(default)]
    pub selector: String,
    /// `service`, `node`, `role`, `policy` or `templated-policy`.
    #[serde(default)]
    pub bind_type: String,
    /// The name bound, with `${value.x}` variables.
    #[serde(default)]
    pub bind_name: String,
    /// A templated policy's variables (`{"Name": "${value.x}"}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bind_vars: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    pub create_index: u64,
    #[serde(default)]
    pub modify_index: u64,
}

/// `POST /v1/acl/login`'s body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct AclLoginRequest {
    #[serde(default)]
    pub auth_method: String,
    #[serde(default)]
    pub bearer_token: String,
    #[serde(default)]
    pub meta: std::collections::BTreeMap<String, String>,
}

/// `PUT /v1/agent/token/:type`'s body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct AgentTokenUpdate {
    #[serde(default)]
    pub token: String,
}

/// Every key of the types above, for reading bodies sent in any case.
pub const FIELD_NAMES: &[&str] = &[
    "AccessorID",
    "SecretID",
    "Description",
    "Policies",
    "Roles",
    "ServiceIdentities",
    "NodeIdentities",
    "TemplatedPolicies",
    "TemplateName",
    "TemplateVariables",
    "Local",
    "AuthMethod",
    "ExpirationTime",
    "ExpirationTTL",
    "CreateTime",
    "Hash",
    "CreateIndex",
    "ModifyIndex",
    "ID",
    "Name",
    "Rules",
    "Datacenters",
    "Datacenter",
    "ServiceName",
    "NodeName",
    "Token",
    "BootstrapSecret",
    "Type",
    "DisplayName",
    "MaxTokenTTL",
    "TokenLocality",
    "Config",
    "AuthMethod",
    "Selector",
    "BindType",
    "BindName",
    "BindVars",
    "BearerToken",
    "Meta",
];

/// Fields whose keys are the user's own (kept as sent).
pub const OPAQUE_FIELDS: &[&str] = &["Config", "Meta", "BindVars"];
