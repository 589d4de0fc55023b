//! A container's services, by registrator's rules (reference companions.md §A.3, §A.4) with its
//! users' complaints fixed:
//!
//! - one service per port: published ports (their first IPv4 binding) at the host's address and
//!   host port, or with `-internal` every exposed port at the container's address;
//! - ID `<hostname>:<container>:<exposed port>[:udp]`, name from the image (tag and digest
//!   dropped), `-<port>` appended when several ports register and the name is not the port's own;
//! - the host address is `-ip`, else a specific binding address, else the detected host address
//!   (the caller's: the agent's advertise address or the default-route interface), never a
//!   hostname lookup;
//! - a container on the host's network registers only the ports a `SERVICE_<port>_*` key names;
//! - the container address is taken on `SERVICE_[<port>_]NETWORK` when set (IPv6 when that is all
//!   the network gives);
//! - a container with a Docker `HEALTHCHECK` gets a check following it (`health`);
//! - meta gets the other keys without `check_*` ones, and only keys Consul accepts;
//! - a malformed value skips that port with a warning naming the container and the key.

use std::collections::BTreeMap;

use crate::api::catalog::AgentServiceRegistration;

use super::container::{image_service_name, Container};
use super::metadata::{split_tags, Metadata};

/// The settings that shape every container's services.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The first part of every service ID (registrator: its host's name).
    pub hostname: String,
    /// `-ip`: the address of published ports.
    pub ip: Option<String>,
    /// The host's address when neither `-ip` nor a specific binding gives one.
    pub host_ip: String,
    /// `-internal`: container address and exposed port.
    pub internal: bool,
    /// `-explicit`: only ports with a `SERVICE_[<port>_]NAME`.
    pub explicit: bool,
    /// `-useIpFromLabel`: a label holding the address (a `/nn` suffix is dropped).
    pub ip_from_label: Option<String>,
}

/// Keys that shape the service rather than go into its meta.
const RESERVED: &[&str] = &["name", "id", "tags", "ignore", "network"];

/// Consul's limit on meta pairs.
const MAX_META: usize = 64;

/// One port to register, before naming.
struct Candidate {
    exposed: String,
    proto: String,
    ip: String,
    port: u16,
}

/// The services of `c` (with `extra_tags` from `-tags`), and a warning per skipped port or key.
pub fn services(
    c: &Container,
    o: &Options,
    extra_tags: &[String],
) -> (Vec<AgentServiceRegistration>, Vec<String>) {
    let meta = Metadata::read(c.env(), c.labels());
    let mut warnings = Vec::new();
    if meta.generic("ignore").is_some() {
        return (Vec::new(), warnings);
    }
    let warn = |w: &mut Vec<String>, key: &str, why: String| {
        w.push(format!(
            "container {}: {key}: {why}; port skipped",
            c.short_name()
        ));
    };
    let mut candidates = Vec::new();
    for (key, bindings) in ports(c) {
        let (exposed, proto) = key.split_once('/').unwrap_or((key.as_str(), "tcp"));
        let (exposed, proto) = (exposed.to_string(), proto.to_string());
        if meta.port_specific(&exposed, "ignore").is_some() {
            continue;
        }
        if o.explicit && meta.get(&exposed, "name").is_none() {
            continue;
        }
        let Ok(exposed_num) = exposed.parse::<u16>() else {
            continue;
        };
        let chosen = if c.host_network() {
            if !meta.mentions_port(&exposed) {
                continue;
            }
            Some((
                o.ip.clone().unwrap_or_else(|| o.host_ip.clone()),
                exposed_num,
            ))
        } else if o.internal {
            let network = meta.get(&exposed, "network");
            let ip = match network {
                Some(n) => match c.ip_on(n) {
                    Some(ip) => Some(ip),
                    None => {
                        let key = meta.key_name(&exposed, "network");
                        warn(
                            &mut warnings,
                            &key,
                            format!("the container is not on network {n:?}"),
                        );
                        continue;
                    }
                },
                None => c.default_ip(),
            };
            ip.map(|ip| (ip, exposed_num))
        } else {
            published(&bindings).map(|(host_ip, port)| {
                let ip =
                    o.ip.clone()
                        .or(host_ip)
                        .unwrap_or_else(|| o.host_ip.clone());
                (ip, port)
            })
        };
        let Some((mut ip, port)) = chosen else {
            continue;
        };
        if let Some(label) = &o.ip_from_label {
            if let Some(v) = c.config.labels.as_ref().and_then(|l| l.get(label)) {
                ip = v.split('/').next().unwrap_or(v).to_string();
            }
        }
        candidates.push(Candidate {
            exposed,
            proto,
            ip,
            port,
        });
    }
    let several = candidates.len() > 1;
    let mut out = Vec::new();
    for cand in candidates {
        match build(c, &meta, cand, several, o, extra_tags) {
            Ok((svc, mut w)) => {
                out.push(svc);
                warnings.append(&mut w);
            }
            Err((key, why)) => warn(&mut warnings, &key, why),
        }
    }
    (out, warnings)
}

