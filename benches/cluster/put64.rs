//! Durable put with 64 connections, a 3-server sd cluster against a 3-member etcd cluster,
//! interleaved (sd, etcd, sd, etcd, ...), each run on a fresh cluster with fresh data
//! directories. All 64 connections go to the leader (sd: the server `/v1/status/leader`
//! names; etcd: the member whose status names itself leader), so neither peer pays for
//! forwarding; the load generator and request encodings are kv_vs_etcd's.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;

use crate::etcd::EtcdCluster;
use crate::load::{self, Payload, Workload};
use crate::machine;
use crate::report::{self, Run, WorkloadResult};
use crate::sd::{Cluster, SETTLE_DEADLINE};
use crate::servers::{Launch, Peer};

/// Length of the serial fdatasync probe before each run.
const FSYNC_PROBE: Duration = Duration::from_millis(500);

/// Cluster size of both peers.
pub const MEMBERS: u8 = 3;

pub async fn put64(
    l: &Launch,
    runs: usize,
    warmup: Duration,
    window: Duration,
) -> Result<WorkloadResult> {
    let payload = Arc::new(Payload::new());
    let mut pairs = Vec::new();
    for i in 1..=runs {
        let sd = one_run(l, Peer::Sd, warmup, window, &payload).await?;
        println!("{}", report::run_line(Peer::Sd, i, runs, &sd));
        let etcd = one_run(l, Peer::Etcd, warmup, window, &payload).await?;
        println!("{}", report::run_line(Peer::Etcd, i, runs, &etcd));
        pairs.push((sd, etcd));
    }
    Ok(WorkloadResult {
        workload: Workload::Put64,
        pairs,
    })
}

async fn one_run(
    l: &Launch,
    peer: Peer,
    warmup: Duration,
    window: Duration,
    p: &Arc<Payload>,
) -> Result<Run> {
    let root = l.data_root.clone();
    let fsync =
        tokio::task::spawn_blocking(move || machine::fsync_probe(&root, FSYNC_PROBE)).await??;
    let stats = match peer {
        Peer::Sd => {
            let mut c = Cluster::start(l, MEMBERS, 0).await?;
            let lead = c.wait_settled(SETTLE_DEADLINE).await?;
            let leader = c.agents[lead].http();
            let stats = load::run(leader, peer, Workload::Put64, warmup, window, p).await?;
            c.check_running()?;
            stats
        }
        Peer::Etcd => {
            let mut c = EtcdCluster::start(l, usize::from(MEMBERS)).await?;
            let leader = c.leader().await?;
            let stats = load::run(leader, peer, Workload::Put64, warmup, window, p).await?;
            c.check_running()?;
            stats
        }
    };
    Ok(Run {
        stats,
        fsync: Some(fsync),
    })
}
