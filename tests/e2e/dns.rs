//! End-to-end: the DNS interface of a real `sd agent -dev`, queried with the real `dig`. Every
//! name form, records and sections, healthy filtering as TTL checks change, shuffling, UDP
//! truncation with the full answer over TCP, TTL and limit settings, recursors, garbage
//! packets that must not stop good queries from being answered, and `-dns-port=-1` turning
//! the interface off.

use crate::common;
use crate::common::dig;

use std::collections::BTreeSet;
use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use common::cluster::eventually;
use common::{http, Agent, AgentBuilder};
use dig::{dig, dns_addr};
use serde_json::{json, Value};

fn put(a: &Agent, path: &str, body: &Value) {
    let (status, text) = http(
        "PUT",
        &format!("{}{path}", a.url()),
        body.to_string().as_bytes(),
    )
    .expect("HTTP request");
    assert_eq!(status, 200, "PUT {path}: {text}");
}

fn register(a: &Agent, service: &Value) {
    put(a, "/v1/agent/service/register", service);
}

/// Waits until `name` (type `rtype`) has exactly `n` answers.
fn wait_answers(a: &Agent, name: &str, rtype: &str, n: usize) {
    let dns = dns_addr(a);
    eventually(&format!("{n} {rtype} answers for {name}"), &[a], || {
        dig(dns, &[name, rtype, "+tcp"]).answer.len() == n
    });
}

/// A dev agent with a known node name and meta.
fn dev(extra: &[&str]) -> Agent {
    let mut b = AgentBuilder::dev()
        .arg("-node=alpha")
        .arg("-node-meta=env:test")
        .arg("-node-meta=rfc1035-note:plain text");
    for x in extra {
        b = b.arg(*x);
    }
    let a = b.start();
    // The leader registers its own `consul` service shortly after it is elected.
    wait_answers(&a, "consul.service.consul", "SRV", 1);
    a
}