/// A port's bindings: (host address, host port).
type Bindings = Vec<(String, String)>;

/// Every port of the container (`80/tcp`): exposed ones (unpublished) overlaid with the real
/// bindings, sorted by number then protocol.
fn ports(c: &Container) -> Vec<(String, Bindings)> {
    let mut all: BTreeMap<(u32, String), (String, Bindings)> = BTreeMap::new();
    let key_of = |k: &str| {
        let (n, p) = k.split_once('/').unwrap_or((k, "tcp"));
        (n.parse::<u32>().unwrap_or(u32::MAX), p.to_string())
    };
    for k in c.config.exposed_ports.iter().flatten().map(|(k, _)| k) {
        all.insert(key_of(k), (k.clone(), Vec::new()));
    }
    for (k, b) in c.network_settings.ports.iter().flatten() {
        let bindings = b
            .iter()
            .flatten()
            .map(|b| (b.host_ip.clone(), b.host_port.clone()))
            .collect();
        all.insert(key_of(k), (k.clone(), bindings));
    }
    all.into_values().collect()
}

/// The binding to register: the first IPv4 (or unspecified) one, else the first; its specific
/// host address if it has one.
fn published(bindings: &[(String, String)]) -> Option<(Option<String>, u16)> {
    let pick = bindings
        .iter()
        .find(|(ip, _)| !ip.contains(':'))
        .or_else(|| bindings.first())?;
    let port = pick.1.parse::<u16>().ok().filter(|p| *p != 0)?;
    let ip = match pick.0.as_str() {
        "" | "0.0.0.0" | "::" => None,
        specific => Some(specific.to_string()),
    };
    Some((ip, port))
}

type Built = (AgentServiceRegistration, Vec<String>);

fn build(
    c: &Container,
    meta: &Metadata,
    cand: Candidate,
    several: bool,
    o: &Options,
    extra_tags: &[String],
) -> Result<Built, (String, String)> {
    let p = cand.exposed.as_str();
    let udp = cand.proto == "udp";
    let mut name = meta
        .get(p, "name")
        .map_or_else(|| image_service_name(&c.config.image), str::to_string);
    if several && meta.port_specific(p, "name").is_none() {
        name = format!("{name}-{p}");
    }
    let id = meta.get(p, "id").map_or_else(
        || {
            let host = if o.hostname.is_empty() {
                &o.host_ip
            } else {
                &o.hostname
            };
            let mut id = format!("{host}:{}:{p}", c.short_name());
            if udp {
                id.push_str(":udp");
            }
            id
        },
        str::to_string,
    );
    let mut tags = meta.get(p, "tags").map(split_tags).unwrap_or_default();
    tags.extend(extra_tags.iter().cloned());
    if udp {
        tags.push("udp".into());
    }
    let keys = meta.for_port(p);
    let key_name = |k: &str| meta.key_name(p, k);
    let check = super::check::from_keys(&keys, &cand.ip, cand.port).map_err(|e| {
        let key = e
            .split(':')
            .next()
            .unwrap_or("SERVICE_CHECK")
            .to_ascii_lowercase();
        let key = key.strip_prefix("service_").unwrap_or(&key).to_string();
        (
            key_name(&key),
            e.split_once(": ")
                .map_or(e.clone(), |(_, why)| why.to_string()),
        )
    })?;
    let mut warnings = Vec::new();
    let mut service_meta = BTreeMap::new();
    for (k, v) in keys
        .iter()
        .filter(|(k, _)| !RESERVED.contains(&k.as_str()) && !k.starts_with("check_"))
    {
        if let Err(why) = meta_key_ok(k) {
            warnings.push(format!(
                "container {}: {}: {why}; left out of the service's meta",
                c.short_name(),
                key_name(k)
            ));
            continue;
        }
        if service_meta.len() == MAX_META {
            warnings.push(format!(
                "container {}: more than {MAX_META} meta keys; {} left out",
                c.short_name(),
                key_name(k)
            ));
            continue;
        }
        service_meta.insert(k.clone(), v.clone());
    }
    let checks = super::health::definition(c, &id).into_iter().collect();
    let svc = AgentServiceRegistration {
        id,
        name,
        tags,
        port: cand.port,
        address: cand.ip,
        meta: service_meta.into_iter().collect(),
        check,
        checks,
        ..Default::default()
    };
    Ok((svc, warnings))
}

/// Consul's rule for meta keys: letters, digits, `_` and `-`, at most 128 bytes, not starting
/// with `consul-`.
fn meta_key_ok(k: &str) -> Result<(), String> {
    if k.len() > 128 {
        return Err("a meta key is at most 128 characters".into());
    }
    if !k
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err("a meta key may hold only letters, digits, '_' and '-'".into());
    }
    if k.starts_with("consul-") {
        return Err("the consul- prefix is reserved for Consul".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests;
