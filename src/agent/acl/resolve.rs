//! From the secret a request carries to what it may do. A server reads the token from its own
//! replicated state; a client agent asks a server (`/v1/internal/acl/resolve`) and keeps the
//! answer for `acl.token_ttl`, and when no server answers, follows `acl.down_policy`.
//!
//! Tokens are found by the SHA-256 of their secret, never by comparing secrets, and compiled
//! authorizers are cached by that hash: a server compiles a token again only after an ACL
//! change, so a request pays one hash and one map lookup.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Instant, SystemTime};

use serde::{Deserialize, Serialize};

use super::authorizer::Authorizer;
use super::builtin;
use super::rules::{self, Access, Resource, Scope};
use crate::agent::endpoints::EndpointError;
use crate::agent::state::acl::{secret_key, AclTable};
use crate::api::acl::{AclToken, ANONYMOUS_ACCESSOR, ANONYMOUS_SECRET};
use crate::config::acl::{AclConfig, AgentTokens, DownPolicy};

/// More cached tokens than this and the cache starts again (a flood of made-up secrets must
/// not grow it without bound).
const CACHE_MAX: usize = 4096;

/// Who is asking, and what they may do.
#[derive(Debug, Clone)]
pub struct Caller {
    pub authz: Arc<Authorizer>,
    /// The token's accessor ID (the anonymous token's for a request without one).
    pub accessor: String,
}

impl Caller {
    /// Whether the caller acts without a token of its own (answers filtered for it do not
    /// say so, as Consul's do not).
    pub fn is_anonymous(&self) -> bool {
        self.accessor == ANONYMOUS_ACCESSOR
    }

    pub fn allows(&self, resource: Resource, name: &str, wanted: Access) -> bool {
        self.authz.allows(resource, name, wanted)
    }

    /// `Ok` when allowed, else Consul's 403 naming the permission.
    pub fn require(
        &self,
        resource: Resource,
        name: &str,
        wanted: Access,
    ) -> Result<(), EndpointError> {
        if self.allows(resource, name, wanted) {
            return Ok(());
        }
        Err(self.denied(&format!(
            "'{}:{}' on {name:?}",
            resource.as_str(),
            wanted.as_str()
        )))
    }

    /// `Ok` when a single-valued rule (`operator`, `keyring`, `acl`) allows `wanted`.
    pub fn require_scope(&self, scope: Scope, wanted: Access) -> Result<(), EndpointError> {
        if self.authz.allows_scope(scope, wanted) {
            return Ok(());
        }
        Err(self.denied(&format!("'{}:{}'", scope.as_str(), wanted.as_str())))
    }

    /// Consul's 403 text for a missing permission (`'key:write' on "a/b"`).
    pub fn denied(&self, permission: &str) -> EndpointError {
        EndpointError::PermissionDenied(if self.is_anonymous() {
            format!("Permission denied: anonymous token lacks permission {permission}. The anonymous token is used implicitly when a request does not specify a token.")
        } else {
            format!(
                "Permission denied: token with AccessorID '{}' lacks permission {permission}",
                self.accessor
            )
        })
    }
}

/// What a server tells a client agent about a token: whose it is and the rules it carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct Resolved {
    #[serde(rename = "AccessorID")]
    pub accessor_id: String,
    pub rules: Vec<String>,
}

struct Entry {
    caller: Arc<Caller>,
    /// The state the entry was compiled from (restores, ACL index); servers only.
    version: (u64, u64),
    /// When a client agent learned it.
    fetched: Instant,
}

/// The agent's ACL settings, its own tokens and the token cache.
pub struct Acls {
    pub config: AclConfig,
    datacenter: String,
    /// The agent's tokens, as configured and as changed through `/v1/agent/token/`.
    tokens: RwLock<AgentTokens>,
    cache: RwLock<HashMap<[u8; 32], Entry>>,
    everyone: Arc<Caller>,
}

