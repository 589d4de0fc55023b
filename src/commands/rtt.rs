//! `sd rtt [-wan] NODE1 [NODE2]`: the round trip between two nodes as their network
//! coordinates estimate it (NODE2 defaults to the agent's node). Consul's output: `Estimated
//! a <-> b rtt: 0.610 ms (using LAN coordinates)`. With `-wan` the names are
//! `NODE.DATACENTER` and the servers' WAN coordinates are used.

use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::api::coordinate::Coordinate;
use crate::cli::{http_flags, output};
use crate::client::{block_on, Client, QueryOptions};
use crate::commands::{CliError, CmdResult};
use crate::goflag::{flag, get_all, get_flag};

pub fn cli() -> Command {
    Command::new("rtt")
        .about("Estimates network round trip time between nodes")
        .long_about(
            "Estimates the round trip time between two nodes from the cluster's network \
             coordinates, which agents build from their gossip probes. At least one node name is \
             required; the second defaults to the agent's own node. Names are node names as \
             `sd members` shows them, not addresses. With -wan the servers' WAN coordinates are \
             used and names are NODE.DATACENTER.",
        )
        .arg(flag(
            "wan",
            "Use WAN coordinates instead of LAN coordinates.",
        ))
        .arg(
            Arg::new("nodes")
                .value_name("NODE")
                .num_args(0..)
                .action(ArgAction::Append),
        )
        .args(http_flags::http_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let mut nodes = get_all(m, "nodes");
    if nodes.is_empty() || nodes.len() > 2 {
        return Err(CliError::failure(format!(
            "One or two node names must be specified\n\n{}",
            cli().render_help()
        )));
    }
    let client = crate::commands::connect(m)?;
    let wan = get_flag(m, "wan");
    if nodes.len() == 1 {
        let me = block_on(client.agent().self_info())
            .map_err(|e| CliError::failure(format!("Unable to look up agent info: {e}")))?;
        nodes.push(match wan {
            true => format!("{}.{}", me.config.node_name, me.config.datacenter),
            false => me.config.node_name,
        });
    }
    let (first, second) = match wan {
        true => wan_coordinates(&client, &nodes)?,
        false => lan_coordinates(&client, &nodes)?,
    };
    let first = first.ok_or_else(|| missing(&nodes[0]))?;
    let second = second.ok_or_else(|| missing(&nodes[1]))?;
    let ms = first.distance_to(&second).as_secs_f64() * 1000.0;
    output::println(&format!(
        "Estimated {} <-> {} rtt: {ms:.3} ms (using {} coordinates)",
        nodes[0],
        nodes[1],
        if wan { "WAN" } else { "LAN" }
    ));
    Ok(ExitCode::SUCCESS)
}

fn missing(node: &str) -> CliError {
    CliError::failure(format!("Could not find a coordinate for node {node:?}"))
}

type Pair = (Option<Coordinate>, Option<Coordinate>);

/// Both nodes' coordinates in the same segment, if they have one in common.
fn lan_coordinates(client: &Client, nodes: &[String]) -> Result<Pair, CliError> {
    let (entries, _) = block_on(client.coordinate().nodes(&QueryOptions::default()))
        .map_err(|e| CliError::failure(format!("Error getting coordinates: {e}")))?;
    let of = |node: &str| {
        entries
            .iter()
            .filter(|e| e.node.eq_ignore_ascii_case(node))
            .collect::<Vec<_>>()
    };
    let (ones, twos) = (of(&nodes[0]), of(&nodes[1]));
    let common = ones.iter().find_map(|a| {
        twos.iter()
            .find(|b| b.segment == a.segment)
            .map(|b| (a.coord.clone(), b.coord.clone()))
    });
    // Coordinates of different segments cannot be compared: then neither counts.
    Ok(common.map_or((None, None), |(a, b)| (Some(a), Some(b))))
}

/// Both servers' WAN coordinates, found in the same area.
fn wan_coordinates(client: &Client, nodes: &[String]) -> Result<Pair, CliError> {
    let (Some((node1, dc1)), Some((node2, dc2))) = (node_and_dc(&nodes[0]), node_and_dc(&nodes[1]))
    else {
        return Err(CliError::failure(
            "Node names must be specified as <node name>.<datacenter> with -wan",
        ));
    };
    let dcs = block_on(client.coordinate().datacenters())
        .map_err(|e| CliError::failure(format!("Error getting coordinates: {e}")))?;
    let find = |dc: &str, node: &str| {
        dcs.iter()
            .filter(|m| m.datacenter == dc)
            .flat_map(|m| {
                m.coordinates
                    .iter()
                    .filter(|e| e.node.eq_ignore_ascii_case(node))
                    .map(|e| (m.area_id.clone(), e.coord.clone()))
            })
            .next()
    };
    // Coordinates of different areas cannot be compared: then neither counts.
    Ok(match (find(dc1, node1), find(dc2, node2)) {
        (Some((area1, a)), Some((area2, b))) if area1 == area2 => (Some(a), Some(b)),
        _ => (None, None),
    })
}

/// `NODE.DATACENTER`, exactly one dot.
fn node_and_dc(name: &str) -> Option<(&str, &str)> {
    name.split_once('.').filter(|(_, dc)| !dc.contains('.'))
}
