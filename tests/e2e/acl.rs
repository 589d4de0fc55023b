//! End-to-end: ACLs through the real binary, on one server with `default_policy = "deny"` and
//! an `initial_management` token.
//!
//! - Every route the agent declares (read from `src/agent/http`, so a new route without an
//!   entry here fails) is asked without a token: it is denied (403), answers with its lists
//!   emptied, or is one Consul leaves open (status, datacenters, the disabled Connect routes).
//! - The management token gets the data; a narrower token gets the part its policy allows, and
//!   the answer says it was filtered.
//! - `sd acl` bootstraps, makes policies, roles and tokens, and its tokens work from the CLI.

use crate::common;

use std::path::Path;
use std::time::Duration;

use common::{ok, AgentBuilder};

pub const MGMT: &str = "6d8fbd9b-3c7e-4c55-8d2b-6e1a1f5e9c01";

/// A server with ACLs on, deny by default, and `MGMT` as its management and agent token.
pub fn secured_server(dir: &Path) -> common::Agent {
    let conf = dir.join("acl.hcl");
    std::fs::write(
        &conf,
        format!(
            r#"
acl {{
  enabled = true
  default_policy = "deny"
  tokens {{
    initial_management = "{MGMT}"
    agent = "{MGMT}"
  }}
}}
"#
        ),
    )
    .unwrap();
    let a = AgentBuilder::server(&dir.join("data"))
        .arg("-ui")
        .arg(format!("-config-file={}", conf.display()))
        .start();
    a.wait_leader(Duration::from_secs(20));
    common::cluster::eventually("the initial management token", &[&a], || {
        call(&a, "GET", "/v1/acl/token/self", Some(MGMT), "").0 == 200
    });
    a
}

/// One request: status, the filtered-by-ACLs header, body.
pub fn call(
    a: &common::Agent,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> (u16, bool, String) {
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let mut req = client
        .request(method.parse().unwrap(), format!("{}{path}", a.url()))
        .body(body.to_string());
    if let Some(t) = token {
        req = req.header("X-Consul-Token", t);
    }
    let resp = req
        .send()
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    let status = resp.status().as_u16();
    let filtered = resp
        .headers()
        .get("x-consul-results-filtered-by-acls")
        .is_some();
    let policy = resp
        .headers()
        .get("x-consul-default-acl-policy")
        .map(|v| v.to_str().unwrap().to_string());
    assert_eq!(policy.as_deref(), Some("deny"), "{method} {path}");
    (status, filtered, resp.text().unwrap_or_default())
}

/// What an anonymous request must get.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Anonymous {
    /// 403.
    Denied,
    /// An answer with nothing in it: `[]`, `{}`, `null`, or a 404 (an empty KV listing, a
    /// hidden node), or a transaction rolled back (409).
    Emptied,
    /// Open in Consul too: anything but 403.
    Open,
}

use Anonymous::{Denied, Emptied, Open};

