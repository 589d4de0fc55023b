//! One check's task: an interval check runs its probe after a random stagger (a fraction of
//! the interval, as Consul spreads first runs), then every interval after the previous run
//! ended, and feeds results through the thresholds; a TTL check waits for reports and its
//! deadline. Either reports through the update channel, only when status or output changed.
//!
//! The [`RunnerHandle`] owns the task: dropping it or calling [`RunnerHandle::stop`] ends the
//! task (a script in flight has its process group killed), and once either returned the
//! runner sends nothing more.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::grpc::GrpcProbe;
use super::http::{HttpClients, HttpProbe};
use super::registry::ChecksError;
use super::script::ScriptProbe;
use super::tcp::TcpProbe;
use super::thresholds::Thresholds;
use super::ttl::{self, TtlSetter};
use super::{CheckKind, CheckType, CheckUpdate, Status, DEFAULT_OUTPUT_MAX_SIZE, MIN_INTERVAL};
use crate::api::format_duration;

/// Agent-wide settings for runners.
#[derive(Debug, Clone)]
pub struct RunnerOptions {
    /// The agent's `check_output_max_size`; a check's `OutputMaxSize` can only lower it.
    pub output_max_size: usize,
    /// Shorter intervals are raised to this: [`MIN_INTERVAL`] outside tests.
    min_interval: Duration,
    /// The HTTP clients HTTP checks share.
    http_clients: HttpClients,
}

impl RunnerOptions {
    pub fn new(output_max_size: usize) -> RunnerOptions {
        RunnerOptions {
            output_max_size,
            min_interval: MIN_INTERVAL,
            http_clients: HttpClients::default(),
        }
    }

    /// Test-only: allows intervals below Consul's one-second minimum, so tests run quickly.
    #[cfg(test)]
    pub(super) fn with_min_interval(mut self, min_interval: Duration) -> RunnerOptions {
        self.min_interval = min_interval;
        self
    }
}

impl Default for RunnerOptions {
    fn default() -> RunnerOptions {
        RunnerOptions::new(DEFAULT_OUTPUT_MAX_SIZE)
    }
}

/// A running check. Dropping it stops the check.
#[derive(Debug)]
pub struct RunnerHandle {
    check_id: String,
    kind: CheckKind,
    open: Arc<Mutex<bool>>,
    task: Option<JoinHandle<()>>,
    ttl: Option<TtlSetter>,
}

