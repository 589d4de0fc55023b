//! One blocking read per watch type, through `client`: the view as JSON (what handlers get)
//! and the index to block on next.

use super::params::Kind;
use crate::client::{Client, ClientError, QueryOptions};

/// Reads the view `kind` names, blocking past `q.index`. For `event` watches, only events
/// newer than the one whose index is `q.index` are returned, as Consul's watch does.
pub async fn fetch(
    client: &Client,
    kind: &Kind,
    q: &QueryOptions,
) -> Result<(u64, View), ClientError> {
    let (index, value) = match kind {
        Kind::Key(key) => {
            let (pair, meta) = client.kv().get(key, q).await?;
            (meta.last_index, json(&pair))
        }
        Kind::KeyPrefix(prefix) => {
            let (pairs, meta) = client.kv().list(prefix, q).await?;
            (meta.last_index, json(&pairs))
        }
        Kind::Services => {
            let (services, meta) = client.catalog().services(q).await?;
            (meta.last_index, json(&services))
        }
        Kind::Nodes => {
            let (nodes, meta) = client.catalog().nodes(q).await?;
            (meta.last_index, json(&nodes))
        }
        Kind::Service {
            name,
            tags,
            passing_only,
        } => {
            // One tag is the server's filter; more are all required, checked here.
            let (mut entries, meta) = client
                .health()
                .service(name, tags.first().map(String::as_str), *passing_only, q)
                .await?;
            entries.retain(|e| tags.iter().all(|t| e.service.tags.contains(t)));
            (meta.last_index, json(&entries))
        }
        Kind::Checks { service, state } => {
            let (checks, meta) = match (service, state) {
                (Some(s), _) => client.health().checks(s, q).await?,
                (None, s) => {
                    client
                        .health()
                        .state(s.as_deref().unwrap_or("any"), q)
                        .await?
                }
            };
            (meta.last_index, json(&checks))
        }
        Kind::Event(name) => {
            let (mut events, meta) = client.event().list(name, q).await?;
            if let Some(seen) = events
                .iter()
                .position(|e| crate::api::event::index_of(&e.id) == q.index)
            {
                events.drain(..=seen);
            }
            (meta.last_index, json(&events))
        }
    };
    Ok((index, value))
}

/// A view of the cluster as JSON, the way Consul's watches write it: compact (what handlers
/// get and what changes are judged by) and indented by four spaces (what `sd watch` prints),
/// fields in the wire types' order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    pub json: String,
    pub pretty: String,
}

fn json<T: serde::Serialize>(v: &T) -> View {
    let mut pretty = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(
        &mut pretty,
        serde_json::ser::PrettyFormatter::with_indent(b"    "),
    );
    // Serialising plain wire types cannot fail.
    let _ = v.serialize(&mut ser);
    View {
        json: serde_json::to_string(v).unwrap_or_default(),
        pretty: String::from_utf8(pretty).unwrap_or_default(),
    }
}
