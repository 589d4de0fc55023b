//! End-to-end: `dns_config.allow_stale` and `max_stale` when the servers go away. Agents on their
//! own loopback addresses with Consul's default ports (DNS on 8600), queried with `dig`.
//!
//! * A client agent's cache: with the defaults (stale allowed, `max_stale` ten years) it keeps
//!   answering a warm name with its only server killed; with `max_stale = "3s"` it stops
//!   (SERVFAIL) once nothing confirmed the name for that long; with `allow_stale = false` it
//!   stops as soon as its refresh through the leader fails; both answer again when the server
//!   is back.
//! * A server answering from its own replicated state: with `allow_stale = false` it refuses
//!   once it has no leader; restarted with the defaults (and still no leader) it answers from
//!   its stale state; restarted with `max_stale = "2s"` it refuses once its last contact with
//!   a leader is older than that.

use crate::common;
use crate::common::dig;

use std::net::Ipv4Addr;
use std::path::Path;

use common::cluster::{eventually, leader, put as put_kv, stale_get};
use common::{http_get, loopback_block, loopback_host, Agent, AgentBuilder};
use dig::{dig, dns_addr};
use serde_json::json;

/// The A records `a` gives for `name` (empty on any error status).
fn a_records(a: &Agent, name: &str) -> Vec<String> {
    dig(dns_addr(a), &[name]).data("A")
}

fn status(a: &Agent, name: &str) -> String {
    dig(dns_addr(a), &[name, "+time=8"]).status
}

/// A client agent at `ip` joined to `server`, with extra flags.
fn client(dir: &Path, name: &str, ip: Ipv4Addr, server: Ipv4Addr, extra: &[&str]) -> Agent {
    let mut b = AgentBuilder::dev_free()
        .arg(format!("-data-dir={}", dir.join(name).display()))
        .arg(format!("-node={name}"))
        .arg(format!("-join={server}"))
        .at(ip);
    for x in extra {
        b = b.arg(*x);
    }
    b.spawn()
}