#[test]
fn name_forms_records_and_negative_answers() {
    let a = dev(&["-alt-domain=example.internal"]);
    let dns = dns_addr(&a);
    register(
        &a,
        &json!({"Name": "web", "ID": "web-1", "Port": 80, "Tags": ["v1", "Primary"]}),
    );
    register(
        &a,
        &json!({"Name": "web", "ID": "web-2", "Port": 81, "Tags": ["v2"], "Address": "192.0.2.7"}),
    );
    register(
        &a,
        &json!({"Name": "db6", "ID": "db6", "Port": 5432, "Address": "2001:db8::5"}),
    );
    wait_answers(&a, "web.service.consul", "A", 2);

    // <service>.service[.<dc>].consul: A of every instance; the node's address when the
    // service has none. Authoritative.
    for name in [
        "web.service.consul",
        "web.service.dc1.consul",
        "web.service.dc1.dc.consul",
        "WEB.Service.CONSUL",
        "web.service.example.internal",
    ] {
        let d = dig(dns, &[name]);
        assert_eq!(d.status, "NOERROR", "{name}\n{}", d.raw);
        assert!(d.has_flag("aa"), "{}", d.raw);
        assert!(!d.has_flag("ra"), "no recursors: no ra flag\n{}", d.raw);
        assert_eq!(d.data("A"), ["127.0.0.1", "192.0.2.7"], "{name}\n{}", d.raw);
        assert!(d
            .answer
            .iter()
            .all(|r| r.name.eq_ignore_ascii_case(&format!("{name}."))));
    }

    // <tag>.<service>.service.consul, tags case-insensitive.
    assert_eq!(
        dig(dns, &["v2.web.service.consul"]).data("A"),
        ["192.0.2.7"]
    );
    assert_eq!(
        dig(dns, &["primary.web.service.consul"]).data("A"),
        ["127.0.0.1"]
    );
    assert_eq!(dig(dns, &["v9.web.service.consul"]).status, "NXDOMAIN");

    // SRV: priority 1, weight 1, the port, the target's address in the additional section:
    // the node name for node addresses, the hex .addr. name for a service's own address.
    let d = dig(dns, &["web.service.consul", "SRV"]);
    assert_eq!(
        d.data("SRV"),
        [
            "1 1 80 alpha.node.dc1.consul.",
            "1 1 81 c0000207.addr.dc1.consul."
        ],
        "{}",
        d.raw
    );
    let extra: BTreeSet<(String, String, String)> = d
        .additional
        .iter()
        .map(|r| (r.name.clone(), r.rtype.clone(), r.data.clone()))
        .collect();
    for want in [
        ("alpha.node.dc1.consul.", "A", "127.0.0.1"),
        ("c0000207.addr.dc1.consul.", "A", "192.0.2.7"),
        ("alpha.node.dc1.consul.", "TXT", "\"env=test\""),
        ("alpha.node.dc1.consul.", "TXT", "\"plain text\""),
    ] {
        let want = (want.0.to_string(), want.1.to_string(), want.2.to_string());
        assert!(extra.contains(&want), "missing {want:?} in\n{}", d.raw);
    }
    // The alternate domain's answers use that domain.
    let d = dig(dns, &["web.service.example.internal", "SRV"]);
    assert!(
        d.data("SRV")
            .contains(&"1 1 80 alpha.node.dc1.example.internal.".to_string()),
        "{}",
        d.raw
    );

    // RFC 2782: _<service>._tcp (no tag filter) and _<service>._<tag>, with or without .service.
    assert_eq!(
        dig(dns, &["_web._tcp.service.consul", "SRV"]).answer.len(),
        2
    );
    assert_eq!(
        dig(dns, &["_web._v1.service.consul", "SRV"]).data("SRV"),
        ["1 1 80 alpha.node.dc1.consul."]
    );
    assert_eq!(dig(dns, &["_web._tcp.consul", "SRV"]).answer.len(), 2);

    // AAAA by address family; an A question for an IPv6-only service is NODATA with the SOA.
    assert_eq!(
        dig(dns, &["db6.service.consul", "AAAA"]).data("AAAA"),
        ["2001:db8::5"]
    );
    let d = dig(dns, &["db6.service.consul", "A"]);
    assert_eq!(
        (d.status.as_str(), d.answer.len()),
        ("NOERROR", 0),
        "{}",
        d.raw
    );
    assert_eq!(d.authority[0].rtype, "SOA", "{}", d.raw);
    assert_eq!(
        dig(dns, &["web.service.consul", "AAAA"]).answer.len(),
        0,
        "no IPv6 instance"
    );

    // <node>.node[.<dc>].consul: A, and node meta as TXT (key=value, bare for rfc1035- keys).
    for name in ["alpha.node.consul", "ALPHA.node.dc1.consul"] {
        assert_eq!(dig(dns, &[name]).data("A"), ["127.0.0.1"], "{name}");
    }
    assert_eq!(
        dig(dns, &["alpha.node.consul", "TXT"]).data("TXT"),
        ["\"env=test\"", "\"plain text\""]
    );

    // <hex-ip>.addr.<dc>.consul.
    assert_eq!(
        dig(dns, &["c0000207.addr.dc1.consul"]).data("A"),
        ["192.0.2.7"]
    );
    assert_eq!(
        dig(
            dns,
            &["20010db8000000000000000000000005.addr.dc1.consul", "AAAA"]
        )
        .data("AAAA"),
        ["2001:db8::5"]
    );

    // Reverse lookups: a node's address names the node, a service's own address the service.
    assert_eq!(
        dig(dns, &["-x", "127.0.0.1"]).data("PTR"),
        ["alpha.node.dc1.consul."]
    );
    assert_eq!(
        dig(dns, &["-x", "192.0.2.7"]).data("PTR"),
        ["web.service.dc1.consul."]
    );
    assert_eq!(
        dig(dns, &["-x", "2001:db8::5"]).data("PTR"),
        ["db6.service.dc1.consul."]
    );
    let d = dig(dns, &["-x", "198.51.100.1"]);
    assert_eq!(d.status, "NXDOMAIN", "{}", d.raw);

    // consul. SOA and NS: this server (the built-in consul service) with its address.
    let d = dig(dns, &["consul.", "SOA"]);
    assert_eq!(d.answer.len(), 1, "{}", d.raw);
    let soa: Vec<&str> = d.answer[0].data.split(' ').collect();
    assert_eq!(&soa[..2], ["ns.consul.", "hostmaster.consul."], "{}", d.raw);
    assert_eq!(&soa[3..], ["3600", "600", "86400", "0"], "{}", d.raw);
    assert_eq!(d.authority[0].data, "alpha.node.dc1.consul.", "{}", d.raw);
    let d = dig(dns, &["consul.", "NS"]);
    assert_eq!(d.data("NS"), ["alpha.node.dc1.consul."], "{}", d.raw);
    assert_eq!(d.additional[0].data, "127.0.0.1", "{}", d.raw);
    assert_eq!(
        dig(dns, &["consul.service.consul"]).data("A"),
        ["127.0.0.1"]
    );

    // Unknown names, unknown datacenters, forms sd does not serve: NXDOMAIN, aa, SOA in the
    // authority section.
    for name in [
        "nope.service.consul",
        "nope.node.consul",
        "web.service.dc2.consul",
        "alpha.node.dc2.consul",
        "web.consul",
        "q.query.consul",
        "zz.addr.dc1.consul",
    ] {
        let d = dig(dns, &[name]);
        assert_eq!(d.status, "NXDOMAIN", "{name}\n{}", d.raw);
        assert!(d.has_flag("aa"), "{}", d.raw);
        assert_eq!(d.answer.len(), 0);
        assert_eq!(d.authority.len(), 1, "{}", d.raw);
        assert_eq!(d.authority[0].rtype, "SOA");
        assert_eq!(d.authority[0].name, "consul.");
    }
    // Outside the domain, without recursors: refused.
    assert_eq!(dig(dns, &["example.com"]).status, "REFUSED");
    // AXFR is not implemented (dig uses TCP for it).
    let d = dig(dns, &["consul.", "AXFR"]);
    assert!(
        d.raw.contains("NOTIMP") || d.raw.contains("Transfer failed"),
        "{}",
        d.raw
    );
}

