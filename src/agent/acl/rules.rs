//! Consul's ACL rule language, read from HCL or JSON: named rules (`key_prefix "web/" { policy
//! = "write" }`, `service "db" { policy = "read" }`) and the single-valued ones (`operator =
//! "read"`, `keyring`, `acl`, `mesh`, `peering`). Values are `read`, `write` and `deny`, and
//! `list` for keys. Errors use Consul's words (`Failed to parse ACL rules: ...`, `Invalid
//! key_prefix policy: ...`).

use serde_json::Value;

/// What a rule grants. Where several rules of the same name meet (policies merged for one
/// token), [`Access::takes_precedence_over`] decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Deny,
    Read,
    List,
    Write,
}

impl Access {
    fn parse(text: &str) -> Option<Access> {
        match text {
            "deny" => Some(Access::Deny),
            "read" => Some(Access::Read),
            "list" => Some(Access::List),
            "write" => Some(Access::Write),
            _ => None,
        }
    }

    /// Consul's merge order: `deny` beats everything, then `write`, `list`, `read`.
    pub fn takes_precedence_over(self, other: Access) -> bool {
        fn rank(a: Access) -> u8 {
            match a {
                Access::Deny => 3,
                Access::Write => 2,
                Access::List => 1,
                Access::Read => 0,
            }
        }
        rank(self) > rank(other)
    }

    /// Whether a rule of this access grants `wanted` (write grants read and list; list grants
    /// read; deny grants nothing).
    pub fn grants(self, wanted: Access) -> bool {
        match self {
            Access::Write => true,
            Access::List => matches!(wanted, Access::Read | Access::List),
            Access::Read => wanted == Access::Read,
            Access::Deny => false,
        }
    }

    /// The rule language's word for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Deny => "deny",
            Access::Read => "read",
            Access::List => "list",
            Access::Write => "write",
        }
    }
}

/// The kinds of named things rules govern (in [`Resource::ALL`]'s order: their discriminants
/// index the authorizer's tables).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Resource {
    Agent,
    Event,
    Key,
    Node,
    Query,
    Service,
    Session,
}

impl Resource {
    pub const ALL: [Resource; 7] = [
        Resource::Agent,
        Resource::Event,
        Resource::Key,
        Resource::Node,
        Resource::Query,
        Resource::Service,
        Resource::Session,
    ];

    /// The rule language's word for it (`key`; `key_prefix` for prefix rules).
    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Agent => "agent",
            Resource::Event => "event",
            Resource::Key => "key",
            Resource::Node => "node",
            Resource::Query => "query",
            Resource::Service => "service",
            Resource::Session => "session",
        }
    }
}

/// The single-valued rules (in [`Scope::ALL`]'s order, as [`Resource`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    Acl,
    Keyring,
    Mesh,
    Operator,
    Peering,
}

impl Scope {
    pub const ALL: [Scope; 5] = [
        Scope::Acl,
        Scope::Keyring,
        Scope::Mesh,
        Scope::Operator,
        Scope::Peering,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Acl => "acl",
            Scope::Keyring => "keyring",
            Scope::Mesh => "mesh",
            Scope::Operator => "operator",
            Scope::Peering => "peering",
        }
    }
}

/// One named rule: `key "a"` (exact) or `key_prefix "a"` (prefix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedRule {
    pub resource: Resource,
    pub prefix: bool,
    pub name: String,
    pub access: Access,
}

/// One policy's rules, as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rules {
    pub named: Vec<NamedRule>,
    pub scopes: Vec<(Scope, Access)>,
}

/// Rule types of Consul Enterprise, refused by name rather than ignored.
const ENTERPRISE: &[&str] = &[
    "namespace",
    "namespace_prefix",
    "partition",
    "partition_prefix",
    "sentinel",
];

/// Reads rules written in HCL or JSON (empty text: no rules).
pub fn parse(text: &str) -> Result<Rules, String> {
    let value =
        match crate::config::file::parse_text("rules", text, crate::config::file::Format::Hcl) {
            Ok(Some(value)) => value,
            Ok(None) => return Ok(Rules::default()),
            Err(crate::config::error::ConfigError::Parse { message, .. }) => {
                return Err(format!("Failed to parse ACL rules: {message}"))
            }
            Err(e) => return Err(format!("Failed to parse ACL rules: {e}")),
        };
    let Value::Object(top) = value else {
        return Err("Failed to parse ACL rules: the rules must be an object".into());
    };
    let mut rules = Rules::default();
    for (key, value) in &top {
        if let Some(scope) = Scope::ALL.iter().find(|s| s.as_str() == key) {
            let access = value
                .as_str()
                .and_then(Access::parse)
                .filter(|a| *a != Access::List)
                .ok_or_else(|| format!("Invalid {key} policy: {value}"))?;
            rules.scopes.push((*scope, access));
            continue;
        }
        let (word, prefix) = match key.strip_suffix("_prefix") {
            Some(word) => (word, true),
            None => (key.as_str(), false),
        };
        let Some(resource) = Resource::ALL.iter().find(|r| r.as_str() == word) else {
            return Err(if ENTERPRISE.contains(&key.as_str()) {
                format!("Failed to parse ACL rules: {key:?} rules are a Consul Enterprise feature that sd does not have")
            } else {
                format!("Failed to parse ACL rules: unknown rule type {key:?}")
            });
        };
        for (name, body) in named_entries(key, value)? {
            let policy = body
                .get("policy")
                .or_else(|| body.get("Policy"))
                .and_then(Value::as_str)
                .unwrap_or_default();
            let access = Access::parse(policy)
                .filter(|a| *a != Access::List || *resource == Resource::Key)
                .ok_or_else(|| format!("Invalid {key} policy: {name:?} = {policy:?}"))?;
            if let Some(intentions) = body.get("intentions").and_then(Value::as_str) {
                if Access::parse(intentions).is_none_or(|a| a == Access::List) {
                    return Err(format!(
                        "Invalid {key} intentions policy: {name:?} = {intentions:?}"
                    ));
                }
            }
            rules.named.push(NamedRule {
                resource: *resource,
                prefix,
                name,
                access,
            });
        }
    }
    Ok(rules)
}

