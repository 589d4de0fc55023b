//! The fast path's questions and replies, decoded with hickory as a client would.

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::sync::Arc;

use hickory_proto::op::{Message, MessageType};
use hickory_proto::rr::{RData, RecordType};

use super::*;
use crate::agent::dns::records::{self, Families};
use crate::agent::dns::view::{Instance, SrvTarget, Target};
use crate::config::RuntimeConfig;

fn settings(edit: impl FnOnce(&mut RuntimeConfig)) -> Settings {
    let mut c = RuntimeConfig::default();
    edit(&mut c);
    Settings::from_config(&c)
}

/// A query datagram: header (RD set), `name` as labels, type and class, then `tail`.
fn query(id: u16, name: &str, qtype: u16, class: u16, arcount: u16, tail: &[u8]) -> Vec<u8> {
    let mut p = id.to_be_bytes().to_vec();
    p.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0]);
    p.extend_from_slice(&arcount.to_be_bytes());
    for label in name.split('.').filter(|l| !l.is_empty()) {
        p.push(label.len() as u8);
        p.extend_from_slice(label.as_bytes());
    }
    p.push(0);
    p.extend_from_slice(&qtype.to_be_bytes());
    p.extend_from_slice(&class.to_be_bytes());
    p.extend_from_slice(tail);
    p
}

fn instance(node: &str, ip: &str, port: u16) -> Instance {
    Instance {
        node: node.into(),
        datacenter: "dc1".into(),
        target: Target::parse(ip).expect("a target"),
        own_address: false,
        port,
        tags: Vec::new(),
        weight: 1,
        node_meta: Arc::default(),
    }
}

/// The general path's SRV targets for `instances` (node names, their addresses).
fn targets(instances: &[Instance]) -> Vec<Option<SrvTarget>> {
    let both = Families { v4: true, v6: true };
    instances
        .iter()
        .map(|i| {
            let key = records::node_fqdn(&i.node, "dc1", "consul.");
            let name = records::name(&key)?;
            let address = match i.target {
                Target::Ip(ip) => records::address(&name, ip, 0, both),
                Target::Host(_) => None,
            };
            Some(SrvTarget {
                key,
                name,
                address,
                meta: Vec::new(),
            })
        })
        .collect()
}

fn pool(n: u8) -> Vec<Instance> {
    (1..=n)
        .map(|i| {
            instance(
                &format!("n{i}"),
                &format!("10.0.0.{i}"),
                8000 + u16::from(i),
            )
        })
        .collect()
}

fn answer(q: &Question, instances: &[Instance], s: &Settings) -> Option<Message> {
    let wire = Wire::new(instances, &targets(instances), 7, s);
    let bytes = reply(q, &wire, s, false)?;
    Some(Message::from_vec(&bytes).expect("a reply hickory can read"))
}

#[test]
fn service_questions_are_read_off_the_datagram() {
    let s = settings(|_| {});
    let q_datagram = query(9, "Web.SERVICE.consul", 1, 1, 0, &[]);
    let q = Question::parse(&q_datagram, &s).expect("A");
    assert_eq!((q.service.as_str(), q.slot, q.srv), ("web", 0, false));
    let q_datagram = query(9, "db-1.service.DC1.consul", 33, 1, 0, &[]);
    let q = Question::parse(&q_datagram, &s).expect("SRV");
    assert_eq!((q.service.as_str(), q.srv), ("db-1", true));
    let alt = settings(|c| c.alt_domain = Some("example.org".into()));
    let q_datagram = query(9, "web.service.example.org", 1, 1, 0, &[]);
    let q = Question::parse(&q_datagram, &alt);
    assert_eq!(q.map(|q| q.slot), Some(1));

    // EDNS: version 0, the payload size as asked (at least 512), any options but a subnet.
    let opt = |payload: u16, version: u8, options: &[u8]| {
        let mut o = vec![0, 0, 41];
        o.extend_from_slice(&payload.to_be_bytes());
        o.extend_from_slice(&[0, version, 0x80, 0]);
        o.extend_from_slice(&(options.len() as u16).to_be_bytes());
        o.extend_from_slice(options);
        o
    };
    let cookie = [0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8];
    for (payload, options, seen) in [(1232, &cookie[..], 1232), (100, &[][..], 512)] {
        let datagram = query(9, "web.service.consul", 33, 1, 1, &opt(payload, 0, options));
        let q = Question::parse(&datagram, &s).expect("EDNS");
        assert_eq!((q.edns, q.name_len()), (Some(seen), 20));
    }
    let subnet = [0, 8, 0, 4, 0, 1, 0, 0];
    for (why, datagram) in [
        (
            "EDNS 1",
            query(9, "web.service.consul", 1, 1, 1, &opt(4096, 1, &[])),
        ),
        (
            "a subnet",
            query(9, "web.service.consul", 1, 1, 1, &opt(4096, 0, &subnet)),
        ),
        (
            "a cut option",
            query(
                9,
                "web.service.consul",
                1,
                1,
                1,
                &opt(4096, 0, &cookie[..6]),
            ),
        ),
        ("no OPT", query(9, "web.service.consul", 1, 1, 1, &[])),
        (
            "two records",
            query(9, "web.service.consul", 1, 1, 2, &opt(4096, 0, &[])),
        ),
        ("a tag", query(9, "v1.web.service.consul", 1, 1, 0, &[])),
        (
            "RFC 2782",
            query(9, "_web._tcp.service.consul", 33, 1, 0, &[]),
        ),
        (
            "another dc",
            query(9, "web.service.dc2.consul", 1, 1, 0, &[]),
        ),
        ("a node", query(9, "n1.node.consul", 1, 1, 0, &[])),
        (
            "another domain",
            query(9, "web.service.example.org", 1, 1, 0, &[]),
        ),
        ("AAAA", query(9, "web.service.consul", 28, 1, 0, &[])),
        ("class CH", query(9, "web.service.consul", 1, 3, 0, &[])),
        (
            "trailing bytes",
            query(9, "web.service.consul", 1, 1, 0, &[0]),
        ),
        ("an odd name", query(9, "w*b.service.consul", 1, 1, 0, &[])),
        (
            "a cut datagram",
            query(9, "web.service.consul", 1, 1, 0, &[])[..20].to_vec(),
        ),
    ] {
        assert_eq!(Question::parse(&datagram, &s), None, "{why}");
    }
    let mut reply_bit = query(9, "web.service.consul", 1, 1, 0, &[]);
    reply_bit[2] |= 0x80;
    assert_eq!(Question::parse(&reply_bit, &s), None, "QR set");
    let mut pointer = query(9, "web.service.consul", 1, 1, 0, &[]);
    pointer[12] = 0xC0;
    assert_eq!(Question::parse(&pointer, &s), None, "a pointer");
}