impl Acls {
    pub fn new(config: AclConfig, datacenter: &str) -> Acls {
        let tokens = config.tokens.clone();
        Acls {
            config,
            datacenter: datacenter.to_string(),
            tokens: RwLock::new(tokens),
            cache: RwLock::new(HashMap::new()),
            everyone: Arc::new(Caller {
                authz: Arc::new(Authorizer::unrestricted()),
                accessor: ANONYMOUS_ACCESSOR.into(),
            }),
        }
    }

    /// `acl.enable_token_replication`.
    pub fn token_replication(&self) -> bool {
        self.config.enable_token_replication
    }

    pub fn enabled(&self) -> bool {
        self.config.enabled
    }

    /// The caller every request is when ACLs are off.
    pub fn everyone(&self) -> Arc<Caller> {
        self.everyone.clone()
    }

    /// A copy of the agent's tokens.
    pub fn tokens(&self) -> AgentTokens {
        self.tokens
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Replaces the agent's tokens (`/v1/agent/token/`, `sd reload`).
    pub fn set_tokens(&self, tokens: AgentTokens) {
        *self.tokens.write().unwrap_or_else(|p| p.into_inner()) = tokens;
    }

    /// The first of `choices` the agent has, else the anonymous secret.
    fn first_of(&self, choices: &[fn(&AgentTokens) -> &Option<String>]) -> String {
        let tokens = self.tokens.read().unwrap_or_else(|p| p.into_inner());
        choices
            .iter()
            .find_map(|choose| choose(&tokens).clone())
            .unwrap_or_else(|| ANONYMOUS_SECRET.to_string())
    }

    /// The secret a request without one acts with: `tokens.default`, else anonymous.
    pub fn default_secret(&self) -> String {
        self.first_of(&[|t| &t.default])
    }

    /// The secret the agent acts with itself (catalog sync): `tokens.agent`, else the default.
    pub fn agent_secret(&self) -> String {
        self.first_of(&[|t| &t.agent, |t| &t.default])
    }

    /// The secret DNS lookups act with: `tokens.dns`, else the default.
    pub fn dns_secret(&self) -> String {
        self.first_of(&[|t| &t.dns, |t| &t.default])
    }

    /// Whether `secret` is this agent's recovery token (their SHA-256 hashes compared, so
    /// the time taken says nothing about the secret).
    pub fn is_agent_recovery(&self, secret: &str) -> bool {
        self.tokens()
            .agent_recovery
            .is_some_and(|recovery| secret_key(secret) == secret_key(&recovery))
    }

    /// A server's resolution from its own state.
    pub fn resolve_local(
        &self,
        secret: &str,
        acl: &AclTable,
        restores: u64,
    ) -> Result<Arc<Caller>, EndpointError> {
        let key = secret_key(secret);
        let version = (restores, acl.index());
        if let Some(e) = self.cache_read().get(&key) {
            if e.version == version {
                return Ok(e.caller.clone());
            }
        }
        let token = acl.token_by_secret(&key).ok_or_else(not_found)?;
        if expired(token) {
            return Err(not_found());
        }
        let texts = effective_rules(acl, token, &self.datacenter);
        let caller = Arc::new(self.compile(&token.accessor_id, &texts));
        // Expiring tokens are looked up each time, so one never outlives its expiry.
        if token.expiration_time.is_none() {
            self.remember(key, caller.clone(), version);
        }
        Ok(caller)
    }

    /// A client agent's cached answer for `secret`, when younger than `token_ttl`.
    pub fn cached(&self, secret: &str) -> Option<Arc<Caller>> {
        let cache = self.cache_read();
        let e = cache.get(&secret_key(secret))?;
        (e.fetched.elapsed() < self.config.token_ttl).then(|| e.caller.clone())
    }

    /// A client agent keeps what a server said about `secret`.
    pub fn learn(&self, secret: &str, resolved: &Resolved) -> Arc<Caller> {
        let caller = Arc::new(self.compile(&resolved.accessor_id, &resolved.rules));
        self.remember(secret_key(secret), caller.clone(), (0, 0));
        caller
    }

    /// What a client agent does when no server could say anything about `secret`.
    pub fn when_down(
        &self,
        secret: &str,
        why: EndpointError,
    ) -> Result<Arc<Caller>, EndpointError> {
        match self.config.down_policy {
            DownPolicy::Allow => Ok(Arc::new(Caller {
                authz: Arc::new(Authorizer::new(&[], true)),
                accessor: ANONYMOUS_ACCESSOR.into(),
            })),
            DownPolicy::Deny => Err(why),
            DownPolicy::ExtendCache | DownPolicy::AsyncCache => self
                .cache_read()
                .get(&secret_key(secret))
                .map(|e| e.caller.clone())
                .ok_or(why),
        }
    }

    /// Forgets a token a server no longer knows.
    pub fn forget(&self, secret: &str) {
        self.cache
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&secret_key(secret));
    }

