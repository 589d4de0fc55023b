//! End-to-end: `/v1/agent/metrics` of a real `sd agent -dev`, as JSON (go-metrics' in-memory
//! sink shape) and as Prometheus text.

use crate::common;

use std::collections::BTreeMap;

use common::cluster::eventually;
use common::{header, http, http_full, http_get, AgentBuilder};
use serde_json::Value;

fn metrics(a: &common::Agent) -> Value {
    let (status, body) = http_get(&format!("{}/v1/agent/metrics", a.url())).unwrap();
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

/// The value of the gauge `name` whose labels include `labels`.
fn gauge(report: &Value, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    report["Gauges"].as_array()?.iter().find_map(|g| {
        let matches = g["Name"] == name
            && labels
                .iter()
                .all(|(k, v)| g["Labels"][*k].as_str() == Some(*v));
        matches.then(|| g["Value"].as_f64()).flatten()
    })
}

/// Makes a few KV requests, each timed as `consul.api.http`.
fn some_requests(a: &common::Agent) {
    for i in 0..3 {
        let url = format!("{}/v1/kv/metrics/k{i}", a.url());
        assert_eq!(http("PUT", &url, b"v").unwrap().0, 200);
        assert_eq!(http_get(&url).unwrap().0, 200);
    }
}

#[test]
fn json_report_has_consuls_shape_the_agents_gauges_and_http_timers() {
    let a = AgentBuilder::dev().start();
    let report = metrics(&a);
    let mut keys: Vec<&str> = report
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        ["Counters", "Gauges", "Points", "Samples", "Timestamp"]
    );
    let ts = report["Timestamp"].as_str().unwrap();
    assert!(ts.ends_with(" +0000 UTC") && ts.len() == 29, "{ts}");
    assert_eq!(report["Points"], serde_json::json!([]));
    for g in report["Gauges"].as_array().unwrap() {
        assert!(g["Name"].is_string() && g["Value"].is_number() && g["Labels"].is_object());
    }
    assert_eq!(
        gauge(&report, "consul.serf.lan.members", &[("status", "alive")]),
        Some(1.0)
    );
    assert_eq!(gauge(&report, "consul.server.isLeader", &[]), Some(1.0));
    assert!(gauge(&report, "consul.runtime.sys_bytes", &[]).unwrap_or(0.0) > 0.0);
    assert!(gauge(&report, "consul.runtime.num_goroutines", &[]).unwrap_or(0.0) > 0.0);
    assert!(gauge(&report, "consul.raft.applied_index", &[]).unwrap_or(0.0) >= 1.0);

    // The agent registers its own `consul` service (and node) in the catalog.
    let dc = [("datacenter", "dc1")];
    eventually("consul.state.services >= 1", &[&a], || {
        let r = metrics(&a);
        gauge(&r, "consul.state.services", &dc).unwrap_or(0.0) >= 1.0
            && gauge(&r, "consul.state.service_instances", &dc).unwrap_or(0.0) >= 1.0
            && gauge(&r, "consul.state.nodes", &dc).unwrap_or(0.0) >= 1.0
    });

    // Timers show once their 10-second interval is over, as in Consul.
    some_requests(&a);
    let mut put = Value::Null;
    eventually("a consul.api.http sample for PUT v1_kv_", &[&a], || {
        let r = metrics(&a);
        let found = r["Samples"].as_array().and_then(|s| {
            s.iter()
                .find(|x| {
                    x["Name"] == "consul.api.http"
                        && x["Labels"]["method"] == "PUT"
                        && x["Labels"]["path"] == "v1_kv_"
                })
                .cloned()
        });
        put = found.unwrap_or(Value::Null);
        !put.is_null()
    });
    let f = |k: &str| put[k].as_f64().unwrap();
    assert!(f("Count") >= 1.0, "{put}");
    assert!(f("Min") <= f("Mean") && f("Mean") <= f("Max"), "{put}");
    assert!((f("Sum") - f("Mean") * f("Count")).abs() < 1e-6, "{put}");
    assert!((f("Rate") - f("Sum") / 10.0).abs() < 1e-6, "{put}");
    assert!(put["Stddev"].is_number(), "{put}");
}

