//! What `/v1/agent/monitor` streams: the process's log lines. The agent does not own logging;
//! whoever installed the logger (the `sd agent` command) gives it a [`LogMonitor`] that opens
//! a feed of formatted lines at a level.

use std::sync::Arc;

use tokio::sync::broadcast;
use tracing::Level;

/// A feed of log lines: every line the logger formats for watchers (the receiver keeps those at
/// or above its own level), and a guard that keeps the feed open.
pub struct MonitorFeed {
    pub lines: broadcast::Receiver<(Level, Arc<[u8]>)>,
    pub guard: Box<dyn Send + Sync>,
}

/// Opens a feed at a level, as JSON lines (`true`) or plain text.
pub type LogMonitor = Arc<dyn Fn(Level, bool) -> MonitorFeed + Send + Sync>;
