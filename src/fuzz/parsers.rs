//! The targets that call one parser directly: `?filter=` expressions, Go durations, ACL rules,
//! consul-template templates and snapshot archives. Each fails on a panic, and where a parser
//! has a property to keep, on breaking it (a duration printed and read back is the same).

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use crate::agent::filter::{schemas, Filter, Schema};
use crate::api::{format_duration, parse_duration};
use crate::template::brain::Brain;
use crate::template::config::EngineKind;
use crate::template::dependency::Dependency;
use crate::template::engine::{Compiled, ParseOptions};
use crate::template::funcs::data::Pass;
use crate::template::funcs::helpers::HelperContext;
use crate::template::query;

/// `filter`: the first byte picks the schema (the element type of one endpoint family), the
/// rest is the expression; a filter that compiles is run on elements of several shapes.
pub(super) fn filter(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Some(expr) = super::text(rest) else {
        return;
    };
    let all: [fn() -> &'static Schema; 6] = [
        schemas::catalog_service,
        schemas::node,
        schemas::service_entry,
        schemas::health_check,
        schemas::agent_service,
        schemas::agent_member,
    ];
    let schema = all[usize::from(pick) % all.len()]();
    let Ok(filter) = Filter::parse(expr, schema) else {
        return;
    };
    for element in elements() {
        filter.matches(&element);
    }
}

/// Elements as the endpoints return them, and some that are not (the filter must not assume).
fn elements() -> Vec<Value> {
    vec![
        json!({
            "Node": {"Node": "n1", "Address": "10.0.0.1", "Meta": {"rack": "r1"},
                     "TaggedAddresses": {"lan": "10.0.0.1"}},
            "Service": {"ID": "web1", "Service": "web", "Tags": ["v1", "primary"], "Port": 80,
                        "Meta": {"version": "1"}, "Weights": {"Passing": 1, "Warning": 1},
                        "EnableTagOverride": false},
            "Checks": [{"CheckID": "c1", "Status": "passing", "ServiceTags": ["v1"]},
                       {"CheckID": "c2", "Status": "critical", "ServiceTags": []}],
            "ServiceName": "web", "ServiceTags": ["v1"], "ServicePort": 80,
            "Name": "n1", "Addr": "10.0.0.1", "Port": 8301, "Tags": {"role": "node"},
            "Status": 1, "ProtocolMin": 1, "ProtocolMax": 5, "ProtocolCur": 2
        }),
        json!({}),
        json!({"Node": null, "Service": [], "Checks": {"a": 1}, "Tags": "x", "Meta": 3.5}),
        json!([1, "a", null]),
    ]
}

/// `duration`: Go durations as the HTTP API (`?wait=`, check intervals, TTLs) and the
/// configuration read them; a parsed duration printed back must read as itself.
pub(super) fn duration(data: &[u8]) {
    let Some(text) = super::text(data) else {
        return;
    };
    if let Ok(d) = parse_duration(text) {
        let printed = format_duration(d);
        let again = parse_duration(&printed)
            .unwrap_or_else(|e| panic!("{text:?} read as {d:?}, printed {printed:?}: {e}"));
        assert_eq!(again, d, "{text:?} printed as {printed:?}");
    }
    let _: Result<Duration, String> = crate::config::go_duration(text);
}

/// `acl_rules`: a policy's rules (HCL or JSON), as `sd acl policy create -rules` and
/// `PUT /v1/acl/policy` take them.
pub(super) fn acl_rules(data: &[u8]) {
    if let Some(text) = super::text(data) {
        let _ = crate::agent::acl::rules::parse(text);
    }
}

/// Functions a fuzzed template may not call: they run programs or touch files.
const DENIED: [&str; 3] = ["plugin", "writeToFile", "file"];

/// `template`: the first byte picks the engine (Go's text/template or Tera), the rest is the
/// template; one that parses is rendered against a little catalog.
pub(super) fn template(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Some(src) = super::text(rest) else {
        return;
    };
    let kind = if pick % 2 == 0 {
        EngineKind::Go
    } else {
        EngineKind::Tera
    };
    let helpers = HelperContext::default();
    let denylist: Vec<String> = DENIED.iter().map(|s| s.to_string()).collect();
    let opts = ParseOptions {
        name: "fuzz.ctmpl",
        left: "{{",
        right: "}}",
        error_on_missing_key: pick & 2 != 0,
        denylist: &denylist,
        helpers: &helpers,
    };
    let Ok(compiled) = Compiled::parse(kind, src, &opts) else {
        return;
    };
    let _ = compiled.render(&Arc::new(Pass::new(catalog(), None, false)));
}

fn catalog() -> Brain {
    let brain = Brain::default();
    if let Ok(q) = query::service("web") {
        brain.remember(
            Dependency::Service(q),
            json!([
                {"Node": "n1", "Address": "10.0.0.1", "ServiceAddress": "10.0.0.10",
                 "Port": 80, "Tags": ["v1"], "ServiceMeta": {"version": "1"}},
                {"Node": "n2", "Address": "10.0.0.2", "Port": 81, "Tags": []}
            ]),
        );
    }
    if let Ok(q) = query::key("app/config") {
        brain.remember(Dependency::Key(q), json!("listen 80"));
    }
    brain
}

/// `snapshot`: a `/v1/snapshot` archive (gzip, tar, checksums), and the state inside one
/// (whose checksum anybody can compute) restored into an empty store.
pub(super) fn snapshot(data: &[u8]) {
    if let Ok((_meta, state)) = crate::snapshot::read(data) {
        let _ = crate::agent::state::Store::new().restore(&state);
    }
    let _ = crate::agent::state::Store::new().restore(data);
}

/// Archives as `GET /v1/snapshot` makes them (of an empty state and of one with keys), and
/// the bare states.
pub(super) fn snapshot_examples() -> Vec<Vec<u8>> {
    use crate::agent::state::{Command, KvOp, KvVerb, Store};

    let empty = Store::new();
    let full = Store::new();
    for (i, key) in ["app/config", "app/nested/key", "other"].iter().enumerate() {
        let cmd = Command::KvTxn(vec![KvOp {
            verb: KvVerb::Set,
            key: key.to_string(),
            value: key.as_bytes().to_vec(),
            flags: i as u64,
            index: 0,
            session: None,
        }]);
        full.apply(i as u64 + 1, 0, &cmd);
    }
    let mut out = Vec::new();
    for store in [empty, full] {
        let (state, index) = store.snapshot_with_index();
        let meta = crate::snapshot::Meta {
            version: 1,
            id: format!("1-{index}-0"),
            index,
            term: 1,
            size: state.len() as u64,
            producer: "sd".into(),
        };
        if let Ok(archive) = crate::snapshot::write(&meta, &state) {
            out.push(archive);
        }
        out.push(state);
    }
    out
}