#[test]
fn only_healthy_instances_as_checks_change() {
    let a = dev(&[]);
    let dns = dns_addr(&a);
    for (id, ip) in [("api-1", "192.0.2.1"), ("api-2", "192.0.2.2")] {
        register(
            &a,
            &json!({"Name": "api", "ID": id, "Port": 8080, "Address": ip,
                    "Check": {"CheckID": format!("{id}-ttl"), "TTL": "1h", "Status": "passing"}}),
        );
    }
    wait_answers(&a, "api.service.consul", "A", 2);
    let pass = |id: &str, state: &str| {
        put(&a, &format!("/v1/agent/check/{state}/{id}-ttl"), &json!({}));
    };
    // A critical check excludes its instance.
    pass("api-2", "fail");
    wait_answers(&a, "api.service.consul", "A", 1);
    assert_eq!(dig(dns, &["api.service.consul"]).data("A"), ["192.0.2.1"]);
    assert_eq!(dig(dns, &["api.service.consul", "SRV"]).answer.len(), 1);
    // Warning is still served (only_passing is off).
    pass("api-2", "warn");
    wait_answers(&a, "api.service.consul", "A", 2);
    // No healthy instance at all: NXDOMAIN with the SOA.
    pass("api-1", "fail");
    pass("api-2", "fail");
    let d = loop_until(&a, || {
        let d = dig(dns, &["api.service.consul"]);
        (d.status == "NXDOMAIN").then_some(d)
    });
    assert_eq!(d.authority[0].rtype, "SOA");
    pass("api-1", "pass");
    wait_answers(&a, "api.service.consul", "A", 1);
    // A node-level critical check excludes every instance on the node.
    put(
        &a,
        "/v1/agent/check/register",
        &json!({"CheckID": "node-ttl", "Name": "node", "TTL": "1h", "Status": "critical"}),
    );
    wait_answers(&a, "api.service.consul", "A", 0);
}

#[test]
fn only_passing_excludes_warning_instances() {
    let a = dev(&["-hcl=dns_config { only_passing = true }"]);
    register(
        &a,
        &json!({"Name": "api", "ID": "api-1", "Port": 1, "Address": "192.0.2.1",
                "Check": {"CheckID": "t1", "TTL": "1h", "Status": "passing"}}),
    );
    register(
        &a,
        &json!({"Name": "api", "ID": "api-2", "Port": 1, "Address": "192.0.2.2",
                "Check": {"CheckID": "t2", "TTL": "1h", "Status": "warning"}}),
    );
    wait_answers(&a, "api.service.consul", "A", 1);
    assert_eq!(
        dig(dns_addr(&a), &["api.service.consul"]).data("A"),
        ["192.0.2.1"]
    );
}

/// Polls `f` until it gives a value (with the agent's log on timeout).
fn loop_until<T>(a: &Agent, mut f: impl FnMut() -> Option<T>) -> T {
    let mut out = None;
    eventually("the expected DNS answer", &[a], || {
        out = f();
        out.is_some()
    });
    out.expect("value")
}

/// `n` instances of `name`, on addresses 10.9.0.1 ... with ports 9001 ...
fn register_many(a: &Agent, name: &str, n: usize) {
    for i in 1..=n {
        register(
            a,
            &json!({"Name": name, "ID": format!("{name}-{i}"), "Port": 9000 + i,
                    "Address": format!("10.9.0.{i}")}),
        );
    }
    wait_answers(a, &format!("{name}.service.consul"), "SRV", n);
}

