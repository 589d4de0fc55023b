//! The web UI under `ui_config.content_path` (default `/ui/`): the files in the repository's
//! `ui/` directory, embedded at build time, or a user's own build from `ui_config.dir`.
//!
//! Every path under the content path that is not a file gets `index.html` (the UI routes
//! itself: `/ui/dc1/services/web` is a bookmark), except under `assets/`, where a missing file
//! is a 404. `index.html` is rendered once at start with the content path (`<base href>`) and
//! the agent's settings (a `<meta>` the UI reads; no inline script).
//!
//! Must not import: `agent::raft`, `agent::state` (checked by tests/architecture.rs).

mod assets;
mod dir;
mod respond;

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::Agent;
use respond::File;

/// The UI this agent serves, built once at start.
pub struct Ui {
    source: Source,
    /// `index.html` rendered for this agent.
    index: File,
}

enum Source {
    Embedded,
    Dir(std::path::PathBuf),
}

/// The placeholders `index.html` may hold (in the embedded UI and in a user's own).
const CONTENT_PATH: &str = "%SD_CONTENT_PATH%";
const SETTINGS: &str = "%SD_UI_SETTINGS%";

impl Ui {
    /// The embedded UI, or the one in `ui_config.dir` (its `index.html` must exist).
    pub fn new(agent: &Agent) -> Result<Ui, std::io::Error> {
        let config = &agent.config;
        let (source, template) = match &config.ui_dir {
            None => {
                let index = assets::find("index.html").ok_or_else(|| {
                    std::io::Error::other("the embedded UI has no index.html (build error)")
                })?;
                (Source::Embedded, index.body.to_vec())
            }
            Some(d) => {
                // Resolved once: every request is checked against this path.
                let d = std::fs::canonicalize(d).map_err(|e| {
                    std::io::Error::new(
                        e.kind(),
                        format!("ui_config.dir: cannot open {}: {e}", d.display()),
                    )
                })?;
                let index = d.join("index.html");
                let body = std::fs::read(&index).map_err(|e| {
                    std::io::Error::new(
                        e.kind(),
                        format!("ui_config.dir: cannot read {}: {e}", index.display()),
                    )
                })?;
                (Source::Dir(d), body)
            }
        };
        let settings = serde_json::json!({
            "ContentPath": config.ui_content_path,
            "Datacenter": config.datacenter,
            "NodeName": config.node_name,
            "Version": agent.version,
        });
        let rendered = String::from_utf8_lossy(&template)
            .replace(CONTENT_PATH, &attribute(&config.ui_content_path))
            .replace(SETTINGS, &attribute(&settings.to_string()));
        Ok(Ui {
            source,
            index: File::new("index.html", rendered.into_bytes(), None),
        })
    }

    fn is_embedded(&self) -> bool {
        matches!(self.source, Source::Embedded)
    }
}

/// The UI's routes under `content_path` (which starts and ends with `/`); the agent holds the
/// UI (`Agent::ui`). One handler serves every path, so the routes share its code.
pub fn routes(content_path: &str) -> Router<Arc<Agent>> {
    let bare = content_path.trim_end_matches('/');
    let mut router = Router::new();
    if !bare.is_empty() {
        router = router.route(bare, get(to_content_path));
    }
    router
        .route(content_path, get(page))
        .route(&format!("{content_path}{{*path}}"), get(page))
}

async fn to_content_path(State(agent): State<Arc<Agent>>) -> Response {
    respond::redirect(&agent.config.ui_content_path)
}

async fn page(
    State(agent): State<Arc<Agent>>,
    path: Option<Path<String>>,
    headers: HeaderMap,
) -> Response {
    let path = path.map(|Path(p)| p).unwrap_or_default();
    match &agent.ui {
        Some(ui) => serve(ui, &path, &headers).await,
        None => (StatusCode::NOT_FOUND, "404 page not found").into_response(),
    }
}

async fn serve(ui: &Ui, path: &str, headers: &HeaderMap) -> Response {
    let csp = ui.is_embedded();
    let file = match &ui.source {
        Source::Embedded => assets::find(path).map(File::embedded),
        Source::Dir(d) => match dir::read(d, path).await {
            Ok(found) => found,
            Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
        },
    };
    match file {
        Some(f) if path != "index.html" => f.respond(headers, csp),
        // A UI at `/` must not answer for API paths that do not exist.
        _ if path.starts_with("assets/") || path.starts_with("v1/") => {
            (StatusCode::NOT_FOUND, "404 page not found").into_response()
        }
        _ => ui.index.respond(headers, csp),
    }
}

/// Escapes text for a double-quoted HTML attribute.
fn attribute(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn attributes_are_escaped() {
        assert_eq!(
            super::attribute(r#"{"a":"<b>&'"}"#),
            "{&quot;a&quot;:&quot;&lt;b&gt;&amp;&#39;&quot;}"
        );
    }

    #[test]
    fn the_embedded_index_holds_both_placeholders() {
        let index = super::assets::find("index.html").expect("embedded");
        let text = std::str::from_utf8(index.body).unwrap();
        assert!(text.contains(super::CONTENT_PATH) && text.contains(super::SETTINGS));
    }
}