#[test]
fn a_replies_hold_distinct_shuffled_addresses_up_to_the_limit() {
    let s = settings(|_| {});
    let q_datagram = query(77, "WEB.service.consul", 1, 1, 0, &[]);
    let q = Question::parse(&q_datagram, &s).expect("A");
    let instances = pool(10);
    let mut orders = BTreeSet::new();
    for _ in 0..30 {
        let m = answer(&q, &instances, &s).expect("a fast reply");
        assert_eq!(m.id(), 77);
        assert_eq!(m.message_type(), MessageType::Response);
        assert!(m.authoritative() && m.recursion_desired() && !m.recursion_available());
        assert!(!m.truncated(), "enable_truncate is off");
        assert_eq!(m.queries()[0].name().to_string(), "WEB.service.consul.");
        assert_eq!(m.answers().len(), 3, "udp_answer_limit");
        assert!(m.additionals().is_empty());
        let ips: Vec<String> = m
            .answers()
            .iter()
            .map(|r| {
                assert_eq!(r.name(), m.queries()[0].name());
                assert_eq!((r.record_type(), r.ttl()), (RecordType::A, 7));
                r.data().to_string()
            })
            .collect();
        assert_eq!(ips.iter().collect::<BTreeSet<_>>().len(), 3, "{ips:?}");
        orders.insert(ips);
    }
    assert!(orders.len() > 1, "30 replies in one order");

    // a_record_limit 6: six made, five kept, TC. a_record_limit 2: two made and kept, no TC.
    for (a_record_limit, kept, truncated) in [(6, 5, true), (2, 2, false)] {
        let s = settings(|c| {
            c.dns.enable_truncate = true;
            c.dns.udp_answer_limit = 5;
            c.dns.a_record_limit = a_record_limit;
        });
        let m = answer(&q, &instances, &s).expect("a fast reply");
        assert_eq!((m.answers().len(), m.truncated()), (kept, truncated));
    }
}

#[test]
fn edns_replies_hold_what_fits_the_clients_size_and_an_opt_record() {
    let s = settings(|_| {});
    let opt = [0, 0, 41, 16, 0, 0, 0, 0, 0, 0, 0];
    let a_datagram = query(3, "web.service.consul", 1, 1, 1, &opt);
    let a = Question::parse(&a_datagram, &s).expect("A");
    let m = answer(&a, &pool(40), &s).expect("a fast reply");
    assert_eq!(m.answers().len(), 40, "no count limit with EDNS");
    assert!(!m.truncated());
    let edns = m.extensions().as_ref().expect("an OPT record");
    assert_eq!((edns.max_payload(), edns.version()), (4096, 0));
    assert!(!edns.flags().dnssec_ok && m.additionals().is_empty());
    let srv_datagram = query(3, "web.service.consul", 33, 1, 1, &opt);
    let srv = Question::parse(&srv_datagram, &s).expect("SRV");
    let m = answer(&srv, &pool(40), &s).expect("a fast reply");
    assert_eq!((m.answers().len(), m.additionals().len()), (40, 40));
    // 512 bytes hold five SRV answers with their addresses and the OPT record, not six.
    let small = [0, 0, 41, 2, 0, 0, 0, 0, 0, 0, 0];
    let srv_datagram = query(3, "web.service.consul", 33, 1, 1, &small);
    let srv = Question::parse(&srv_datagram, &s).expect("SRV");
    assert!(answer(&srv, &pool(5), &s).is_some());
    assert!(answer(&srv, &pool(6), &s).is_none());
}