#[test]
fn answers_are_shuffled_on_every_query() {
    let a = dev(&[]);
    register_many(&a, "pool", 10);
    let dns = dns_addr(&a);
    let orders: BTreeSet<Vec<String>> = (0..20)
        .map(|_| {
            let d = dig(dns, &["pool.service.consul", "+tcp"]);
            assert_eq!(d.answer.len(), 10, "{}", d.raw);
            d.answer.iter().map(|r| r.data.clone()).collect()
        })
        .collect();
    assert!(
        orders.len() > 1,
        "20 queries all gave the same order: {orders:?}"
    );
    let srv: BTreeSet<String> = (0..20)
        .map(|_| {
            dig(dns, &["pool.service.consul", "SRV"]).answer[0]
                .data
                .clone()
        })
        .collect();
    assert!(srv.len() > 1, "SRV order never changed: {srv:?}");
}

/// A service's A or SRV records asked over UDP come from records encoded once per view
/// (`src/agent/dns/fast.rs`): the same records as the general path gives over TCP.
#[test]
fn plain_udp_service_answers_are_the_general_paths_records() {
    let a = AgentBuilder::dev().arg("-node=alpha").start();
    wait_answers(&a, "consul.service.consul", "SRV", 1);
    register_many(&a, "pool", 6);
    let dns = dns_addr(&a);
    for rtype in ["A", "SRV"] {
        let general = dig(dns, &["pool.service.consul", rtype, "+tcp"]);
        assert_eq!(general.answer.len(), 6, "{}", general.raw);
        let all: BTreeSet<(u32, String)> = general
            .answer
            .iter()
            .map(|r| (r.ttl, r.data.clone()))
            .collect();
        let extras: BTreeSet<(String, String)> = general
            .additional
            .iter()
            .map(|r| (r.name.clone(), r.data.clone()))
            .collect();
        // Without EDNS, udp_answer_limit (3) answers and no TC (enable_truncate is off); with
        // dig's EDNS (1232 bytes, a cookie), all six. The fast path writes SRV targets whole
        // where the general path would compress them, so the size tells which path answered:
        // header 12, question 29, SRV answers of 44, addresses of 16, OPT record 11.
        for (edns, answers, srv_size) in [("+noedns", 3, 221), ("+edns=0", 6, 412)] {
            let d = dig(dns, &["POOL.Service.dc1.consul", rtype, edns, "+notcp"]);
            assert_eq!(d.answer.len(), answers, "{}", d.raw);
            assert!(d.has_flag("aa") && !d.has_flag("tc"), "{}", d.raw);
            for r in &d.answer {
                assert_eq!(r.name, "POOL.Service.dc1.consul.", "{}", d.raw);
                assert!(all.contains(&(r.ttl, r.data.clone())), "{}", d.raw);
            }
            for r in &d.additional {
                assert!(
                    extras.contains(&(r.name.clone(), r.data.clone())),
                    "{}",
                    d.raw
                );
            }
            if rtype == "SRV" {
                assert_eq!(d.additional.len(), answers, "{}", d.raw);
                let size = format!("MSG SIZE  rcvd: {srv_size}");
                assert!(d.raw.contains(&size), "{}", d.raw);
            }
        }
    }
}