    fn compile(&self, accessor: &str, texts: &[String]) -> Caller {
        let parsed: Vec<rules::Rules> = texts
            .iter()
            .filter_map(|t| match rules::parse(t) {
                Ok(r) => Some(r),
                Err(e) => {
                    tracing::warn!("ACL policy of token {accessor} skipped: {e}");
                    None
                }
            })
            .collect();
        let refs: Vec<&rules::Rules> = parsed.iter().collect();
        Caller {
            authz: Arc::new(Authorizer::new(&refs, self.config.default_allow)),
            accessor: accessor.to_string(),
        }
    }

    fn remember(&self, key: [u8; 32], caller: Arc<Caller>, version: (u64, u64)) {
        let mut cache = self.cache.write().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= CACHE_MAX {
            cache.clear();
        }
        cache.insert(
            key,
            Entry {
                caller,
                version,
                fetched: Instant::now(),
            },
        );
    }

    fn cache_read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<[u8; 32], Entry>> {
        self.cache.read().unwrap_or_else(|p| p.into_inner())
    }
}

/// Consul's answer for a secret no token has (403 `ACL not found`).
pub fn not_found() -> EndpointError {
    EndpointError::AclNotFound
}

/// Whether a token's expiration time has passed.
fn expired(token: &AclToken) -> bool {
    token.expiration_time.as_deref().is_some_and(|at| {
        chrono::DateTime::parse_from_rfc3339(at)
            .map(|at| SystemTime::from(at) <= SystemTime::now())
            .unwrap_or(false)
    })
}

/// Every rule text a token carries in datacenter `dc`: its policies, its roles' policies and
/// identities, and its own identities and templated policies (links to what no longer
/// exists are skipped).
pub fn effective_rules(acl: &AclTable, token: &AclToken, dc: &str) -> Vec<String> {
    let mut out = Vec::new();
    let policy = |id: &str, out: &mut Vec<String>| {
        if let Some(p) = acl.policy(id) {
            if p.datacenters.is_empty() || p.datacenters.iter().any(|d| d == dc) {
                out.push(p.rules.clone());
            }
        }
    };
    for link in &token.policies {
        policy(&link.id, &mut out);
    }
    let identities = |services: &[crate::api::acl::ServiceIdentity],
                      nodes: &[crate::api::acl::NodeIdentity],
                      templated: &[crate::api::acl::TemplatedPolicy],
                      out: &mut Vec<String>| {
        out.extend(
            services
                .iter()
                .filter_map(|s| builtin::service_identity_rules(s, dc)),
        );
        out.extend(
            nodes
                .iter()
                .filter_map(|n| builtin::node_identity_rules(n, dc)),
        );
        out.extend(
            templated
                .iter()
                .filter_map(|t| builtin::templated_rules(t, dc).ok().flatten()),
        );
    };
    for link in &token.roles {
        if let Some(role) = acl.role(&link.id) {
            for p in &role.policies {
                policy(&p.id, &mut out);
            }
            identities(
                &role.service_identities,
                &role.node_identities,
                &role.templated_policies,
                &mut out,
            );
        }
    }
    identities(
        &token.service_identities,
        &token.node_identities,
        &token.templated_policies,
        &mut out,
    );
    out
}