#[test]
fn srv_replies_point_each_target_at_its_address() {
    let s = settings(|c| c.dns.udp_answer_limit = 5);
    let q_datagram = query(5, "web.service.dc1.consul", 33, 1, 0, &[]);
    let q = Question::parse(&q_datagram, &s).expect("SRV");
    // n1 twice (two ports): its address once. One IPv6 node. (Five such answers, each with
    // its extra, are as much as `trim` lets through in 512 bytes.)
    let mut instances = pool(3);
    instances.push(instance("n1", "10.0.0.1", 9999));
    instances.push(instance("v6", "2001:db8::1", 53));
    let m = answer(&q, &instances, &s).expect("a fast reply");
    assert_eq!(m.answers().len(), 5);
    assert_eq!(m.additionals().len(), 4, "one address per target");
    let mut ports = BTreeSet::new();
    for r in m.answers() {
        let RData::SRV(srv) = r.data() else {
            panic!("not SRV: {r}")
        };
        assert_eq!((srv.priority(), srv.weight(), r.ttl()), (1, 1, 7));
        ports.insert(srv.port());
        let node = srv.target().to_string();
        let extra: Vec<_> = m
            .additionals()
            .iter()
            .filter(|a| a.name() == srv.target())
            .collect();
        assert_eq!(extra.len(), 1, "{node} in {m}");
        let want = instances
            .iter()
            .find(|i| node.starts_with(&format!("{}.node.dc1.consul", i.node)))
            .map(|i| i.target.clone());
        let got = match extra[0].data() {
            RData::A(a) => Target::Ip(IpAddr::V4(a.0)),
            RData::AAAA(a) => Target::Ip(IpAddr::V6(a.0)),
            other => panic!("not an address: {other}"),
        };
        assert_eq!(Some(got), want, "{node}");
    }
    assert_eq!(ports.len(), 5);
}

#[test]
fn what_the_general_path_makes_differently_is_left_to_it() {
    let s = settings(|_| {});
    let a_datagram = query(1, "web.service.consul", 1, 1, 0, &[]);
    let a = Question::parse(&a_datagram, &s).expect("A");
    let srv_datagram = query(1, "web.service.consul", 33, 1, 0, &[]);
    let srv = Question::parse(&srv_datagram, &s).expect("SRV");
    // Two instances on one address: the general path weighs addresses by instances.
    let mut shared = pool(3);
    shared.push(instance("n9", "10.0.0.1", 1));
    assert!(answer(&a, &shared, &s).is_none());
    assert!(answer(&srv, &shared, &s).is_some(), "distinct SRV targets");
    // The same node, address and port twice: the general path drops the twin.
    let mut twin = pool(3);
    twin.push(instance("n1", "10.0.0.1", 8001));
    assert!(answer(&srv, &twin, &s).is_none());
    // A host name is a CNAME answer.
    let mut host = pool(2);
    host.push(instance("n3", "db.example.com", 1));
    assert!(answer(&a, &host, &s).is_none());
    // Only IPv6: NODATA for A.
    assert!(answer(&a, &[instance("n1", "2001:db8::1", 1)], &s).is_none());
    // Node meta adds TXT records to SRV replies.
    let mut meta = pool(2);
    meta[1].node_meta = Arc::new([("env".to_string(), "prod".to_string())].into());
    assert!(answer(&srv, &meta, &s).is_none());
    assert!(answer(&a, &meta, &s).is_some());
    let quiet = settings(|c| c.dns.enable_additional_node_meta_txt = false);
    assert!(answer(&srv, &meta, &quiet).is_some());
    // Long targets that `trim` would cut for size.
    let long = settings(|c| c.dns.udp_answer_limit = 8);
    let srv8_datagram = query(1, "web.service.consul", 33, 1, 0, &[]);
    let srv8 = Question::parse(&srv8_datagram, &long).expect("SRV");
    let big: Vec<Instance> = (0..8)
        .map(|i| instance(&format!("{}{i}", "n".repeat(60)), &format!("10.1.0.{i}"), 1))
        .collect();
    assert!(answer(&srv8, &big, &long).is_none());
    assert!(answer(&srv8, &big[..2], &long).is_some());
}
