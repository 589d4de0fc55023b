//! Size limits. Over UDP a reply must fit 512 bytes, or the client's EDNS buffer size; over TCP
//! 64 KiB. A reply that does not fit loses its authority section, then trailing answers (with
//! the additional records only they brought) until it fits, and is flagged truncated (TC) so the
//! client retries over TCP. UDP queries without EDNS also get at most `udp_answer_limit`
//! answers, as in Consul; that cut sets TC only with `enable_truncate`. Sizes are counted
//! without name compression, so the encoded reply is never larger than the limit.

use hickory_proto::rr::{RData, Record};
use hickory_proto::serialize::binary::BinEncodable;

use super::reply::Reply;

/// The classic UDP limit.
pub const UDP_MIN: usize = 512;
/// The largest UDP payload worth promising (a datagram minus IP and UDP headers).
const UDP_MAX: usize = 65_535 - 68;
/// The DNS message limit over TCP.
pub const TCP_MAX: usize = 65_535;
/// The OPT pseudo-record of an EDNS reply.
pub const OPT_LEN: usize = 11;
pub const HEADER_LEN: usize = 12;

/// How much a reply may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub bytes: usize,
    /// Answers kept regardless of size (UDP without EDNS).
    pub answers: Option<usize>,
}

impl Limits {
    /// Over UDP: the client's EDNS size (at least 512), or 512 and `udp_answer_limit` answers
    /// without EDNS.
    pub fn udp(edns_payload: Option<u16>, udp_answer_limit: usize) -> Limits {
        match edns_payload {
            Some(p) => Limits {
                bytes: usize::from(p).clamp(UDP_MIN, UDP_MAX),
                answers: None,
            },
            None => Limits {
                bytes: UDP_MIN,
                answers: Some(udp_answer_limit.max(1)),
            },
        }
    }

    pub fn tcp() -> Limits {
        Limits {
            bytes: TCP_MAX,
            answers: None,
        }
    }
}

/// What trimming did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Trimmed {
    /// Answers were dropped to fit the size.
    pub for_size: bool,
    /// Answers were dropped by the answer-count limit.
    pub for_count: bool,
}

/// Trims `reply` to `limits`; `question_len` is the question's encoded length and `edns`
/// whether the reply carries an OPT record.
pub fn trim(reply: &mut Reply, question_len: usize, edns: bool, limits: Limits) -> Trimmed {
    let mut done = Trimmed::default();
    if let Some(n) = limits.answers {
        if reply.units.len() > n {
            reply.units.truncate(n);
            done.for_count = true;
        }
    }
    let fixed = HEADER_LEN
        + question_len
        + if edns { OPT_LEN } else { 0 }
        + reply.additional.iter().map(record_len).sum::<usize>();
    let unit_lens: Vec<usize> = reply
        .units
        .iter()
        .map(|u| record_len(&u.answer) + u.extra.iter().map(record_len).sum::<usize>())
        .collect();
    let answers: usize = unit_lens.iter().sum();
    let authority: usize = reply.authority.iter().map(record_len).sum();
    if fixed + answers + authority <= limits.bytes {
        return done;
    }
    reply.authority.clear();
    let mut size = fixed + answers;
    let mut keep = reply.units.len();
    while keep > 1 && size > limits.bytes {
        keep -= 1;
        size -= unit_lens[keep];
    }
    if keep < reply.units.len() {
        reply.units.truncate(keep);
    }
    done.for_size = true;
    done
}

/// A record's encoded length without name compression.
fn record_len(r: &Record) -> usize {
    name_len(r.name()) + 10 + rdata_len(r.data())
}

fn name_len(n: &hickory_proto::rr::Name) -> usize {
    n.len() + 1
}

fn rdata_len(d: &RData) -> usize {
    match d {
        RData::A(_) => 4,
        RData::AAAA(_) => 16,
        RData::SRV(s) => 6 + name_len(s.target()),
        RData::CNAME(n) => name_len(&n.0),
        RData::PTR(n) => name_len(&n.0),
        RData::NS(n) => name_len(&n.0),
        RData::TXT(t) => t.iter().map(|s| 1 + s.len()).sum(),
        RData::SOA(s) => name_len(s.mname()) + name_len(s.rname()) + 20,
        other => other.to_bytes().map_or(0, |b| b.len()),
    }
}

/// The encoded length of a question for `name`.
pub fn question_len(name: &hickory_proto::rr::Name) -> usize {
    name_len(name) + 4
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::dns::records;
    use crate::agent::dns::reply::Unit;

    fn a_reply(n: usize) -> Reply {
        let owner = records::name("web.service.consul.").unwrap();
        let both = records::Families { v4: true, v6: true };
        let units = (0..n)
            .map(|i| {
                let ip = std::net::Ipv4Addr::new(10, 0, (i / 256) as u8, (i % 256) as u8);
                Unit::of(records::address(&owner, ip.into(), 0, both).unwrap())
            })
            .collect();
        Reply::answers(units)
    }

    #[test]
    fn udp_without_edns_keeps_the_answer_limit() {
        let mut r = a_reply(10);
        let t = trim(&mut r, 24, false, Limits::udp(None, 3));
        assert_eq!(r.units.len(), 3);
        assert_eq!(
            t,
            Trimmed {
                for_size: false,
                for_count: true
            }
        );
    }

    #[test]
    fn oversized_replies_are_cut_to_fit() {
        // Each A record is 20 (name) + 10 + 4 = 34 bytes.
        let mut r = a_reply(40);
        let t = trim(&mut r, 24, true, Limits::udp(Some(512), 3));
        assert!(t.for_size);
        assert_eq!(r.units.len(), (512 - 12 - 24 - 11) / 34);
        let mut all = a_reply(40);
        assert_eq!(trim(&mut all, 24, false, Limits::tcp()), Trimmed::default());
        assert_eq!(all.units.len(), 40);
        // A single answer is never dropped.
        let mut one = a_reply(1);
        trim(
            &mut one,
            24,
            false,
            Limits {
                bytes: 10,
                answers: None,
            },
        );
        assert_eq!(one.units.len(), 1);
    }

    #[test]
    fn the_edns_size_is_at_least_512() {
        assert_eq!(Limits::udp(Some(100), 3).bytes, 512);
        assert_eq!(Limits::udp(Some(4096), 3).bytes, 4096);
    }
}