#[test]
fn udp_truncates_and_tcp_returns_everything() {
    let a = dev(&[]);
    register_many(&a, "big", 40);
    let dns = dns_addr(&a);
    // Over UDP with a 512-byte EDNS buffer: trimmed to fit, TC set (dig +ignore keeps it).
    let d = dig(dns, &["big.service.consul", "+bufsize=512", "+ignore"]);
    assert!(d.has_flag("tc"), "{}", d.raw);
    assert!(!d.answer.is_empty() && d.answer.len() < 40, "{}", d.raw);
    let d = dig(
        dns,
        &["big.service.consul", "SRV", "+bufsize=512", "+ignore"],
    );
    assert!(d.has_flag("tc"), "{}", d.raw);
    assert!(d.answer.len() < 40, "{}", d.raw);
    // Every kept SRV answer keeps its target's address.
    for srv in &d.answer {
        let target = srv.data.split(' ').nth(3).unwrap_or_default();
        assert!(d.additional.iter().any(|r| r.name == target), "{}", d.raw);
    }
    // dig retries a truncated answer over TCP by itself and gets all of them.
    let d = dig(dns, &["big.service.consul", "+bufsize=512"]);
    assert_eq!(d.answer.len(), 40, "{}", d.raw);
    // Over TCP: everything, no TC.
    for rtype in ["A", "SRV"] {
        let d = dig(dns, &["big.service.consul", rtype, "+tcp"]);
        assert_eq!(d.answer.len(), 40, "{}", d.raw);
        assert!(!d.has_flag("tc"), "{}", d.raw);
    }
    let d = dig(dns, &["big.service.consul", "SRV", "+tcp"]);
    assert_eq!(d.additional.iter().filter(|r| r.rtype == "A").count(), 40);
    // UDP without EDNS: udp_answer_limit (3) answers; TC only with enable_truncate (off).
    let d = dig(dns, &["big.service.consul", "+noedns", "+ignore", "+notcp"]);
    assert_eq!(d.answer.len(), 3, "{}", d.raw);
    assert!(!d.has_flag("tc"), "{}", d.raw);
    // A large EDNS buffer holds all 40 A records.
    let d = dig(dns, &["big.service.consul", "+bufsize=4096", "+ignore"]);
    assert_eq!(d.answer.len(), 40, "{}", d.raw);
}

