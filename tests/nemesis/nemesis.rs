//! The faults, one per cycle, in rotation: kill -9 of a random server or of the leader,
//! SIGSTOP/SIGCONT of either, a minority cut off from the majority, the leader cut off alone,
//! and (five servers) a bridge: two halves that each see only the middle server.

use rand::seq::SliceRandom;
use rand::Rng;

use crate::lab::Lab;

/// A fault schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schedule {
    KillRandom,
    KillLeader,
    KillMinority,
    PauseRandom,
    PauseLeader,
    PartitionMinority,
    PartitionLeader,
    Bridge,
}

impl Schedule {
    /// The schedules that make sense for `n` servers.
    pub fn for_servers(n: usize) -> Vec<Schedule> {
        let mut all = vec![
            Schedule::KillLeader,
            Schedule::PartitionLeader,
            Schedule::PauseLeader,
            Schedule::KillRandom,
            Schedule::PartitionMinority,
            Schedule::PauseRandom,
        ];
        if n >= 5 {
            all.push(Schedule::Bridge);
            all.push(Schedule::KillMinority);
        }
        all
    }

    pub fn name(self) -> &'static str {
        match self {
            Schedule::KillRandom => "kill-random",
            Schedule::KillLeader => "kill-leader",
            Schedule::KillMinority => "kill-minority",
            Schedule::PauseRandom => "pause-random",
            Schedule::PauseLeader => "pause-leader",
            Schedule::PartitionMinority => "partition-minority",
            Schedule::PartitionLeader => "partition-leader",
            Schedule::Bridge => "bridge",
        }
    }

    /// Whether the fault takes the leader away (its failover is timed).
    pub fn removes_leader(self) -> bool {
        matches!(
            self,
            Schedule::KillLeader | Schedule::PauseLeader | Schedule::PartitionLeader
        )
    }

    /// Injects the fault; returns what it did, for the timeline.
    pub fn inject(self, lab: &mut Lab, leader: Option<usize>, rng: &mut impl Rng) -> String {
        let n = lab.servers.len();
        let random = rng.random_range(0..n);
        let target = leader.unwrap_or(random);
        let name = |lab: &Lab, i: usize| lab.servers[i].node.clone();
        match self {
            Schedule::KillRandom | Schedule::KillLeader => {
                let i = if self == Schedule::KillLeader {
                    target
                } else {
                    random
                };
                lab.kill(i);
                format!("kill -9 {}", name(lab, i))
            }
            Schedule::KillMinority => {
                let mut all: Vec<usize> = (0..n).collect();
                all.shuffle(rng);
                let victims = &all[..(n - 1) / 2];
                for &i in victims {
                    lab.kill(i);
                }
                let names: Vec<_> = victims.iter().map(|&i| name(lab, i)).collect();
                format!("kill -9 {}", names.join(", "))
            }
            Schedule::PauseRandom | Schedule::PauseLeader => {
                let i = if self == Schedule::PauseLeader {
                    target
                } else {
                    random
                };
                lab.pause(i);
                format!("SIGSTOP {}", name(lab, i))
            }
            Schedule::PartitionMinority | Schedule::PartitionLeader => {
                let mut all: Vec<usize> = (0..n).collect();
                all.shuffle(rng);
                let minority: Vec<usize> = if self == Schedule::PartitionLeader {
                    vec![target]
                } else {
                    all[..(n - 1) / 2].to_vec()
                };
                let majority: Vec<usize> = (0..n).filter(|i| !minority.contains(i)).collect();
                lab.partition(&minority, &majority);
                let names = |set: &[usize]| {
                    set.iter()
                        .map(|&i| name(lab, i))
                        .collect::<Vec<_>>()
                        .join(" ")
                };
                format!("partition [{}] | [{}]", names(&minority), names(&majority))
            }
            Schedule::Bridge => {
                let mut all: Vec<usize> = (0..n).collect();
                all.shuffle(rng);
                let half = n / 2;
                let (left, rest) = all.split_at(half);
                let (middle, right) = rest.split_at(1);
                let mut links = Vec::new();
                for &a in left {
                    for &b in right {
                        links.push((a, b));
                    }
                }
                lab.cut_links(&links);
                let names = |set: &[usize]| {
                    set.iter()
                        .map(|&i| name(lab, i))
                        .collect::<Vec<_>>()
                        .join(" ")
                };
                format!(
                    "bridge [{}] - {} - [{}]",
                    names(left),
                    name(lab, middle[0]),
                    names(right)
                )
            }
        }
    }
}
