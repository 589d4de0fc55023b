//! What tokens and roles link to: policies and roles named by ID or name resolved to both
//! (`No such ACL policy with name "x"`), identities and templated policies checked, and links
//! shown with current names, dangling ones (deleted since) left out.

use super::HttpError;
use crate::agent::acl::builtin;
use crate::agent::state::acl::AclTable;
use crate::api::acl::{Link, NodeIdentity, ServiceIdentity, TemplatedPolicy};

/// Resolves policy links by ID, else by name; each once.
pub fn policies(acl: &AclTable, links: &[Link]) -> Result<Vec<Link>, HttpError> {
    resolve(
        links,
        "policy",
        |id| acl.policy(id).map(|p| p.name.clone()),
        |name| acl.policy_by_name(name).map(|p| p.id.clone()),
    )
}

/// Resolves role links by ID, else by name; each once.
pub fn roles(acl: &AclTable, links: &[Link]) -> Result<Vec<Link>, HttpError> {
    resolve(
        links,
        "role",
        |id| acl.role(id).map(|r| r.name.clone()),
        |name| acl.role_by_name(name).map(|r| r.id.clone()),
    )
}

fn resolve(
    links: &[Link],
    what: &str,
    name_of: impl Fn(&str) -> Option<String>,
    id_of: impl Fn(&str) -> Option<String>,
) -> Result<Vec<Link>, HttpError> {
    let mut out: Vec<Link> = Vec::new();
    for link in links {
        let resolved = if !link.id.is_empty() {
            let name = name_of(&link.id).ok_or_else(|| {
                HttpError::bad_request(format!("No such ACL {what} with ID {:?}", link.id))
            })?;
            Link {
                id: link.id.clone(),
                name,
            }
        } else if !link.name.is_empty() {
            let id = id_of(&link.name).ok_or_else(|| {
                HttpError::bad_request(format!("No such ACL {what} with name {:?}", link.name))
            })?;
            Link {
                id,
                name: link.name.clone(),
            }
        } else {
            return Err(HttpError::bad_request(format!(
                "Invalid {what} link: neither an ID nor a Name is set"
            )));
        };
        if !out.iter().any(|l| l.id == resolved.id) {
            out.push(resolved);
        }
    }
    Ok(out)
}

/// Links with today's names; those to deleted policies or roles dropped.
pub fn current(links: &[Link], name_of: impl Fn(&str) -> Option<String>) -> Vec<Link> {
    links
        .iter()
        .filter_map(|l| {
            name_of(&l.id).map(|name| Link {
                id: l.id.clone(),
                name,
            })
        })
        .collect()
}

/// Checks service and node identities and templated policies (`what`: "Token" or "Role").
pub fn check_identities(
    what: &str,
    services: &[ServiceIdentity],
    nodes: &[NodeIdentity],
    templated: &[TemplatedPolicy],
) -> Result<(), HttpError> {
    let name_ok = |n: &str| {
        !n.is_empty()
            && n.len() <= 256
            && n.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
            && !n.starts_with(['-', '_'])
            && !n.ends_with(['-', '_'])
    };
    for s in services {
        if s.service_name.is_empty() {
            return Err(HttpError::bad_request(format!(
                "Invalid {what}: Service identity is missing the service name field on this {}",
                what.to_lowercase()
            )));
        }
        if !name_ok(&s.service_name) {
            return Err(HttpError::bad_request(format!(
                "Invalid {what}: Service identity {:?} has an invalid name. Only lowercase alphanumeric characters, '-' and '_' are allowed",
                s.service_name
            )));
        }
    }
    for n in nodes {
        if n.node_name.is_empty() {
            return Err(HttpError::bad_request(format!(
                "Invalid {what}: Node identity is missing the node name field on this {}",
                what.to_lowercase()
            )));
        }
        if n.datacenter.is_empty() {
            return Err(HttpError::bad_request(format!(
                "Invalid {what}: Node identity is missing the datacenter field on this {}",
                what.to_lowercase()
            )));
        }
    }
    for t in templated {
        builtin::templated_rules(t, "")
            .map_err(|e| HttpError::bad_request(format!("Invalid {what}: {e}")))?;
    }
    Ok(())
}
