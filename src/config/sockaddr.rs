//! The go-sockaddr template functions sd understands, shared by the agent's address settings
//! (`bind_addr = "{{ GetPrivateIP }}"`) and `sd template`'s `sockaddr` helper:
//! `GetPrivateIP`, `GetPrivateIPs`, `GetPublicIP`, `GetPublicIPs`, `GetInterfaceIP "eth0"` and
//! `GetInterfaceIPs "eth0"`. The single-address forms give the first match, the plural forms
//! every match separated by spaces, and an empty string when nothing matches, as go-sockaddr.
//!
//! Part of `config`, the only module that reads environment variables.

use std::net::IpAddr;

use super::addr::{private_v4, public_v4, HostAddr};

/// What each function lists.
fn matches(function: &str, arg: Option<&str>, host: &[HostAddr]) -> Option<Vec<IpAddr>> {
    Some(match (function, arg) {
        ("GetPrivateIP" | "GetPrivateIPs", None) => private_v4(host),
        ("GetPublicIP" | "GetPublicIPs", None) => public_v4(host),
        ("GetInterfaceIP" | "GetInterfaceIPs", Some(name)) => host
            .iter()
            .filter(|h| h.interface == name && h.ip.is_ipv4())
            .map(|h| h.ip)
            .collect(),
        _ => return None,
    })
}

/// Evaluates one expression (`GetInterfaceIP "eth0"`, without the braces).
pub(crate) fn eval(expr: &str, host: &[HostAddr]) -> Result<String, String> {
    let expr = expr.trim();
    let (function, rest) = expr.split_once(char::is_whitespace).unwrap_or((expr, ""));
    let rest = rest.trim();
    let arg = if rest.is_empty() {
        None
    } else if rest.len() >= 2 && rest.starts_with('"') && rest.ends_with('"') {
        Some(&rest[1..rest.len() - 1])
    } else {
        return Err(format!(
            "{{{{ {expr} }}}}: expected a quoted interface name"
        ));
    };
    let Some(ips) = matches(function, arg, host) else {
        return Err(format!(
            "{{{{ {expr} }}}} is not supported; sd understands GetPrivateIP, GetPrivateIPs, \
             GetPublicIP, GetPublicIPs, GetInterfaceIP \"name\" and GetInterfaceIPs \"name\""
        ));
    };
    let ips: Vec<String> = ips.iter().map(IpAddr::to_string).collect();
    Ok(if function.ends_with('s') {
        ips.join(" ")
    } else {
        ips.into_iter().next().unwrap_or_default()
    })
}

/// [`eval`] over this host's interfaces.
pub fn eval_on_host(expr: &str) -> Result<String, String> {
    let host = super::addr::host_addrs().map_err(|e| e.to_string())?;
    eval(expr, &host)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host() -> Vec<HostAddr> {
        [
            ("lo", "127.0.0.1"),
            ("eth0", "10.0.0.5"),
            ("eth0", "203.0.113.9"),
            ("eth1", "192.168.1.2"),
        ]
        .iter()
        .map(|(i, ip)| HostAddr {
            interface: i.to_string(),
            ip: ip.parse().unwrap(),
        })
        .collect()
    }

    #[test]
    fn functions() {
        let h = host();
        assert_eq!(eval("GetPrivateIP", &h).unwrap(), "10.0.0.5");
        assert_eq!(eval("GetPrivateIPs", &h).unwrap(), "10.0.0.5 192.168.1.2");
        assert_eq!(eval("GetPublicIP", &h).unwrap(), "203.0.113.9");
        assert_eq!(eval("GetInterfaceIP \"eth1\"", &h).unwrap(), "192.168.1.2");
        assert_eq!(
            eval("GetInterfaceIPs \"eth0\"", &h).unwrap(),
            "10.0.0.5 203.0.113.9"
        );
        assert_eq!(eval("GetInterfaceIP \"wlan0\"", &h).unwrap(), "");
        assert!(eval("GetAllInterfaces | include \"flags\" \"up\"", &h).is_err());
        assert!(eval("GetInterfaceIP eth0", &h).is_err());
    }
}
