//! The cluster under test: `n` `sd agent -server` processes, each in a network namespace of its
//! own on a private bridge (`../e2e/common/netns.rs`), with their data dirs kept across kills.
//! The faults the nemesis injects are methods here: kill -9, restart, SIGSTOP/SIGCONT, and cuts
//! between any pairs of servers.

use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::process::Child;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::netns::{run, spawn_agent_in, Net};

/// One server, running or not.
pub struct Server {
    pub node: String,
    pub ip: Ipv4Addr,
    ns: String,
    join: Ipv4Addr,
    expect: usize,
    data_dir: PathBuf,
    log_path: PathBuf,
    child: Option<Child>,
    paused: bool,
}

impl Server {
    fn start(&mut self) {
        let args = [
            "-server".to_string(),
            format!("-bootstrap-expect={}", self.expect),
            format!("-data-dir={}", self.data_dir.display()),
            format!("-bind={}", self.ip),
            format!("-client={}", self.ip),
            format!("-node={}", self.node),
            format!("-retry-join={}", self.join),
            "-retry-interval=200ms".into(),
        ];
        let child = spawn_agent_in(&self.ns, &args, &self.log_path);
        self.child = Some(child);
        self.paused = false;
    }

    pub fn url(&self) -> String {
        format!("http://{}:8500", self.ip)
    }

    /// The address the Raft status endpoints name it by.
    pub fn raft_addr(&self) -> String {
        format!("{}:8300", self.ip)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    pub fn running(&self) -> bool {
        self.child.is_some()
    }

    fn signal(&self, sig: &str) {
        if let Some(c) = &self.child {
            let _ = run("kill", &[sig, &c.id().to_string()], None);
        }
    }
}

/// The servers and their network.
pub struct Lab {
    pub servers: Vec<Server>,
    pub net: Net,
    cut: bool,
    /// Each server's start count: a stale read's monotonicity holds within one incarnation.
    pub incarnations: Arc<Vec<AtomicU64>>,
    _dir: tempfile::TempDir,
    probe: reqwest::blocking::Client,
}

impl Lab {
    /// Starts `n` servers and waits until they have elected a leader.
    pub fn start(n: u8) -> Lab {
        let dir = tempfile::tempdir().expect("tempdir");
        let net = Net::create(n);
        let join = net.host_addr(1);
        let servers = (1..=n)
            .map(|i| Server {
                node: format!("n{i}"),
                ip: net.host_addr(i),
                ns: net.hosts[usize::from(i) - 1].clone(),
                join,
                expect: usize::from(n),
                data_dir: dir.path().join(format!("n{i}")),
                log_path: dir.path().join(format!("n{i}.log")),
                child: None,
                paused: false,
            })
            .collect();
        let mut lab = Lab {
            incarnations: Arc::new((0..n).map(|_| AtomicU64::new(1)).collect()),
            servers,
            net,
            cut: false,
            _dir: dir,
            probe: reqwest::blocking::Client::builder()
                .timeout(Duration::from_millis(500))
                .build()
                .expect("http client"),
        };
        for s in &mut lab.servers {
            s.start();
        }
        let start = Instant::now();
        while lab.leader().is_none() || lab.peers() < usize::from(n) {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "{n} servers did not elect a leader in a minute\n{}",
                lab.logs()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        lab
    }

    /// The leader's index, as a majority of running, unpaused servers names it.
    pub fn leader(&self) -> Option<usize> {
        let mut votes = vec![0usize; self.servers.len()];
        for s in self.servers.iter().filter(|s| s.running() && !s.paused) {
            let Ok(resp) = self
                .probe
                .get(format!("{}/v1/status/leader", s.url()))
                .send()
            else {
                continue;
            };
            let Ok(addr) = resp.json::<String>() else {
                continue;
            };
            if let Some(i) = self.servers.iter().position(|t| t.raft_addr() == addr) {
                votes[i] += 1;
            }
        }
        let quorum = self.servers.len() / 2 + 1;
        votes.iter().position(|v| *v >= quorum)
    }

    fn peers(&self) -> usize {
        self.probe
            .get(format!("{}/v1/status/peers", self.servers[0].url()))
            .send()
            .and_then(|r| r.json::<Vec<String>>())
            .map_or(0, |p| p.len())
    }

    pub fn kill(&mut self, i: usize) {
        if let Some(mut c) = self.servers[i].child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub fn restart(&mut self, i: usize) {
        if !self.servers[i].running() {
            self.incarnations[i].fetch_add(1, Ordering::AcqRel);
            self.servers[i].start();
        }
    }

    pub fn pause(&mut self, i: usize) {
        self.servers[i].signal("-STOP");
        self.servers[i].paused = true;
    }

    pub fn resume(&mut self, i: usize) {
        self.servers[i].signal("-CONT");
        self.servers[i].paused = false;
    }

    /// Cuts every link between a server of `a` and one of `b`.
    pub fn partition(&mut self, a: &[usize], b: &[usize]) {
        let mut pairs = Vec::new();
        for x in a {
            for y in b {
                pairs.push((self.servers[*x].ip, self.servers[*y].ip));
            }
        }
        self.net.cut_pairs(&pairs);
        self.cut = true;
    }

    /// Cuts the given links.
    pub fn cut_links(&mut self, links: &[(usize, usize)]) {
        let pairs: Vec<_> = links
            .iter()
            .map(|(x, y)| (self.servers[*x].ip, self.servers[*y].ip))
            .collect();
        self.net.cut_pairs(&pairs);
        self.cut = true;
    }

    /// Ends every fault: links healed, paused servers resumed, killed ones restarted.
    pub fn heal_all(&mut self) {
        if self.cut {
            self.net.heal();
            self.cut = false;
        }
        for i in 0..self.servers.len() {
            if self.servers[i].paused {
                self.resume(i);
            }
            self.restart(i);
        }
    }

    /// Every server's log, for a failure report.
    pub fn logs(&self) -> String {
        self.servers
            .iter()
            .map(|s| format!("--- {} ---\n{}", s.node, tail(&s.log(), 60)))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

impl Drop for Lab {
    fn drop(&mut self) {
        for i in 0..self.servers.len() {
            if self.servers[i].paused {
                self.resume(i);
            }
            self.kill(i);
        }
    }
}
