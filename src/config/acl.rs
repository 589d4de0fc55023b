//! The `acl { }` block as the agent uses it: on or off, the default and down policies, how
//! long a client agent trusts a token it looked up, and the agent's own tokens (`tokens { ... }`,
//! the old `master` names already renamed by the loader).

use std::time::Duration;

use super::error::ConfigError;
use super::schema::FileConfig;

/// What a client agent does with a token when no server can be asked about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownPolicy {
    Allow,
    Deny,
    /// Keep using what was last learned; deny tokens never seen.
    ExtendCache,
    /// As `extend-cache` (sd looks tokens up in the background the same way).
    AsyncCache,
}

/// The agent's own tokens.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentTokens {
    /// `initial_management`: made the management token when the cluster is bootstrapped.
    pub initial_management: Option<String>,
    /// `agent`: what the agent acts with for its own catalog sync (falls back to `default`).
    pub agent: Option<String>,
    /// `agent_recovery`: works on this agent's `/v1/agent/` endpoints when servers are down.
    pub agent_recovery: Option<String>,
    /// `default`: what requests without a token act with (instead of anonymous).
    pub default: Option<String>,
    /// `dns`: what DNS lookups act with (falls back to `default`).
    pub dns: Option<String>,
    /// `replication`.
    pub replication: Option<String>,
    /// `config_file_service_registration`: what services from config files register with.
    pub config_file_service_registration: Option<String>,
}

/// The `acl` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AclConfig {
    pub enabled: bool,
    /// `default_policy = "allow"` (Consul's default) or `"deny"`.
    pub default_allow: bool,
    pub down_policy: DownPolicy,
    /// `token_ttl`: how long a client agent keeps a token it looked up.
    pub token_ttl: Duration,
    pub enable_key_list_policy: bool,
    /// `enable_token_persistence`: tokens set through `/v1/agent/token/` survive a restart.
    pub enable_token_persistence: bool,
    /// `enable_token_replication`: a secondary datacenter copies the primary's global tokens
    /// too (policies and roles always).
    pub enable_token_replication: bool,
    pub tokens: AgentTokens,
}

impl Default for AclConfig {
    fn default() -> AclConfig {
        AclConfig {
            enabled: false,
            default_allow: true,
            down_policy: DownPolicy::ExtendCache,
            token_ttl: Duration::from_secs(30),
            enable_key_list_policy: false,
            enable_token_persistence: false,
            enable_token_replication: false,
            tokens: AgentTokens::default(),
        }
    }
}

pub(super) fn acl_config(c: &FileConfig) -> Result<AclConfig, ConfigError> {
    let a = c.acl.clone().unwrap_or_default();
    let default_allow = match a.default_policy.as_deref().unwrap_or("allow") {
        "allow" => true,
        "deny" => false,
        other => {
            return Err(ConfigError::invalid(format!(
                "acl.default_policy: invalid value {other:?}: must be \"allow\" or \"deny\""
            )))
        }
    };
    let down_policy = match a.down_policy.as_deref().unwrap_or("extend-cache") {
        "allow" => DownPolicy::Allow,
        "deny" => DownPolicy::Deny,
        "extend-cache" => DownPolicy::ExtendCache,
        "async-cache" => DownPolicy::AsyncCache,
        other => {
            return Err(ConfigError::invalid(format!(
                "acl.down_policy: invalid value {other:?}: must be one of \"allow\", \"deny\", \"extend-cache\" or \"async-cache\""
            )))
        }
    };
    let token_ttl = match &a.token_ttl {
        None => Duration::from_secs(30),
        Some(t) => super::build::go_duration(t)
            .map_err(|e| ConfigError::invalid(format!("acl.token_ttl: {e}")))?,
    };
    let t = a.tokens.unwrap_or_default();
    let set = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
    Ok(AclConfig {
        enabled: a.enabled.unwrap_or(false),
        default_allow,
        down_policy,
        token_ttl,
        enable_key_list_policy: a.enable_key_list_policy.unwrap_or(false),
        enable_token_persistence: a.enable_token_persistence.unwrap_or(false),
        enable_token_replication: a.enable_token_replication.unwrap_or(false),
        tokens: AgentTokens {
            initial_management: set(&t.initial_management).or_else(|| set(&t.master)),
            agent: set(&t.agent),
            agent_recovery: set(&t.agent_recovery).or_else(|| set(&t.agent_master)),
            default: set(&t.default),
            dns: set(&t.dns),
            replication: set(&t.replication),
            config_file_service_registration: set(&t.config_file_service_registration),
        },
    })
}
