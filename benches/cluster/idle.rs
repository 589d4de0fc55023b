//! Idle resident memory: a client agent that has joined a 3-server cluster, and the servers,
//! after the cluster has settled and then idled [`IDLE`]. VmRSS from /proc/PID/status.

use std::time::Duration;

use anyhow::{Context, Result};

use crate::sd::{Cluster, Role};
use crate::servers::Launch;

pub const IDLE: Duration = Duration::from_secs(5);

/// One fresh cluster's figures, KiB.
pub struct IdleRss {
    pub client_kib: u64,
    /// The client's resident anonymous memory (heap, stacks) and file-backed pages (mostly the
    /// sd binary's own code and read-only data, shared by every sd process on the host).
    pub client_anon_kib: u64,
    pub client_file_kib: u64,
    pub servers_kib: Vec<u64>,
}

pub async fn idle_rss(l: &Launch, runs: usize) -> Result<Vec<IdleRss>> {
    let mut out = Vec::new();
    for r in 1..=runs {
        let mut c = Cluster::start(l, 3, 1).await?;
        tokio::time::sleep(IDLE).await;
        c.check_running()?;
        let mut client = None;
        let mut servers_kib = Vec::new();
        for a in &c.agents {
            let p = a.proc()?;
            match a.role {
                Role::Client => client = Some(p),
                Role::Server => servers_kib.push(p.rss_kib()?),
            }
        }
        let client = client.context("no client agent")?;
        let rss = IdleRss {
            client_kib: client.rss_kib()?,
            client_anon_kib: client.status_kib("RssAnon")?,
            client_file_kib: client.status_kib("RssFile")?,
            servers_kib,
        };
        println!(
            "  run {r}/{runs}: client agent {} KiB (anonymous {} KiB, file-backed {} KiB); servers {:?} KiB",
            rss.client_kib, rss.client_anon_kib, rss.client_file_kib, rss.servers_kib
        );
        out.push(rss);
    }
    Ok(out)
}
