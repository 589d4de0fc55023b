//! Replies made from bytes kept with the service's view, for the commonest question: the A or
//! SRV records of `<service>.service[.<dc>].<domain>` over UDP, one question with no
//! compression pointer in it, and no other record but an EDNS OPT one. Such a question is read
//! straight off the datagram (no hickory `MessageRequest`), and its reply is the header, the
//! question copied from the request, and the instances' records in shuffled order, each already
//! encoded once per view (no hickory `Record` built or encoded per query).
//!
//! Every answer record names the question by a pointer to it (offset 12), so the records can be
//! laid down in any order; an SRV target's address record in the additional section points at
//! the target name inside its answer. The reply has the records, TTLs, flags, limits and
//! truncation of the general path (`answer`, `trim`, `handler`). Whatever this path does not
//! cover exactly goes to the general path: tags, other types and names, EDNS other than version
//! 0 or with a client subnet option (hickory parses that one and may refuse it), an empty or
//! missing service, host-name targets, duplicate addresses or SRV targets, node meta that would
//! add TXT records, and replies the general path would trim for size.

use std::net::IpAddr;

use hickory_proto::op::Header;
use hickory_proto::serialize::binary::{BinDecodable, BinDecoder, BinEncodable, BinEncoder};
use rand::seq::SliceRandom;

use super::handler::reply_header;
use super::settings::Settings;
use super::trim::{Limits, HEADER_LEN, OPT_LEN, UDP_MIN};
use super::view::{Instance, SrvTarget, Target};

/// A compression pointer to the question's name, which starts right after the header.
const TO_QUESTION: [u8; 2] = [0xC0, HEADER_LEN as u8];
const TYPE_A: u16 = 1;
const TYPE_AAAA: u16 = 28;
const TYPE_SRV: u16 = 33;
const TYPE_OPT: u16 = 41;
const CLASS_IN: u16 = 1;
/// EDNS option code of a client subnet.
const OPTION_SUBNET: u16 = 8;

/// A service question this path can answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question<'a> {
    /// The whole datagram: the header, the question and the OPT record if any.
    datagram: &'a [u8],
    /// Where the question ends in `datagram`.
    end: usize,
    /// The client's EDNS payload size (at least 512), when it sent an OPT record.
    pub edns: Option<u16>,
    /// The service name, lower case.
    pub service: String,
    /// Which domain the name is under: 0 the primary, 1 the alternate.
    pub slot: usize,
    pub srv: bool,
}

