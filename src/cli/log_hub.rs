//! The log hub behind `/v1/agent/monitor`: two extra log layers (plain text and JSON) that
//! hand each formatted line to whoever is watching, over a broadcast channel. While nobody
//! watches, their filters are off and cost nothing; a watcher opens the layer of its format at its
//! level (the most verbose watcher of that format wins) and keeps only the lines at or above it.
//! A format's channel is made at its first watcher: its ring of 1,024 slots is allocated
//! whole, 56 KB that an agent nobody monitors need not hold.

use std::sync::{Arc, Mutex, OnceLock};

use tokio::sync::broadcast;
use tracing::Level;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;

/// One formatted log line and its level.
pub type Line = (Level, Arc<[u8]>);

/// How many lines a slow watcher may fall behind before it skips ahead.
const BACKLOG: usize = 1024;

/// Sets the filter of one monitor layer (`true`: the JSON one; installed by `logging`).
type SetFilter = Box<dyn Fn(bool, Targets) + Send + Sync>;

pub struct LogHub {
    text: OnceLock<broadcast::Sender<Line>>,
    json: OnceLock<broadcast::Sender<Line>>,
    /// The level and format (`true`: JSON) of each active watcher.
    watching: Mutex<Vec<(Level, bool)>>,
    set_filter: OnceLock<SetFilter>,
}

static HUB: OnceLock<Arc<LogHub>> = OnceLock::new();

/// The process's hub (its layers feed nothing until `logging` installs them).
pub fn hub() -> Arc<LogHub> {
    HUB.get_or_init(|| {
        Arc::new(LogHub {
            text: OnceLock::new(),
            json: OnceLock::new(),
            watching: Mutex::new(Vec::new()),
            set_filter: OnceLock::new(),
        })
    })
    .clone()
}

/// Keeps a watcher registered; dropping it stops the watching.
pub struct Watch {
    level: Level,
    json: bool,
    hub: Arc<LogHub>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        let mut w = self.hub.watching.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(i) = w.iter().position(|k| *k == (self.level, self.json)) {
            w.swap_remove(i);
        }
        self.hub.apply(&w, self.json);
    }
}

impl LogHub {
    /// Starts watching at `level`, in JSON or plain text: the lines (every level the layers
    /// let through: the caller keeps those at or above its own) and the registration.
    pub fn watch(self: &Arc<Self>, level: Level, json: bool) -> (broadcast::Receiver<Line>, Watch) {
        let lines = self
            .lines(json)
            .get_or_init(|| broadcast::channel(BACKLOG).0)
            .subscribe();
        let mut w = self.watching.lock().unwrap_or_else(|p| p.into_inner());
        w.push((level, json));
        self.apply(&w, json);
        (
            lines,
            Watch {
                level,
                json,
                hub: self.clone(),
            },
        )
    }

    /// Opens the plain or JSON monitor layer to the most verbose level its watchers asked for
    /// (sd's own events at it, libraries at warn unless trace), or closes it: a line is
    /// formatted only in the forms someone watches.
    fn apply(&self, watching: &[(Level, bool)], json: bool) {
        if let Some(set) = self.set_filter.get() {
            let most = watching
                .iter()
                .filter(|(_, j)| *j == json)
                .map(|(l, _)| *l)
                .max();
            set(json, monitor_filter(most));
        }
    }

    pub(super) fn install(&self, set: SetFilter) {
        let _ = self.set_filter.set(set);
    }

    /// The channel of one format, once someone has watched it.
    fn lines(&self, json: bool) -> &OnceLock<broadcast::Sender<Line>> {
        if json {
            &self.json
        } else {
            &self.text
        }
    }

    pub(super) fn writer(self: &Arc<Self>, json: bool) -> HubWriter {
        HubWriter {
            hub: self.clone(),
            json,
        }
    }
}

/// The filter of the monitor layers for the most verbose level watched.
pub(super) fn monitor_filter(level: Option<Level>) -> Targets {
    match level {
        None => Targets::new().with_default(LevelFilter::OFF),
        Some(l) => {
            let libraries = if l == Level::TRACE {
                LevelFilter::DEBUG
            } else {
                LevelFilter::WARN
            };
            Targets::new()
                .with_default(libraries)
                .with_target("sd", LevelFilter::from_level(l))
        }
    }
}

/// Sends each formatted line to the watchers.
#[derive(Clone)]
pub struct HubWriter {
    hub: Arc<LogHub>,
    json: bool,
}

pub struct HubLine<'a> {
    /// `None` until the format's first watcher.
    tx: Option<&'a broadcast::Sender<Line>>,
    level: Level,
}

impl std::io::Write for HubLine<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // The formatter hands over each whole line at once; no watcher is not an error.
        if let Some(tx) = self.tx {
            let _ = tx.send((self.level, Arc::from(buf)));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for HubWriter {
    type Writer = HubLine<'a>;

    fn make_writer(&'a self) -> HubLine<'a> {
        HubLine {
            tx: self.hub.lines(self.json).get(),
            level: Level::INFO,
        }
    }

    fn make_writer_for(&'a self, meta: &tracing::Metadata<'_>) -> HubLine<'a> {
        HubLine {
            tx: self.hub.lines(self.json).get(),
            level: *meta.level(),
        }
    }
}