#[test]
fn ttls_limits_and_soa_settings() {
    let a = dev(&[r#"-hcl=dns_config { a_record_limit = 6
            udp_answer_limit = 5
            enable_truncate = true
            node_ttl = "7s"
            service_ttl = { "*" = "5s", "po*" = "6s", "pool" = "9s" }
            soa = { min_ttl = 60, refresh = 10 } }"#]);
    register_many(&a, "pool", 10);
    register(&a, &json!({"Name": "portal", "Port": 1}));
    register(&a, &json!({"Name": "other", "Port": 1}));
    let dns = dns_addr(&a);
    // a_record_limit caps A answers over any transport.
    let d = dig(dns, &["pool.service.consul", "+tcp"]);
    assert_eq!(d.answer.len(), 6, "{}", d.raw);
    assert!(d.answer.iter().all(|r| r.ttl == 9), "{}", d.raw);
    assert_eq!(
        dig(dns, &["pool.service.consul", "SRV", "+tcp"])
            .answer
            .len(),
        10
    );
    // udp_answer_limit without EDNS, with TC under enable_truncate.
    let d = dig(dns, &["pool.service.consul", "+noedns", "+ignore"]);
    assert_eq!(d.answer.len(), 5, "{}", d.raw);
    assert!(d.has_flag("tc"), "{}", d.raw);
    // Service TTLs: exact name, then the longest prefix, then `*`; node TTL.
    eventually("portal and other are registered", &[&a], || {
        dig(dns, &["other.service.consul"]).answer.len() == 1
            && dig(dns, &["portal.service.consul"]).answer.len() == 1
    });
    assert_eq!(dig(dns, &["portal.service.consul"]).answer[0].ttl, 6);
    assert_eq!(dig(dns, &["other.service.consul"]).answer[0].ttl, 5);
    assert_eq!(dig(dns, &["alpha.node.consul"]).answer[0].ttl, 7);
    // The SOA's minimum TTL (and the SOA's own TTL) so negative answers are cached.
    let d = dig(dns, &["nope.service.consul"]);
    assert_eq!(d.authority[0].ttl, 60, "{}", d.raw);
    let soa: Vec<&str> = d.authority[0].data.split(' ').collect();
    assert_eq!((soa[3], soa[6]), ("10", "60"), "{}", d.raw);
}

#[test]
fn other_names_go_to_the_recursors() {
    let upstream = dev(&[]);
    register(
        &upstream,
        &json!({"Name": "web", "Port": 80, "Address": "192.0.2.80"}),
    );
    wait_answers(&upstream, "web.service.consul", "A", 1);
    // This agent serves `sd.` and forwards everything else to the first agent.
    let up = dns_addr(&upstream);
    let a = AgentBuilder::dev()
        .arg("-domain=sd")
        .arg(format!("-recursor={up}"))
        .start();
    let dns = dns_addr(&a);
    wait_answers(&a, "consul.service.sd", "A", 1);
    let d = dig(dns, &["web.service.consul"]);
    assert_eq!(d.data("A"), ["192.0.2.80"], "{}", d.raw);
    assert!(d.has_flag("ra"), "{}", d.raw);
    let d = dig(dns, &["nope.service.consul"]);
    assert_eq!(d.status, "NXDOMAIN", "{}", d.raw);
    // Its own domain is still its own.
    let d = dig(dns, &["nope.service.sd"]);
    assert_eq!(
        (d.status.as_str(), d.authority[0].name.as_str()),
        ("NXDOMAIN", "sd.")
    );
}

/// A DNS query packet for `name` with this type and class.
fn query_packet(id: u16, name: &str, qtype: u16, class: u16) -> Vec<u8> {
    let mut p = id.to_be_bytes().to_vec();
    p.extend([0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
    for label in name.trim_end_matches('.').split('.') {
        p.push(label.len() as u8);
        p.extend(label.as_bytes());
    }
    p.push(0);
    p.extend(qtype.to_be_bytes());
    p.extend(class.to_be_bytes());
    p
}

/// Sends `packet` and returns the reply's response code, or None when nothing comes back.
fn exchange(dns: SocketAddr, packet: &[u8]) -> Option<u8> {
    let s = UdpSocket::bind("127.0.0.1:0").expect("bind");
    s.set_read_timeout(Some(Duration::from_millis(500))).ok()?;
    s.send_to(packet, dns).expect("send");
    let mut buf = [0u8; 4096];
    let n = s.recv(&mut buf).ok()?;
    (n >= 4).then_some(buf[3] & 0x0f)
}

#[test]
fn garbage_does_not_stop_good_queries() {
    let a = dev(&[]);
    let dns = dns_addr(&a);
    register(&a, &json!({"Name": "web", "Port": 80}));
    wait_answers(&a, "web.service.consul", "A", 1);
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    let mut seed: u32 = 0x2545_f491;
    let mut junk = |len: usize| -> Vec<u8> {
        (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                seed as u8
            })
            .collect()
    };
    for len in [0, 1, 5, 11, 12, 13, 40, 300, 512, 1400, 4000] {
        for _ in 0..20 {
            sock.send_to(&junk(len), dns).unwrap();
        }
    }
    // A header claiming questions that are not there.
    sock.send_to(&[0, 1, 1, 0, 0, 9, 0, 0, 0, 0, 0, 0], dns)
        .unwrap();
    // A name past 255 bytes: FORMERR (or silence), never a crash.
    let long = format!(
        "{}service.consul",
        "abcdefghijklmnopqrstuvwxyz0123456789.".repeat(9)
    );
    let rcode = exchange(dns, &query_packet(7, &long, 1, 1));
    assert!(matches!(rcode, None | Some(1)), "{rcode:?}");
    // A CHAOS class question: NOTIMP.
    assert_eq!(
        exchange(dns, &query_packet(8, "version.bind", 16, 3)),
        Some(4)
    );
    // An unknown type inside the domain: NOERROR without answers.
    assert_eq!(
        exchange(dns, &query_packet(9, "web.service.consul", 999, 1)),
        Some(0)
    );
    // A second opcode (NOTIFY): NOTIMP.
    let mut notify = query_packet(10, "consul", 6, 1);
    notify[2] = 0x20;
    assert_eq!(exchange(dns, &notify), Some(4));
    // Half a TCP message, left open: other queries go on.
    let mut half = std::net::TcpStream::connect(dns).unwrap();
    std::io::Write::write_all(&mut half, &[0, 40, 1, 2, 3]).unwrap();
    // Good queries still get answers, over UDP and TCP.
    let d = dig(dns, &["web.service.consul"]);
    assert_eq!(d.data("A"), ["127.0.0.1"], "{}", d.raw);
    let d = dig(dns, &["web.service.consul", "+tcp"]);
    assert_eq!(d.data("A"), ["127.0.0.1"], "{}", d.raw);
    drop(half);
    assert!(a.pid().is_some());
}

#[test]
fn dns_port_minus_one_disables_the_dns_interface() {
    let ip = common::loopback_host(common::loopback_block(), 1);
    let a = AgentBuilder::dev().arg("-dns-port=-1").at(ip).start();
    assert_eq!(a.dns, None, "the agent logged a DNS server");
    let dns = SocketAddr::new(ip.into(), 8600);
    // Neither transport answers on the default port, and the agent says DNS is off.
    assert_eq!(
        exchange(dns, &query_packet(7, "consul.service.consul", 1, 1)),
        None
    );
    assert!(
        std::net::TcpStream::connect(dns).is_err(),
        "TCP 8600 is open"
    );
    let log = a.log();
    assert!(log.contains("DNS: -1"), "{log}");
    assert!(!log.contains("Started DNS server"), "{log}");
}
