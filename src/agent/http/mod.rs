//! The HTTP API: Consul's `/v1/...` routes on axum, one file per API area. Handlers read the
//! replicated state directly and write through Raft; they never print and never panic on input.
//! On a follower, `forward` hands what only the leader may answer to the leader (server RPC).

mod acl;
mod acl_filter;
mod acl_guard;
pub mod agent_checks;
mod agent_health;
mod agent_metrics;
pub mod agent_services;
mod agent_token;
mod answers;
mod autopilot;
mod blocking;
mod body;
pub mod catalog;
mod config_entry;
mod connect;
mod coordinate;
mod direct;
mod error;
mod event;
mod forward;
mod health;
mod internal_ui;
mod keyring;
mod kv;
mod layer;
mod membership;
mod monitor;
mod near;
mod operator;
mod params;
mod query;
mod respond;
mod self_info;
mod server;
mod session;
mod snapshot;
mod status;
mod txn;
mod usage;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

pub use agent_token::load_persisted as load_persisted_tokens;
pub use answers::Answers;
pub use error::HttpError;
pub use params::{Consistency, Params, QueryLimits, QueryOptions};
pub use respond::QueryMeta;

use super::Agent;

/// Every route this agent serves, with the web UI when it is on.
pub fn router(agent: Arc<Agent>) -> Router {
    let mut router = Router::new();
    let content_path = agent.config.ui_content_path.as_str();
    // A UI at `/` (content path "/") answers `/` itself.
    if !(agent.ui.is_some() && content_path == "/") {
        router = router.route("/", get(root));
    }
    if agent.ui.is_some() {
        router = router.merge(crate::agent::ui::routes(content_path));
    }
    let router = router
        .merge(status::routes())
        .merge(acl::routes())
        .merge(agent_token::routes())
        .merge(kv::routes())
        .merge(catalog::routes())
        .merge(coordinate::routes())
        .merge(agent_services::routes())
        .merge(agent_checks::routes())
        .merge(agent_health::routes())
        .merge(agent_metrics::routes())
        .merge(health::routes())
        .merge(internal_ui::routes())
        .merge(txn::routes())
        .merge(monitor::routes())
        .merge(query::routes())
        .merge(session::routes())
        .merge(event::routes())
        .merge(snapshot::routes())
        .merge(self_info::routes())
        .merge(membership::routes())
        .merge(operator::routes())
        .merge(autopilot::routes())
        .merge(keyring::routes())
        .merge(usage::routes())
        .merge(config_entry::routes())
        .merge(connect::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        // Bodies are read with explicit, Consul-worded limits in the handlers that take them.
        .layer(DefaultBodyLimit::disable())
        // Timing, forwarding and ACLs, in one layer (`layer.rs`).
        .layer(layer::ApiLayer::new(agent.clone()));
    // `http_config.response_headers` (CORS among them: none unless configured) on every
    // answer, parsed once here (they were checked when the configuration was loaded).
    let headers: axum::http::HeaderMap = agent
        .config
        .http_response_headers
        .iter()
        .filter_map(|(name, value)| {
            Some((
                axum::http::HeaderName::from_bytes(name.as_bytes()).ok()?,
                axum::http::HeaderValue::from_str(value).ok()?,
            ))
        })
        .collect();
    let router = match headers.is_empty() {
        true => router,
        false => router.layer(axum::middleware::from_fn_with_state(
            Arc::new(headers),
            response_headers,
        )),
    };
    router.with_state(agent)
}

/// Adds the configured response headers a handler did not set itself.
async fn response_headers(
    axum::extract::State(headers): axum::extract::State<Arc<axum::http::HeaderMap>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let mut resp = next.run(req).await;
    for (name, value) in headers.iter() {
        if !resp.headers().contains_key(name) {
            resp.headers_mut().insert(name.clone(), value.clone());
        }
    }
    resp
}

/// Binds TCP on every address at `port` (a taken port fails the start; with port 0 they all
/// share the port the kernel chose for the first).
pub async fn bind(
    ips: &[std::net::IpAddr],
    port: u16,
) -> Result<Vec<tokio::net::TcpListener>, std::io::Error> {
    let mut port = port;
    let mut listeners = Vec::with_capacity(ips.len());
    for ip in ips {
        let addr = SocketAddr::new(*ip, port);
        let l = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
            std::io::Error::new(e.kind(), format!("cannot listen for HTTP on {addr}: {e}; another agent may be using it: stop it, or choose another port with -http-port (ports.http) or another address with -client"))
        })?;
        // Port 0: every address gets the port the kernel chose for the first.
        port = l.local_addr()?.port();
        listeners.push(l);
    }
    Ok(listeners)
}

/// Binds every unix socket (`addresses.http = "unix:///path"`), replacing a stale socket file
/// left by an agent that did not stop cleanly (anything else at the path is refused), then
/// applies `unix_sockets`' owner and mode.
pub fn bind_unix(
    paths: &[std::path::PathBuf],
    perms: &crate::config::http_listen::UnixSocketPerms,
) -> Result<Vec<tokio::net::UnixListener>, std::io::Error> {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    let mut listeners = Vec::with_capacity(paths.len());
    for path in paths {
        let shown = path.display();
        match std::fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_socket() => std::fs::remove_file(path).map_err(|e| {
                std::io::Error::new(
                    e.kind(),
                    format!("cannot remove the old socket {shown}: {e}"),
                )
            })?,
            Ok(_) => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    format!(
                    "cannot listen for HTTP on unix://{shown}: the path exists and is not a socket"
                ),
                ))
            }
            Err(_) => {}
        }
        let l = tokio::net::UnixListener::bind(path).map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("cannot listen for HTTP on unix://{shown}: {e}"),
            )
        })?;
        if perms.user.is_some() || perms.group.is_some() {
            std::os::unix::fs::chown(path, perms.user, perms.group).map_err(|e| {
                std::io::Error::new(
                    e.kind(),
                    format!("unix_sockets: cannot set the owner of {shown}: {e}"),
                )
            })?;
        }
        if let Some(mode) = perms.mode {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(|e| {
                std::io::Error::new(
                    e.kind(),
                    format!("unix_sockets: cannot set the mode of {shown}: {e}"),
                )
            })?;
        }
        listeners.push(l);
    }
    Ok(listeners)
}

/// One connection of `serve` (the `http_wire` fuzz target drives it over an in-memory pipe).
pub use server::connection as serve_connection;
/// Serves `router` on one listener until `stop` turns true (`server`: the lean HTTP/1 path,
/// hyper for the rest).
pub use server::serve;

async fn root(axum::extract::State(agent): axum::extract::State<Arc<Agent>>) -> Response {
    if agent.config.ui_enabled {
        (
            StatusCode::MOVED_PERMANENTLY,
            [(
                axum::http::header::LOCATION,
                agent.config.ui_content_path.as_str(),
            )],
        )
            .into_response()
    } else {
        (
            StatusCode::OK,
            "Consul Agent: UI disabled. To enable, set ui_config.enabled=true in the agent configuration and restart.",
        )
            .into_response()
    }
}

async fn method_not_allowed(method: axum::http::Method) -> HttpError {
    HttpError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("method {method} not allowed"),
    )
}

async fn not_found() -> HttpError {
    HttpError::new(StatusCode::NOT_FOUND, "404 page not found")
}