/// The `(name, body)` pairs of one rule type, from each shape HCL and JSON give them:
/// `{"a": {...}, "b": {...}}`, `{"a": [{...}]}` (a name repeated) or `[{"a": {...}}, ...]`.
fn named_entries(key: &str, value: &Value) -> Result<Vec<(String, Value)>, String> {
    let mut out = Vec::new();
    match value {
        Value::Object(map) => {
            for (name, body) in map {
                match body {
                    Value::Object(_) => out.push((name.clone(), body.clone())),
                    Value::Array(items) => {
                        for item in items {
                            out.push((name.clone(), item.clone()));
                        }
                    }
                    other => {
                        return Err(format!(
                            "Failed to parse ACL rules: {key} {name:?} must be a block with a policy, not {other}"
                        ))
                    }
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                out.extend(named_entries(key, item)?);
            }
        }
        other => {
            return Err(format!(
                "Failed to parse ACL rules: {key} must be a block with a name, not {other}"
            ))
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(resource: Resource, prefix: bool, name: &str, access: Access) -> NamedRule {
        NamedRule {
            resource,
            prefix,
            name: name.into(),
            access,
        }
    }

    #[test]
    fn hcl_and_json_read_alike() {
        let hcl = r#"
key_prefix "" { policy = "read" }
key_prefix "web/" { policy = "write" }
key "web/secret" { policy = "deny" }
service "db" {
  policy = "write"
  intentions = "read"
}
operator = "read"
"#;
        let json = r#"{
  "key_prefix": {"": {"policy": "read"}, "web/": {"policy": "write"}},
  "key": {"web/secret": {"policy": "deny"}},
  "service": {"db": {"policy": "write", "intentions": "read"}},
  "operator": "read"
}"#;
        for text in [hcl, json] {
            let r = parse(text).unwrap();
            assert_eq!(r.scopes, vec![(Scope::Operator, Access::Read)], "{text}");
            let mut named = r.named.clone();
            named.sort_by(|a, b| {
                (a.resource, a.prefix, &a.name).cmp(&(b.resource, b.prefix, &b.name))
            });
            assert_eq!(
                named,
                vec![
                    rule(Resource::Key, false, "web/secret", Access::Deny),
                    rule(Resource::Key, true, "", Access::Read),
                    rule(Resource::Key, true, "web/", Access::Write),
                    rule(Resource::Service, false, "db", Access::Write),
                ],
                "{text}"
            );
        }
    }

    #[test]
    fn bad_rules_are_refused_in_consuls_words() {
        let e = parse(r#"key_prefix "" { policy = "bogus" }"#).unwrap_err();
        assert!(e.starts_with("Invalid key_prefix policy"), "{e}");
        let e = parse(r#"service "" { policy = "list" }"#).unwrap_err();
        assert!(e.starts_with("Invalid service policy"), "{e}");
        let e = parse(r#"operator = "sideways""#).unwrap_err();
        assert!(e.starts_with("Invalid operator policy"), "{e}");
        let e = parse(r#"keyprefix "" { policy = "read" }"#).unwrap_err();
        assert!(e.contains("unknown rule type \"keyprefix\""), "{e}");
        let e = parse("key_prefix {").unwrap_err();
        assert!(e.starts_with("Failed to parse ACL rules"), "{e}");
        assert_eq!(parse("  \n").unwrap(), Rules::default());
        // `list` is a key disposition only.
        assert!(parse(r#"key_prefix "a/" { policy = "list" }"#).is_ok());
    }

    #[test]
    fn precedence_is_deny_write_list_read() {
        use Access::*;
        assert!(Deny.takes_precedence_over(Write));
        assert!(Write.takes_precedence_over(List));
        assert!(List.takes_precedence_over(Read));
        assert!(!Read.takes_precedence_over(Deny));
        assert!(Write.grants(Read) && Write.grants(List) && Write.grants(Write));
        assert!(List.grants(Read) && !List.grants(Write));
        assert!(Read.grants(Read) && !Read.grants(List));
        assert!(!Deny.grants(Read));
    }
}
