//! Local-health awareness (Lifeguard's "LHA"), which foca lacks: a score that rises when this
//! node's probes of two different members fail in a row, when it hears it is suspected, or when
//! its timers fire late, and falls with each successful probe. The multiplier (score + 1, capped) stretches this node's
//! probe interval, probe timeout and suspicion timeouts, so a starved node does not declare
//! healthy peers failed. Must not import http, raft, client or commands.

/// The local-health score.
#[derive(Debug, Clone)]
pub struct Awareness {
    score: u32,
    max_multiplier: u32,
}

impl Awareness {
    pub fn new(max_multiplier: u32) -> Self {
        Awareness {
            score: 0,
            max_multiplier: max_multiplier.max(1),
        }
    }

    /// Raise (positive) or lower (negative) the score, staying within [0, max - 1].
    pub fn apply(&mut self, delta: i32) {
        let next = i64::from(self.score) + i64::from(delta);
        let cap = i64::from(self.max_multiplier - 1);
        self.score = next.clamp(0, cap) as u32;
    }

    /// 0 is healthy; serf's `health_score`.
    pub fn score(&self) -> u32 {
        self.score
    }

    /// The factor applied to probe and suspicion timers.
    pub fn multiplier(&self) -> u32 {
        self.score + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stays_within_bounds() {
        let mut a = Awareness::new(8);
        a.apply(-1);
        assert_eq!(a.score(), 0);
        for _ in 0..20 {
            a.apply(1);
        }
        assert_eq!(a.multiplier(), 8);
        a.apply(-1);
        assert_eq!(a.score(), 6);
    }
}
