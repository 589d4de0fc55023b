//! `dig` (Debian's bind9-dnsutils) as the DNS tests' client: runs it against an agent and parses
//! its full output into status, flags and sections; and the agent's DNS address.

use std::net::SocketAddr;
use std::process::Command;

use crate::common::Agent;

/// One resource record as dig prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rr {
    pub name: String,
    pub ttl: u32,
    pub rtype: String,
    pub data: String,
}

/// A parsed dig answer.
#[derive(Debug, Default)]
pub struct Dig {
    pub status: String,
    pub flags: Vec<String>,
    pub answer: Vec<Rr>,
    pub authority: Vec<Rr>,
    pub additional: Vec<Rr>,
    pub raw: String,
}

impl Dig {
    pub fn has_flag(&self, f: &str) -> bool {
        self.flags.iter().any(|x| x == f)
    }

    /// The data of the answers of type `rtype`, sorted.
    pub fn data(&self, rtype: &str) -> Vec<String> {
        let mut v: Vec<String> = self
            .answer
            .iter()
            .filter(|r| r.rtype == rtype)
            .map(|r| r.data.clone())
            .collect();
        v.sort();
        v
    }
}

/// The agent's DNS address, as it logged it.
pub fn dns_addr(a: &Agent) -> SocketAddr {
    a.dns.expect("the agent runs a DNS server")
}

/// Runs `dig @addr -p port +norec +time=2 +tries=1 <args>` and parses the output.
pub fn dig(server: SocketAddr, args: &[&str]) -> Dig {
    let out = Command::new("dig")
        .arg(format!("@{}", server.ip()))
        .arg("-p")
        .arg(server.port().to_string())
        .args(["+norec", "+time=2", "+tries=1"])
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run dig ({e}): install it with `apt-get install -y bind9-dnsutils`")
        });
    parse(&String::from_utf8_lossy(&out.stdout))
}

fn parse(text: &str) -> Dig {
    let mut d = Dig {
        raw: text.to_string(),
        ..Dig::default()
    };
    let mut section = "";
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix(";; ->>HEADER<<-") {
            d.status = rest
                .split(',')
                .find_map(|p| p.trim().strip_prefix("status: "))
                .unwrap_or_default()
                .to_string();
        } else if let Some(rest) = line.strip_prefix(";; flags:") {
            let flags = rest.split(';').next().unwrap_or_default();
            d.flags = flags.split_whitespace().map(str::to_string).collect();
        } else if line.starts_with(";; ") && line.ends_with("SECTION:") {
            section = line;
        } else if line.trim().is_empty() {
            section = "";
        } else if !line.starts_with(';') && !section.is_empty() {
            let mut f = line.split_whitespace();
            let (Some(name), Some(ttl), Some(_class), Some(rtype)) =
                (f.next(), f.next(), f.next(), f.next())
            else {
                continue;
            };
            let rr = Rr {
                name: name.to_string(),
                ttl: ttl.parse().unwrap_or(u32::MAX),
                rtype: rtype.to_string(),
                data: f.collect::<Vec<_>>().join(" "),
            };
            match section {
                ";; ANSWER SECTION:" => d.answer.push(rr),
                ";; AUTHORITY SECTION:" => d.authority.push(rr),
                ";; ADDITIONAL SECTION:" => d.additional.push(rr),
                _ => {}
            }
        }
    }
    d
}