/// Every route, as requests: method, path, body, and what an anonymous caller gets.
fn table(node: &str) -> Vec<(&'static str, String, String, Anonymous)> {
    let r = |m: &'static str, p: &str, b: &str, e| (m, p.to_string(), b.to_string(), e);
    vec![
        r("GET", "/", "", Open),
        r("GET", "/v1/status/leader", "", Open),
        r("GET", "/v1/status/peers", "", Open),
        r("GET", "/v1/catalog/datacenters", "", Open),
        r("GET", "/v1/coordinate/datacenters", "", Open),
        r("GET", "/v1/agent/version", "", Open),
        r("GET", "/v1/acl/token/self", "", Open),
        r("GET", "/v1/internal/acl/resolve", "", Open),
        // Only other datacenters' servers, over server RPC: 404 to anyone else.
        r("POST", "/v1/internal/query/execute-remote", "{}", Emptied),
        r("GET", "/v1/connect/ca/roots", "", Open),
        r("GET", "/v1/connect/ca/configuration", "", Open),
        r("GET", "/v1/connect/intentions", "", Open),
        r("GET", "/v1/connect/intentions/exact", "", Open),
        r("GET", "/v1/connect/intentions/match", "", Open),
        r("GET", "/v1/connect/intentions/check", "", Open),
        r("GET", "/v1/connect/intentions/x", "", Open),
        r("GET", "/v1/agent/connect/authorize", "", Open),
        r("GET", "/v1/agent/connect/ca/roots", "", Open),
        r("GET", "/v1/agent/connect/ca/leaf/web", "", Open),
        r("GET", "/v1/discovery-chain/web", "", Open),
        r("GET", "/v1/catalog/connect/web", "", Open),
        r("GET", "/v1/catalog/gateway-services/web", "", Open),
        r("GET", "/v1/health/connect/web", "", Open),
        r("GET", "/v1/health/ingress/web", "", Open),
        // KV.
        r("GET", "/v1/kv/app/config", "", Denied),
        r("GET", "/v1/kv/app/config?recurse=false", "", Denied),
        r("PUT", "/v1/kv/app/config", "x", Denied),
        r("DELETE", "/v1/kv/app/config", "", Denied),
        r("DELETE", "/v1/kv/app?recurse", "", Denied),
        r("GET", "/v1/kv?recurse", "", Emptied),
        r("GET", "/v1/kv/app?recurse", "", Emptied),
        r("GET", "/v1/kv/?keys", "", Emptied),
        r(
            "PUT",
            "/v1/txn",
            r#"[{"KV":{"Verb":"get","Key":"app/config"}}]"#,
            Emptied,
        ),
        // Catalog and health.
        r(
            "PUT",
            "/v1/catalog/register",
            &format!(r#"{{"Node":"{node}","Address":"127.0.0.1","Service":{{"Service":"db"}}}}"#),
            Denied,
        ),
        r(
            "PUT",
            "/v1/catalog/deregister",
            &format!(r#"{{"Node":"{node}","ServiceID":"web"}}"#),
            Denied,
        ),
        r("GET", "/v1/catalog/services", "", Emptied),
        r("GET", "/v1/catalog/nodes", "", Emptied),
        r("GET", "/v1/catalog/service/web", "", Emptied),
        r("GET", &format!("/v1/catalog/node/{node}"), "", Emptied),
        r(
            "GET",
            &format!("/v1/catalog/node-services/{node}"),
            "",
            Emptied,
        ),
        r("GET", &format!("/v1/health/node/{node}"), "", Emptied),
        r("GET", "/v1/health/checks/web", "", Emptied),
        r("GET", "/v1/health/service/web", "", Emptied),
        r("GET", "/v1/health/state/any", "", Emptied),
        r("GET", "/v1/internal/ui/services", "", Emptied),
        r("GET", "/v1/internal/ui/nodes", "", Emptied),
        r("GET", &format!("/v1/internal/ui/node/{node}"), "", Emptied),
        // The agent's own endpoints.
        r("GET", "/v1/agent/self", "", Denied),
        r("GET", "/v1/agent/host", "", Denied),
        r("GET", "/v1/agent/metrics", "", Denied),
        r("GET", "/v1/agent/monitor", "", Denied),
        r("GET", "/v1/agent/members", "", Emptied),
        r("GET", "/v1/agent/services", "", Emptied),
        r("GET", "/v1/agent/checks", "", Emptied),
        r("PUT", "/v1/agent/reload", "", Denied),
        r("PUT", "/v1/agent/leave", "", Denied),
        r("PUT", "/v1/agent/join/127.0.0.1", "", Denied),
        r("PUT", "/v1/agent/force-leave/nobody", "", Denied),
        r("PUT", "/v1/agent/maintenance?enable=true", "", Denied),
        r("PUT", "/v1/agent/token/default", r#"{"Token":"x"}"#, Denied),
        r(
            "PUT",
            "/v1/agent/service/register",
            r#"{"Name":"db"}"#,
            Denied,
        ),
        r("PUT", "/v1/agent/service/deregister/web", "", Denied),
        r("GET", "/v1/agent/service/web", "", Denied),
        r(
            "PUT",
            "/v1/agent/service/maintenance/web?enable=true",
            "",
            Denied,
        ),
        r("GET", "/v1/agent/health/service/id/web", "", Denied),
        r("GET", "/v1/agent/health/service/name/web", "", Denied),
        r(
            "PUT",
            "/v1/agent/check/register",
            r#"{"Name":"disk","TTL":"10s"}"#,
            Denied,
        ),
        r("PUT", "/v1/agent/check/pass/web-ttl", "", Denied),
        r("PUT", "/v1/agent/check/warn/web-ttl", "", Denied),
        r("PUT", "/v1/agent/check/fail/web-ttl", "", Denied),
        r(
            "PUT",
            "/v1/agent/check/update/web-ttl",
            r#"{"Status":"passing"}"#,
            Denied,
        ),
        r("PUT", "/v1/agent/check/deregister/web-ttl", "", Denied),
        // Operator, snapshots, keyring.
        r("GET", "/v1/operator/raft/configuration", "", Denied),
        r(
            "DELETE",
            "/v1/operator/raft/peer?address=10.0.0.1:8300",
            "",
            Denied,
        ),
        r("POST", "/v1/operator/raft/transfer-leader", "", Denied),
        r("GET", "/v1/operator/autopilot/configuration", "", Denied),
        r("PUT", "/v1/operator/autopilot/configuration", "{}", Denied),
        r("GET", "/v1/operator/autopilot/health", "", Denied),
        r("GET", "/v1/operator/autopilot/state", "", Denied),
        r("GET", "/v1/operator/usage", "", Denied),
        r("GET", "/v1/operator/keyring", "", Denied),
        r("PUT", "/v1/operator/keyring", r#"{"Key":"x"}"#, Denied),
        r("GET", "/v1/snapshot", "", Denied),
        r("PUT", "/v1/snapshot", "x", Denied),
        // Sessions, queries, config entries, coordinates, events.
        r("PUT", "/v1/session/create", "{}", Denied),
        r("PUT", "/v1/session/destroy/x", "", Denied),
        r("PUT", "/v1/session/renew/x", "", Denied),
        r("GET", "/v1/session/info/x", "", Emptied),
        r("GET", &format!("/v1/session/node/{node}"), "", Emptied),
        r("GET", "/v1/session/list", "", Emptied),
        r("GET", "/v1/query", "", Denied),
        r(
            "POST",
            "/v1/query",
            r#"{"Service":{"Service":"web"}}"#,
            Denied,
        ),
        r("GET", "/v1/query/x", "", Denied),
        r("PUT", "/v1/query/x", "{}", Denied),
        r("DELETE", "/v1/query/x", "", Denied),
        r("GET", "/v1/query/x/execute", "", Denied),
        r("GET", "/v1/query/x/explain", "", Denied),
        r(
            "PUT",
            "/v1/config",
            r#"{"Kind":"service-defaults","Name":"web"}"#,
            Denied,
        ),
        r("GET", "/v1/config/service-defaults", "", Denied),
        r("GET", "/v1/config/service-defaults/web", "", Denied),
        r("DELETE", "/v1/config/service-defaults/web", "", Denied),
        r("GET", "/v1/config/proxy-defaults/global", "", Denied),
        r("GET", "/v1/coordinate/nodes", "", Denied),
        r("GET", &format!("/v1/coordinate/node/{node}"), "", Denied),
        r("PUT", "/v1/coordinate/update", "{}", Denied),
        r("PUT", "/v1/event/fire/deploy", "", Denied),
        r("GET", "/v1/event/list", "", Denied),
        // ACLs themselves.
        r("PUT", "/v1/acl/bootstrap", "", Denied),
        r("PUT", "/v1/acl/token", "{}", Denied),
        r(
            "GET",
            &format!("/v1/acl/token/{}", "00000000-0000-0000-0000-000000000002"),
            "",
            Denied,
        ),
        r(
            "PUT",
            "/v1/acl/token/00000000-0000-0000-0000-000000000002",
            "{}",
            Denied,
        ),
        r(
            "DELETE",
            "/v1/acl/token/00000000-0000-0000-0000-000000000002",
            "",
            Denied,
        ),
        r(
            "PUT",
            "/v1/acl/token/00000000-0000-0000-0000-000000000002/clone",
            "{}",
            Denied,
        ),
        r("GET", "/v1/acl/tokens", "", Denied),
        r("PUT", "/v1/acl/policy", r#"{"Name":"p"}"#, Denied),
        r(
            "GET",
            "/v1/acl/policy/00000000-0000-0000-0000-000000000001",
            "",
            Denied,
        ),
        r(
            "PUT",
            "/v1/acl/policy/00000000-0000-0000-0000-000000000001",
            "{}",
            Denied,
        ),
        r(
            "DELETE",
            "/v1/acl/policy/00000000-0000-0000-0000-000000000001",
            "",
            Denied,
        ),
        r("GET", "/v1/acl/policy/name/global-management", "", Denied),
        r("GET", "/v1/acl/policies", "", Denied),
        r("PUT", "/v1/acl/role", r#"{"Name":"r"}"#, Denied),
        r("GET", "/v1/acl/role/x", "", Denied),
        r("PUT", "/v1/acl/role/x", "{}", Denied),
        r("DELETE", "/v1/acl/role/x", "", Denied),
        r("GET", "/v1/acl/role/name/r", "", Denied),
        r("GET", "/v1/acl/roles", "", Denied),
        r("GET", "/v1/acl/templated-policies", "", Denied),
        r(
            "GET",
            "/v1/acl/templated-policy/name/builtin/dns",
            "",
            Denied,
        ),
        r(
            "PUT",
            "/v1/acl/auth-method",
            r#"{"Name":"m","Type":"jwt"}"#,
            Denied,
        ),
        r(
            "POST",
            "/v1/acl/templated-policy/preview/builtin/service",
            r#"{"Name":"web"}"#,
            Denied,
        ),
        r("GET", "/v1/acl/replication", "", Denied),
        r("GET", "/v1/acl/auth-method/m", "", Denied),
        r("PUT", "/v1/acl/auth-method/m", "{}", Denied),
        r("DELETE", "/v1/acl/auth-method/m", "", Denied),
        r("GET", "/v1/acl/auth-methods", "", Denied),
        r(
            "PUT",
            "/v1/acl/binding-rule",
            r#"{"AuthMethod":"m"}"#,
            Denied,
        ),
        r("GET", "/v1/acl/binding-rule/x", "", Denied),
        r("PUT", "/v1/acl/binding-rule/x", "{}", Denied),
        r("DELETE", "/v1/acl/binding-rule/x", "", Denied),
        r("GET", "/v1/acl/binding-rules", "", Denied),
        // Logging in needs no token (the bearer token is the credential); out, a login's own.
        r(
            "POST",
            "/v1/acl/login",
            r#"{"AuthMethod":"m","BearerToken":"x"}"#,
            Open,
        ),
        r("POST", "/v1/acl/logout", "", Denied),
    ]
}

/// Whether a request path (query left out) matches an axum route (`{x}` one segment, `{*x}`
/// the rest).
fn matches(route: &str, path: &str) -> bool {
    let path = path.split('?').next().unwrap_or_default();
    let (mut r, mut p) = (route.split('/'), path.split('/'));
    loop {
        match (r.next(), p.next()) {
            (None, None) => return true,
            (Some(seg), Some(_)) if seg.starts_with("{*") => return true,
            (Some(seg), Some(got)) if seg.starts_with('{') || seg == got => {}
            _ => return false,
        }
    }
}

/// Every route declared under `src/agent/http`.
fn declared_routes() -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for (at, _) in text.match_indices(".route(") {
                    let rest = &text[at..];
                    let Some(start) = rest.find('"') else {
                        continue;
                    };
                    let lit = &rest[start + 1..];
                    if let Some(end) = lit.find('"') {
                        out.push(lit[..end].to_string());
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/agent/http"),
        &mut out,
    );
    out
}

fn empty_answer(status: u16, body: &str) -> bool {
    matches!(status, 404 | 409) || (status == 200 && matches!(body.trim(), "[]" | "{}" | "null"))
}

#[test]
fn default_deny_holds_on_every_route() {
    let tmp = tempfile::tempdir().unwrap();
    let a = secured_server(tmp.path());
    let node = {
        let (_, _, body) = call(&a, "GET", "/v1/agent/self", Some(MGMT), "");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        v["Config"]["NodeName"].as_str().unwrap().to_string()
    };
    // Something to hide: a key, a service with a TTL check on this node.
    assert_eq!(
        call(&a, "PUT", "/v1/kv/app/config", Some(MGMT), "v1").0,
        200
    );
    let reg = r#"{"Name":"web","Port":80,"Check":{"CheckID":"web-ttl","TTL":"60s"}}"#;
    assert_eq!(
        call(&a, "PUT", "/v1/agent/service/register", Some(MGMT), reg).0,
        200
    );
    common::cluster::eventually("web in the catalog", &[&a], || {
        call(&a, "GET", "/v1/catalog/service/web", Some(MGMT), "")
            .2
            .contains("\"web\"")
    });

    let table = table(&node);
    let routes = declared_routes();
    assert!(routes.len() > 90, "found only {} routes", routes.len());
    let uncovered: Vec<&String> = routes
        .iter()
        .filter(|r| !r.ends_with('/') || r.as_str() == "/")
        .filter(|r| !table.iter().any(|(_, p, _, _)| matches(r, p)))
        .collect();
    assert!(
        uncovered.is_empty(),
        "routes without an anonymous check: {uncovered:?}"
    );

    let mut wrong = Vec::new();
    for (method, path, body, expected) in &table {
        let (status, _, text) = call(&a, method, path, None, body);
        let fine = match expected {
            Denied => status == 403 && text.starts_with("Permission denied"),
            Emptied => empty_answer(status, &text),
            Open => status != 403,
        };
        if !fine {
            wrong.push(format!(
                "{method} {path}: expected {expected:?}, got {status} {text}"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "anonymous requests:\n{}",
        wrong.join("\n")
    );
    // The agent is still up (leave was refused) and the management token sees everything.
    for path in [
        "/v1/kv/app?recurse",
        "/v1/catalog/service/web",
        "/v1/agent/services",
    ] {
        let (status, filtered, text) = call(&a, "GET", path, Some(MGMT), "");
        assert!(
            status == 200 && text.contains("app/config") | text.contains("web"),
            "{path}: {text}"
        );
        assert!(!filtered, "{path}");
    }
    let (status, _, text) = call(&a, "GET", "/v1/agent/self", Some(MGMT), "");
    assert_eq!(status, 200, "{text}");
    // A made-up secret is not a token.
    let (status, _, text) = call(&a, "GET", "/v1/kv/app/config", Some("not-a-token"), "");
    assert_eq!((status, text.trim()), (403, "ACL not found"));
}

#[test]
fn narrow_tokens_see_what_their_policies_allow() {
    let tmp = tempfile::tempdir().unwrap();
    let a = secured_server(tmp.path());
    let addr = a.http_addr();
    let with_token = |token: &str, args: &[&str]| {
        common::run_sd_env(
            args,
            &[("CONSUL_HTTP_ADDR", &addr), ("CONSUL_HTTP_TOKEN", token)],
            None,
        )
    };
    let mgmt = |args: &[&str]| ok(&with_token(MGMT, args));
    mgmt(&["kv", "put", "app/public", "p"]);
    mgmt(&["kv", "put", "app/secret/k", "s"]);
    mgmt(&["kv", "put", "other", "o"]);
    // A policy from a file, in HCL; another in JSON on the command line.
    let rules = tmp.path().join("app.hcl");
    std::fs::write(
        &rules,
        "key_prefix \"app/\" { policy = \"write\" }\nkey_prefix \"app/secret/\" { policy = \"deny\" }\n",
    )
    .unwrap();
    let out = mgmt(&[
        "acl",
        "policy",
        "create",
        "-name",
        "app",
        "-rules",
        &format!("@{}", rules.display()),
    ]);
    assert!(out.contains("Name:         app"), "{out}");
    mgmt(&[
        "acl",
        "policy",
        "create",
        "-name",
        "svc-read",
        "-rules",
        r#"{"service_prefix":{"":{"policy":"read"}},"node_prefix":{"":{"policy":"read"}}}"#,
    ]);
    mgmt(&[
        "acl",
        "role",
        "create",
        "-name",
        "readers",
        "-policy-name",
        "svc-read",
    ]);
    let out = mgmt(&[
        "acl",
        "token",
        "create",
        "-description",
        "app token",
        "-policy-name",
        "app",
        "-role-name",
        "readers",
    ]);
    let secret = out
        .lines()
        .find_map(|l| l.strip_prefix("SecretID:"))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| panic!("{out}"));
    assert!(out.contains(" - readers"), "{out}");

    // Through the CLI: the token reads and writes under app/, not the secret part or the rest.
    let as_app = |args: &[&str]| with_token(&secret, args);
    assert_eq!(ok(&as_app(&["kv", "get", "app/public"])).trim(), "p");
    assert!(as_app(&["kv", "put", "app/new", "n"]).status.success());
    let denied = common::fails(&as_app(&["kv", "get", "app/secret/k"]), 1);
    assert!(denied.contains("403 (Permission denied"), "{denied}");
    assert!(!as_app(&["kv", "put", "other", "x"]).status.success());
    // A recursive read is filtered and says so; the role lets it see services.
    let (status, filtered, text) = call(&a, "GET", "/v1/kv/app?recurse", Some(&secret), "");
    assert_eq!(status, 200);
    assert!(filtered, "{text}");
    assert!(
        text.contains("app/public") && !text.contains("app/secret"),
        "{text}"
    );
    let (status, filtered, text) = call(&a, "GET", "/v1/catalog/services", Some(&secret), "");
    assert_eq!(status, 200);
    assert!(!filtered && text.contains("consul"), "{text}");
    // Deleting everything under app/ would reach the denied part.
    assert!(!as_app(&["kv", "delete", "-recurse", "app/"])
        .status
        .success());
    assert_eq!(mgmt(&["kv", "get", "app/secret/k"]).trim(), "s");

    // Sessions follow their node: write on this node's sessions makes one, which takes a lock.
    mgmt(&[
        "acl", "policy", "create", "-name", "locker", "-rules",
        "session \"e2e-server\" { policy = \"write\" }\nkey_prefix \"lock/\" { policy = \"write\" }",
    ]);
    let out = mgmt(&["acl", "token", "create", "-policy-name", "locker"]);
    let locker = out
        .lines()
        .find_map(|l| l.strip_prefix("SecretID:"))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| panic!("{out}"));
    let (status, _, body) = call(&a, "PUT", "/v1/session/create", Some(&locker), "{}");
    assert_eq!(status, 200, "{body}");
    let id = serde_json::from_str::<serde_json::Value>(&body).unwrap()["ID"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _, body) = call(
        &a,
        "PUT",
        &format!("/v1/kv/lock/a?acquire={id}"),
        Some(&locker),
        "x",
    );
    assert_eq!((status, body.trim()), (200, "true"));
    assert_eq!(
        call(&a, "PUT", "/v1/session/create", Some(&secret), "{}").0,
        403
    );
    let (status, filtered, body) = call(&a, "GET", "/v1/session/list", Some(&secret), "");
    assert_eq!((status, body.trim()), (200, "[]"));
    assert!(filtered);
    assert!(call(&a, "GET", "/v1/session/list", Some(&locker), "")
        .2
        .contains(&id));

    // Token listing, reading and deleting; secrets are hidden from acl:read holders.
    let list = mgmt(&["acl", "token", "list"]);
    assert!(
        list.contains("app token") && list.contains("Anonymous Token"),
        "{list}"
    );
    let accessor = list
        .split("\n\n")
        .find(|t| t.contains("app token"))
        .and_then(|t| t.lines().find_map(|l| l.strip_prefix("AccessorID:")))
        .map(|s| s.trim().to_string())
        .unwrap();
    let read = mgmt(&["acl", "token", "read", "-id", &accessor, "-format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&read).unwrap();
    assert_eq!(v["SecretID"], secret.as_str());
    mgmt(&["acl", "token", "delete", "-id", &accessor]);
    let gone = common::fails(&as_app(&["kv", "get", "app/public"]), 1);
    assert!(gone.contains("ACL not found"), "{gone}");
    // Templated policies preview what they grant; one datacenter replicates nothing.
    let (status, _, body) = call(
        &a,
        "POST",
        "/v1/acl/templated-policy/preview/builtin/service",
        Some(MGMT),
        r#"{"Name":"web"}"#,
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(r#"service \"web\""#), "{body}");
    let (_, _, body) = call(&a, "GET", "/v1/acl/replication", Some(MGMT), "");
    assert!(body.contains(r#""Enabled":false"#), "{body}");
    let out = mgmt(&["acl", "templated-policy", "list"]);
    assert!(out.contains("builtin/dns:"), "{out}");
    let out = mgmt(&["acl", "templated-policy", "read", "-name", "builtin/node"]);
    assert!(out.contains("Name:            builtin/node"), "{out}");
    let out = mgmt(&[
        "acl",
        "templated-policy",
        "preview",
        "-name",
        "builtin/service",
        "-var",
        "name:api",
    ]);
    assert!(out.contains(r#"service "api""#), "{out}");
    let err = common::fails(&with_token(MGMT, &["acl", "templated-policy", "read"]), 1);
    assert!(err.contains("-name"), "{err}");
    // The bootstrap was done by the initial management token.
    let again = common::fails(&a.cli(&["acl", "bootstrap"]), 1);
    assert!(again.contains("ACL bootstrap no longer allowed"), "{again}");
}

/// Runs openssl in `dir`; its stdout.
fn openssl(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = std::process::Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl is installed by .ci/run");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A JWT with `claims`, signed RS256 by `key.pem` in `dir` (with openssl).
fn jwt(dir: &Path, claims: &serde_json::Value) -> String {
    use base64::Engine;
    let enc = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let input = format!(
        "{}.{}",
        enc(br#"{"alg":"RS256","typ":"JWT"}"#),
        enc(claims.to_string().as_bytes())
    );
    std::fs::write(dir.join("input"), &input).unwrap();
    let sig = openssl(dir, &["dgst", "-sha256", "-sign", "key.pem", "input"]);
    format!("{input}.{}", enc(&sig))
}

#[test]
fn a_jwt_login_gets_the_token_its_binding_rules_shape() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let a = secured_server(dir);
    openssl(dir, &["genrsa", "-out", "key.pem", "2048"]);
    openssl(
        dir,
        &["rsa", "-in", "key.pem", "-pubout", "-out", "pub.pem"],
    );
    let pem = std::fs::read_to_string(dir.join("pub.pem")).unwrap();
    let config = serde_json::json!({
        "JWTValidationPubKeys": [pem],
        "BoundIssuer": "https://ci.example",
        "BoundAudiences": ["sd"],
        "ClaimMappings": {"service": "service"},
    });
    std::fs::write(dir.join("config.json"), config.to_string()).unwrap();
    let addr = a.http_addr();
    let sd = |token: &str, args: &[&str]| {
        common::run_sd_env(
            args,
            &[("CONSUL_HTTP_ADDR", &addr), ("CONSUL_HTTP_TOKEN", token)],
            None,
        )
    };
    let config_arg = format!("@{}", dir.join("config.json").display());
    let out = ok(&sd(
        MGMT,
        &[
            "acl",
            "auth-method",
            "create",
            "-type",
            "jwt",
            "-name",
            "ci",
            "-max-token-ttl",
            "10m",
            "-config",
            &config_arg,
        ],
    ));
    assert!(
        out.contains("Name:          ci") && out.contains("MaxTokenTTL:   10m0s"),
        "{out}"
    );
    let err = common::fails(
        &sd(
            MGMT,
            &[
                "acl",
                "auth-method",
                "create",
                "-type",
                "kubernetes",
                "-name",
                "k8s",
            ],
        ),
        1,
    );
    assert!(err.contains("jwt"), "{err}");
    let out = ok(&sd(
        MGMT,
        &[
            "acl",
            "binding-rule",
            "create",
            "-method",
            "ci",
            "-bind-type",
            "service",
            "-bind-name",
            "${value.service}",
            "-selector",
            r#"value.service != """#,
        ],
    ));
    assert!(out.contains("BindName:     ${value.service}"), "{out}");

    // A token signed by the method's key, for the bound issuer and audience.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let claims = serde_json::json!({"iss": "https://ci.example", "aud": "sd", "exp": now + 300, "service": "web"});
    std::fs::write(dir.join("bearer"), jwt(dir, &claims)).unwrap();
    let sink = dir.join("sink");
    let login = |bearer: &str| {
        sd(
            "",
            &[
                "login",
                "-method",
                "ci",
                "-bearer-token-file",
                bearer,
                "-token-sink-file",
                &sink.display().to_string(),
                "-meta",
                "ci=job-1",
            ],
        )
    };
    let bearer_path = dir.join("bearer").display().to_string();
    assert_eq!(ok(&login(&bearer_path)), "");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&sink).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let secret = std::fs::read_to_string(&sink).unwrap();
    let me = ok(&sd(
        &secret,
        &["acl", "token", "read", "-self", "-format", "json"],
    ));
    let v: serde_json::Value = serde_json::from_str(&me).unwrap();
    assert_eq!(v["AuthMethod"], "ci");
    assert_eq!(v["ServiceIdentities"][0]["ServiceName"], "web");
    assert!(v["ExpirationTime"].is_string(), "{me}");
    assert!(v["Description"].as_str().unwrap().contains("job-1"), "{me}");
    // The service identity: web may be registered, db may not.
    assert_eq!(
        call(
            &a,
            "PUT",
            "/v1/agent/service/register",
            Some(&secret),
            r#"{"Name":"web"}"#
        )
        .0,
        200
    );
    assert_eq!(
        call(
            &a,
            "PUT",
            "/v1/agent/service/register",
            Some(&secret),
            r#"{"Name":"db"}"#
        )
        .0,
        403
    );

    // Another issuer, or another key's signature, gets nothing.
    let mut wrong = claims.clone();
    wrong["iss"] = "https://elsewhere".into();
    std::fs::write(dir.join("wrong"), jwt(dir, &wrong)).unwrap();
    let err = common::fails(&login(&dir.join("wrong").display().to_string()), 1);
    assert!(
        err.contains("Permission denied") && err.contains("issuer"),
        "{err}"
    );
    openssl(dir, &["genrsa", "-out", "key.pem", "2048"]);
    std::fs::write(dir.join("forged"), jwt(dir, &claims)).unwrap();
    let err = common::fails(&login(&dir.join("forged").display().to_string()), 1);
    assert!(err.contains("signature"), "{err}");

    // Logout deletes the login's token; a token not made by a login cannot log out.
    assert_eq!(ok(&sd(&secret, &["logout"])), "");
    let err = common::fails(&sd(&secret, &["acl", "token", "read", "-self"]), 1);
    assert!(err.contains("ACL not found"), "{err}");
    let err = common::fails(&sd(MGMT, &["logout"]), 1);
    assert!(err.contains("not created by a login"), "{err}");
}
