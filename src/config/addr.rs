//! Address settings: parsing `bind_addr`, `advertise_addr`, `client_addr` (a space-separated
//! list) and friends, a small subset of go-sockaddr templates, and choosing the advertise
//! address when the agent binds to "any".
//!
//! Templates understood: those of `sockaddr.rs` (`{{ GetPrivateIP }}`, `{{ GetPublicIP }}`,
//! `{{ GetInterfaceIP "eth0" }}`, ...); anything else inside `{{ }}` is an error naming them.
//!
//! Advertise address with `bind_addr = 0.0.0.0` (Consul's rule, then sd's fallback): the host's
//! single private IPv4 address (10/8, 172.16/12, 192.168/16, 100.64/10); several is an error
//! asking for `bind`/`advertise`. With no private address sd, unlike Consul, falls back to the
//! single public IPv4 address, and with none at all to 127.0.0.1 (a machine with only loopback
//! can still run a one-node agent); several public ones is an error. With `bind_addr = ::` the
//! single global IPv6 address is used, else the IPv4 rule applies.
//!
//! Part of `config`, the only module that reads environment variables.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::error::ConfigError;

/// One address of a network interface on this host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostAddr {
    pub interface: String,
    pub ip: IpAddr,
}

/// The host's interface addresses, loopback included.
pub(crate) fn host_addrs() -> Result<Vec<HostAddr>, ConfigError> {
    let ifaces = if_addrs::get_if_addrs().map_err(|e| {
        ConfigError::invalid(format!(
            "cannot list this host's network interfaces ({e}); set bind_addr and advertise_addr"
        ))
    })?;
    Ok(ifaces
        .into_iter()
        .map(|i| HostAddr {
            ip: i.ip(),
            interface: i.name,
        })
        .collect())
}

/// RFC 1918 and RFC 6598 (carrier-grade NAT) IPv4 ranges, as go-sockaddr counts "private".
pub(crate) fn is_private_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    ip.is_private() || (o[0] == 100 && (64..128).contains(&o[1]))
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    !(ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || is_private_v4(ip))
}

fn is_global_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xffc0) == 0xfe80 // link-local
        || (first & 0xfe00) == 0xfc00) // unique local
}

fn distinct(ips: impl Iterator<Item = IpAddr>) -> Vec<IpAddr> {
    let mut out: Vec<IpAddr> = Vec::new();
    for ip in ips {
        if !out.contains(&ip) {
            out.push(ip);
        }
    }
    out
}

pub(crate) fn private_v4(host: &[HostAddr]) -> Vec<IpAddr> {
    distinct(host.iter().map(|h| h.ip).filter(|ip| match ip {
        IpAddr::V4(v4) => is_private_v4(*v4),
        IpAddr::V6(_) => false,
    }))
}

pub(crate) fn public_v4(host: &[HostAddr]) -> Vec<IpAddr> {
    distinct(host.iter().map(|h| h.ip).filter(|ip| match ip {
        IpAddr::V4(v4) => is_public_v4(*v4),
        IpAddr::V6(_) => false,
    }))
}

/// The advertise address for an agent bound to `bind` (see the module doc).
pub(crate) fn detect_advertise(bind: IpAddr, host: &[HostAddr]) -> Result<IpAddr, ConfigError> {
    if !bind.is_unspecified() {
        return Ok(bind);
    }
    if bind.is_ipv6() {
        let global = distinct(host.iter().map(|h| h.ip).filter(|ip| match ip {
            IpAddr::V6(v6) => is_global_v6(*v6),
            IpAddr::V4(_) => false,
        }));
        match global.len() {
            1 => return Ok(global[0]),
            0 => {}
            _ => {
                return Err(ConfigError::invalid(
                    "Multiple public IPv6 addresses found. Please configure one with 'bind' and/or 'advertise'.",
                ))
            }
        }
    }
    let private = private_v4(host);
    match private.len() {
        1 => return Ok(private[0]),
        0 => {}
        _ => {
            return Err(ConfigError::invalid(
                "Multiple private IPv4 addresses found. Please configure one with 'bind' and/or 'advertise'.",
            ))
        }
    }
    let public = public_v4(host);
    match public.len() {
        0 => Ok(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        1 => Ok(public[0]),
        _ => Err(ConfigError::invalid(
            "No private IPv4 address found and multiple public IPv4 addresses found. Please configure one with 'bind' and/or 'advertise'.",
        )),
    }
}

/// Parses one IP address, accepting IPv6 in brackets (`[::1]`).
fn parse_ip(s: &str) -> Option<IpAddr> {
    let s = s
        .strip_prefix('[')
        .and_then(|x| x.strip_suffix(']'))
        .unwrap_or(s);
    s.parse().ok()
}

/// Expands a go-sockaddr template subset in `text`; plain text is returned unchanged.
fn expand_template(key: &str, text: &str, host: &[HostAddr]) -> Result<String, ConfigError> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err(ConfigError::invalid(format!(
                "{key}: unterminated template in {text:?}"
            )));
        };
        out.push_str(&eval_template(key, after[..end].trim(), host)?);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

