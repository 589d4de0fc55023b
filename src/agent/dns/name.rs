//! Query names: which lookup a (lower-cased, fully qualified) name asks for. The forms under the
//! agent's domain (`domain`, or `alt_domain`) are Consul's: `[<tag>.]<service>.service`,
//! RFC 2782 `_<service>._<tag>[.service]`, `<node>.node`, `<hex-ip>.addr`, `<name>.query`
//! (a prepared query), each optionally
//! followed by `<dc>` or `<dc>.dc`; reverse names live under `in-addr.arpa.` and `ip6.arpa.`.
//! Pure functions, no I/O: the resolver in `answer` decides what each lookup returns.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// What a name asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// Healthy instances of a service, optionally with a tag.
    Service {
        service: String,
        tag: Option<String>,
        datacenter: Option<String>,
    },
    /// What a prepared query (by ID, name or template prefix) selects.
    Query {
        name: String,
        datacenter: Option<String>,
    },
    /// One node's address and meta.
    Node {
        node: String,
        datacenter: Option<String>,
    },
    /// An address spelled in hex (the target of SRV answers for services with their own IP).
    Addr { ip: IpAddr },
    /// The domain itself (SOA, NS).
    Apex,
    /// A reverse name; `None` when it does not spell a whole address.
    Reverse(Option<IpAddr>),
    /// Under the domain, but no form sd answers: NXDOMAIN.
    Invalid,
    /// Outside the domain and not a reverse name: for the recursors.
    Outside,
}

/// A parsed name: the lookup and the domain the answer's own names use (the one the query
/// used, `domain` or `alt_domain`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed<'a> {
    pub lookup: Lookup,
    pub domain: &'a str,
}

/// The query kinds Consul knows under its domain.
const KINDS: &[&str] = &[
    "service", "node", "addr", "query", "connect", "virtual", "ingress",
];

/// Parses `qname` (lower case, ending with a dot). `srv` is whether the query type is SRV,
/// which makes the `.service` label optional in RFC 2782 names. `domains` are the agent's
/// domains (each lower case, ending with a dot), the primary first.
pub fn parse<'a>(qname: &str, srv: bool, domains: &[&'a str]) -> Parsed<'a> {
    let primary = domains.first().copied().unwrap_or("consul.");
    if qname.ends_with(".in-addr.arpa.") || qname.ends_with(".ip6.arpa.") {
        return Parsed {
            lookup: Lookup::Reverse(reverse_ip(qname)),
            domain: primary,
        };
    }
    // The longest matching domain wins (an alt domain may end with the primary or the reverse).
    let matched = domains
        .iter()
        .copied()
        .filter(|d| qname == *d || qname.ends_with(&format!(".{d}")))
        .max_by_key(|d| d.len());
    let Some(domain) = matched else {
        return Parsed {
            lookup: Lookup::Outside,
            domain: primary,
        };
    };
    if qname == domain {
        return Parsed {
            lookup: Lookup::Apex,
            domain,
        };
    }
    let rest = &qname[..qname.len() - domain.len() - 1];
    let labels: Vec<&str> = rest.split('.').collect();
    Parsed {
        lookup: in_domain(&labels, srv),
        domain,
    }
}

/// The lookup for the labels left of the domain.
fn in_domain(labels: &[&str], srv: bool) -> Lookup {
    if labels.iter().any(|l| l.is_empty()) {
        return Lookup::Invalid;
    }
    let mut found = None;
    for i in (0..labels.len()).rev() {
        if KINDS.contains(&labels[i]) {
            found = Some((labels[i], &labels[..i], &labels[i + 1..]));
            break;
        }
        if srv && labels[i].starts_with('_') {
            found = Some(("service", &labels[..=i], &labels[i + 1..]));
            break;
        }
    }
    let Some((kind, parts, suffix)) = found else {
        return Lookup::Invalid;
    };
    let Some(datacenter) = datacenter(suffix) else {
        return Lookup::Invalid;
    };
    if parts.is_empty() {
        return Lookup::Invalid;
    }
    match kind {
        "service" => service(parts, datacenter),
        "node" => Lookup::Node {
            node: parts.join("."),
            datacenter,
        },
        "addr" => match parts {
            [hex] => hex_ip(hex).map_or(Lookup::Invalid, |ip| Lookup::Addr { ip }),
            _ => Lookup::Invalid,
        },
        "query" => Lookup::Query {
            name: parts.join("."),
            datacenter,
        },
        // Connect, virtual IPs and ingress gateways are not part of sd.
        _ => Lookup::Invalid,
    }
}

