//! End-to-end: network coordinates through real agents. Three servers and a client agent build
//! coordinates from their gossip probes and send them to the leader (the client's through a
//! server), which writes them to the catalog; `/v1/coordinate/*` and `sd rtt` read them;
//! coordinates set through `/v1/coordinate/update` sort `?near=` lists of the catalog, health
//! and prepared queries; a deregistered node loses its coordinate; bad coordinates get a 400;
//! `disable_coordinates` answers 401 as Consul does.

use std::net::Ipv4Addr;

use serde_json::Value;

use crate::common;
use common::cluster::{client_agent, eventually, first_server, joining_server};
use common::{fails, http, http_get, ok, AgentBuilder};

/// Coordinates sent every 200-400 ms and written every 100 ms instead of Consul's 15-30 s and 5 s.
const FAST: &str =
    r#"sync_coordinate_interval_min = "200ms" consul { coordinate { update_period = "100ms" } }"#;

fn json(a: &common::Agent, path: &str) -> Value {
    let (status, body) = http_get(&format!("{}{path}", a.url())).unwrap();
    assert_eq!(status, 200, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

fn names(v: &Value, field: &str) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| e[field].as_str().unwrap().to_string())
        .collect()
}

/// A coordinate `x` seconds from the origin along the first axis.
fn coord_at(x: f64) -> String {
    format!(r#"{{"Vec":[{x},0,0,0,0,0,0,0],"Error":0.2,"Adjustment":0,"Height":0.00001}}"#)
}

#[test]
fn gossip_builds_coordinates_that_rtt_and_near_use() {
    let block = common::loopback_block();
    let ip = |n| common::loopback_host(block, n);
    let dir = tempfile::tempdir().unwrap();
    let d = |n: &str| dir.path().join(n);
    let fast = |b: AgentBuilder| b.arg("-hcl").arg(FAST);
    let s1 = fast(first_server(ip(1), &d("s1"), "s1")).start();
    let s2 = fast(joining_server(ip(2), &d("s2"), "s2", ip(1))).spawn();
    let s3 = fast(joining_server(ip(3), &d("s3"), "s3", ip(1))).spawn();
    let c1 = fast(client_agent(ip(4), &d("c1"), "c1", ip(1))).spawn();
    let all = [&s1, &s2, &s3, &c1];

    // Every node's coordinate reaches the catalog, moved off the origin by measured round
    // trips (its error below the initial 1.5), the client's through a server.
    eventually("coordinates of all four nodes", &all, || {
        let Ok((200, body)) = http_get(&format!("{}/v1/coordinate/nodes", c1.url())) else {
            return false;
        };
        let v: Value = serde_json::from_str(&body).unwrap();
        let list = v.as_array().unwrap();
        names(&v, "Node") == ["c1", "s1", "s2", "s3"]
            && list
                .iter()
                .all(|e| e["Coord"]["Error"].as_f64().unwrap() < 1.5)
            && list
                .iter()
                .all(|e| e["Coord"]["Vec"].as_array().unwrap().len() == 8)
    });
    let one = json(&s2, "/v1/coordinate/node/s3");
    assert_eq!(names(&one, "Node"), ["s3"]);
    assert_eq!(one[0]["Segment"], "");
    let (status, _) = http_get(&format!("{}/v1/coordinate/node/nobody", s1.url())).unwrap();
    assert_eq!(status, 404);
    // The servers' WAN coordinates: each is listed once the WAN pool (flood-joined) has
    // probed it.
    eventually("WAN coordinates of the three servers", &all, || {
        let dcs = json(&c1, "/v1/coordinate/datacenters");
        dcs[0]["Datacenter"] == "dc1"
            && dcs[0]["AreaID"] == "wan"
            && names(&dcs[0]["Coordinates"], "Node") == ["s1", "s2", "s3"]
    });
    let me = json(&s1, "/v1/agent/self");
    assert!(
        me["Coord"]["Error"].as_f64().unwrap() < 1.5,
        "{}",
        me["Coord"]
    );

    // sd rtt: loopback round trips are well under a millisecond; the model says so too.
    let out = ok(&c1.cli(&["rtt", "s1", "s2"]));
    let ms: f64 = out
        .strip_prefix("Estimated s1 <-> s2 rtt: ")
        .and_then(|r| r.strip_suffix(" ms (using LAN coordinates)\n"))
        .unwrap_or_else(|| panic!("unexpected output {out:?}"))
        .parse()
        .unwrap();
    assert!(ms > 0.0 && ms < 20.0, "{ms} ms");
    assert!(ok(&c1.cli(&["rtt", "s3"])).starts_with("Estimated s3 <-> c1 rtt: "));
    let err = fails(&c1.cli(&["rtt", "nobody"]), 1);
    assert!(
        err.contains("Could not find a coordinate for node \"nobody\""),
        "{err}"
    );
    let err = fails(&c1.cli(&["rtt"]), 1);
    assert!(
        err.contains("One or two node names must be specified"),
        "{err}"
    );
    let out = ok(&c1.cli(&["rtt", "-wan", "s1.dc1", "s2.dc1"]));
    assert!(out.ends_with(" ms (using WAN coordinates)\n"), "{out}");

    near_sorts_lists(&s1, &c1, ip(9));
}

/// Three outside nodes with a `web` instance each: `near` 0.1 s from the origin, `far` 1 s out
/// on the same axis, `none` without a coordinate. The cluster's own nodes sit near the origin,
/// moved by measured round trips: well under a millisecond on loopback, tens of milliseconds
/// when the machine is starved of CPU, never the 100 ms toward `far` that would put one of them
/// ahead of `near` (at 1 ms out, `near` lost to a starved server once).
fn near_sorts_lists(s1: &common::Agent, c1: &common::Agent, addr: Ipv4Addr) {
    for node in ["near", "far", "none"] {
        let reg = format!(
            r#"{{"Node":"{node}","Address":"{addr}","Service":{{"Service":"web","Port":80}}}}"#
        );
        s1.put_ok("/v1/catalog/register", &reg);
    }
    for (node, x) in [("near", 0.1), ("far", 1.0)] {
        let body = format!(r#"{{"Node":"{node}","Coord":{}}}"#, coord_at(x));
        // Through the client agent: forwarded to a server and on to the leader.
        let (status, answer) = http(
            "PUT",
            &format!("{}/v1/coordinate/update", c1.url()),
            body.as_bytes(),
        )
        .unwrap();
        assert_eq!((status, answer.as_str()), (200, ""));
    }
    eventually("both coordinates stored", &[s1, c1], || {
        names(&json(s1, "/v1/coordinate/nodes"), "Node").contains(&"far".to_string())
            && names(&json(s1, "/v1/coordinate/nodes"), "Node").contains(&"near".to_string())
    });

    let order = names(&json(c1, "/v1/catalog/nodes?near=near"), "Node");
    assert_eq!(order.first().map(String::as_str), Some("near"), "{order:?}");
    assert_eq!(order[order.len() - 2..], ["far", "none"], "{order:?}");
    // From far (1 s out), near (0.9 s away) comes before the cluster's nodes (about 1 s).
    let order = names(&json(c1, "/v1/catalog/nodes?near=far"), "Node");
    assert_eq!(order[..2], ["far", "near"], "{order:?}");
    assert_eq!(order.last().map(String::as_str), Some("none"), "{order:?}");
    // A node without a coordinate leaves the catalog's order (by name) alone.
    let order = names(&json(c1, "/v1/catalog/nodes?near=none"), "Node");
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);

    let web = |path: &str, field: &dyn Fn(&Value) -> String| -> Vec<String> {
        json(c1, path)
            .as_array()
            .unwrap()
            .iter()
            .map(field)
            .collect()
    };
    let node_field = |e: &Value| e["Node"].as_str().unwrap().to_string();
    let entry_node = |e: &Value| e["Node"]["Node"].as_str().unwrap().to_string();
    assert_eq!(
        web("/v1/catalog/service/web?near=far", &node_field),
        ["far", "near", "none"]
    );
    assert_eq!(
        web("/v1/health/service/web?near=near", &entry_node),
        ["near", "far", "none"]
    );
    assert_eq!(
        web("/v1/health/checks/web?near=far", &node_field),
        Vec::<String>::new()
    );
    let query = r#"{"Name":"web-near","Service":{"Service":"web","Near":"far"}}"#;
    let (status, body) = http("POST", &format!("{}/v1/query", s1.url()), query.as_bytes()).unwrap();
    assert_eq!(status, 200, "{body}");
    let executed = json(c1, "/v1/query/web-near/execute");
    let nodes: Vec<String> = executed["Nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(entry_node)
        .collect();
    assert_eq!(nodes, ["far", "near", "none"]);
    let executed = json(c1, "/v1/query/web-near/execute?near=near");
    let nodes: Vec<String> = executed["Nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(entry_node)
        .collect();
    assert_eq!(nodes, ["near", "far", "none"]);

    // Bad coordinates are refused with the reason.
    for (body, reason) in [
        (
            r#"{"Node":"near","Coord":{"Vec":[1,2]}}"#,
            "incompatible coordinate",
        ),
        (
            r#"{"Node":"","Coord":{"Vec":[0,0,0,0,0,0,0,0]}}"#,
            "Must provide node",
        ),
        (r#"{"Node":"near","Coord":"#, "Request decode failed"),
    ] {
        let (status, answer) = http(
            "PUT",
            &format!("{}/v1/coordinate/update", s1.url()),
            body.as_bytes(),
        )
        .unwrap();
        assert_eq!(status, 400, "{body}: {answer}");
        assert!(answer.contains(reason), "{body}: {answer}");
    }

    // A deregistered node takes its coordinate with it.
    s1.put_ok("/v1/catalog/deregister", r#"{"Node":"far"}"#);
    eventually("far's coordinate gone", &[s1], || {
        matches!(
            http_get(&format!("{}/v1/coordinate/node/far", s1.url())),
            Ok((404, _))
        )
    });
}

#[test]
fn disabled_coordinates_answer_401() {
    let a = AgentBuilder::dev()
        .arg("-hcl")
        .arg("disable_coordinates = true")
        .start();
    for path in [
        "/v1/coordinate/nodes",
        "/v1/coordinate/datacenters",
        "/v1/coordinate/node/x",
    ] {
        let (status, body) = http_get(&format!("{}{path}", a.url())).unwrap();
        assert_eq!(
            (status, body.trim()),
            (401, "Coordinate support disabled"),
            "{path}"
        );
    }
    let me = json(&a, "/v1/agent/self");
    assert!(me["Coord"].is_null(), "{}", me["Coord"]);
    let err = fails(&a.cli(&["rtt", "x", "y"]), 1);
    assert!(err.contains("Error getting coordinates"), "{err}");
}
