//! What one token may do: its policies' rules merged (where two rules name the same thing, the
//! one that takes precedence stays: deny, then write, list, read) and compiled into lookup
//! tables, over the agent's default policy. A name is governed by its exact rule if it has
//! one, else by the longest prefix rule that covers it, else by the default policy.

use std::collections::HashMap;

use super::rules::{Access, NamedRule, Resource, Rules, Scope};

/// A token's permissions, compiled once and shared by every request that carries it.
#[derive(Debug, Clone)]
pub struct Authorizer {
    /// Exact rules per resource (indexed by `Resource as usize`).
    exact: [HashMap<String, Access>; 7],
    /// Prefix rules per resource, longest prefix first.
    prefixes: [Vec<(String, Access)>; 7],
    /// The single-valued rules (indexed by `Scope as usize`).
    scopes: [Option<Access>; 5],
    /// What applies where no rule does.
    default_allow: bool,
    /// ACLs are off: everything is allowed and nothing is filtered.
    unrestricted: bool,
}

fn slot(resource: Resource) -> usize {
    resource as usize
}

fn scope_slot(scope: Scope) -> usize {
    scope as usize
}

impl Authorizer {
    /// Everything allowed: ACLs are disabled.
    pub fn unrestricted() -> Authorizer {
        let mut a = Authorizer::new(&[], true);
        a.unrestricted = true;
        a
    }

    /// The merge of `policies` over the default policy.
    pub fn new(policies: &[&Rules], default_allow: bool) -> Authorizer {
        let mut exact: [HashMap<String, Access>; 7] = Default::default();
        let mut prefix_maps: [HashMap<String, Access>; 7] = Default::default();
        let mut scopes = [None; 5];
        for rules in policies {
            for NamedRule {
                resource,
                prefix,
                name,
                access,
            } in &rules.named
            {
                let map = if *prefix {
                    &mut prefix_maps[slot(*resource)]
                } else {
                    &mut exact[slot(*resource)]
                };
                merge(map.entry(name.clone()).or_insert(*access), *access);
            }
            for (scope, access) in &rules.scopes {
                let s = &mut scopes[scope_slot(*scope)];
                match s {
                    Some(current) => merge(current, *access),
                    None => *s = Some(*access),
                }
            }
        }
        let prefixes = prefix_maps.map(|m| {
            let mut list: Vec<(String, Access)> = m.into_iter().collect();
            list.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
            list
        });
        Authorizer {
            exact,
            prefixes,
            scopes,
            default_allow,
            unrestricted: false,
        }
    }

    /// Whether ACLs are off (nothing to check, nothing to filter).
    pub fn is_unrestricted(&self) -> bool {
        self.unrestricted
    }

    /// The rule that governs `name`, if any rule does.
    fn governing(&self, resource: Resource, name: &str) -> Option<Access> {
        let i = slot(resource);
        if let Some(access) = self.exact[i].get(name) {
            return Some(*access);
        }
        self.prefixes[i]
            .iter()
            .find(|(prefix, _)| name.starts_with(prefix.as_str()))
            .map(|(_, access)| *access)
    }

    /// Whether `wanted` access to the named `resource` is granted.
    pub fn allows(&self, resource: Resource, name: &str, wanted: Access) -> bool {
        if self.unrestricted {
            return true;
        }
        match self.governing(resource, name) {
            Some(access) => access.grants(wanted),
            None => self.default_allow,
        }
    }

    /// Whether `wanted` access under a single-valued rule (`operator`, `acl`, ...) is granted.
    pub fn allows_scope(&self, scope: Scope, wanted: Access) -> bool {
        if self.unrestricted {
            return true;
        }
        match self.scopes[scope_slot(scope)] {
            Some(access) => access.grants(wanted),
            None => self.default_allow,
        }
    }

    /// Whether every key under `prefix` may be written (a recursive delete): the prefix rule
    /// covering `prefix` grants write and no rule under it grants less.
    pub fn allows_key_write_prefix(&self, prefix: &str) -> bool {
        self.allows_key_prefix(prefix, Access::Write)
    }

