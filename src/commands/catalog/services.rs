//! `sd catalog services`: the services of a datacenter (`/v1/catalog/services`) or of one node
//! (`-node`, from `/v1/catalog/node/:node`), one name per line, sorted; `-tags` adds each
//! service's tags in a second column laid out like Consul's tabwriter.

use std::collections::BTreeMap;
use std::process::ExitCode;

use clap::{ArgMatches, Command};

use crate::api::catalog::CatalogNode;
use crate::cli::output;
use crate::client::block_on;
use crate::commands::CmdResult;
use crate::goflag::{flag, get_flag, get_str, key_values, opt};

pub fn cli() -> Command {
    Command::new("services")
        .about("List the services in the catalog")
        .long_about(
            "Prints the name of every service registered in the datacenter, one per line, in \
             alphabetical order. -node lists only the services of that node; -node-meta only \
             services running on nodes with the given metadata. When nothing matches, says so \
             on stderr and exits 0.",
        )
        .arg(opt(
            "node",
            "ID_OR_NAME",
            "Only list the services registered on this node.",
        ))
        .arg(key_values(
            "node-meta",
            "Only list services running on nodes with this metadata pair. Repeat to require \
             several.",
        ))
        .arg(flag(
            "tags",
            "Print each service's tags, comma-separated, beside its name.",
        ))
        .args(super::common_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let client = super::connect(m)?;
    let q = super::query_options(m);
    let catalog = client.catalog();
    let answer = match get_str(m, "node").filter(|n| !n.is_empty()) {
        Some(node) => block_on(catalog.node(node, &q))
            .map(|(found, _)| found.map(services_of).unwrap_or_default())
            .map_err(|e| format!("Error listing services for node: {e}")),
        None => block_on(catalog.services(&q))
            .map(|(services, _)| services)
            .map_err(|e| format!("Error listing services: {e}")),
    };
    let services = super::found(answer, BTreeMap::is_empty, "services")?;
    if get_flag(m, "tags") {
        output::println(&with_tags(services));
    } else {
        for name in services.keys() {
            output::println(name);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Service name -> the tags of all its instances on the node.
fn services_of(node: CatalogNode) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for s in node.services.into_values() {
        out.entry(s.service).or_default().extend(s.tags);
    }
    out
}

/// `name<tab>tag,tag` lines through Go's tabwriter (min width 0, padding 6), surrounding
/// whitespace trimmed as Consul does: a tagless service keeps its padding unless it is last.
fn with_tags(services: BTreeMap<String, Vec<String>>) -> String {
    let mut text = String::new();
    for (name, mut tags) in services {
        tags.sort();
        text.push_str(&format!("{name}\t{}\n", tags.join(",")));
    }
    String::from_utf8_lossy(&output::go_tabwriter(text.as_bytes(), 0, 6))
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::catalog::AgentService;

    fn map(entries: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.iter().map(|t| t.to_string()).collect()))
            .collect()
    }

    #[test]
    fn tags_column_like_consul() {
        let services = map(&[
            ("consul", &[]),
            ("redis", &["v2", "primary"]),
            ("web", &["v1"]),
            ("zz", &[]),
        ]);
        assert_eq!(
            with_tags(services),
            "consul      \nredis       primary,v2\nweb         v1\nzz"
        );
    }

    #[test]
    fn node_services_group_by_name() {
        let svc = |id: &str, name: &str, tags: &[&str]| AgentService {
            id: id.into(),
            service: name.into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            ..Default::default()
        };
        let node = CatalogNode {
            services: [
                ("web-1".to_string(), svc("web-1", "web", &["b"])),
                ("web-2".to_string(), svc("web-2", "web", &["a", "b"])),
                ("db".to_string(), svc("db", "db", &[])),
            ]
            .into(),
            ..Default::default()
        };
        let grouped = services_of(node);
        assert_eq!(grouped, map(&[("db", &[]), ("web", &["b", "a", "b"])]));
        assert_eq!(with_tags(grouped), "db       \nweb      a,b,b");
    }
}