fn eval_template(key: &str, expr: &str, host: &[HostAddr]) -> Result<String, ConfigError> {
    let value = super::sockaddr::eval(expr, host)
        .map_err(|e| ConfigError::invalid(format!("{key}: template {e}")))?;
    if value.is_empty() {
        return Err(ConfigError::invalid(format!(
            "{key}: template {{{{ {expr} }}}} found no address"
        )));
    }
    Ok(value)
}

/// Every address in `text` (space-separated, templates expanded).
pub(crate) fn parse_ips(
    key: &str,
    text: &str,
    host: &[HostAddr],
) -> Result<Vec<IpAddr>, ConfigError> {
    let expanded = expand_template(key, text, host)?;
    expanded
        .split_whitespace()
        .map(|word| {
            parse_ip(word).ok_or_else(|| {
                ConfigError::invalid(format!(
                    "{key}: {word:?} is not an IP address (use e.g. 0.0.0.0, 10.0.0.5 or ::1)"
                ))
            })
        })
        .collect()
}

/// Exactly one address from `text`.
pub(crate) fn parse_one_ip(
    key: &str,
    text: &str,
    host: &[HostAddr],
) -> Result<IpAddr, ConfigError> {
    let ips = parse_ips(key, text, host)?;
    match ips.as_slice() {
        [one] => Ok(*one),
        [] => Err(ConfigError::invalid(format!("{key} cannot be empty"))),
        _ => Err(ConfigError::invalid(format!(
            "{key} cannot contain multiple addresses; give exactly one"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(addrs: &[(&str, &str)]) -> Vec<HostAddr> {
        addrs
            .iter()
            .map(|(i, ip)| HostAddr {
                interface: i.to_string(),
                ip: ip.parse().unwrap(),
            })
            .collect()
    }

    fn any() -> IpAddr {
        IpAddr::V4(Ipv4Addr::UNSPECIFIED)
    }

    #[test]
    fn single_private_address_is_chosen() {
        let h = host(&[
            ("lo", "127.0.0.1"),
            ("eth0", "192.0.2.2"),
            ("eth1", "10.1.2.3"),
        ]);
        assert_eq!(detect_advertise(any(), &h).unwrap().to_string(), "10.1.2.3");
    }

    #[test]
    fn several_private_addresses_are_an_error() {
        let h = host(&[("eth0", "192.168.1.2"), ("docker0", "172.17.0.1")]);
        let err = detect_advertise(any(), &h).unwrap_err().to_string();
        assert_eq!(
            err,
            "Multiple private IPv4 addresses found. Please configure one with 'bind' and/or 'advertise'."
        );
    }

    #[test]
    fn fallbacks_public_then_loopback() {
        let h = host(&[("lo", "127.0.0.1"), ("eth0", "203.0.113.9")]);
        assert_eq!(
            detect_advertise(any(), &h).unwrap().to_string(),
            "203.0.113.9"
        );
        let h = host(&[("lo", "127.0.0.1"), ("lo", "::1")]);
        assert_eq!(
            detect_advertise(any(), &h).unwrap().to_string(),
            "127.0.0.1"
        );
        let h = host(&[("a", "203.0.113.9"), ("b", "198.51.100.1")]);
        assert!(detect_advertise(any(), &h).is_err());
    }

    #[test]
    fn specific_bind_is_advertised() {
        let ip: IpAddr = "192.168.242.68".parse().unwrap();
        assert_eq!(detect_advertise(ip, &[]).unwrap(), ip);
    }

    #[test]
    fn lists_and_templates() {
        let h = host(&[("eth0", "10.0.0.7"), ("lo", "127.0.0.1")]);
        let ips = parse_ips(
            "client_addr",
            "127.0.0.1 [::1] {{ GetInterfaceIP \"eth0\" }}",
            &h,
        )
        .unwrap();
        let text: Vec<String> = ips.iter().map(ToString::to_string).collect();
        assert_eq!(text, ["127.0.0.1", "::1", "10.0.0.7"]);
        assert_eq!(
            parse_one_ip("bind_addr", "{{ GetPrivateIP }}", &h)
                .unwrap()
                .to_string(),
            "10.0.0.7"
        );
        assert!(parse_one_ip("bind_addr", "{{ GetAllInterfaces }}", &h).is_err());
        let err = parse_one_ip("bind_addr", "300.1.1.1", &h)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("bind_addr") && err.contains("300.1.1.1"),
            "{err}"
        );
        assert!(parse_one_ip("bind_addr", "1.1.1.1 2.2.2.2", &h).is_err());
    }

    #[test]
    fn private_ranges() {
        for p in [
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.1",
            "192.168.0.1",
            "100.64.0.1",
        ] {
            assert!(is_private_v4(p.parse().unwrap()), "{p}");
        }
        for p in ["172.32.0.1", "8.8.8.8", "100.128.0.1", "127.0.0.1"] {
            assert!(!is_private_v4(p.parse().unwrap()), "{p}");
        }
    }
}
