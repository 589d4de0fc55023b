//! `?near=` on catalog and health lists: the answer sorted by estimated round trip from a node
//! (`_agent`: the node of the agent the request first reached), nearest first, nodes without a
//! coordinate last. A node without a coordinate of its own leaves the order alone, as in Consul.

use axum::Extension;

use super::forward::origin_node_of;
use super::params::Params;
use crate::agent::rpc::OriginNode;
use crate::agent::state::Tables;
use crate::agent::Agent;

/// The node a list is sorted from, if any.
pub struct Near(Option<String>);

impl Near {
    pub fn parse(agent: &Agent, p: &Params, origin: Option<Extension<OriginNode>>) -> Near {
        Near(match p.get("near") {
            None | Some("") => None,
            Some("_agent") => Some(origin_node_of(agent, origin.as_ref().map(|e| &e.0))),
            Some(node) => Some(node.to_string()),
        })
    }

    /// `endpoint` told apart by the node it sorts from (`_agent` differs per origin), for the
    /// shared answers.
    pub fn endpoint(&self, endpoint: &str) -> String {
        match &self.0 {
            Some(node) => format!("{endpoint}\0near\0{node}"),
            None => endpoint.to_string(),
        }
    }

    pub fn sort<T>(&self, t: &Tables, items: &mut [T], node_of: impl Fn(&T) -> &str) {
        if let Some(source) = &self.0 {
            t.coordinates.sort_by_distance(source, items, node_of);
        }
    }
}