#[test]
fn client_cache_follows_allow_stale_and_max_stale() {
    let block = loopback_block();
    let ip = |n| loopback_host(block, n);
    let tmp = tempfile::tempdir().unwrap();
    let server_args = |b: AgentBuilder| {
        b.arg("-server")
            .arg("-bootstrap")
            .arg(format!("-data-dir={}", tmp.path().join("s").display()))
            .arg("-node=server1")
            .at(ip(1))
    };
    let mut server = server_args(AgentBuilder::dev_free()).start();
    let relaxed = client(tmp.path(), "relaxed", ip(2), ip(1), &[]);
    let bounded = client(
        tmp.path(),
        "bounded",
        ip(3),
        ip(1),
        &[r#"-hcl=dns_config { max_stale = "3s" }"#],
    );
    let strict = client(
        tmp.path(),
        "strict",
        ip(4),
        ip(1),
        &["-hcl=dns_config { allow_stale = false }"],
    );
    let clients = [&relaxed, &bounded, &strict];
    for c in clients {
        eventually("the client agent's HTTP API answers", &[&server, c], || {
            http_get(&format!("{}/v1/agent/self", c.url())).is_ok()
        });
    }
    let service = json!({"Name": "web", "Port": 80,
        "Check": {"CheckID": "web-ttl", "TTL": "1h", "Status": "passing"}});
    relaxed.put_ok("/v1/agent/service/register", &service.to_string());
    let web = [ip(2).to_string()];
    for c in clients {
        eventually(
            "every client answers web.service.consul",
            &[&server, c],
            || a_records(c, "web.service.consul") == web,
        );
    }

    // A healthy cache bounded by max_stale is confirmed again and again by its server, even
    // with nothing changing (its blocking queries return within max_stale / 2).
    let confirmed = bounded.counter("consul_dns_cache_fetch_success");
    eventually(
        "the bounded client's cache is confirmed again",
        &[&server, &bounded],
        || bounded.counter("consul_dns_cache_fetch_success") >= confirmed + 2.0,
    );
    assert_eq!(a_records(&bounded, "web.service.consul"), web);

    server.kill9();
    // Stale reads allowed with the default max_stale: the warm name is still answered.
    for _ in 0..5 {
        let d = dig(dns_addr(&relaxed), &["web.service.consul"]);
        assert_eq!(d.data("A"), web, "{}", d.raw);
        assert!(d.has_flag("aa"), "{}", d.raw);
    }
    eventually(
        "the strict client refuses once its refresh through the leader fails",
        &[&strict],
        || status(&strict, "web.service.consul") == "SERVFAIL",
    );
    eventually(
        "the bounded client refuses once its data is older than max_stale",
        &[&bounded],
        || status(&bounded, "web.service.consul") == "SERVFAIL",
    );
    assert_eq!(a_records(&relaxed, "web.service.consul"), web);

    // The server comes back (its data dir holds the catalog): both answer again.
    let server = server_args(AgentBuilder::dev_free()).start();
    for c in [&bounded, &strict] {
        eventually("the client answers again", &[&server, c], || {
            a_records(c, "web.service.consul") == web
        });
    }
}

#[test]
fn server_without_a_leader_follows_allow_stale_and_max_stale() {
    let block = loopback_block();
    let ip = |n| loopback_host(block, n);
    let tmp = tempfile::tempdir().unwrap();
    let server = |n: u8, extra: Option<&str>| {
        let mut b = AgentBuilder::dev_free()
            .arg("-server")
            .arg("-bootstrap-expect=3")
            .arg(format!(
                "-data-dir={}",
                tmp.path().join(format!("s{n}")).display()
            ))
            .arg(format!("-node=server{n}"))
            .at(ip(n));
        for m in (1..=3).filter(|m| *m != n) {
            b = b.arg(format!("-retry-join={}", ip(m)));
        }
        b = b.arg("-retry-interval=1s");
        if let Some(x) = extra {
            b = b.arg(x);
        }
        b.spawn()
    };
    let mut s1 = server(1, Some("-hcl=dns_config { allow_stale = false }"));
    let mut s2 = server(2, None);
    let mut s3 = server(3, None);
    eventually("the servers elect a leader", &[&s1, &s2, &s3], || {
        !leader(&s1).is_empty()
    });
    let reg = json!({"Node": "ext1", "Address": "192.0.2.10",
        "Service": {"Service": "db", "Port": 5432}});
    s1.put_ok("/v1/catalog/register", &reg.to_string());
    let db = ["192.0.2.10".to_string()];
    eventually("s1 answers db.service.consul", &[&s1], || {
        a_records(&s1, "db.service.consul") == db
    });
    // Raft's commit index is made durable by the next append, not waited for: two more writes
    // that s1 has appended make sure a restarted s1 still applies the registration without a
    // leader (otherwise it would only have what a leader tells it, as in Consul).
    for key in ["a", "b"] {
        assert!(put_kv(&s1, key, "1"), "write {key}");
    }
    eventually("s1 has the writes", &[&s1], || {
        stale_get(&s1, "b").is_some()
    });

    s2.kill9();
    s3.kill9();
    eventually(
        "s1 with allow_stale = false refuses without a leader",
        &[&s1],
        || status(&s1, "db.service.consul") == "SERVFAIL",
    );

    // Restarted alone with the defaults it still has no leader, and answers from its state.
    s1.kill9();
    let s1 = server(1, None);
    eventually("s1 with stale reads allowed answers", &[&s1], || {
        a_records(&s1, "db.service.consul") == db
    });
    assert!(
        leader(&s1).is_empty(),
        "a lone server of three has no leader"
    );

    // With max_stale = 2s it refuses once its last contact with a leader is older than that.
    let mut s1 = s1;
    s1.kill9();
    let s1 = server(1, Some(r#"-hcl=dns_config { max_stale = "2s" }"#));
    eventually("s1 with max_stale = 2s refuses", &[&s1], || {
        status(&s1, "db.service.consul") == "SERVFAIL"
    });
    assert!(
        leader(&s1).is_empty(),
        "a lone server of three has no leader"
    );
}
