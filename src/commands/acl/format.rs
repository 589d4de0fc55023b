//! How `sd acl` prints tokens, policies and roles: Consul's `pretty` layout (labels padded
//! to one column, links as `ID - name`) or `-format=json`.

use std::fmt::Write;

use crate::api::acl::{
    AclPolicy, AclPolicyListEntry, AclRole, AclToken, AclTokenListEntry, Link, NodeIdentity,
    ServiceIdentity, TemplatedPolicy,
};
use crate::commands::CliError;

/// `-format`: `pretty` (the default) or `json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pretty,
    Json,
}

impl Format {
    pub fn parse(text: Option<&str>) -> Result<Format, CliError> {
        match text.unwrap_or("pretty") {
            "pretty" => Ok(Format::Pretty),
            "json" => Ok(Format::Json),
            other => Err(CliError::failure(format!(
                "Invalid format: {other:?}: must be \"pretty\" or \"json\""
            ))),
        }
    }
}

/// JSON as Consul's CLI prints it (indented by four spaces).
pub fn json<T: serde::Serialize>(value: &T) -> String {
    crate::cli::output::indented_json(value, 4)
}

/// Go's `time.Time` text for an RFC 3339 time (`2026-12-05 02:49:38.320683219 +0000 UTC`).
fn go_time(rfc3339: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(rfc3339) {
        Ok(t) => t
            .with_timezone(&chrono::Utc)
            .format("%Y-%m-%d %H:%M:%S%.f +0000 UTC")
            .to_string(),
        Err(_) => rfc3339.to_string(),
    }
}

fn links(out: &mut String, title: &str, links: &[Link], indent: &str) {
    if links.is_empty() {
        return;
    }
    let _ = writeln!(out, "{indent}{title}:");
    for l in links {
        let _ = writeln!(out, "{indent}   {} - {}", l.id, l.name);
    }
}

fn identities(
    out: &mut String,
    services: &[ServiceIdentity],
    nodes: &[NodeIdentity],
    templated: &[TemplatedPolicy],
    indent: &str,
) {
    if !services.is_empty() {
        let _ = writeln!(out, "{indent}Service Identities:");
        for s in services {
            let dcs = if s.datacenters.is_empty() {
                "all".to_string()
            } else {
                s.datacenters.join(", ")
            };
            let _ = writeln!(out, "{indent}   {} (Datacenters: {dcs})", s.service_name);
        }
    }
    if !nodes.is_empty() {
        let _ = writeln!(out, "{indent}Node Identities:");
        for n in nodes {
            let _ = writeln!(
                out,
                "{indent}   {} (Datacenter: {})",
                n.node_name, n.datacenter
            );
        }
    }
    if !templated.is_empty() {
        let _ = writeln!(out, "{indent}Templated Policies:");
        for t in templated {
            let _ = writeln!(out, "{indent}   {}", t.template_name);
            if let Some(v) = &t.template_variables {
                let _ = writeln!(out, "{indent}      Name: {}", v.name);
            }
            let dcs = if t.datacenters.is_empty() {
                "all".to_string()
            } else {
                t.datacenters.join(", ")
            };
            let _ = writeln!(out, "{indent}      Datacenters: {dcs}");
        }
    }
}

/// One token.
pub fn token(t: &AclToken) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "AccessorID:       {}", t.accessor_id);
    let _ = writeln!(out, "SecretID:         {}", t.secret_id);
    let _ = writeln!(out, "Description:      {}", t.description);
    let _ = writeln!(out, "Local:            {}", t.local);
    if !t.auth_method.is_empty() {
        let _ = writeln!(out, "Auth Method:      {}", t.auth_method);
    }
    let _ = writeln!(out, "Create Time:      {}", go_time(&t.create_time));
    if let Some(at) = &t.expiration_time {
        let _ = writeln!(out, "Expiration Time:  {}", go_time(at));
    }
    links(&mut out, "Policies", &t.policies, "");
    links(&mut out, "Roles", &t.roles, "");
    identities(
        &mut out,
        &t.service_identities,
        &t.node_identities,
        &t.templated_policies,
        "",
    );
    out
}

/// One entry of `acl token list`.
pub fn token_entry(t: &AclTokenListEntry) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "AccessorID:       {}", t.accessor_id);
    let _ = writeln!(out, "SecretID:         {}", t.secret_id);
    let _ = writeln!(out, "Description:      {}", t.description);
    let _ = writeln!(out, "Local:            {}", t.local);
    let _ = writeln!(out, "Create Time:      {}", go_time(&t.create_time));
    if let Some(at) = &t.expiration_time {
        let _ = writeln!(out, "Expiration Time:  {}", go_time(at));
    }
    let _ = writeln!(out, "Legacy:           {}", t.legacy);
    links(&mut out, "Policies", &t.policies, "");
    links(&mut out, "Roles", &t.roles, "");
    identities(
        &mut out,
        &t.service_identities,
        &t.node_identities,
        &t.templated_policies,
        "",
    );
    out
}

/// One policy, with its rules.
pub fn policy(p: &AclPolicy) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "ID:           {}", p.id);
    let _ = writeln!(out, "Name:         {}", p.name);
    let _ = writeln!(out, "Description:  {}", p.description);
    let _ = writeln!(out, "Datacenters:  {}", p.datacenters.join(", "));
    let _ = writeln!(out, "Rules:\n{}", p.rules);
    out
}

/// One entry of `acl policy list`.
pub fn policy_entry(p: &AclPolicyListEntry) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}:", p.name);
    let _ = writeln!(out, "   ID:           {}", p.id);
    let _ = writeln!(out, "   Description:  {}", p.description);
    let _ = writeln!(out, "   Datacenters:  {}", p.datacenters.join(", "));
    out
}

/// One role (`indent` for list entries).
pub fn role(r: &AclRole, listed: bool) -> String {
    let mut out = String::new();
    let indent = if listed { "   " } else { "" };
    if listed {
        let _ = writeln!(out, "{}:", r.name);
    }
    let _ = writeln!(out, "{indent}ID:           {}", r.id);
    if !listed {
        let _ = writeln!(out, "Name:         {}", r.name);
    }
    let _ = writeln!(out, "{indent}Description:  {}", r.description);
    links(&mut out, "Policies", &r.policies, indent);
    identities(
        &mut out,
        &r.service_identities,
        &r.node_identities,
        &r.templated_policies,
        indent,
    );
    out
}
