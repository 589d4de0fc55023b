//! Two datacenters for the multi-datacenter tests: three servers and a client agent in each,
//! every agent on its own loopback address with Consul's default ports (8302 included). The
//! first server of dc2 joins dc1's first server over WAN gossip (`-retry-join-wan`); the
//! others reach the WAN pool by flood join. WAN gossip is tuned fast (`gossip_wan`) so a
//! failure is seen in about a second instead of Consul's 30 s.

use std::net::Ipv4Addr;
use std::path::Path;

use super::cluster::{eventually, peers, wan_members, ALIVE};
use super::{http_get, loopback_block, loopback_host, Agent, AgentBuilder};

/// `gossip_wan` for tests: probes every 200 ms, suspicion of three probe periods.
pub const FAST_WAN: &str = r#"gossip_wan { probe_interval = "200ms" probe_timeout = "100ms" suspicion_mult = 3 gossip_interval = "100ms" }"#;

/// One datacenter: servers first, then the client agent.
pub struct Datacenter {
    pub name: String,
    /// Its agents' loopback network, `127.x.y.0/24`.
    pub network: String,
    pub servers: Vec<Agent>,
    pub client: Agent,
}

impl Datacenter {
    pub fn all(&self) -> Vec<&Agent> {
        self.servers.iter().chain([&self.client]).collect()
    }
}

/// dc1 and dc2, joined over WAN gossip.
pub struct Federation {
    pub dc1: Datacenter,
    pub dc2: Datacenter,
    _dir: tempfile::TempDir,
}

fn server(ip: Ipv4Addr, dir: &Path, node: &str, dc: &str, extra: &[&str]) -> AgentBuilder {
    extra
        .iter()
        .fold(AgentBuilder::dev_free(), |b, a| b.arg(*a))
        .arg("-server")
        .arg("-bootstrap-expect=3")
        .arg(format!("-data-dir={}", dir.display()))
        .arg(format!("-node={node}"))
        .arg(format!("-datacenter={dc}"))
        .arg("-hcl")
        .arg(FAST_WAN)
        .at(ip)
}

fn client(
    ip: Ipv4Addr,
    dir: &Path,
    node: &str,
    dc: &str,
    join: Ipv4Addr,
    extra: &[&str],
) -> AgentBuilder {
    extra
        .iter()
        .fold(AgentBuilder::dev_free(), |b, a| b.arg(*a))
        .arg(format!("-data-dir={}", dir.display()))
        .arg(format!("-node={node}"))
        .arg(format!("-datacenter={dc}"))
        .arg(format!("-retry-join={join}"))
        .at(ip)
}

impl Federation {
    /// Starts both datacenters and waits until each has a leader, its client in its catalog,
    /// and all six servers alive in the WAN pool as seen from every server.
    pub fn start() -> Federation {
        Federation::start_with(&[])
    }

    /// [`Federation::start`] with `extra` arguments for every agent (`-hcl` ACL settings, say;
    /// the waits read the API without a token).
    pub fn start_with(extra: &[&str]) -> Federation {
        let extra: Vec<String> = extra.iter().map(|a| a.to_string()).collect();
        Federation::start_each(&|_, _| extra.clone())
    }

    /// [`Federation::start`] with arguments of each agent's own: `args(dc, node)` (its
    /// certificate, say).
    pub fn start_each(args: &dyn Fn(&str, &str) -> Vec<String>) -> Federation {
        let dir = tempfile::tempdir().expect("tempdir");
        let block1 = loopback_block();
        let block2 = loopback_block();
        let seed = loopback_host(block1, 1);
        let mut dcs = Vec::new();
        for (dc, block, prefix) in [("dc1", block1, "s"), ("dc2", block2, "t")] {
            let ip = |n| loopback_host(block, n);
            let d = |n: &str| dir.path().join(n);
            let mut servers = Vec::new();
            for n in 1..=3u8 {
                let name = format!("{prefix}{n}");
                let own = args(dc, &name);
                let own: Vec<&str> = own.iter().map(String::as_str).collect();
                let mut b =
                    server(ip(n), &d(&name), &name, dc, &own).arg(format!("-retry-join={}", ip(1)));
                if dc == "dc2" && n == 1 {
                    b = b.arg(format!("-retry-join-wan={seed}"));
                }
                servers.push(b.spawn());
            }
            let c = format!("{prefix}c");
            let own = args(dc, &c);
            let own: Vec<&str> = own.iter().map(String::as_str).collect();
            let client = client(ip(4), &d(&c), &c, dc, ip(1), &own).spawn();
            dcs.push(Datacenter {
                name: dc.to_string(),
                network: format!("{}/24", loopback_host(block, 0)),
                servers,
                client,
            });
        }
        let dc2 = dcs.pop().expect("dc2");
        let dc1 = dcs.pop().expect("dc1");
        let f = Federation {
            dc1,
            dc2,
            _dir: dir,
        };
        let all = f.all();
        for dc in [&f.dc1, &f.dc2] {
            eventually(&format!("{}: three voters", dc.name), &all, || {
                peers(&dc.servers[0]).len() == 3
            });
            let url = format!(
                "{}/v1/health/node/{}",
                dc.client.url(),
                node_name(&dc.client)
            );
            eventually(
                &format!("{}: its client in the catalog", dc.name),
                &all,
                || matches!(http_get(&url), Ok((200, b)) if b.contains("serfHealth")),
            );
        }
        for s in f.dc1.servers.iter().chain(&f.dc2.servers) {
            eventually("six alive servers in the WAN pool", &all, || {
                let m = wan_members(s);
                m.len() == 6 && m.iter().all(|(_, st)| *st == ALIVE)
            });
        }
        f
    }

    pub fn all(&self) -> Vec<&Agent> {
        self.dc1.all().into_iter().chain(self.dc2.all()).collect()
    }
}

/// The `-node=` an agent was started with.
pub fn node_name(a: &Agent) -> String {
    a.args
        .iter()
        .find_map(|x| x.strip_prefix("-node="))
        .unwrap_or_default()
        .to_string()
}

/// A cut between two datacenters: nft drops every packet between their loopback networks
/// (both ways, TCP and UDP) until it is healed or dropped. The test process still reaches
/// every agent.
pub struct Partition {
    table: String,
}

impl Partition {
    pub fn between(a: &Datacenter, b: &Datacenter) -> Partition {
        super::netns::require_prerequisites();
        let table = format!(
            "sd_dc_cut_{}_{}",
            std::process::id(),
            a.network.replace(['.', '/'], "_")
        );
        let (x, y) = (&a.network, &b.network);
        let script = format!(
            "table inet {table} {{\n\tchain output {{\n\t\ttype filter hook output priority 0; policy accept;\n\t\tip saddr {x} ip daddr {y} drop\n\t\tip saddr {y} ip daddr {x} drop\n\t}}\n}}\n"
        );
        super::netns::run("nft", &["-f", "-"], Some(&script))
            .unwrap_or_else(|e| panic!("installing the partition: {e}\n{script}"));
        Partition { table }
    }

    /// Removes the cut.
    pub fn heal(self) {}
}

impl Drop for Partition {
    fn drop(&mut self) {
        if let Err(e) = super::netns::run("nft", &["delete", "table", "inet", &self.table], None) {
            eprintln!("cleanup: {e}");
        }
    }
}