/// Parses one sample line `name{k="v",...} value` into (name, labels, value).
fn parse_line(line: &str) -> Option<(String, BTreeMap<String, String>, f64)> {
    let (series, value) = line.rsplit_once(' ')?;
    let value = match value {
        "NaN" => f64::NAN,
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        v => v.parse().ok()?,
    };
    let (name, rest) = match series.find('{') {
        Some(i) => (&series[..i], Some(series[i + 1..].strip_suffix('}')?)),
        None => (series, None),
    };
    let valid = |s: &str, first_ok: fn(char) -> bool| {
        s.chars().next().is_some_and(first_ok)
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    };
    if !valid(name, |c| c.is_ascii_alphabetic() || c == '_' || c == ':') {
        return None;
    }
    let mut labels = BTreeMap::new();
    let mut chars = rest.unwrap_or("").chars().peekable();
    while chars.peek().is_some() {
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
        if !valid(&key, |c| c.is_ascii_alphabetic() || c == '_') || chars.next() != Some('"') {
            return None;
        }
        let mut val = String::new();
        loop {
            match chars.next()? {
                '"' => break,
                '\\' => match chars.next()? {
                    'n' => val.push('\n'),
                    c @ ('\\' | '"') => val.push(c),
                    _ => return None,
                },
                c => val.push(c),
            }
        }
        labels.insert(key, val);
        match chars.next() {
            None | Some(',') => {}
            Some(_) => return None,
        }
    }
    Some((name.to_string(), labels, value))
}

#[test]
fn prometheus_report_parses_and_counts_requests_at_once() {
    let a = AgentBuilder::dev().start();
    some_requests(&a);
    let url = format!("{}/v1/agent/metrics?format=prometheus", a.url());
    let (status, headers, text) = http_full("GET", &url, b"").unwrap();
    assert_eq!(status, 200, "{text}");
    assert_eq!(
        header(&headers, "content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );

    let mut types: BTreeMap<String, String> = BTreeMap::new();
    let mut samples = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap();
            assert!(
                types.insert(name.into(), kind.into()).is_none(),
                "one TYPE per family: {line}"
            );
            continue;
        }
        if line.starts_with("# HELP ") {
            continue;
        }
        let (name, labels, value) = parse_line(line)
            .unwrap_or_else(|| panic!("not `name{{labels}} value`: {line:?}\n{text}"));
        let family = ["_sum", "_count"]
            .iter()
            .find_map(|s| {
                name.strip_suffix(s)
                    .filter(|f| types.get(*f).map(String::as_str) == Some("summary"))
            })
            .unwrap_or(&name)
            .to_string();
        assert!(
            types.contains_key(&family),
            "{line} comes after its # TYPE\n{text}"
        );
        samples.push((name, labels, value));
    }
    let find = |name: &str, labels: &[(&str, &str)]| {
        samples.iter().find_map(|(n, l, v)| {
            (n == name
                && labels
                    .iter()
                    .all(|(k, want)| l.get(*k).map(String::as_str) == Some(*want)))
            .then_some(*v)
        })
    };
    assert_eq!(types["consul_api_http"], "summary");
    assert_eq!(types["consul_serf_lan_members"], "gauge");
    let kv_put = [("method", "PUT"), ("path", "v1_kv_")];
    assert_eq!(find("consul_api_http_count", &kv_put), Some(3.0), "{text}");
    assert!(
        find("consul_api_http_sum", &kv_put).unwrap_or(0.0) > 0.0,
        "{text}"
    );
    let q = [("method", "GET"), ("path", "v1_kv_"), ("quantile", "0.99")];
    assert!(find("consul_api_http", &q).is_some(), "{text}");
    assert_eq!(
        find("consul_serf_lan_members", &[("status", "alive")]),
        Some(1.0)
    );
    assert_eq!(find("consul_server_isLeader", &[]), Some(1.0));
}
