//! ACL tokens, policies and roles as the servers keep them, with the index of the bootstrap.
//! Tokens are found by accessor ID, or by the SHA-256 of their secret (so that looking one up
//! takes the same time however much of a guessed secret is right). The built-in
//! `global-management` policy and anonymous token are always present.
//!
//! Requests are checked by the leader before they are proposed (names resolved, rules parsed);
//! what must hold whatever the order of writes (unique names and secrets, the bootstrap done
//! once) is checked again here, where writes are applied one at a time.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::api::acl::{
    AclAuthMethod, AclBindingRule, AclPolicy, AclRole, AclToken, ANONYMOUS_ACCESSOR,
    GLOBAL_MANAGEMENT_ID,
};

/// An ACL change, as Raft carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AclOp {
    /// The first management token; refused once done unless `reset` is the bootstrap's index.
    Bootstrap {
        token: Box<AclToken>,
        reset: Option<u64>,
    },
    TokenSet(Box<AclToken>),
    TokenDelete(String),
    PolicySet(Box<AclPolicy>),
    PolicyDelete(String),
    RoleSet(Box<AclRole>),
    RoleDelete(String),
    /// Deleting a method deletes its binding rules and the tokens its logins made.
    AuthMethodSet(Box<AclAuthMethod>),
    AuthMethodDelete(String),
    BindingRuleSet(Box<AclBindingRule>),
    BindingRuleDelete(String),
}

