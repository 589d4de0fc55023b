//! `sd catalog nodes`: the nodes of a datacenter (`/v1/catalog/nodes`), or those providing one
//! service (`-service`, from `/v1/catalog/service/:name`), in `consul catalog nodes`' columns.

use std::process::ExitCode;

use clap::{ArgMatches, Command};

use crate::api::catalog::{CatalogService, Meta, Node};
use crate::cli::output;
use crate::client::{block_on, QueryOptions};
use crate::commands::CmdResult;
use crate::goflag::{flag, get_flag, get_str, key_values, opt};

pub fn cli() -> Command {
    Command::new("nodes")
        .about("List the nodes in the catalog")
        .long_about(
            "Prints one row per node registered in the datacenter: name, the first group of \
             its ID, address and datacenter. -service lists only the nodes providing that \
             service (one row per instance); -node-meta only those with the given metadata. \
             When nothing matches, says so on stderr and exits 0.",
        )
        .arg(flag(
            "detailed",
            "Print the full node ID and add the node's tagged addresses and metadata.",
        ))
        .arg(opt(
            "near",
            "NODE",
            "Sort the nodes by estimated round-trip time from this node, nearest first; \
             \"_agent\" means the agent's own node.",
        ))
        .arg(key_values(
            "node-meta",
            "Only list nodes with this metadata pair. Repeat to require several.",
        ))
        .arg(opt(
            "service",
            "ID_OR_NAME",
            "Only list the nodes that provide this service.",
        ))
        .arg(opt(
            "filter",
            "EXPR",
            "Filter expression the agent applies to the list before returning it.",
        ))
        .args(super::common_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let client = super::connect(m)?;
    let q = QueryOptions {
        near: get_str(m, "near").map(str::to_string),
        filter: get_str(m, "filter").map(str::to_string),
        ..super::query_options(m)
    };
    let catalog = client.catalog();
    let answer = match get_str(m, "service").filter(|s| !s.is_empty()) {
        Some(service) => block_on(catalog.service(service, None, &q))
            .map(|(instances, _)| instances.iter().map(node_of).collect())
            .map_err(|e| format!("Error listing nodes for service: {e}")),
        None => block_on(catalog.nodes(&q))
            .map(|(nodes, _)| nodes)
            .map_err(|e| format!("Error listing nodes: {e}")),
    };
    let nodes = super::found(answer, Vec::is_empty, "nodes")?;
    output::write_raw(output::columnize(&rows(&nodes, get_flag(m, "detailed"))).as_bytes());
    Ok(ExitCode::SUCCESS)
}

/// The node an instance runs on.
fn node_of(s: &CatalogService) -> Node {
    Node {
        id: s.id.clone(),
        node: s.node.clone(),
        address: s.address.clone(),
        datacenter: s.datacenter.clone(),
        tagged_addresses: s.tagged_addresses.clone(),
        meta: s.node_meta.clone(),
        create_index: s.create_index,
        modify_index: s.modify_index,
    }
}

/// `k=v, k=v`, sorted by key.
fn pairs(map: &Meta) -> String {
    map.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn rows(nodes: &[Node], detailed: bool) -> Vec<Vec<String>> {
    let mut header = vec!["Node", "ID", "Address", "DC"];
    if detailed {
        header.extend(["TaggedAddresses", "Meta"]);
    }
    let mut rows = vec![header.into_iter().map(String::from).collect()];
    for n in nodes {
        let mut row = vec![
            n.node.clone(),
            n.id.clone(),
            n.address.clone(),
            n.datacenter.clone(),
        ];
        if detailed {
            row.extend([pairs(&n.tagged_addresses), pairs(&n.meta)]);
        } else if let Some(i) = n.id.find('-').filter(|&i| i > 0) {
            row[1].truncate(i);
        }
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str, id: &str, meta: &[(&str, &str)]) -> Node {
        Node {
            id: id.into(),
            node: name.into(),
            address: "10.0.0.1".into(),
            datacenter: "dc1".into(),
            tagged_addresses: [("lan".to_string(), "10.0.0.1".to_string())].into(),
            meta: meta
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn table_like_consul() {
        let nodes = [
            node("server-1", "40e4a748-2192-161a-0510-9bf59fe950b5", &[]),
            node("n2", "", &[("rack", "a"), ("os", "linux")]),
            node("odd", "-abc", &[]),
        ];
        assert_eq!(
            output::columnize(&rows(&nodes, false)),
            "Node      ID        Address   DC\n\
             server-1  40e4a748  10.0.0.1  dc1\n\
             n2                  10.0.0.1  dc1\n\
             odd       -abc      10.0.0.1  dc1\n"
        );
        assert_eq!(
            output::columnize(&rows(&nodes[..2], true)),
            "Node      ID                                    Address   DC   TaggedAddresses  Meta\n\
             server-1  40e4a748-2192-161a-0510-9bf59fe950b5  10.0.0.1  dc1  lan=10.0.0.1\n\
             n2                                              10.0.0.1  dc1  lan=10.0.0.1     os=linux, rack=a\n"
        );
    }

    #[test]
    fn instances_become_their_nodes() {
        let s = CatalogService {
            id: "i".into(),
            node: "n".into(),
            address: "a".into(),
            datacenter: "dc".into(),
            node_meta: [("k".to_string(), "v".to_string())].into(),
            service_name: "web".into(),
            create_index: 4,
            ..Default::default()
        };
        let n = node_of(&s);
        assert_eq!((n.node.as_str(), n.meta["k"].as_str()), ("n", "v"));
        assert_eq!((n.id.as_str(), n.create_index), ("i", 4));
    }
}
