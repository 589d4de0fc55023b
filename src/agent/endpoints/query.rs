//! The options and metadata every read shares, whoever asks (the HTTP API, the DNS cache,
//! anti-entropy): the consistency mode, the blocking index and wait, and what the answer
//! reflects (`X-Consul-*` over HTTP).

use std::time::Duration;

/// How a read is served (`X-Consul-Effective-Consistency`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Consistency {
    /// The leader answers from its state.
    #[default]
    Default,
    /// Any server answers from its local state.
    Stale,
    /// The leader confirms it still leads before answering.
    Consistent,
}

impl Consistency {
    pub fn header_value(self) -> &'static str {
        match self {
            Consistency::Default => "leader",
            Consistency::Stale => "stale",
            Consistency::Consistent => "consistent",
        }
    }
}

/// The options every read endpoint shares; the default is a read from the leader that
/// returns at once.
#[derive(Debug, Clone, Default)]
pub struct QueryOptions {
    pub consistency: Consistency,
    /// `?index`: block until the result's index exceeds it (0 = don't block).
    pub min_index: u64,
    /// How long to block at most, jitter not yet added.
    pub wait: Duration,
    pub pretty: bool,
    /// `?dc`: another datacenter to read from (the agent's own when `None`). Only the
    /// agent's typed calls set it; HTTP requests for another datacenter are forwarded whole
    /// before any handler parses them.
    pub datacenter: Option<String>,
}

/// What a read reports in its headers.
#[derive(Debug, Clone, Copy)]
pub struct QueryMeta {
    /// `X-Consul-Index`; never below 1, as Consul guarantees.
    pub index: u64,
    pub known_leader: bool,
    pub last_contact_ms: u64,
    pub consistency: Consistency,
}