/// The SHA-256 of a secret: the key tokens are found by.
pub fn secret_key(secret: &str) -> [u8; 32] {
    let digest = ring::digest::digest(&ring::digest::SHA256, secret.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

#[derive(Debug, Serialize, Deserialize)]
pub struct AclTable {
    tokens: BTreeMap<String, AclToken>,
    policies: BTreeMap<String, AclPolicy>,
    roles: BTreeMap<String, AclRole>,
    #[serde(default)]
    auth_methods: BTreeMap<String, AclAuthMethod>,
    #[serde(default)]
    binding_rules: BTreeMap<String, AclBindingRule>,
    /// The index the bootstrap token was made at, once it was.
    bootstrapped: Option<u64>,
    /// The index of the last change.
    index: u64,
    /// SHA-256 of each secret → accessor ID (rebuilt after a restore).
    #[serde(skip)]
    by_secret: HashMap<[u8; 32], String>,
}

impl Default for AclTable {
    fn default() -> AclTable {
        let mut t = AclTable {
            tokens: BTreeMap::new(),
            policies: BTreeMap::new(),
            roles: BTreeMap::new(),
            auth_methods: BTreeMap::new(),
            binding_rules: BTreeMap::new(),
            bootstrapped: None,
            index: 0,
            by_secret: HashMap::new(),
        };
        let policy = crate::agent::acl::builtin::global_management();
        t.policies.insert(policy.id.clone(), policy);
        let token = crate::agent::acl::builtin::anonymous_token();
        t.tokens.insert(token.accessor_id.clone(), token);
        t.rebuild();
        t
    }
}

impl AclTable {
    /// Rebuilds the secret index (after a snapshot is read).
    pub fn rebuild(&mut self) {
        self.by_secret = self
            .tokens
            .values()
            .map(|t| (secret_key(&t.secret_id), t.accessor_id.clone()))
            .collect();
    }

    /// The index of the last ACL change (0: none since the built-ins).
    pub fn index(&self) -> u64 {
        self.index
    }

    /// The bootstrap's index, once done.
    pub fn bootstrapped(&self) -> Option<u64> {
        self.bootstrapped
    }

    pub fn token(&self, accessor: &str) -> Option<&AclToken> {
        self.tokens.get(accessor)
    }

    /// The token whose secret hashes to `key` ([`secret_key`]).
    pub fn token_by_secret(&self, key: &[u8; 32]) -> Option<&AclToken> {
        self.by_secret.get(key).and_then(|a| self.tokens.get(a))
    }

    pub fn tokens(&self) -> impl Iterator<Item = &AclToken> {
        self.tokens.values()
    }

    pub fn policy(&self, id: &str) -> Option<&AclPolicy> {
        self.policies.get(id)
    }

    pub fn policy_by_name(&self, name: &str) -> Option<&AclPolicy> {
        self.policies.values().find(|p| p.name == name)
    }

    pub fn policies(&self) -> impl Iterator<Item = &AclPolicy> {
        self.policies.values()
    }

    pub fn role(&self, id: &str) -> Option<&AclRole> {
        self.roles.get(id)
    }

    pub fn role_by_name(&self, name: &str) -> Option<&AclRole> {
        self.roles.values().find(|r| r.name == name)
    }

    pub fn roles(&self) -> impl Iterator<Item = &AclRole> {
        self.roles.values()
    }

    pub fn auth_method(&self, name: &str) -> Option<&AclAuthMethod> {
        self.auth_methods.get(name)
    }

    pub fn auth_methods(&self) -> impl Iterator<Item = &AclAuthMethod> {
        self.auth_methods.values()
    }

    pub fn binding_rule(&self, id: &str) -> Option<&AclBindingRule> {
        self.binding_rules.get(id)
    }

    pub fn binding_rules(&self) -> impl Iterator<Item = &AclBindingRule> {
        self.binding_rules.values()
    }

    /// Applies one change at `index`.
    pub fn apply(&mut self, index: u64, op: &AclOp) -> Result<(), String> {
        match op {
            AclOp::Bootstrap { token, reset } => {
                if let Some(done) = self.bootstrapped {
                    if *reset != Some(done) {
                        return Err(format!(
                            "ACL bootstrap no longer allowed (reset index: {done})"
                        ));
                    }
                }
                self.set_token(index, token)?;
                self.bootstrapped = Some(index);
            }
            AclOp::TokenSet(token) => self.set_token(index, token)?,
            AclOp::TokenDelete(accessor) => {
                if accessor == ANONYMOUS_ACCESSOR {
                    return Err("Delete of the anonymous token is not allowed".into());
                }
                if let Some(t) = self.tokens.remove(accessor) {
                    self.by_secret.remove(&secret_key(&t.secret_id));
                }
            }
            AclOp::PolicySet(policy) => {
                if let Some(other) = self.policy_by_name(&policy.name) {
                    if other.id != policy.id {
                        return Err(format!(
                            "Invalid Policy: A Policy with Name {:?} already exists",
                            policy.name
                        ));
                    }
                }
                let mut p = (**policy).clone();
                p.create_index = self.policies.get(&p.id).map_or(index, |o| o.create_index);
                p.modify_index = index;
                self.policies.insert(p.id.clone(), p);
            }
            AclOp::PolicyDelete(id) => {
                if id == GLOBAL_MANAGEMENT_ID {
                    return Err(
                        "Delete of the builtin global-management policy is not allowed".into(),
                    );
                }
                self.policies.remove(id);
            }
            AclOp::RoleSet(role) => {
                if let Some(other) = self.role_by_name(&role.name) {
                    if other.id != role.id {
                        return Err(format!(
                            "Invalid Role: A Role with Name {:?} already exists",
                            role.name
                        ));
                    }
                }
                let mut r = (**role).clone();
                r.create_index = self.roles.get(&r.id).map_or(index, |o| o.create_index);
                r.modify_index = index;
                self.roles.insert(r.id.clone(), r);
            }
            AclOp::RoleDelete(id) => {
                self.roles.remove(id);
            }
            AclOp::AuthMethodSet(method) => {
                let mut m = (**method).clone();
                m.create_index = self
                    .auth_methods
                    .get(&m.name)
                    .map_or(index, |o| o.create_index);
                m.modify_index = index;
                self.auth_methods.insert(m.name.clone(), m);
            }
            AclOp::AuthMethodDelete(name) => {
                self.auth_methods.remove(name);
                self.binding_rules.retain(|_, r| r.auth_method != *name);
                let made: Vec<String> = self
                    .tokens
                    .values()
                    .filter(|t| t.auth_method == *name)
                    .map(|t| t.accessor_id.clone())
                    .collect();
                for accessor in made {
                    if let Some(t) = self.tokens.remove(&accessor) {
                        self.by_secret.remove(&secret_key(&t.secret_id));
                    }
                }
            }
            AclOp::BindingRuleSet(rule) => {
                if !self.auth_methods.contains_key(&rule.auth_method) {
                    return Err(format!(
                        "Invalid Binding Rule: AuthMethod {:?} does not exist",
                        rule.auth_method
                    ));
                }
                let mut r = (**rule).clone();
                r.create_index = self
                    .binding_rules
                    .get(&r.id)
                    .map_or(index, |o| o.create_index);
                r.modify_index = index;
                self.binding_rules.insert(r.id.clone(), r);
            }
            AclOp::BindingRuleDelete(id) => {
                self.binding_rules.remove(id);
            }
        }
        self.index = index;
        Ok(())
    }

    fn set_token(&mut self, index: u64, token: &AclToken) -> Result<(), String> {
        let key = secret_key(&token.secret_id);
        if let Some(owner) = self.by_secret.get(&key) {
            if *owner != token.accessor_id {
                return Err("Invalid Token: SecretID is already in use".into());
            }
        }
        let mut t = token.clone();
        match self.tokens.get(&t.accessor_id) {
            Some(old) => {
                if old.secret_id != t.secret_id {
                    self.by_secret.remove(&secret_key(&old.secret_id));
                }
                t.create_index = old.create_index;
            }
            None => t.create_index = index,
        }
        t.modify_index = index;
        self.by_secret.insert(key, t.accessor_id.clone());
        self.tokens.insert(t.accessor_id.clone(), t);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(accessor: &str, secret: &str) -> Box<AclToken> {
        Box::new(AclToken {
            accessor_id: accessor.into(),
            secret_id: secret.into(),
            ..AclToken::default()
        })
    }

    #[test]
    fn bootstrap_once_then_only_with_the_reset_index() {
        let mut t = AclTable::default();
        let boot = |reset| AclOp::Bootstrap {
            token: token("a1", "s1"),
            reset,
        };
        t.apply(5, &boot(None)).unwrap();
        assert_eq!(t.bootstrapped(), Some(5));
        let e = t.apply(6, &boot(None)).unwrap_err();
        assert_eq!(e, "ACL bootstrap no longer allowed (reset index: 5)");
        assert!(t.apply(7, &boot(Some(4))).is_err());
        t.apply(8, &boot(Some(5))).unwrap();
        assert_eq!(t.bootstrapped(), Some(8));
    }

    #[test]
    fn secrets_are_unique_and_indexed_by_hash() {
        let mut t = AclTable::default();
        t.apply(3, &AclOp::TokenSet(token("a1", "s1"))).unwrap();
        assert!(t.apply(4, &AclOp::TokenSet(token("a2", "s1"))).is_err());
        assert_eq!(
            t.token_by_secret(&secret_key("s1")).unwrap().accessor_id,
            "a1"
        );
        assert_eq!(
            t.token_by_secret(&secret_key("anonymous"))
                .unwrap()
                .accessor_id,
            ANONYMOUS_ACCESSOR
        );
        t.apply(5, &AclOp::TokenSet(token("a1", "s2"))).unwrap();
        assert!(t.token_by_secret(&secret_key("s1")).is_none());
        assert_eq!(t.token("a1").unwrap().create_index, 3);
        assert_eq!(t.token("a1").unwrap().modify_index, 5);
        t.apply(6, &AclOp::TokenDelete("a1".into())).unwrap();
        assert!(t.token_by_secret(&secret_key("s2")).is_none());
        assert!(t
            .apply(7, &AclOp::TokenDelete(ANONYMOUS_ACCESSOR.into()))
            .is_err());
    }

    #[test]
    fn names_are_unique_and_survive_a_snapshot() {
        let mut t = AclTable::default();
        let policy = |id: &str, name: &str| {
            AclOp::PolicySet(Box::new(AclPolicy {
                id: id.into(),
                name: name.into(),
                ..AclPolicy::default()
            }))
        };
        t.apply(3, &policy("p1", "dns")).unwrap();
        assert!(t
            .apply(4, &policy("p2", "dns"))
            .unwrap_err()
            .contains("already exists"));
        assert!(t
            .apply(5, &AclOp::PolicyDelete(GLOBAL_MANAGEMENT_ID.into()))
            .is_err());
        t.apply(6, &AclOp::TokenSet(token("a1", "s1"))).unwrap();
        let bytes = rmp_serde::to_vec_named(&t).unwrap();
        let mut back: AclTable = rmp_serde::from_slice(&bytes).unwrap();
        back.rebuild();
        assert_eq!(back.policy_by_name("dns").unwrap().id, "p1");
        assert!(back.token_by_secret(&secret_key("s1")).is_some());
        assert_eq!(back.index(), 6);
    }
}
