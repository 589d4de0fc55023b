//! Keeps `docs/compatibility.md` honest: every route the agent's HTTP API declares (each
//! `.route("/...")` under `src/agent/http/`) must appear in the table, written as Consul writes
//! it (`/v1/query/:id`) between backticks. A route added without documenting it fails here.
//! Routes ending in `/` are aliases (`/v1/kv/` of `/v1/kv`) or answer only that a name is
//! missing, and are left out.

use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

#[test]
fn every_route_the_agent_serves_is_in_the_compatibility_table() {
    let doc = std::fs::read_to_string(Path::new(ROOT).join("docs/compatibility.md"))
        .expect("docs/compatibility.md");
    let mut routes = Vec::new();
    collect(&Path::new(ROOT).join("src/agent/http"), &mut routes);
    routes.retain(|r| r == "/" || (r.starts_with('/') && !r.ends_with('/')));
    assert!(routes.len() >= 50, "found only {} routes", routes.len());
    let missing: Vec<String> = routes
        .iter()
        .map(|r| consul_form(r))
        .filter(|path| !documented(&doc, path))
        .collect();
    assert!(
        missing.is_empty(),
        "routes missing from docs/compatibility.md: {missing:?}"
    );
}

/// `/v1/kv/{*key}` → `/v1/kv/:key`.
fn consul_form(route: &str) -> String {
    route
        .split('/')
        .map(
            |seg| match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => format!(":{}", name.trim_start_matches('*')),
                None => seg.to_string(),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether `path` appears in the document as a whole path: inside backticks, followed by the
/// closing backtick, a space or a query string.
fn documented(doc: &str, path: &str) -> bool {
    doc.match_indices(path).any(|(at, _)| {
        let before = doc[..at].chars().next_back();
        let after = doc[at + path.len()..].chars().next();
        matches!(before, Some('`' | ' ' | ','))
            && matches!(after, Some('`' | '?' | ' '))
            && doc[..at]
                .rfind('`')
                .is_some_and(|open| doc[open..at].matches('`').count() % 2 == 1 || open + 1 == at)
    })
}

fn collect(dir: &Path, routes: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, routes);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).expect("read");
            for (at, _) in text.match_indices(".route(") {
                let rest = &text[at..];
                if let Some(start) = rest.find('"') {
                    let lit = &rest[start + 1..];
                    if let Some(end) = lit.find('"') {
                        routes.push(lit[..end].to_string());
                    }
                }
            }
        }
    }
}

#[test]
fn route_forms() {
    assert_eq!(consul_form("/v1/kv/{*key}"), "/v1/kv/:key");
    assert_eq!(
        consul_form("/v1/query/{id}/execute"),
        "/v1/query/:id/execute"
    );
    assert_eq!(consul_form("/"), "/");
    let doc = "| `GET /v1/query/:id/execute` | `/v1/kv` |";
    assert!(documented(doc, "/v1/query/:id/execute"));
    assert!(documented(doc, "/v1/kv"));
    assert!(!documented(doc, "/v1/query/:id"));
    assert!(!documented(doc, "/v1/query"));
}
