//! Resource records in Consul's shapes: address records (A or AAAA by family, CNAME for host
//! names), SRV with priority 1, node meta as RFC 1464 TXT (`rfc1035-` keys give the bare value),
//! the domain's SOA (`ns.<domain>`, `hostmaster.<domain>`, serial = the time) and NS, PTR, and
//! the canonical names answers point at (`<node>.node.<dc>.<domain>`, `<hex>.addr.<dc>.<domain>`).

use std::net::IpAddr;

use hickory_proto::rr::rdata::{A, AAAA, CNAME, NS, PTR, SOA, SRV, TXT};
use hickory_proto::rr::{Name, RData, Record};

use super::name::ip_hex;
use super::settings::Settings;
use super::view::Target;

/// A name from text; `None` when it is not a valid DNS name (too long, bad label).
pub fn name(text: &str) -> Option<Name> {
    let mut n = Name::from_ascii(text).ok()?;
    n.set_fqdn(true);
    Some(n)
}

/// `<node>.node.<dc>.<domain>`.
pub fn node_fqdn(node: &str, dc: &str, domain: &str) -> String {
    format!("{node}.node.{dc}.{domain}")
}

/// `<hex-ip>.addr.<dc>.<domain>`.
pub fn addr_fqdn(ip: IpAddr, dc: &str, domain: &str) -> String {
    format!("{}.addr.{dc}.{domain}", ip_hex(ip))
}

/// `<service>.service.<dc>.<domain>`.
pub fn service_fqdn(service: &str, dc: &str, domain: &str) -> String {
    format!("{service}.service.{dc}.{domain}")
}

/// Which address families a query type asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Families {
    pub v4: bool,
    pub v6: bool,
}

/// An A or AAAA record for `ip` when its family is wanted.
pub fn address(owner: &Name, ip: IpAddr, ttl: u32, want: Families) -> Option<Record> {
    let data = match ip {
        IpAddr::V4(v4) if want.v4 => RData::A(A(v4)),
        IpAddr::V6(v6) if want.v6 => RData::AAAA(AAAA(v6)),
        _ => return None,
    };
    Some(Record::from_rdata(owner.clone(), ttl, data))
}

/// The record for a target: A/AAAA for an IP of a wanted family, CNAME for a host name.
pub fn target(owner: &Name, t: &Target, ttl: u32, want: Families) -> Option<Record> {
    match t {
        Target::Ip(ip) => address(owner, *ip, ttl, want),
        Target::Host(h) => {
            let host = name(h)?;
            Some(Record::from_rdata(
                owner.clone(),
                ttl,
                RData::CNAME(CNAME(host)),
            ))
        }
    }
}

pub fn srv(owner: &Name, ttl: u32, weight: u16, port: u16, target: Name) -> Record {
    Record::from_rdata(
        owner.clone(),
        ttl,
        RData::SRV(SRV::new(1, weight, port, target)),
    )
}

/// One TXT record per meta entry: `key=value` (RFC 1464 quoting), or the bare value for keys
/// starting with `rfc1035-`.
pub fn meta_txt<'a>(
    owner: &Name,
    meta: impl IntoIterator<Item = (&'a String, &'a String)>,
    ttl: u32,
) -> Vec<Record> {
    meta.into_iter()
        .map(|(k, v)| {
            let text = if k.to_ascii_lowercase().starts_with("rfc1035-") {
                v.clone()
            } else {
                rfc1464(k, v)
            };
            Record::from_rdata(owner.clone(), ttl, RData::TXT(TXT::new(vec![text])))
        })
        .collect()
}

/// `key=value` with the key's backquotes, equals signs and leading/trailing spaces quoted with
/// a backquote (RFC 1464 §2), and the value's backquotes doubled.
fn rfc1464(key: &str, value: &str) -> String {
    let body = key.trim_matches(' ');
    let lead = key.len() - key.trim_start_matches(' ').len();
    let trail = if body.is_empty() {
        0
    } else {
        key.len() - key.trim_end_matches(' ').len()
    };
    let mut out = "` ".repeat(lead);
    for c in body.chars() {
        match c {
            '`' => out.push_str("``"),
            '=' => out.push_str("`="),
            c => out.push(c),
        }
    }
    out.push_str(&"` ".repeat(trail));
    out.push('=');
    out.push_str(&value.replace('`', "``"));
    out
}

/// The domain's SOA record (its TTL is the minimum TTL, so negative answers cache for as long).
pub fn soa(domain: &Name, s: &Settings) -> Record {
    let serial = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as u32);
    let under = |label: &str| {
        Name::from_ascii(label)
            .and_then(|l| l.append_domain(domain))
            .unwrap_or_else(|_| domain.clone())
    };
    Record::from_rdata(
        domain.clone(),
        s.soa_min_ttl,
        RData::SOA(SOA::new(
            under("ns"),
            under("hostmaster"),
            serial,
            s.soa_refresh as i32,
            s.soa_retry as i32,
            s.soa_expire as i32,
            s.soa_min_ttl,
        )),
    )
}

pub fn ns(domain: &Name, ttl: u32, server: Name) -> Record {
    Record::from_rdata(domain.clone(), ttl, RData::NS(NS(server)))
}

pub fn ptr(owner: &Name, target: Name) -> Record {
    Record::from_rdata(owner.clone(), 0, RData::PTR(PTR(target)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc1464_quoting() {
        assert_eq!(rfc1464("color", "blue"), "color=blue");
        assert_eq!(rfc1464("a=b", "c"), "a`=b=c");
        assert_eq!(rfc1464("  k ", "v`"), "` ` k` =v``");
        assert_eq!(rfc1464("b`q", "x=y"), "b``q=x=y");
    }

    #[test]
    fn meta_txt_bare_values_for_rfc1035_keys() {
        let owner = name("n1.node.dc1.consul.").unwrap();
        let meta: std::collections::BTreeMap<String, String> = [
            ("rfc1035-spf".to_string(), "v=spf1 -all".to_string()),
            ("env".to_string(), "prod".to_string()),
        ]
        .into();
        let txt: Vec<String> = meta_txt(&owner, &meta, 0)
            .iter()
            .map(|r| r.data().to_string())
            .collect();
        assert_eq!(txt, vec!["env=prod", "v=spf1 -all"]);
    }

    #[test]
    fn names_and_addresses() {
        assert_eq!(
            addr_fqdn("192.0.2.10".parse().unwrap(), "dc1", "consul."),
            "c000020a.addr.dc1.consul."
        );
        assert!(name(&format!("{}.consul.", "a".repeat(64))).is_none());
        let owner = name("web.service.consul.").unwrap();
        let v4 = Families {
            v4: true,
            v6: false,
        };
        assert!(address(&owner, "::1".parse().unwrap(), 0, v4).is_none());
        assert!(address(&owner, "10.0.0.1".parse().unwrap(), 0, v4).is_some());
        let soa = soa(
            &name("consul.").unwrap(),
            &Settings::from_config(&Default::default()),
        );
        assert_eq!(
            soa.data()
                .to_string()
                .split(' ')
                .take(2)
                .collect::<Vec<_>>(),
            ["ns.consul.", "hostmaster.consul."]
        );
    }
}