impl RunnerHandle {
    /// Validates `def` and starts running it on the current Tokio runtime.
    pub fn spawn(
        check_id: &str,
        def: &CheckType,
        options: &RunnerOptions,
        updates: mpsc::Sender<CheckUpdate>,
    ) -> Result<RunnerHandle, ChecksError> {
        let kind = def.validate()?;
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| ChecksError::NoRuntime)?;
        let initial = def.initial_status().map_err(super::DefinitionError::from)?;
        let output_max = def.effective_output_max_size(options.output_max_size);
        let timeout = def.timeout_for(kind);
        let open = Arc::new(Mutex::new(true));
        let mut reporter = Reporter {
            check_id: check_id.to_string(),
            updates,
            open: open.clone(),
            last: (initial, String::new()),
        };
        let (task, ttl) = match kind {
            CheckKind::Ttl => {
                let ttl = def.ttl.unwrap_or_default();
                let (setter, reports) = ttl::channel(output_max, ttl);
                let task =
                    runtime.spawn(async move { ttl::run(ttl, reports, &mut reporter).await });
                (task, Some(setter))
            }
            CheckKind::Http => {
                let probe = HttpProbe::new(def, timeout, output_max, &options.http_clients)
                    .map_err(ChecksError::Setup)?;
                let task =
                    runtime.spawn(every(Probe::Http(Box::new(probe)), def, options, reporter));
                (task, None)
            }
            CheckKind::Tcp => {
                let probe = Probe::Tcp(TcpProbe::new(&def.tcp, timeout));
                (runtime.spawn(every(probe, def, options, reporter)), None)
            }
            CheckKind::Grpc => {
                let probe = Probe::Grpc(Box::new(GrpcProbe::new(
                    def,
                    timeout,
                    &options.http_clients,
                )));
                (runtime.spawn(every(probe, def, options, reporter)), None)
            }
            CheckKind::Script => {
                let probe = Probe::Script(ScriptProbe::new(def.command(), timeout, output_max));
                (runtime.spawn(every(probe, def, options, reporter)), None)
            }
        };
        tracing::debug!(check = %check_id, %kind, "check started");
        Ok(RunnerHandle {
            check_id: check_id.to_string(),
            kind,
            open,
            task: Some(task),
            ttl,
        })
    }

    pub fn check_id(&self) -> &str {
        &self.check_id
    }

    pub fn kind(&self) -> CheckKind {
        self.kind
    }

    /// Sets a TTL check's status and restarts its TTL; returns the output as stored (cut to
    /// OutputMaxSize). `None` when this is not a TTL check.
    pub fn ttl_update(&self, status: Status, output: &str) -> Option<String> {
        self.ttl.as_ref().map(|setter| setter.set(status, output))
    }

    /// A TTL check's TTL.
    pub fn ttl_period(&self) -> Option<Duration> {
        self.ttl.as_ref().map(|setter| setter.ttl)
    }

    /// Stops the check and waits for its task to end.
    pub async fn stop(mut self) {
        self.close();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Closes the reporter (nothing is sent after this returns) and aborts the task.
    fn close(&mut self) {
        *self.open.lock().unwrap_or_else(|p| p.into_inner()) = false;
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

impl Drop for RunnerHandle {
    fn drop(&mut self) {
        self.close();
    }
}

/// The kinds that run on an interval.
#[derive(Debug)]
enum Probe {
    Http(Box<HttpProbe>),
    Tcp(TcpProbe),
    Grpc(Box<GrpcProbe>),
    Script(ScriptProbe),
}

impl Probe {
    async fn run(&self) -> (Status, String) {
        match self {
            Probe::Http(p) => p.run().await,
            Probe::Tcp(p) => p.run().await,
            Probe::Grpc(p) => p.run().await,
            Probe::Script(p) => p.run().await,
        }
    }
}

/// How often an interval check runs: its `Interval`, raised to the minimum with a warning.
fn interval(check_id: &str, def: &CheckType, min_interval: Duration) -> Duration {
    let asked = def.interval.unwrap_or_default();
    if asked < min_interval {
        tracing::warn!(
            check = %check_id,
            minimum_interval = %format_duration(min_interval),
            "check has interval below minimum"
        );
        return min_interval;
    }
    asked
}

/// The task of an interval check.
fn every(
    probe: Probe,
    def: &CheckType,
    options: &RunnerOptions,
    reporter: Reporter,
) -> impl std::future::Future<Output = ()> + Send + 'static {
    let interval = interval(&reporter.check_id, def, options.min_interval);
    let thresholds = Thresholds::new(
        def.success_before_passing,
        def.effective_failures_before_warning(),
        def.failures_before_critical,
    );
    run_interval(probe, interval, thresholds, reporter)
}

async fn run_interval(
    probe: Probe,
    interval: Duration,
    mut thresholds: Thresholds,
    mut reporter: Reporter,
) {
    tokio::time::sleep(stagger(interval)).await;
    loop {
        let (status, output) = probe.run().await;
        tracing::trace!(check = %reporter.check_id, %status, %output, "check ran");
        if let Some((status, output)) = thresholds.observe(status, output) {
            if !reporter.report(status, output).await {
                return;
            }
        }
        tokio::time::sleep(interval).await;
    }
}

/// A random fraction of `interval` (Consul's `lib.RandomStagger`).
fn stagger(interval: Duration) -> Duration {
    let nanos = u64::try_from(interval.as_nanos()).unwrap_or(u64::MAX);
    if nanos == 0 {
        return Duration::ZERO;
    }
    Duration::from_nanos(rand::random_range(0..nanos))
}

/// Sends a check's updates, skipping those that change nothing, and never after the handle
/// closed it.
#[derive(Debug)]
pub(super) struct Reporter {
    check_id: String,
    updates: mpsc::Sender<CheckUpdate>,
    open: Arc<Mutex<bool>>,
    /// The status and output last reported (at first: the initial status, no output).
    last: (Status, String),
}

impl Reporter {
    pub(super) fn check_id(&self) -> &str {
        &self.check_id
    }

    /// Reports `status` and `output` if they differ from the last report; false once the
    /// runner should end (its handle closed it, or nobody receives updates any more).
    pub(super) async fn report(&mut self, status: Status, output: String) -> bool {
        if self.last.0 == status && self.last.1 == output {
            return true;
        }
        let Ok(permit) = self.updates.reserve().await else {
            return false;
        };
        // Sending under the lock orders every send before the handle's close.
        let open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if !*open {
            return false;
        }
        if status != self.last.0 {
            tracing::debug!(check = %self.check_id, from = %self.last.0, to = %status, "check status changed");
        }
        permit.send(CheckUpdate {
            check_id: self.check_id.clone(),
            status,
            output: output.clone(),
        });
        drop(open);
        self.last = (status, output);
        true
    }
}

#[cfg(test)]
#[path = "runner_tests.rs"]
mod tests;
