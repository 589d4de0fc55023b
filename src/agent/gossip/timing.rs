//! Gossip timings: the LAN and dev presets and how they map onto foca's `Config`. Owns no
//! state; must not import http, raft, client or commands.

use std::num::{NonZeroU8, NonZeroUsize};
use std::time::Duration;

/// Failure-detector and dissemination timings (memberlist's names).
#[derive(Debug, Clone, PartialEq)]
pub struct GossipTiming {
    /// How often each member probes one other member.
    pub probe_interval: Duration,
    /// How long a direct probe may take before indirect probes are sent.
    pub probe_timeout: Duration,
    /// Suspicion time before a suspect is declared failed, for clusters up to 10 members; it
    /// grows with log10(n) above that.
    pub suspicion_timeout: Duration,
    pub gossip_interval: Duration,
    pub gossip_nodes: usize,
    pub indirect_checks: usize,
    pub retransmit_mult: u32,
    /// Full-state TCP exchange with one random member.
    pub push_pull_interval: Duration,
    /// How often a failed member is contacted again (serf's reconnect).
    pub reconnect_interval: Duration,
    /// Failed members are reaped after this long.
    pub reconnect_timeout: Duration,
    /// Left members are kept as tombstones this long.
    pub tombstone_timeout: Duration,
    /// Lifeguard's cap on the local-health multiplier.
    pub awareness_max_multiplier: u32,
    /// A timer firing later than this counts against local health.
    pub lag_threshold: Duration,
    pub tcp_timeout: Duration,
}

impl GossipTiming {
    /// LAN defaults, tighter than memberlist's so that a kill -9 is seen within ~2-2.7 s on a
    /// small cluster: probe every 500 ms with a 250 ms timeout, then 1.25 s of suspicion.
    pub fn lan() -> Self {
        GossipTiming {
            probe_interval: Duration::from_millis(500),
            probe_timeout: Duration::from_millis(250),
            suspicion_timeout: Duration::from_millis(1250),
            gossip_interval: Duration::from_millis(200),
            gossip_nodes: 3,
            indirect_checks: 3,
            retransmit_mult: 4,
            push_pull_interval: Duration::from_secs(30),
            reconnect_interval: Duration::from_secs(30),
            reconnect_timeout: Duration::from_secs(72 * 3600),
            tombstone_timeout: Duration::from_secs(24 * 3600),
            awareness_max_multiplier: 8,
            lag_threshold: Duration::from_millis(150),
            tcp_timeout: Duration::from_secs(10),
        }
    }

    /// `-dev` and tests: everything faster.
    pub fn dev() -> Self {
        GossipTiming {
            probe_interval: Duration::from_millis(200),
            probe_timeout: Duration::from_millis(100),
            suspicion_timeout: Duration::from_millis(600),
            gossip_interval: Duration::from_millis(100),
            push_pull_interval: Duration::from_secs(5),
            reconnect_interval: Duration::from_secs(2),
            lag_threshold: Duration::from_millis(80),
            tcp_timeout: Duration::from_secs(3),
            ..Self::lan()
        }
    }

    /// Suspicion for a cluster of `n` members (memberlist: scaled by max(1, log10 n)).
    pub fn suspicion_for(&self, n: usize) -> Duration {
        let scale = (n.max(1) as f64).log10().max(1.0);
        self.suspicion_timeout.mul_f64(scale)
    }

    /// Foca's configuration for a cluster of `n` members.
    pub(crate) fn foca_config(&self, n: usize) -> foca::Config {
        let mut c = foca::Config::simple();
        c.probe_period = self.probe_interval;
        c.probe_rtt = self.probe_timeout;
        c.num_indirect_probes =
            NonZeroUsize::new(self.indirect_checks.max(1)).unwrap_or(NonZeroUsize::MIN);
        let tx = (f64::from(self.retransmit_mult) * ((n + 1) as f64).log10()).ceil();
        c.max_transmissions = NonZeroU8::new(tx.clamp(1.0, 255.0) as u8).unwrap_or(NonZeroU8::MIN);
        c.suspect_to_down_after = self.suspicion_for(n);
        // Our own table reaps; foca forgets down members a little after it.
        c.remove_down_after =
            Some(self.reconnect_timeout.max(self.tombstone_timeout) + Duration::from_secs(60));
        // One byte of each datagram is our own framing.
        c.max_packet_size =
            NonZeroUsize::new(super::wire::MAX_DATAGRAM - 1).unwrap_or(NonZeroUsize::MIN);
        c.notify_down_members = true;
        c.periodic_announce = Some(foca::PeriodicParams {
            frequency: self.push_pull_interval,
            num_members: NonZeroUsize::MIN,
        });
        c.periodic_announce_to_down_members = Some(foca::PeriodicParams {
            frequency: self.reconnect_interval,
            num_members: NonZeroUsize::MIN,
        });
        c.periodic_gossip = Some(foca::PeriodicParams {
            frequency: self.gossip_interval,
            num_members: NonZeroUsize::new(self.gossip_nodes.max(1)).unwrap_or(NonZeroUsize::MIN),
        });
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suspicion_scales_with_log_n() {
        let t = GossipTiming::lan();
        assert_eq!(t.suspicion_for(5), t.suspicion_timeout);
        assert_eq!(t.suspicion_for(100), t.suspicion_timeout * 2);
        let c = t.foca_config(5);
        assert_eq!(c.max_transmissions.get(), 4);
        assert!(c.probe_rtt < c.probe_period);
    }
}
