//! What Consul builds in: the `global-management` policy, the anonymous token, and the rules a
//! service identity, a node identity or a templated policy stands for.

use crate::api::acl::{
    AclPolicy, AclToken, Link, NodeIdentity, ServiceIdentity, TemplatedPolicy, ANONYMOUS_ACCESSOR,
    ANONYMOUS_SECRET, GLOBAL_MANAGEMENT_ID, GLOBAL_MANAGEMENT_NAME,
};

/// The rules of `global-management`: write on everything.
pub const GLOBAL_MANAGEMENT_RULES: &str = r#"
acl = "write"
agent_prefix "" {
  policy = "write"
}
event_prefix "" {
  policy = "write"
}
key_prefix "" {
  policy = "write"
}
keyring = "write"
node_prefix "" {
  policy = "write"
}
operator = "write"
mesh = "write"
peering = "write"
query_prefix "" {
  policy = "write"
}
service_prefix "" {
  policy = "write"
  intentions = "write"
}
session_prefix "" {
  policy = "write"
}"#;

/// The built-in `global-management` policy.
pub fn global_management() -> AclPolicy {
    AclPolicy {
        id: GLOBAL_MANAGEMENT_ID.into(),
        name: GLOBAL_MANAGEMENT_NAME.into(),
        description: "Builtin Policy that grants unlimited access".into(),
        rules: GLOBAL_MANAGEMENT_RULES.trim_start().into(),
        ..AclPolicy::default()
    }
}

/// The anonymous token: what a request without a token acts as (no policies until an
/// operator links some, so the default policy decides).
pub fn anonymous_token() -> AclToken {
    AclToken {
        accessor_id: ANONYMOUS_ACCESSOR.into(),
        secret_id: ANONYMOUS_SECRET.into(),
        description: "Anonymous Token".into(),
        // Go's zero time: Consul's clients decode CreateTime as a time.
        create_time: "0001-01-01T00:00:00Z".into(),
        ..AclToken::default()
    }
}

/// A link to `global-management`, as the bootstrap token carries it.
pub fn global_management_link() -> Link {
    Link {
        id: GLOBAL_MANAGEMENT_ID.into(),
        name: GLOBAL_MANAGEMENT_NAME.into(),
    }
}

/// A management token with `secret`, described as Consul describes the bootstrap token.
pub fn bootstrap_token(secret: String) -> AclToken {
    let mut token = AclToken {
        accessor_id: super::stamp::new_id(),
        secret_id: secret,
        description: "Bootstrap Token (Global Management)".into(),
        policies: vec![global_management_link()],
        create_time: super::stamp::now(),
        ..AclToken::default()
    };
    token.hash = super::stamp::hash_of(&(&token.description, &token.policies));
    token
}

/// Whether an identity scoped to `datacenters` applies in `dc` (no list: everywhere).
fn applies(datacenters: &[String], dc: &str) -> bool {
    datacenters.is_empty() || datacenters.iter().any(|d| d == dc)
}

/// The rules a service identity stands for, if it applies in `dc`.
pub fn service_identity_rules(identity: &ServiceIdentity, dc: &str) -> Option<String> {
    applies(&identity.datacenters, dc).then(|| service_rules(&identity.service_name))
}

fn service_rules(name: &str) -> String {
    format!(
        r#"service "{name}" {{ policy = "write" }}
service "{name}-sidecar-proxy" {{ policy = "write" }}
service_prefix "" {{ policy = "read" }}
node_prefix "" {{ policy = "read" }}"#
    )
}

/// The rules a node identity stands for, if it is for `dc`.
pub fn node_identity_rules(identity: &NodeIdentity, dc: &str) -> Option<String> {
    (identity.datacenter == dc).then(|| node_rules(&identity.node_name))
}

fn node_rules(name: &str) -> String {
    format!(
        r#"node "{name}" {{ policy = "write" }}
service_prefix "" {{ policy = "read" }}"#
    )
}

