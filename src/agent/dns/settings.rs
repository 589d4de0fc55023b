//! The DNS interface's settings, read once from the runtime configuration: domains, the local
//! datacenter, TTLs (`node_ttl`, `service_ttl` with exact names winning over `*` prefixes),
//! health strictness, size limits, SOA fields and the recursors.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use crate::config::RuntimeConfig;

/// Consul never returns more than this many answers to a UDP query without EDNS, whatever
/// `udp_answer_limit` says.
const MAX_UDP_ANSWER_LIMIT: u32 = 8;

#[derive(Debug, Clone)]
pub struct Settings {
    /// The primary domain then, when set, the alternate one; lower case, ending with a dot.
    pub domains: Vec<String>,
    /// The local datacenter, lower case.
    pub datacenter: String,
    pub node_ttl: u32,
    service_ttl_exact: HashMap<String, u32>,
    /// `(prefix, ttl)`, longest prefix first.
    service_ttl_prefix: Vec<(String, u32)>,
    pub only_passing: bool,
    pub allow_stale: bool,
    pub max_stale: Duration,
    /// Answers kept for a UDP query without EDNS.
    pub udp_answer_limit: usize,
    /// A/AAAA answers kept (0: no limit).
    pub a_record_limit: usize,
    pub enable_truncate: bool,
    pub node_meta_txt: bool,
    pub soa_refresh: u32,
    pub soa_retry: u32,
    pub soa_expire: u32,
    pub soa_min_ttl: u32,
    pub recursors: Vec<SocketAddr>,
    pub recursor_timeout: Duration,
}

impl Settings {
    pub fn from_config(c: &RuntimeConfig) -> Settings {
        let d = &c.dns;
        let mut domains = vec![lower_fqdn(&c.domain)];
        if let Some(alt) = &c.alt_domain {
            let alt = lower_fqdn(alt);
            if alt != "." && !domains.contains(&alt) {
                domains.push(alt);
            }
        }
        let mut exact = HashMap::new();
        let mut prefix = Vec::new();
        for (name, ttl) in &d.service_ttl {
            let secs = seconds(*ttl);
            match name.strip_suffix('*') {
                Some(p) => prefix.push((p.to_ascii_lowercase(), secs)),
                None => {
                    exact.insert(name.to_ascii_lowercase(), secs);
                }
            }
        }
        prefix.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        let recursors = c
            .recursors
            .iter()
            .filter_map(|r| {
                let addr = recursor_addr(r);
                if addr.is_none() {
                    tracing::warn!("dns: ignoring recursor {r:?}: not an IP address or IP:port");
                }
                addr
            })
            .collect();
        Settings {
            domains,
            datacenter: c.datacenter.to_ascii_lowercase(),
            node_ttl: seconds(d.node_ttl),
            service_ttl_exact: exact,
            service_ttl_prefix: prefix,
            only_passing: d.only_passing,
            allow_stale: d.allow_stale,
            max_stale: d.max_stale,
            udp_answer_limit: d.udp_answer_limit.min(MAX_UDP_ANSWER_LIMIT) as usize,
            a_record_limit: d.a_record_limit as usize,
            enable_truncate: d.enable_truncate,
            node_meta_txt: d.enable_additional_node_meta_txt,
            soa_refresh: d.soa_refresh,
            soa_retry: d.soa_retry,
            soa_expire: d.soa_expire,
            soa_min_ttl: d.soa_min_ttl,
            recursors,
            recursor_timeout: d.recursor_timeout,
        }
    }

    /// The TTL of a service's records: its exact entry, else the longest `prefix*` entry that
    /// matches (`*` alone matches all), else 0.
    pub fn service_ttl(&self, service: &str) -> u32 {
        if let Some(t) = self.service_ttl_exact.get(service) {
            return *t;
        }
        self.service_ttl_prefix
            .iter()
            .find(|(p, _)| service.starts_with(p.as_str()))
            .map_or(0, |(_, t)| *t)
    }

    /// Whether this datacenter (from a query name) is the local one; `None` means local.
    pub fn is_local(&self, datacenter: Option<&str>) -> bool {
        datacenter.is_none_or(|dc| dc == self.datacenter)
    }
}

fn lower_fqdn(d: &str) -> String {
    let d = d.trim().to_ascii_lowercase();
    if d.ends_with('.') {
        d
    } else {
        format!("{d}.")
    }
}

fn seconds(d: Duration) -> u32 {
    u32::try_from(d.as_secs()).unwrap_or(u32::MAX)
}

/// `IP`, `IP:port` or `[IPv6]:port`; port 53 when none is given.
fn recursor_addr(r: &str) -> Option<SocketAddr> {
    let r = r.trim();
    r.parse::<SocketAddr>()
        .ok()
        .or_else(|| r.parse::<IpAddr>().ok().map(|ip| SocketAddr::new(ip, 53)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_ttls_exact_then_longest_prefix() {
        let mut c = RuntimeConfig::default();
        for (k, v) in [("*", 5), ("db*", 10), ("db-main*", 20), ("db-main", 30)] {
            c.dns.service_ttl.insert(k.into(), Duration::from_secs(v));
        }
        let s = Settings::from_config(&c);
        assert_eq!(s.service_ttl("web"), 5);
        assert_eq!(s.service_ttl("db-replica"), 10);
        assert_eq!(s.service_ttl("db-main-2"), 20);
        assert_eq!(s.service_ttl("db-main"), 30);
        c.dns.service_ttl.clear();
        assert_eq!(Settings::from_config(&c).service_ttl("web"), 0);
    }

    #[test]
    fn domains_recursors_and_limits() {
        let mut c = RuntimeConfig {
            domain: "Consul".into(),
            alt_domain: Some("example.org".into()),
            recursors: vec!["8.8.8.8".into(), "[::1]:5353".into(), "dns.google".into()],
            ..RuntimeConfig::default()
        };
        c.dns.udp_answer_limit = 100;
        let s = Settings::from_config(&c);
        assert_eq!(s.domains, vec!["consul.", "example.org."]);
        assert_eq!(
            s.recursors,
            vec![
                "8.8.8.8:53".parse::<SocketAddr>().unwrap(),
                "[::1]:5353".parse().unwrap()
            ]
        );
        assert_eq!(s.udp_answer_limit, 8);
        assert!(s.is_local(None));
        assert!(s.is_local(Some("dc1")));
        assert!(!s.is_local(Some("dc2")));
    }
}
