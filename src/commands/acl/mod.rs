//! `sd acl`: Consul's ACL commands: `bootstrap`, `token`, `policy`, `role`, `auth-method` and
//! `binding-rule` (create, read, update, delete, list; `token clone`), `set-agent-token`. Each talks to the agent's
//! `/v1/acl/*` endpoints with the HTTP flags' token and prints Consul's layout (`format`).

mod auth_method;
mod bootstrap;
mod format;
mod policy;
mod role;
mod templated;
mod token;

use clap::{Arg, ArgMatches, Command};

use crate::api::acl::{Link, NodeIdentity, ServiceIdentity, TemplateVariables, TemplatedPolicy};
use crate::cli::http_flags;
use crate::commands::{CliError, CmdResult};
use crate::goflag::{get_all, multi, opt};

pub fn cli() -> Command {
    Command::new("acl")
        .about("Interact with Consul's ACLs")
        .long_about(
            "Creates and manages the ACL system: bootstrap it once, then write policies (rules \
             in HCL or JSON), roles that bundle them, and tokens that carry them. Every \
             subcommand needs a token with the acl permission it exercises (-token or \
             CONSUL_HTTP_TOKEN).",
        )
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(bootstrap::cli())
        .subcommand(token::cli())
        .subcommand(policy::cli())
        .subcommand(role::cli())
        .subcommand(auth_method::method_cli())
        .subcommand(auth_method::rule_cli())
        .subcommand(templated::cli())
        .subcommand(bootstrap::set_agent_token_cli())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    match m.subcommand() {
        Some(("bootstrap", m)) => bootstrap::exec(m),
        Some(("set-agent-token", m)) => bootstrap::set_agent_token(m),
        Some(("token", m)) => token::exec(m),
        Some(("policy", m)) => policy::exec(m),
        Some(("role", m)) => role::exec(m),
        Some(("auth-method", m)) => auth_method::exec_method(m),
        Some(("binding-rule", m)) => auth_method::exec_rule(m),
        Some(("templated-policy", m)) => templated::exec(m),
        _ => unreachable!("clap requires an acl subcommand"),
    }
}

/// A leaf subcommand with the HTTP flags and `-format`.
fn leaf(name: &'static str, about: &'static str) -> Command {
    Command::new(name)
        .about(about)
        .arg(opt(
            "format",
            "FORMAT",
            "Output format: \"pretty\" (the default) or \"json\".",
        ))
        .arg(crate::commands::stray_args())
        .args(http_flags::http_args())
        .args(http_flags::server_args())
}

/// The flags that link policies, roles and identities to a token or role.
fn link_args(roles: bool) -> Vec<Arg> {
    let mut args = vec![
        multi("policy-id", "ID", "ID of a policy to use. May be given more than once."),
        multi("policy-name", "NAME", "Name of a policy to use. May be given more than once."),
        multi(
            "service-identity",
            "NAME[:DC,...]",
            "A service identity: the service name, optionally followed by a colon and the datacenters it is valid in. May be given more than once.",
        ),
        multi(
            "node-identity",
            "NAME:DC",
            "A node identity: the node name and its datacenter, separated by a colon. May be given more than once.",
        ),
        multi(
            "templated-policy",
            "NAME",
            "A templated policy (builtin/service, builtin/node, builtin/dns). May be given more than once.",
        ),
        multi(
            "var",
            "name:VALUE",
            "A variable of the templated policy (name:VALUE).",
        ),
    ];
    if roles {
        args.push(multi(
            "role-id",
            "ID",
            "ID of a role to use. May be given more than once.",
        ));
        args.push(multi(
            "role-name",
            "NAME",
            "Name of a role to use. May be given more than once.",
        ));
    }
    args
}

/// What the link flags asked for.
#[derive(Debug, Default)]
struct Links {
    policies: Vec<Link>,
    roles: Vec<Link>,
    services: Vec<ServiceIdentity>,
    nodes: Vec<NodeIdentity>,
    templated: Vec<TemplatedPolicy>,
}

impl Links {
    fn read(m: &ArgMatches, roles: bool) -> Result<Links, CliError> {
        let by = |flag: &str, id: bool| -> Vec<Link> {
            get_all(m, flag)
                .into_iter()
                .map(|v| match id {
                    true => Link {
                        id: v,
                        name: String::new(),
                    },
                    false => Link {
                        id: String::new(),
                        name: v,
                    },
                })
                .collect()
        };
        let mut links = Links {
            policies: [by("policy-id", true), by("policy-name", false)].concat(),
            ..Links::default()
        };
        if roles {
            links.roles = [by("role-id", true), by("role-name", false)].concat();
        }
        for s in get_all(m, "service-identity") {
            let (name, dcs) = s.split_once(':').unwrap_or((&s, ""));
            if name.is_empty() {
                return Err(CliError::failure(format!(
                    "Error parsing service identities: Service identity {s:?} must name a service"
                )));
            }
            links.services.push(ServiceIdentity {
                service_name: name.into(),
                datacenters: dcs
                    .split(',')
                    .filter(|d| !d.is_empty())
                    .map(String::from)
                    .collect(),
            });
        }
        for n in get_all(m, "node-identity") {
            let Some((name, dc)) = n
                .split_once(':')
                .filter(|(a, b)| !a.is_empty() && !b.is_empty())
            else {
                return Err(CliError::failure(format!(
                    "Error parsing node identities: Node identity {n:?} must be in the form NODE:DATACENTER"
                )));
            };
            links.nodes.push(NodeIdentity {
                node_name: name.into(),
                datacenter: dc.into(),
            });
        }
        let name_var = get_all(m, "var")
            .into_iter()
            .find_map(|v| v.strip_prefix("name:").map(String::from));
        for t in get_all(m, "templated-policy") {
            links.templated.push(TemplatedPolicy {
                template_name: t,
                template_variables: name_var.clone().map(|name| TemplateVariables { name }),
                datacenters: Vec::new(),
            });
        }
        Ok(links)
    }

    fn is_empty(&self) -> bool {
        self.policies.is_empty()
            && self.roles.is_empty()
            && self.services.is_empty()
            && self.nodes.is_empty()
            && self.templated.is_empty()
    }
}

/// `-id` or `-name` (exactly one), for `policy` and `role` reads, updates and deletes.
fn id_or_name<'a>(m: &'a ArgMatches, what: &str) -> Result<(&'a str, bool), CliError> {
    let id = crate::goflag::get_str(m, "id").filter(|s| !s.is_empty());
    let name = crate::goflag::get_str(m, "name").filter(|s| !s.is_empty());
    match (id, name) {
        (Some(id), _) => Ok((id, false)),
        (None, Some(name)) => Ok((name, true)),
        (None, None) => Err(CliError::failure(format!(
            "Must specify either the {what} ID or name"
        ))),
    }
}
