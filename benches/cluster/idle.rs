//! Idle resident memory: a client agent that has joined a 3-server cluster, and the servers,
//! after the cluster has settled and then idled [`IDLE`]. VmRSS from /proc/PID/status.

use std::time::Duration;

use anyhow::Result;

use crate::sd::{Cluster, Role};
use crate::servers::Launch;

pub const IDLE: Duration = Duration::from_secs(5);

/// One fresh cluster's figures, KiB.
pub struct IdleRss {
    pub client_kib: u64,
    pub servers_kib: Vec<u64>,
}

pub async fn idle_rss(l: &Launch, runs: usize) -> Result<Vec<IdleRss>> {
    let mut out = Vec::new();
    for r in 1..=runs {
        let mut c = Cluster::start(l, 3, 1).await?;
        tokio::time::sleep(IDLE).await;
        c.check_running()?;
        let mut client_kib = 0;
        let mut servers_kib = Vec::new();
        for a in &c.agents {
            let kib = a.proc()?.rss_kib()?;
            match a.role {
                Role::Client => client_kib = kib,
                Role::Server => servers_kib.push(kib),
            }
        }
        println!("  run {r}/{runs}: client agent {client_kib} KiB; servers {servers_kib:?} KiB");
        out.push(IdleRss {
            client_kib,
            servers_kib,
        });
    }
    Ok(out)
}