impl<'a> Question<'a> {
    /// The question in `datagram`, when it is one this path answers.
    pub fn parse(datagram: &'a [u8], s: &Settings) -> Option<Question<'a>> {
        let header = datagram.get(..HEADER_LEN)?;
        let flags = u16::from_be_bytes([header[2], header[3]]);
        // A query (QR clear), opcode QUERY, one question, nothing else but an OPT record.
        if flags & 0xF800 != 0 || header[4..10] != [0, 1, 0, 0, 0, 0] || header[10] != 0 {
            return None;
        }
        let mut labels: Vec<&[u8]> = Vec::with_capacity(4);
        let mut at = HEADER_LEN;
        loop {
            let len = usize::from(*datagram.get(at)?);
            if len == 0 {
                at += 1;
                break;
            }
            // Pointers (and the reserved label types) have the top bits set.
            if len > 63 {
                return None;
            }
            labels.push(datagram.get(at + 1..at + 1 + len)?);
            at += 1 + len;
        }
        if at - HEADER_LEN > 255 {
            return None;
        }
        let qtype = u16::from_be_bytes(datagram.get(at..at + 2)?.try_into().ok()?);
        let qclass = u16::from_be_bytes(datagram.get(at + 2..at + 4)?.try_into().ok()?);
        let end = at + 4;
        let edns = match header[11] {
            0 if datagram.len() == end => None,
            1 => Some(opt(&datagram[end..])?),
            _ => return None,
        };
        if qclass != CLASS_IN || !matches!(qtype, TYPE_A | TYPE_SRV) {
            return None;
        }
        let slot = s
            .domains
            .iter()
            .position(|d| under(&labels, d).is_some_and(|n| is_service(&labels[..n], s)))?;
        let service = std::str::from_utf8(labels[0]).ok()?.to_ascii_lowercase();
        Some(Question {
            datagram,
            end,
            edns,
            service,
            slot,
            srv: qtype == TYPE_SRV,
        })
    }

    /// The question's encoded name, type and class.
    fn section(&self) -> &[u8] {
        &self.datagram[HEADER_LEN..self.end]
    }

    /// The encoded length of the question's name.
    fn name_len(&self) -> usize {
        self.end - HEADER_LEN - 4
    }
}

/// The payload size of `bytes`, an OPT record filling them exactly: version 0, no extended
/// code, options well formed and none a client subnet. The size is at least 512, as hickory
/// reads it.
fn opt(bytes: &[u8]) -> Option<u16> {
    let field = |at: usize| Some(u16::from_be_bytes(bytes.get(at..at + 2)?.try_into().ok()?));
    let (root, rtype, payload) = (*bytes.first()?, field(1)?, field(3)?);
    let (extended, version, length) = (*bytes.get(5)?, *bytes.get(6)?, field(9)?);
    if root != 0 || rtype != TYPE_OPT || extended != 0 || version != 0 {
        return None;
    }
    let mut at = OPT_LEN;
    if bytes.len() != at + usize::from(length) {
        return None;
    }
    while at < bytes.len() {
        let (code, len) = (field(at)?, usize::from(field(at + 2)?));
        if code == OPTION_SUBNET || bytes.len() < at + 4 + len {
            return None;
        }
        at += 4 + len;
    }
    Some(payload.max(UDP_MIN as u16))
}

/// How many of `labels` come before `domain` (`consul.`), when they end with it.
fn under(labels: &[&[u8]], domain: &str) -> Option<usize> {
    let domain = || domain.split('.').filter(|l| !l.is_empty());
    let n = labels.len().checked_sub(domain().count())?;
    let same = labels[n..]
        .iter()
        .zip(domain())
        .all(|(l, d)| l.eq_ignore_ascii_case(d.as_bytes()));
    same.then_some(n)
}

/// `<service>.service` or `<service>.service.<local dc>`, the service's name being a plain one
/// (letters, digits, `-` and `_`, not starting with `_` as RFC 2782 names do).
fn is_service(labels: &[&[u8]], s: &Settings) -> bool {
    let [service, rest @ ..] = labels else {
        return false;
    };
    let plain = service.first() != Some(&b'_')
        && service
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'));
    plain
        && match rest {
            [kind] => kind.eq_ignore_ascii_case(b"service"),
            [kind, dc] => {
                kind.eq_ignore_ascii_case(b"service")
                    && dc.eq_ignore_ascii_case(s.datacenter.as_bytes())
            }
            _ => false,
        }
}

/// One instance's records, encoded.
#[derive(Debug, Clone)]
struct Encoded {
    /// The answer record; its owner is a pointer to the question.
    answer: Vec<u8>,
    /// SRV: which instance first has this target (its additional record is sent once).
    target: usize,
    /// SRV: the target's address record after its owner name (type to data).
    extra: Option<Vec<u8>>,
    /// The size `trim` counts for the answer, without compression and less the question's
    /// name (which each answer repeats there), and for its extra when it is sent.
    counted: (usize, usize),
}

/// A view's instances as encoded records, for one domain; `None` for a question type whose
/// answers this path does not make exactly.
#[derive(Debug, Default)]
pub struct Wire {
    a: Option<Vec<Encoded>>,
    srv: Option<Vec<Encoded>>,
}

impl Wire {
    /// Encodes `instances` once: A records with `ttl`; SRV records whose targets are
    /// `targets` (the general path's, one per instance).
    pub fn new(
        instances: &[Instance],
        targets: &[Option<SrvTarget>],
        ttl: u32,
        s: &Settings,
    ) -> Wire {
        Wire {
            a: a_records(instances, ttl),
            srv: srv_records(instances, targets, ttl, s),
        }
    }
}

fn a_records(instances: &[Instance], ttl: u32) -> Option<Vec<Encoded>> {
    let mut out: Vec<Encoded> = Vec::with_capacity(instances.len());
    let mut seen: Vec<IpAddr> = Vec::with_capacity(instances.len());
    for i in instances {
        match i.target {
            // The general path keeps the first instance of an address: duplicates would make
            // some addresses likelier than others.
            Target::Ip(ip) if seen.contains(&ip) => return None,
            Target::Ip(IpAddr::V4(v4)) => {
                seen.push(IpAddr::V4(v4));
                let answer = record(&TO_QUESTION, TYPE_A, ttl, &v4.octets());
                out.push(Encoded {
                    counted: (answer.len() - TO_QUESTION.len(), 0),
                    answer,
                    target: 0,
                    extra: None,
                });
            }
            Target::Ip(ip) => seen.push(ip),
            // A CNAME answer when no instance has an address.
            Target::Host(_) => return None,
        }
    }
    (!out.is_empty()).then_some(out)
}

fn srv_records(
    instances: &[Instance],
    targets: &[Option<SrvTarget>],
    ttl: u32,
    s: &Settings,
) -> Option<Vec<Encoded>> {
    let mut out = Vec::with_capacity(instances.len());
    for (n, (i, t)) in instances.iter().zip(targets).enumerate() {
        let t = t.as_ref()?;
        let twin = |j: &Instance| j.node == i.node && j.target == i.target && j.port == i.port;
        if instances[..n].iter().any(twin) || (s.node_meta_txt && !i.node_meta.is_empty()) {
            return None;
        }
        let target_name = wire_name(&t.name);
        let mut data = Vec::with_capacity(6 + target_name.len());
        data.extend_from_slice(&1u16.to_be_bytes());
        data.extend_from_slice(&i.weight.to_be_bytes());
        data.extend_from_slice(&i.port.to_be_bytes());
        data.extend_from_slice(&target_name);
        let answer = record(&TO_QUESTION, TYPE_SRV, ttl, &data);
        let extra = match (&i.target, &t.address) {
            (Target::Ip(IpAddr::V4(v4)), Some(_)) => Some(record(&[], TYPE_A, ttl, &v4.octets())),
            (Target::Ip(IpAddr::V6(v6)), Some(_)) => {
                Some(record(&[], TYPE_AAAA, ttl, &v6.octets()))
            }
            _ => None,
        };
        let target = targets[..n]
            .iter()
            .position(|o| o.as_ref().is_some_and(|o| o.key == t.key))
            .unwrap_or(n);
        let counted = (
            answer.len() - TO_QUESTION.len(),
            extra.as_ref().map_or(0, |e| target_name.len() + e.len()),
        );
        out.push(Encoded {
            answer,
            target,
            extra,
            counted,
        });
    }
    (!out.is_empty()).then_some(out)
}

/// A name's labels as on the wire, uncompressed.
fn wire_name(name: &hickory_proto::rr::Name) -> Vec<u8> {
    let mut out = Vec::with_capacity(name.len() + 1);
    for label in name.iter() {
        out.push(label.len() as u8);
        out.extend_from_slice(label);
    }
    out.push(0);
    out
}

/// A resource record of class IN: `owner` (already encoded), type, TTL and data.
fn record(owner: &[u8], rtype: u16, ttl: u32, data: &[u8]) -> Vec<u8> {
    let mut r = Vec::with_capacity(owner.len() + 10 + data.len());
    r.extend_from_slice(owner);
    r.extend_from_slice(&rtype.to_be_bytes());
    r.extend_from_slice(&CLASS_IN.to_be_bytes());
    r.extend_from_slice(&ttl.to_be_bytes());
    r.extend_from_slice(&(data.len() as u16).to_be_bytes());
    r.extend_from_slice(data);
    r
}

/// Where the target name starts in an SRV answer: owner pointer, type, class, TTL, length,
/// priority, weight and port.
const SRV_TARGET_AT: usize = 2 + 10 + 6;

/// The reply to `q` from `wire`, or `None` when the general path must make it.
/// `recursion_available`: recursors are configured (the RA flag).
pub fn reply(
    q: &Question<'_>,
    wire: &Wire,
    s: &Settings,
    recursion_available: bool,
) -> Option<Vec<u8>> {
    let records = if q.srv {
        wire.srv.as_ref()?
    } else {
        wire.a.as_ref()?
    };
    // Without EDNS, `udp_answer_limit` answers and 512 bytes; with it, the client's size.
    let limits = Limits::udp(q.edns, s.udp_answer_limit);
    let limit = limits.answers.unwrap_or(usize::MAX);
    let room = limits.bytes - if q.edns.is_some() { OPT_LEN } else { 0 };
    // A records also stop at `a_record_limit`; the count limit then flags what it cuts.
    let made = match (q.srv, s.a_record_limit) {
        (false, n) if n > 0 => records.len().min(n),
        _ => records.len(),
    };
    let kept = made.min(limit);
    let truncated = made > kept && s.enable_truncate;
    // A random `kept` of them in random order: the general path's shuffle, then its cut.
    let mut order: Vec<usize> = (0..records.len()).collect();
    order.partial_shuffle(&mut rand::rng(), kept);
    order.truncate(kept);
    // An SRV target's address goes with the first answer naming it.
    let mut sent: Vec<usize> = Vec::with_capacity(kept);
    let with_extra: Vec<bool> = order
        .iter()
        .map(|&i| {
            let r = &records[i];
            let first = r.extra.is_some() && !sent.contains(&r.target);
            if first {
                sent.push(r.target);
            }
            first
        })
        .collect();
    // `trim`'s count: answers repeat the question's name.
    let counted = HEADER_LEN
        + q.section().len()
        + order
            .iter()
            .zip(&with_extra)
            .map(|(&i, &extra)| {
                let (answer, its_extra) = records[i].counted;
                q.name_len() + answer + if extra { its_extra } else { 0 }
            })
            .sum::<usize>();
    if counted > room {
        return None;
    }
    let mut out = Vec::with_capacity(counted);
    // The header goes in last, once the additional records are counted.
    out.resize(HEADER_LEN, 0);
    out.extend_from_slice(q.section());
    let mut at: Vec<usize> = Vec::with_capacity(kept);
    for &i in &order {
        at.push(out.len());
        out.extend_from_slice(&records[i].answer);
    }
    let mut additional = 0u16;
    for ((&i, offset), extra) in order.iter().zip(at).zip(with_extra) {
        let Some(bytes) = records[i].extra.as_ref().filter(|_| extra) else {
            continue;
        };
        // A pointer has 14 bits of offset.
        let target = u16::try_from(offset + SRV_TARGET_AT)
            .ok()
            .filter(|t| *t < 0x4000)?;
        out.extend_from_slice(&(0xC000 | target).to_be_bytes());
        out.extend_from_slice(bytes);
        additional += 1;
    }
    if let Some(payload) = q.edns {
        out.push(0);
        out.extend_from_slice(&TYPE_OPT.to_be_bytes());
        out.extend_from_slice(&payload.to_be_bytes());
        out.extend_from_slice(&[0; 6]);
        additional += 1;
    }
    let request = Header::read(&mut BinDecoder::new(&q.datagram[..HEADER_LEN])).ok()?;
    let mut header = reply_header(&request, recursion_available);
    header
        .set_truncated(truncated)
        .set_query_count(1)
        .set_answer_count(u16::try_from(kept).ok()?)
        .set_additional_count(additional);
    let mut bytes = Vec::with_capacity(HEADER_LEN);
    header.emit(&mut BinEncoder::new(&mut bytes)).ok()?;
    out[..HEADER_LEN].copy_from_slice(&bytes);
    Some(out)
}

#[cfg(test)]
#[path = "fast_tests.rs"]
mod tests;
