//! End-to-end: two datacenters of three servers and a client agent each, federated over WAN
//! gossip (`common::federation`). Every server is in the WAN pool as `<node>.<dc>` (only one
//! joined by hand: the rest by flood join); KV and the catalog stay per datacenter, and `?dc=`
//! (`-datacenter`) on any agent reaches the other datacenter, blocking queries included, with
//! the remote side's headers; DNS answers `<svc>.service.<dc>.consul` and
//! `<node>.node.<dc>.consul` for the other datacenter, and a prepared query fails over to the
//! other datacenter when its own instances go critical. An unknown datacenter gets Consul's "No path to datacenter";
//! client agents are in no WAN pool; a killed remote server turns `failed` in the WAN pool and
//! `sd force-leave -wan` makes it `left`; a server that leaves gracefully is `left` there too.

use crate::common;

use serde_json::json;

use std::time::{Duration, Instant};

use common::cluster::{eventually, wan_members, FAILED, LEFT};
use common::dig::{dig, dns_addr};
use common::federation::{Federation, Partition};
use common::{header, http, http_full, http_get, stderr, stdout};

#[test]
fn two_datacenters_share_a_wan_pool_and_answer_for_each_other() {
    let mut f = Federation::start();
    let all = f.all();
    let (s1, c1) = (&f.dc1.servers[1], &f.dc1.client);
    let (t2, c2) = (&f.dc2.servers[1], &f.dc2.client);

    // `sd members -wan` on a server that joined the WAN pool only by flood.
    let out = s1.cli(&["members", "-wan"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let table = stdout(&out);
    for name in ["s1.dc1", "s2.dc1", "s3.dc1", "t1.dc2", "t2.dc2", "t3.dc2"] {
        assert!(table.contains(name), "{name} missing:\n{table}");
    }
    assert!(
        table.lines().next().unwrap_or_default().starts_with("Node"),
        "{table}"
    );
    // A client agent is in no WAN pool and cannot join one.
    let out = c1.cli(&["members", "-wan"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stderr(&out).contains("not a server"), "{}", stderr(&out));
    let (status, body) = http(
        "PUT",
        &format!("{}/v1/agent/join/{}?wan=1", c1.url(), c2.http_addr()),
        b"",
    )
    .unwrap();
    assert_eq!(
        (status, body.trim()),
        (500, "Must be a server to join WAN cluster")
    );

    // Both datacenters from any agent, a client's included.
    for a in [c1, c2, t2] {
        let (status, body) = http_get(&format!("{}/v1/catalog/datacenters", a.url())).unwrap();
        assert_eq!(status, 200);
        let mut dcs: Vec<String> = serde_json::from_str(&body).unwrap();
        dcs.sort();
        assert_eq!(dcs, ["dc1", "dc2"], "{body}");
    }
    let out = c2.cli(&["catalog", "datacenters"]);
    assert!(
        stdout(&out).contains("dc1") && stdout(&out).contains("dc2"),
        "{}",
        stdout(&out)
    );

    // KV is per datacenter; `?dc=` reads and writes the other one, with its index.
    c1.put_ok("/v1/kv/where", "dc1");
    let (status, _) = http_get(&format!("{}/v1/kv/where?raw", c2.url())).unwrap();
    assert_eq!(status, 404, "dc2 has its own KV");
    let (status, headers, body) =
        http_full("GET", &format!("{}/v1/kv/where?raw&dc=dc1", c2.url()), b"").unwrap();
    assert_eq!((status, body.as_str()), (200, "dc1"));
    let (_, local_headers, _) =
        http_full("GET", &format!("{}/v1/kv/where", c1.url()), b"").unwrap();
    let index = header(&headers, "x-consul-index")
        .expect("an index")
        .to_string();
    assert_eq!(
        Some(index.as_str()),
        header(&local_headers, "x-consul-index"),
        "dc1's own index"
    );
    assert_eq!(header(&headers, "x-consul-knownleader"), Some("true"));
    let out = c2.cli(&["kv", "put", "-datacenter=dc1", "from", "dc2"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = c1.cli(&["kv", "get", "from"]);
    assert_eq!(stdout(&out).trim(), "dc2", "{}", stderr(&out));

    // A blocking query from dc2 wakes on a write in dc1.
    let url = format!("{}/v1/kv/where?raw&dc=dc1&index={index}&wait=20s", c2.url());
    let started = Instant::now();
    let waiter = std::thread::spawn(move || http_get(&url).unwrap());
    std::thread::sleep(Duration::from_millis(500));
    assert!(!waiter.is_finished(), "the query blocks");
    f.dc1.servers[0].put_ok("/v1/kv/where", "dc1 again");
    let (status, body) = waiter.join().unwrap();
    assert_eq!((status, body.as_str()), (200, "dc1 again"));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "woken by the write, not the wait"
    );

    // The catalog too: a service registered in dc1, its health read from dc2.
    c1.put_ok("/v1/agent/service/register", r#"{"Name":"web","Port":80}"#);
    let url = format!("{}/v1/health/service/web?dc=dc1", c2.url());
    eventually(
        "dc1's web seen from dc2",
        &all,
        || matches!(http_get(&url), Ok((200, b)) if b.contains("\"sc\"")),
    );
    let (_, body) = http_get(&format!("{}/v1/health/service/web", c2.url())).unwrap();
    assert_eq!(body.trim(), "[]", "dc2's catalog has no web");

    // DNS names another datacenter's services and nodes, from a server and a client agent.
    let sc_ip = c1
        .http_addr()
        .split(':')
        .next()
        .unwrap_or_default()
        .to_string();
    for a in [t2, c2] {
        let d = dig(dns_addr(a), &["web.service.dc1.consul", "A"]);
        assert_eq!(d.status, "NOERROR", "{}", d.raw);
        assert_eq!(d.data("A"), [sc_ip.as_str()], "{}", d.raw);
        let d = dig(dns_addr(a), &["web.service.dc1.consul", "SRV"]);
        assert_eq!(d.data("SRV"), ["1 1 80 sc.node.dc1.consul."], "{}", d.raw);
        let d = dig(dns_addr(a), &["sc.node.dc1.consul", "A"]);
        assert_eq!(d.data("A"), [sc_ip.as_str()], "{}", d.raw);
        let d = dig(dns_addr(a), &["web.service.dc9.consul", "A"]);
        assert_eq!(d.status, "NXDOMAIN", "{}", d.raw);
        let d = dig(dns_addr(a), &["web.service.dc2.consul", "A"]);
        assert_eq!(d.status, "NXDOMAIN", "dc2 has no web: {}", d.raw);
    }

    // A prepared query of dc1 fails over to dc2 when dc1's instances go critical, over HTTP
    // and DNS.
    c1.put_ok(
        "/v1/agent/service/register",
        r#"{"Name":"api","Port":81,"Check":{"CheckID":"api-ttl","TTL":"60s","Status":"passing"}}"#,
    );
    c2.put_ok("/v1/agent/service/register", r#"{"Name":"api","Port":82}"#);
    let (status, body) = http(
        "POST",
        &format!("{}/v1/query", c1.url()),
        br#"{"Name":"api-q","Service":{"Service":"api","Failover":{"NearestN":1}}}"#,
    )
    .unwrap();
    assert_eq!(status, 200, "{body}");
    let execute = |a: &common::Agent| -> serde_json::Value {
        let (status, body) = http_get(&format!("{}/v1/query/api-q/execute", a.url())).unwrap();
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    };
    eventually("dc1's api in the catalog", &all, || {
        execute(c1)["Nodes"]
            .as_array()
            .is_some_and(|n| n.len() == 1)
    });
    let r = execute(c1);
    assert_eq!(
        (r["Datacenter"].as_str(), r["Failovers"].as_u64()),
        (Some("dc1"), Some(0)),
        "{r}"
    );
    c1.put_ok("/v1/agent/check/fail/api-ttl", "");
    eventually("the query fails over to dc2", &all, || {
        execute(c1)["Datacenter"] == "dc2"
    });
    let r = execute(c1);
    assert_eq!(r["Failovers"].as_u64(), Some(1), "{r}");
    assert_eq!(r["Nodes"][0]["Node"]["Node"], "tc", "{r}");
    assert_eq!(r["Nodes"][0]["Service"]["Port"], 82, "{r}");
    let tc_ip = c2
        .http_addr()
        .split(':')
        .next()
        .unwrap_or_default()
        .to_string();
    let d = dig(dns_addr(c1), &["api-q.query.consul", "A"]);
    assert_eq!(d.data("A"), [tc_ip.as_str()], "{}", d.raw);
    // dc2 runs dc1's query by naming dc1 (dc1 then fails over to dc2); it has none of its own.
    let d = dig(dns_addr(c2), &["api-q.query.dc1.consul", "A"]);
    assert_eq!(d.data("A"), [tc_ip.as_str()], "{}", d.raw);
    let d = dig(dns_addr(c2), &["api-q.query.consul", "A"]);
    assert_eq!(d.status, "NXDOMAIN", "{}", d.raw);
    // Without failover the query stays home, and finds nothing there.
    let (status, body) = http(
        "POST",
        &format!("{}/v1/query", c1.url()),
        br#"{"Name":"api-home","Service":{"Service":"api"}}"#,
    )
    .unwrap();
    assert_eq!(status, 200, "{body}");
    let (_, body) = http_get(&format!("{}/v1/query/api-home/execute", c1.url())).unwrap();
    let r: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (
            r["Datacenter"].as_str(),
            r["Nodes"].as_array().map(Vec::len)
        ),
        (Some("dc1"), Some(0)),
        "{r}"
    );
    // The internal route answers only other datacenters' servers.
    let (status, _) = http(
        "POST",
        &format!(
            "{}/v1/internal/query/execute-remote",
            f.dc2.servers[0].url()
        ),
        br#"{"Query":{"Service":{"Service":"api"}},"Limit":0}"#,
    )
    .unwrap();
    assert_eq!(status, 404);

    // A user event fired into dc1 from dc2 (the API's `?dc=`: Consul's `event` command has no
    // -datacenter).
    c2.put_ok("/v1/event/fire/deploy?dc=dc1", "");
    eventually(
        "dc1's client got the event",
        &all,
        || matches!(http_get(&format!("{}/v1/event/list?name=deploy", c1.url())), Ok((200, b)) if b.contains("deploy")),
    );

    // Usage of every datacenter, asked of any agent.
    let (status, body) = http_get(&format!("{}/v1/operator/usage?global", c2.url())).unwrap();
    assert_eq!(status, 200, "{body}");
    let usage: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(usage["Usage"]["dc1"]["Nodes"], 4, "{body}");
    assert_eq!(usage["Usage"]["dc2"]["Nodes"], 4, "{body}");
    let out = c1.cli(&["operator", "usage", "instances", "-all-datacenters"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("dc2"), "{}", stdout(&out));

    // An unknown datacenter, from a client and from a server.
    for a in [c2, t2] {
        let (status, body) = http_get(&format!("{}/v1/kv/where?dc=dc9", a.url())).unwrap();
        assert_eq!(status, 500);
        assert!(body.starts_with("No path to datacenter"), "{body}");
    }
    let out = c2.cli(&["kv", "get", "-datacenter=dc9", "where"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("No path to datacenter"),
        "{}",
        stderr(&out)
    );

    // A killed server of dc2 turns failed in dc1's WAN view; force-leave -wan makes it left.
    drop(all);
    f.dc2.servers[2].kill9();
    let all = f.all();
    let s1 = &f.dc1.servers[1];
    let status_of = |name: &str| {
        wan_members(s1)
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s)
    };
    eventually("t3.dc2 failed in the WAN pool", &all, || {
        status_of("t3.dc2") == Some(FAILED)
    });
    let out = s1.cli(&["force-leave", "-wan", "t3.dc2"]);
    assert!(out.status.success(), "{}", stderr(&out));
    eventually("t3.dc2 left the WAN pool", &all, || {
        status_of("t3.dc2") == Some(LEFT)
    });
    // dc2 keeps answering for dc1 with two of its three servers.
    let (status, body) =
        http_get(&format!("{}/v1/kv/where?raw&dc=dc2", f.dc1.client.url())).unwrap();
    assert_eq!(status, 404, "dc2 answers (it has no such key): {body}");
    // A server that leaves gracefully leaves the WAN pool too: `left`, not `failed`.
    let out = f.dc2.servers[1].cli(&["leave"]);
    assert!(out.status.success(), "{}", stderr(&out));
    eventually("t2.dc2 left the WAN pool", &all, || {
        status_of("t2.dc2") == Some(LEFT)
    });
}

/// A partition between the datacenters: each keeps serving its own requests, requests for the
/// other fail with Consul's error once the WAN pool sees the other side failed, and everything
/// heals by itself after the partition ends (the WAN pool retries failed members every 30 s).
#[test]
fn a_partition_between_datacenters_fails_only_cross_datacenter_requests_and_heals() {
    let f = Federation::start();
    let all = f.all();
    let (c1, c2) = (&f.dc1.client, &f.dc2.client);
    c1.put_ok("/v1/kv/side", "one");
    c2.put_ok("/v1/kv/side", "two");
    let read = |a: &common::Agent, dc: &str| {
        http_get(&format!("{}/v1/kv/side?raw&dc={dc}", a.url())).unwrap_or((0, String::new()))
    };
    assert_eq!(read(c2, "dc1"), (200, "one".to_string()));

    let cut = Partition::between(&f.dc1, &f.dc2);
    let s1 = &f.dc1.servers[0];
    eventually("dc1 sees dc2's servers failed", &all, || {
        let m = wan_members(s1);
        m.iter()
            .filter(|(n, st)| n.ends_with(".dc2") && *st == FAILED)
            .count()
            == 3
    });
    eventually(
        "dc2's requests for dc1 fail with Consul's error",
        &all,
        || {
            let (status, body) = read(c2, "dc1");
            status == 500 && body.starts_with("No path to datacenter")
        },
    );
    // Each side serves its own reads and writes meanwhile.
    c1.put_ok("/v1/kv/side", "one, cut off");
    c2.put_ok("/v1/kv/side", "two, cut off");
    assert_eq!(read(c1, "dc1"), (200, "one, cut off".to_string()));
    assert_eq!(read(c2, "dc2"), (200, "two, cut off".to_string()));

    cut.heal();
    common::cluster::eventually_within("the WAN pool heals", Duration::from_secs(75), &all, || {
        let m = wan_members(s1);
        m.len() == 6 && m.iter().all(|(_, st)| *st == common::cluster::ALIVE)
    });
    eventually("dc2 reads dc1 again", &all, || {
        read(c2, "dc1") == (200, "one, cut off".to_string())
    });
}

/// ACLs across datacenters: dc1 is the primary. A token made there works in dc2 (resolved at
/// the primary, then replicated: it keeps working through a partition), ACL writes sent to dc2
/// land in the primary, and a `Local` token made in dc2 works only there.
#[test]
fn acls_of_the_primary_datacenter_work_in_the_secondary() {
    const ACL: &str = r#"primary_datacenter = "dc1" acl { enabled = true default_policy = "deny" enable_token_replication = true tokens { initial_management = "root" default = "root" agent = "root" replication = "root" } }"#;
    let f = Federation::start_with(&["-hcl", ACL]);
    let (c1, c2) = (&f.dc1.client, &f.dc2.client);
    let send = |a: &common::Agent, method: &str, path: &str, token: &str, body: &str| {
        let sep = if path.contains('?') { '&' } else { '?' };
        http(
            method,
            &format!("{}{path}{sep}token={token}", a.url()),
            body.as_bytes(),
        )
        .unwrap()
    };

    // A policy and a token made in dc1.
    let (status, body) = send(
        c1,
        "PUT",
        "/v1/acl/policy",
        "root",
        r#"{"Name":"kv-app","Rules":"key_prefix \"app/\" { policy = \"write\" }"}"#,
    );
    assert_eq!(status, 200, "{body}");
    let (status, body) = send(
        c1,
        "PUT",
        "/v1/acl/token",
        "root",
        r#"{"SecretID":"5e3a1f4c-0b7d-4c8e-9f2a-6d1b3c5e7a90","Policies":[{"Name":"kv-app"}]}"#,
    );
    assert_eq!(status, 200, "{body}");
    let app = "5e3a1f4c-0b7d-4c8e-9f2a-6d1b3c5e7a90";

    // It works in dc2, with its policy's limits.
    let (status, body) = send(c2, "PUT", "/v1/kv/app/x", app, "1");
    assert_eq!((status, body.trim()), (200, "true"));
    let (status, body) = send(c2, "PUT", "/v1/kv/other", app, "1");
    assert_eq!(status, 403, "{body}");
    let (status, body) = send(c2, "GET", "/v1/kv/app/x", "no-such-secret", "");
    assert_eq!((status, body.trim()), (403, "ACL not found"));

    // ACL writes sent to dc2 are made in the primary.
    let (status, body) = send(
        c2,
        "PUT",
        "/v1/acl/policy",
        "root",
        r#"{"Name":"from-dc2","Rules":""}"#,
    );
    assert_eq!(status, 200, "{body}");
    let (status, body) = send(&f.dc1.servers[0], "GET", "/v1/acl/policies", "root", "");
    assert_eq!(status, 200);
    assert!(body.contains("\"from-dc2\""), "{body}");

    // A Local token made in dc2 works there and nowhere else.
    let local = "7c2e9a4b-1d3f-4a6c-8e0b-2f4d6a8c0e1b";
    let (status, body) = send(
        c2,
        "PUT",
        "/v1/acl/token",
        "root",
        &format!(
            r#"{{"SecretID":"{local}","Local":true,"Policies":[{{"ID":"00000000-0000-0000-0000-000000000001"}}]}}"#
        ),
    );
    assert_eq!(status, 200, "{body}");
    let (status, body) = send(c2, "PUT", "/v1/kv/anything", local, "1");
    assert_eq!((status, body.trim()), (200, "true"));
    let (status, body) = send(c1, "PUT", "/v1/kv/anything", local, "1");
    assert_eq!((status, body.trim()), (403, "ACL not found"));

    // dc2's leader replicates the primary's policies, roles and tokens: a token made in dc1
    // and never used in dc2 works there through a partition from the primary.
    let (status, body) = send(
        c1,
        "PUT",
        "/v1/acl/token",
        "root",
        r#"{"SecretID":"0b9d8c7e-6f5a-4b3c-2d1e-0f9a8b7c6d5e","Policies":[{"Name":"kv-app"}]}"#,
    );
    assert_eq!(status, 200, "{body}");
    let made: serde_json::Value = serde_json::from_str(&body).unwrap();
    let made_at = made["CreateIndex"].as_u64().unwrap();
    let replication = || {
        let (_, body) = send(c2, "GET", "/v1/acl/replication", "root", "");
        serde_json::from_str::<serde_json::Value>(&body).unwrap_or_default()
    };
    eventually("dc2 replicated the new token", &f.all(), || {
        replication()["ReplicatedTokenIndex"].as_u64().unwrap_or(0) >= made_at
    });
    let r = replication();
    assert_eq!(
        (
            &r["Enabled"],
            &r["Running"],
            &r["SourceDatacenter"],
            &r["ReplicationType"]
        ),
        (&json!(true), &json!(true), &json!("dc1"), &json!("tokens")),
        "{r}"
    );
    assert!(r["ReplicatedIndex"].as_u64().unwrap_or(0) > 0, "{r}");
    let cut = Partition::between(&f.dc1, &f.dc2);
    let fresh = "0b9d8c7e-6f5a-4b3c-2d1e-0f9a8b7c6d5e";
    let (status, body) = send(c2, "PUT", "/v1/kv/app/y", fresh, "1");
    assert_eq!((status, body.trim()), (200, "true"));
    let (status, body) = send(c2, "PUT", "/v1/kv/other", fresh, "1");
    assert_eq!(status, 403, "{body}");
    cut.heal();
}

/// Gossip encryption and TLS cover the WAN pool and requests between datacenters: every agent
/// encrypts gossip with one key and speaks server RPC over mutual TLS with
/// `verify_server_hostname`, each datacenter's servers holding `server.<dc>.consul`
/// certificates. The WAN pool forms, a read crosses to the other datacenter, and a server
/// with another gossip key cannot join the WAN pool.
#[test]
fn gossip_encryption_and_tls_cover_the_wan_pool_and_cross_datacenter_requests() {
    use common::certs::{sd_cert_in, sd_in};
    const KEY: &str = "YwgWlBvicJN17UOYcutXLpJSZsw5aWpLEEWqgK635zA=";
    let tmp = tempfile::tempdir().unwrap();
    let certs = tmp.path().to_path_buf();
    common::ok(&sd_in(&certs, &["tls", "ca", "create"]));
    for (dc, kind) in [("dc1", "-server"), ("dc2", "-server"), ("dc1", "-client")] {
        let name = format!("{dc}{kind}");
        sd_cert_in(&certs, &[kind, "-dc", dc], "consul-agent-ca", &name, &[]);
    }
    let p = |f: &str| certs.join(f).display().to_string();
    let args = |dc: &str, node: &str| -> Vec<String> {
        let kind = match node.ends_with('c') {
            true => "dc1-client".to_string(),
            false => format!("{dc}-server"),
        };
        let hcl = format!(
            r#"encrypt = "{KEY}" tls {{ defaults {{ ca_file = "{}" cert_file = "{}" key_file = "{}" verify_incoming = true verify_outgoing = true }} internal_rpc {{ verify_server_hostname = true }} }}"#,
            p("consul-agent-ca.pem"),
            p(&format!("{kind}.pem")),
            p(&format!("{kind}-key.pem")),
        );
        vec!["-hcl".into(), hcl]
    };
    let f = Federation::start_each(&args);
    let (c1, c2) = (&f.dc1.client, &f.dc2.client);
    c1.put_ok("/v1/kv/secret-path", "over tls");
    let (status, body) = http_get(&format!("{}/v1/kv/secret-path?raw&dc=dc1", c2.url())).unwrap();
    assert_eq!((status, body.as_str()), (200, "over tls"));
    let (_, body) = http_get(&format!("{}/v1/agent/self", f.dc2.servers[0].url())).unwrap();
    let me: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        me["Stats"]["serf_wan"]["encrypted"], "true",
        "{}",
        me["Stats"]
    );

    // A server of a third datacenter with another gossip key is refused by the WAN pool.
    let block = common::loopback_block();
    let rogue = common::AgentBuilder::dev()
        .arg("-node=rogue")
        .arg("-datacenter=dc3")
        .arg("-encrypt=r+pUD3yH8bZVHxPrBwmI2g==")
        .at(common::loopback_host(block, 1))
        .start();
    let seed = f.dc1.servers[0]
        .http_addr()
        .split(':')
        .next()
        .unwrap_or_default()
        .to_string();
    let out = rogue.cli(&["join", "-wan", &seed]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(wan_members(&f.dc1.servers[0])
        .iter()
        .all(|(n, _)| n != "rogue.dc3"));
}