/// `_<service>._<tag>` (RFC 2782; `_tcp` and `_udp` mean no tag) or `[<tag>.]<service>`.
fn service(parts: &[&str], datacenter: Option<String>) -> Lookup {
    let (service, tag) = match parts {
        [svc, proto] if svc.starts_with('_') && proto.starts_with('_') => {
            let tag = &proto[1..];
            let tag = (!matches!(tag, "tcp" | "udp")).then(|| tag.to_string());
            (svc[1..].to_string(), tag)
        }
        [tags @ .., svc] => {
            let tag = (!tags.is_empty()).then(|| tags.join("."));
            (svc.to_string(), tag)
        }
        [] => return Lookup::Invalid,
    };
    if service.is_empty() || tag.as_deref() == Some("") {
        return Lookup::Invalid;
    }
    Lookup::Service {
        service,
        tag,
        datacenter,
    }
}

/// The datacenter suffix: none, `<dc>` or `<dc>.dc`; `None` for anything else (peers,
/// namespaces and partitions are Enterprise or peering forms sd does not have).
fn datacenter(suffix: &[&str]) -> Option<Option<String>> {
    match suffix {
        [] => Some(None),
        [dc] | [dc, "dc"] => Some(Some(dc.to_string())),
        _ => None,
    }
}

/// `c000020a` → 192.0.2.10; 32 hex digits → an IPv6 address.
fn hex_ip(hex: &str) -> Option<IpAddr> {
    let bytes = hex_bytes(hex)?;
    match bytes.len() {
        4 => Some(IpAddr::V4(Ipv4Addr::new(
            bytes[0], bytes[1], bytes[2], bytes[3],
        ))),
        16 => {
            let mut a = [0u8; 16];
            a.copy_from_slice(&bytes);
            Some(IpAddr::V6(Ipv6Addr::from(a)))
        }
        _ => None,
    }
}

fn hex_bytes(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) || !hex.is_ascii() {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
        .collect()
}

