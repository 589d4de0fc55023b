//! `dns`: one datagram to the agent's DNS interface over UDP, the real receive path (hickory's
//! parser, the question's name read as Consul's `<tag>.<service>.service.<dc>.consul` and the
//! other forms, the answer from the catalog, trimming to the transport's limits).
//!
//! Fails on: a panic, or no reply within a second to a datagram that must get one (a whole
//! header with QR clear gets an answer or FORMERR), or a reply that is not a response to it
//! (another ID, QR clear, or not parseable).

use std::net::UdpSocket;
use std::time::Duration;

use hickory_proto::op::{Message, MessageType};

use super::lab::lab;

const HEADER_LEN: usize = 12;
const LIMIT: Duration = Duration::from_secs(1);
/// The largest payload of one IPv4 UDP datagram.
const MAX_UDP: usize = 65_507;

pub(super) fn datagram(data: &[u8]) {
    let lab = lab();
    let socket = UdpSocket::bind("127.0.0.1:0").expect("a UDP socket on loopback");
    if data.is_empty() || data.len() > MAX_UDP {
        return;
    }
    socket
        .send_to(data, lab.dns)
        .expect("send to the DNS interface");
    let expect_reply = data.len() >= HEADER_LEN && data[2] & 0x80 == 0;
    if !expect_reply {
        return;
    }
    let mut buf = vec![0u8; 65_535];
    let deadline = std::time::Instant::now() + LIMIT;
    let len = loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            panic!("no reply within {LIMIT:?} to {data:02x?}");
        }
        socket.set_read_timeout(Some(left)).expect("read timeout");
        match socket.recv(&mut buf) {
            Ok(len) => break len,
            // libFuzzer's timer signal interrupts the wait; wait again for what is left.
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => panic!("no reply within {LIMIT:?} ({e}) to {data:02x?}"),
        }
    };
    let reply = Message::from_vec(&buf[..len])
        .unwrap_or_else(|e| panic!("a reply hickory cannot parse ({e}) to {data:02x?}"));
    let id = u16::from_be_bytes([data[0], data[1]]);
    assert_eq!(reply.id(), id, "the reply's ID");
    assert_eq!(
        reply.message_type(),
        MessageType::Response,
        "QR in the reply"
    );
}

/// Questions of every form the interface answers (services with and without tags, RFC 2782
/// SRV names, nodes, addresses, reverse lookups, other datacenters, names outside the domain),
/// with and without EDNS, and two that must be refused (two questions, an unknown opcode).
pub(super) fn examples() -> Vec<Vec<u8>> {
    use hickory_proto::op::{Edns, OpCode, Query};
    use hickory_proto::rr::{Name, RecordType};

    let questions: &[(&str, RecordType)] = &[
        ("web.service.consul.", RecordType::A),
        ("web.service.consul.", RecordType::SRV),
        ("v1.web.service.consul.", RecordType::A),
        ("_web._tcp.service.consul.", RecordType::SRV),
        ("db.service.dc1.consul.", RecordType::ANY),
        ("web.service.consul.", RecordType::AAAA),
        ("web.service.consul.", RecordType::TXT),
        ("fuzz.node.consul.", RecordType::A),
        ("db1.node.dc1.consul.", RecordType::ANY),
        ("7f00000a.addr.dc1.consul.", RecordType::A),
        ("10.0.0.127.in-addr.arpa.", RecordType::PTR),
        ("consul.", RecordType::SOA),
        ("consul.", RecordType::NS),
        ("web.query.consul.", RecordType::A),
        ("example.com.", RecordType::A),
    ];
    let mut out = Vec::new();
    for (i, (name, rtype)) in questions.iter().enumerate() {
        let Ok(name) = Name::from_ascii(name) else {
            continue;
        };
        let mut m = Message::new();
        m.set_id(i as u16);
        m.set_recursion_desired(true);
        m.add_query(Query::query(name.clone(), *rtype));
        if let Ok(bytes) = m.to_vec() {
            out.push(bytes);
        }
        let mut edns = Edns::new();
        edns.set_max_payload(1232);
        m.set_edns(edns);
        if let Ok(bytes) = m.to_vec() {
            out.push(bytes);
        }
        if i == 0 {
            m.add_query(Query::query(name.clone(), RecordType::A));
            m.set_op_code(OpCode::Notify);
            if let Ok(bytes) = m.to_vec() {
                out.push(bytes);
            }
        }
    }
    out
}