    /// Whether `wanted` is granted on every key under `prefix`: by the rule covering the
    /// prefix (or the default policy) and by every rule for keys under it.
    pub fn allows_key_prefix(&self, prefix: &str, wanted: Access) -> bool {
        if self.unrestricted {
            return true;
        }
        let i = slot(Resource::Key);
        let below_all_grant = self.exact[i]
            .iter()
            .chain(self.prefixes[i].iter().map(|(k, v)| (k, v)))
            .filter(|(name, _)| name.starts_with(prefix) && name.len() > prefix.len())
            .all(|(_, access)| access.grants(wanted));
        if !below_all_grant {
            return false;
        }
        match self.prefixes[i]
            .iter()
            .find(|(p, _)| prefix.starts_with(p.as_str()))
        {
            Some((_, access)) => access.grants(wanted),
            None => self.default_allow,
        }
    }

    /// Full control of the ACL system (`acl = "write"`): what Consul calls a management token.
    pub fn is_management(&self) -> bool {
        self.allows_scope(Scope::Acl, Access::Write)
    }
}

/// Keeps in `current` whichever of it and `new` takes precedence.
fn merge(current: &mut Access, new: Access) {
    if new.takes_precedence_over(*current) {
        *current = new;
    }
}

#[cfg(test)]
mod tests {
    use super::super::rules::parse;
    use super::*;

    fn authz(texts: &[&str], default_allow: bool) -> Authorizer {
        let rules: Vec<Rules> = texts.iter().map(|t| parse(t).unwrap()).collect();
        let refs: Vec<&Rules> = rules.iter().collect();
        Authorizer::new(&refs, default_allow)
    }

    #[test]
    fn exact_beats_prefix_and_longest_prefix_wins() {
        let a = authz(
            &[r#"
key_prefix "" { policy = "read" }
key_prefix "app/" { policy = "write" }
key_prefix "app/secret/" { policy = "deny" }
key "app/secret/shared" { policy = "read" }
"#],
            false,
        );
        assert!(a.allows(Resource::Key, "other", Access::Read));
        assert!(!a.allows(Resource::Key, "other", Access::Write));
        assert!(a.allows(Resource::Key, "app/x", Access::Write));
        assert!(!a.allows(Resource::Key, "app/secret/x", Access::Read));
        assert!(a.allows(Resource::Key, "app/secret/shared", Access::Read));
        assert!(!a.allows(Resource::Key, "app/secret/shared", Access::Write));
        // No rule for services: the default policy.
        assert!(!a.allows(Resource::Service, "web", Access::Read));
        assert!(authz(&[], true).allows(Resource::Service, "web", Access::Write));
    }

    #[test]
    fn merged_policies_follow_consuls_precedence() {
        let a = authz(
            &[
                r#"service_prefix "" { policy = "read" }
                   service "db" { policy = "deny" }
                   operator = "read""#,
                r#"service_prefix "" { policy = "write" }
                   service "db" { policy = "write" }
                   operator = "write""#,
            ],
            true,
        );
        assert!(a.allows(Resource::Service, "web", Access::Write));
        assert!(!a.allows(Resource::Service, "db", Access::Read));
        assert!(a.allows_scope(Scope::Operator, Access::Write));
        assert!(
            a.allows_scope(Scope::Keyring, Access::Write),
            "default allow"
        );
        assert!(!authz(&[], false).allows_scope(Scope::Keyring, Access::Read));
    }

    #[test]
    fn recursive_delete_needs_write_on_everything_under_the_prefix() {
        let a = authz(
            &[r#"
key_prefix "app/" { policy = "write" }
key "app/locked" { policy = "read" }
key_prefix "tmp/" { policy = "write" }
"#],
            false,
        );
        assert!(!a.allows_key_write_prefix("app/"));
        assert!(a.allows_key_write_prefix("tmp/"));
        assert!(a.allows_key_write_prefix("tmp/x/"));
        assert!(!a.allows_key_write_prefix(""));
        assert!(Authorizer::unrestricted().allows_key_write_prefix(""));
    }

    #[test]
    fn table_slots_follow_the_enums_order() {
        assert!(Resource::ALL.iter().enumerate().all(|(i, r)| slot(*r) == i));
        assert!(Scope::ALL
            .iter()
            .enumerate()
            .all(|(i, s)| scope_slot(*s) == i));
    }

    #[test]
    fn list_is_granted_by_list_and_write_only() {
        let a = authz(
            &[r#"key_prefix "a/" { policy = "list" }
                 key_prefix "b/" { policy = "read" }"#],
            false,
        );
        assert!(a.allows(Resource::Key, "a/x", Access::List));
        assert!(a.allows(Resource::Key, "a/x", Access::Read));
        assert!(!a.allows(Resource::Key, "b/x", Access::List));
    }
}