/// The hex label of an address in `.addr.` names.
pub fn ip_hex(ip: IpAddr) -> String {
    let bytes: Vec<u8> = match ip {
        IpAddr::V4(v4) => v4.octets().to_vec(),
        IpAddr::V6(v6) => v6.octets().to_vec(),
    };
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The address a whole reverse name spells (`10.2.0.192.in-addr.arpa.` → 192.0.2.10).
fn reverse_ip(qname: &str) -> Option<IpAddr> {
    if let Some(rest) = qname.strip_suffix(".in-addr.arpa.") {
        let octets: Vec<u8> = rest
            .split('.')
            .rev()
            .map(|l| l.parse::<u8>().ok())
            .collect::<Option<_>>()?;
        let [a, b, c, d] = octets[..] else {
            return None;
        };
        return Some(IpAddr::V4(Ipv4Addr::new(a, b, c, d)));
    }
    let rest = qname.strip_suffix(".ip6.arpa.")?;
    let nibbles: Vec<u8> = rest
        .split('.')
        .rev()
        .map(|l| match l.len() {
            1 => u8::from_str_radix(l, 16).ok(),
            _ => None,
        })
        .collect::<Option<_>>()?;
    if nibbles.len() != 32 {
        return None;
    }
    let mut a = [0u8; 16];
    for (i, pair) in nibbles.chunks(2).enumerate() {
        a[i] = (pair[0] << 4) | pair[1];
    }
    Some(IpAddr::V6(Ipv6Addr::from(a)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOMAINS: &[&str] = &["consul.", "example.org."];

    fn lookup(name: &str, srv: bool) -> Lookup {
        parse(name, srv, DOMAINS).lookup
    }

    fn svc(service: &str, tag: Option<&str>, dc: Option<&str>) -> Lookup {
        Lookup::Service {
            service: service.into(),
            tag: tag.map(Into::into),
            datacenter: dc.map(Into::into),
        }
    }

    #[test]
    fn service_forms() {
        assert_eq!(lookup("web.service.consul.", false), svc("web", None, None));
        assert_eq!(
            lookup("v1.web.service.consul.", false),
            svc("web", Some("v1"), None)
        );
        assert_eq!(
            lookup("web.service.dc1.consul.", false),
            svc("web", None, Some("dc1"))
        );
        assert_eq!(
            lookup("web.service.dc1.dc.consul.", true),
            svc("web", None, Some("dc1"))
        );
        assert_eq!(
            lookup("a.b.web.service.consul.", false),
            svc("web", Some("a.b"), None)
        );
        assert_eq!(
            lookup("consul.service.consul.", false),
            svc("consul", None, None)
        );
    }

    #[test]
    fn rfc2782_forms() {
        assert_eq!(
            lookup("_web._tcp.service.consul.", true),
            svc("web", None, None)
        );
        assert_eq!(
            lookup("_web._udp.service.consul.", true),
            svc("web", None, None)
        );
        assert_eq!(
            lookup("_web._v1.service.consul.", true),
            svc("web", Some("v1"), None)
        );
        // Without `.service` only for SRV queries.
        assert_eq!(lookup("_web._tcp.consul.", true), svc("web", None, None));
        assert_eq!(
            lookup("_web._tcp.dc1.consul.", true),
            svc("web", None, Some("dc1"))
        );
        assert_eq!(lookup("_web._tcp.consul.", false), Lookup::Invalid);
    }

    #[test]
    fn node_and_addr_forms() {
        assert_eq!(
            lookup("n1.node.consul.", false),
            Lookup::Node {
                node: "n1".into(),
                datacenter: None
            }
        );
        assert_eq!(
            lookup("n1.example.node.dc2.consul.", false),
            Lookup::Node {
                node: "n1.example".into(),
                datacenter: Some("dc2".into())
            }
        );
        assert_eq!(
            lookup("c000020a.addr.dc1.consul.", false),
            Lookup::Addr {
                ip: "192.0.2.10".parse().unwrap()
            }
        );
        assert_eq!(
            lookup("20010db8000000000000000000000001.addr.dc1.consul.", false),
            Lookup::Addr {
                ip: "2001:db8::1".parse().unwrap()
            }
        );
        assert_eq!(ip_hex("192.0.2.10".parse().unwrap()), "c000020a");
        assert_eq!(
            ip_hex("2001:db8::1".parse().unwrap()),
            "20010db8000000000000000000000001"
        );
        assert_eq!(lookup("c0000.addr.consul.", false), Lookup::Invalid);
        assert_eq!(lookup("zz00020a.addr.consul.", false), Lookup::Invalid);
        assert_eq!(lookup("é0020a.addr.consul.", false), Lookup::Invalid);
    }

    #[test]
    fn domains_apex_and_outside() {
        assert_eq!(lookup("consul.", false), Lookup::Apex);
        assert_eq!(
            parse("web.service.example.org.", false, DOMAINS).domain,
            "example.org."
        );
        assert_eq!(
            parse("web.service.consul.", false, DOMAINS).domain,
            "consul."
        );
        assert_eq!(lookup("example.com.", false), Lookup::Outside);
        assert_eq!(lookup("notconsul.", false), Lookup::Outside);
        assert_eq!(lookup(".", false), Lookup::Outside);
    }

    #[test]
    fn prepared_query_names() {
        assert_eq!(
            lookup("geo-db-main.query.consul.", false),
            Lookup::Query {
                name: "geo-db-main".into(),
                datacenter: None
            }
        );
        assert_eq!(
            lookup("my.query.query.dc2.consul.", false),
            Lookup::Query {
                name: "my.query".into(),
                datacenter: Some("dc2".into())
            }
        );
    }

    #[test]
    fn invalid_forms_under_the_domain() {
        for name in [
            "web.consul.",
            "service.consul.",
            "web.service.a.b.c.consul.",
            "web.service.peer1.peer.consul.",
            "query.consul.",
            "web.connect.consul.",
            "node.consul.",
            "._web._tcp.service.consul.",
            "_._tcp.service.consul.",
        ] {
            assert_eq!(lookup(name, true), Lookup::Invalid, "{name}");
        }
    }

    #[test]
    fn reverse_names() {
        assert_eq!(
            lookup("10.2.0.192.in-addr.arpa.", false),
            Lookup::Reverse(Some("192.0.2.10".parse().unwrap()))
        );
        let v6 = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.";
        assert_eq!(
            lookup(v6, false),
            Lookup::Reverse(Some("2001:db8::1".parse().unwrap()))
        );
        assert_eq!(
            lookup("2.0.192.in-addr.arpa.", false),
            Lookup::Reverse(None)
        );
        assert_eq!(
            lookup("300.2.0.192.in-addr.arpa.", false),
            Lookup::Reverse(None)
        );
        assert_eq!(lookup("ab.ip6.arpa.", false), Lookup::Reverse(None));
    }

    #[test]
    fn long_and_odd_names_do_not_panic() {
        let long = format!("{}service.consul.", "a.".repeat(300));
        assert!(matches!(lookup(&long, true), Lookup::Service { .. }));
        assert_eq!(lookup("..consul.", false), Lookup::Invalid);
        assert_eq!(
            lookup("_.consul.", true),
            svc("_", None, None),
            "a lone label is a service name, as in Consul"
        );
    }
}
