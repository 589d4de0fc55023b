//! Log output for long-running commands (`sd agent`, `sd template`): `tracing` to stderr,
//! human-readable or JSON (`-log-json`), at the level `-log-level` names, and also, when asked,
//! to a rotating log file (`log_file.rs`) and to syslog (`syslog.rs`). stdout stays for command
//! output.

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};

use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{reload, Layer};

use super::log_file::RotatingFile;
use super::syslog::Syslog;

/// Where log lines go besides stderr.
#[derive(Default)]
pub struct Outputs {
    pub file: Option<RotatingFile>,
    pub syslog: Option<Syslog>,
}

/// Every log line to stderr and to the extra outputs.
#[derive(Clone)]
struct Tee {
    file: Option<Arc<Mutex<RotatingFile>>>,
    syslog: Option<Arc<Syslog>>,
}

struct TeeWriter<'a> {
    tee: &'a Tee,
    level: Option<tracing::Level>,
}

impl Write for TeeWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // One call per event: the formatter hands over each whole line at once.
        let _ = std::io::stderr().write_all(buf);
        if let Some(file) = &self.tee.file {
            let _ = file
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .write_all(buf);
        }
        if let Some(syslog) = &self.tee.syslog {
            syslog.send(self.level, buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

impl<'a> MakeWriter<'a> for Tee {
    type Writer = TeeWriter<'a>;

    fn make_writer(&'a self) -> TeeWriter<'a> {
        TeeWriter {
            tee: self,
            level: None,
        }
    }

    fn make_writer_for(&'a self, meta: &tracing::Metadata<'_>) -> TeeWriter<'a> {
        TeeWriter {
            tee: self,
            level: Some(*meta.level()),
        }
    }
}

/// Maps Consul's level names (`trace`, `debug`, `info`, `warn`, `err`/`error`) to tracing's.
pub fn level_name(level: &str) -> Result<&'static str, String> {
    match level.to_ascii_lowercase().as_str() {
        "trace" => Ok("trace"),
        "debug" => Ok("debug"),
        "info" | "" => Ok("info"),
        "warn" | "warning" => Ok("warn"),
        "err" | "error" => Ok("error"),
        other => Err(format!(
            "invalid log level {other:?}: use trace, debug, info, warn or err"
        )),
    }
}

/// Installs the global subscriber, logging to stderr only. sd's own events are logged at
/// `level`; libraries (Raft, storage, HTTP) only at warn and above unless `level` is trace.
pub fn init(level: &str, json: bool) -> Result<(), String> {
    init_with(level, json, Outputs::default())
}

/// [`init`] with extra outputs (a log file, syslog): each line goes to stderr and to them,
/// without colours when any is set. The monitor layers of [`log_hub`](super::log_hub) are
/// installed too, closed until someone watches (`/v1/agent/monitor`).
pub fn init_with(level: &str, json: bool, outputs: Outputs) -> Result<(), String> {
    let level = level_name(level)?;
    let libraries = if level == "trace" { "debug" } else { "warn" };
    // A fixed per-target table (no directive parsing, which compiles regular expressions).
    let parse = |l: &str| l.parse::<LevelFilter>().map_err(|e| e.to_string());
    let filter = Targets::new()
        .with_default(parse(libraries)?)
        .with_target("sd", parse(level)?);
    let plain = outputs.file.is_some() || outputs.syslog.is_some();
    let tee = Tee {
        file: outputs.file.map(|f| Arc::new(Mutex::new(f))),
        syslog: outputs.syslog.map(Arc::new),
    };
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(tee)
        .with_target(false);
    let stderr = if json {
        layer.json().with_filter(filter).boxed()
    } else {
        layer
            .with_ansi(!plain && std::io::stderr().is_terminal())
            .with_filter(filter)
            .boxed()
    };
    let hub = super::log_hub::hub();
    let (text_filter, text_handle) = reload::Layer::new(super::log_hub::monitor_filter(None));
    let (json_filter, json_handle) = reload::Layer::new(super::log_hub::monitor_filter(None));
    let text = tracing_subscriber::fmt::layer()
        .with_writer(hub.writer(false))
        .with_target(false)
        .with_ansi(false)
        .with_filter(text_filter);
    let json_monitor = tracing_subscriber::fmt::layer()
        .json()
        .with_writer(hub.writer(true))
        .with_filter(json_filter);
    hub.install(Box::new(move |json, targets| {
        let _ = if json {
            json_handle.reload(targets)
        } else {
            text_handle.reload(targets)
        };
    }));
    tracing_subscriber::registry()
        .with(stderr)
        .with(text)
        .with(json_monitor)
        .try_init()
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consul_level_names() {
        assert_eq!(level_name("ERR"), Ok("error"));
        assert_eq!(level_name("warn"), Ok("warn"));
        assert!(level_name("loud").is_err());
    }
}
