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
    /// LAN defaults, tighter than memberlist's so that a kill -9 is seen within ~2 s on a
    /// small cluster: probe every 400 ms with a 200 ms timeout, then 1 s of suspicion.
    pub fn lan() -> Self {
        GossipTiming {
            probe_interval: Duration::from_millis(400),
            probe_timeout: Duration::from_millis(200),
            suspicion_timeout: Duration::from_millis(1000),
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

    /// The WAN pool of servers across datacenters: memberlist's `DefaultWANConfig`, which
    /// Consul uses unchanged (probe every 5 s with a 3 s timeout, suspicion of 6 probe
    /// periods, gossip every 500 ms to 4, push/pull every 60 s, 30 s TCP timeout). Links
    /// between datacenters are slower and lossier than a LAN, so a remote server is declared
    /// failed after about 35 s rather than 2-3 s.
    pub fn wan() -> Self {
        GossipTiming {
            probe_interval: Duration::from_secs(5),
            probe_timeout: Duration::from_secs(3),
            suspicion_timeout: Duration::from_secs(30),
            gossip_interval: Duration::from_millis(500),
            gossip_nodes: 4,
            push_pull_interval: Duration::from_secs(60),
            // A timer an event loop delays by this much on a WAN schedule is real starvation.
            lag_threshold: Duration::from_secs(1),
            tcp_timeout: Duration::from_secs(30),
            ..Self::lan()
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

    /// These timings with a configuration's `gossip_lan`/`gossip_wan` settings over them. A
    /// new probe interval without `suspicion_mult` keeps the preset's suspicion-to-probe
    /// ratio, as memberlist's suspicion is counted in probe intervals.
    pub fn tuned(mut self, t: &crate::config::GossipTuning) -> Self {
        if let Some(d) = t.gossip_interval {
            self.gossip_interval = d;
        }
        if let Some(n) = t.gossip_nodes {
            self.gossip_nodes = n;
        }
        if let Some(p) = t.probe_interval {
            let ratio = self.suspicion_timeout.as_secs_f64() / self.probe_interval.as_secs_f64();
            self.suspicion_timeout = p.mul_f64(ratio);
            self.probe_interval = p;
        }
        if let Some(d) = t.probe_timeout {
            self.probe_timeout = d;
        }
        if let Some(m) = t.retransmit_mult {
            self.retransmit_mult = m;
        }
        if let Some(m) = t.suspicion_mult {
            self.suspicion_timeout = self.probe_interval * m;
        }
        self
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

    #[test]
    fn settings_replace_the_preset() {
        let ms = Duration::from_millis;
        let t = crate::config::GossipTuning {
            probe_interval: Some(ms(100)),
            gossip_nodes: Some(2),
            ..Default::default()
        };
        let wan = GossipTiming::wan().tuned(&t);
        assert_eq!(wan.probe_interval, ms(100));
        assert_eq!(
            wan.suspicion_timeout,
            ms(600),
            "six probe intervals, as before"
        );
        assert_eq!(wan.gossip_nodes, 2);
        assert_eq!(wan.probe_timeout, GossipTiming::wan().probe_timeout);
        let t = crate::config::GossipTuning {
            suspicion_mult: Some(3),
            ..t
        };
        assert_eq!(GossipTiming::lan().tuned(&t).suspicion_timeout, ms(300));
        assert_eq!(
            GossipTiming::lan().tuned(&Default::default()),
            GossipTiming::lan()
        );
    }

    #[test]
    fn wan_is_slower_than_lan() {
        let (lan, wan) = (GossipTiming::lan(), GossipTiming::wan());
        assert!(wan.probe_interval > lan.probe_interval);
        assert!(wan.suspicion_for(6) > lan.suspicion_for(6));
        assert_eq!(wan.suspicion_timeout, wan.probe_interval * 6);
        assert_eq!(wan.gossip_nodes, 4);
    }
}