/// The templated policies sd knows: name, description, whether it takes a `Name` variable.
pub const TEMPLATES: &[(&str, &str, bool)] = &[
    (
        "builtin/service",
        "Gives the token or role permissions to register a service and discover services in the Consul catalog. It also gives the specified service's sidecar proxy the permission to discover and route traffic to other services.",
        true,
    ),
    (
        "builtin/node",
        "Gives the token or role permissions for a register an agent/node into the catalog. A node is typically a consul agent but can also be a physical server, cloud instance or a container.",
        true,
    ),
    (
        "builtin/dns",
        "Gives the token or role permissions for the Consul DNS to query services in the network.",
        false,
    ),
];

/// The rules of a templated policy with its variables, if it applies in `dc` (`Err` names a
/// template sd does not know or a missing variable).
pub fn templated_rules(t: &TemplatedPolicy, dc: &str) -> Result<Option<String>, String> {
    let name = t
        .template_variables
        .as_ref()
        .map(|v| v.name.as_str())
        .unwrap_or_default();
    let rules = match t.template_name.as_str() {
        "builtin/service" | "builtin/node" if name.is_empty() => {
            return Err(format!(
                "templated policy {:?} requires the variable Name",
                t.template_name
            ))
        }
        "builtin/service" => service_rules(name),
        "builtin/node" => node_rules(name),
        "builtin/dns" => r#"node_prefix "" { policy = "read" }
service_prefix "" { policy = "read" }
query_prefix "" { policy = "read" }"#
            .to_string(),
        other => return Err(format!("no such ACL templated policy with name {other:?}")),
    };
    Ok(applies(&t.datacenters, dc).then_some(rules))
}

/// The rules of a template, shown with `<name>` where its variable goes (the templated
/// policy endpoints' `Template`).
pub fn template_text(name: &str) -> Option<String> {
    let (_, _, takes_name) = TEMPLATES.iter().find(|(n, _, _)| *n == name)?;
    let t = TemplatedPolicy {
        template_name: name.into(),
        template_variables: takes_name.then(|| crate::api::acl::TemplateVariables {
            name: "{{.Name}}".into(),
        }),
        datacenters: Vec::new(),
    };
    templated_rules(&t, "").ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::super::authorizer::Authorizer;
    use super::super::rules::{parse, Access, Resource, Scope};
    use super::*;

    #[test]
    fn global_management_grants_everything() {
        let rules = parse(GLOBAL_MANAGEMENT_RULES).unwrap();
        let a = Authorizer::new(&[&rules], false);
        for r in Resource::ALL {
            assert!(a.allows(r, "anything", Access::Write), "{r:?}");
        }
        for s in Scope::ALL {
            assert!(a.allows_scope(s, Access::Write), "{s:?}");
        }
        assert!(a.is_management());
        assert!(a.allows_key_write_prefix(""));
    }

    #[test]
    fn identities_parse_and_scope_by_datacenter() {
        let svc = ServiceIdentity {
            service_name: "web".into(),
            datacenters: vec!["dc2".into()],
        };
        assert!(service_identity_rules(&svc, "dc1").is_none());
        let rules = parse(&service_identity_rules(&svc, "dc2").unwrap()).unwrap();
        let a = Authorizer::new(&[&rules], false);
        assert!(a.allows(Resource::Service, "web", Access::Write));
        assert!(a.allows(Resource::Service, "web-sidecar-proxy", Access::Write));
        assert!(!a.allows(Resource::Service, "db", Access::Write));
        assert!(a.allows(Resource::Node, "n1", Access::Read));
        let node = NodeIdentity {
            node_name: "n1".into(),
            datacenter: "dc1".into(),
        };
        let rules = parse(&node_identity_rules(&node, "dc1").unwrap()).unwrap();
        let a = Authorizer::new(&[&rules], false);
        assert!(a.allows(Resource::Node, "n1", Access::Write));
        assert!(!a.allows(Resource::Node, "n2", Access::Read));
        for (name, _, _) in TEMPLATES {
            assert!(parse(&template_text(name).unwrap()).is_ok(), "{name}");
        }
        let bad = TemplatedPolicy {
            template_name: "builtin/nope".into(),
            ..TemplatedPolicy::default()
        };
        assert!(templated_rules(&bad, "dc1").is_err());
    }
}
