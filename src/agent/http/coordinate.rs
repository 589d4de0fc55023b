//! `/v1/coordinate/...`: the network coordinates the servers keep. `nodes` and `node/:node`
//! (`?segment=` filters) are blocking reads of the replicated table; `update` hands a
//! coordinate to the leader's next batch; `datacenters` lists each datacenter's servers with
//! their coordinates. With `disable_coordinates` every route answers 401 "Coordinate support
//! disabled", as Consul does.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::Router;

use super::blocking::json_read;
use super::body::read_json;
use super::error::HttpError;
use super::params::Params;
use super::respond;
use crate::agent::state::{Tables, WatchKey};
use crate::agent::Agent;
use crate::api::coordinate::{CoordinateEntry, DatacenterMap};

/// Largest update body accepted.
const MAX_BODY: u64 = 64 * 1024;
/// Key names of an update body, matched in any case.
const FIELD_NAMES: &[&str] = &[
    "Node",
    "Segment",
    "Coord",
    "Vec",
    "Error",
    "Adjustment",
    "Height",
    "Datacenter",
    "Partition",
];

pub fn routes() -> Router<Arc<Agent>> {
    Router::new()
        .route("/v1/coordinate/datacenters", get(datacenters))
        .route("/v1/coordinate/nodes", get(nodes))
        .route("/v1/coordinate/node/{*node}", get(node))
        .route("/v1/coordinate/update", put(update))
}

fn enabled(agent: &Agent) -> Result<(), HttpError> {
    if agent.config.coordinates.disabled {
        return Err(HttpError::new(
            StatusCode::UNAUTHORIZED,
            "Coordinate support disabled",
        ));
    }
    Ok(())
}

/// Keeps the entries of `?segment=`, when given (empty: the default segment).
fn in_segment(p: &Params, mut list: Vec<CoordinateEntry>) -> Vec<CoordinateEntry> {
    if let Some(segment) = p.get("segment") {
        list.retain(|c| c.segment == segment);
    }
    list
}

async fn nodes(
    State(agent): State<Arc<Agent>>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    enabled(&agent)?;
    let p = Params::parse(q.as_deref());
    json_read(&agent, q.as_deref(), WatchKey::Coordinates, |t| {
        (
            Ok(in_segment(&p, t.coordinates.list())),
            t.coordinates.index(),
        )
    })
    .await
}

async fn node(
    State(agent): State<Arc<Agent>>,
    Path(name): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    enabled(&agent)?;
    let p = Params::parse(q.as_deref());
    json_read(&agent, q.as_deref(), WatchKey::Coordinates, |t| {
        let list = in_segment(&p, t.coordinates.node(&name));
        let answer = if list.is_empty() {
            Err(HttpError::new(StatusCode::NOT_FOUND, ""))
        } else {
            Ok(list)
        };
        (answer, t.coordinates.index())
    })
    .await
}

async fn update(
    State(agent): State<Arc<Agent>>,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response, HttpError> {
    enabled(&agent)?;
    let p = Params::parse(q.as_deref());
    agent.check_dc(p.get("dc"))?;
    let entry: CoordinateEntry = read_json(body, MAX_BODY, FIELD_NAMES, &[]).await?;
    agent.accept_coordinate(entry)?;
    Ok(StatusCode::OK.into_response())
}

/// Every datacenter's servers with their WAN coordinates, nearest datacenter first. A server
/// in no WAN pool (`ports.serf_wan` -1) shows its own datacenter, its servers' LAN coordinates
/// standing in; the shape and the `wan` area are Consul's.
async fn datacenters(
    State(agent): State<Arc<Agent>>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    enabled(&agent)?;
    let p = Params::parse(q.as_deref());
    let maps = match &agent.wan {
        Some(wan) => crate::agent::wan::router::coordinate_maps(wan, &agent.config.datacenter),
        None => vec![DatacenterMap {
            datacenter: agent.config.datacenter.clone(),
            area_id: "wan".into(),
            coordinates: server_coordinates(&agent.store.read()),
        }],
    };
    Ok(respond::json(StatusCode::OK, &maps, p.flag("pretty"), None))
}

fn server_coordinates(t: &Tables) -> Vec<CoordinateEntry> {
    let servers: BTreeSet<String> = t
        .catalog
        .instances("consul")
        .into_iter()
        .map(|(node, _)| node.node.clone())
        .collect();
    servers
        .iter()
        .flat_map(|node| t.coordinates.node(node))
        .filter(|c| c.segment.is_empty())
        .collect()
}
