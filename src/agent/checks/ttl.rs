//! TTL checks: the application reports its own status (`/v1/agent/check/pass|warn|fail|update`)
//! and each report restarts the TTL; when the TTL passes without one the check turns critical
//! with Consul's `TTL expired` (followed by the last output, when there was one). Notes longer
//! than OutputMaxSize are cut with Consul's `... (captured N of M bytes)`.

use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

use super::output::truncate_note;
use super::runner::Reporter;
use super::Status;

/// The latest report, if any yet.
type Report = Option<(Status, String)>;

/// The side the agent's API holds: sets a TTL check's status and restarts its timer.
#[derive(Debug)]
pub(super) struct TtlSetter {
    reports: watch::Sender<Report>,
    output_max: usize,
    /// The check's TTL.
    pub(super) ttl: Duration,
}

impl TtlSetter {
    /// Records `status` and `output` (truncated) and restarts the TTL; returns the output as
    /// stored. Reports arriving faster than they are processed collapse into the latest.
    pub(super) fn set(&self, status: Status, output: &str) -> String {
        let output = truncate_note(output, self.output_max);
        self.reports.send_replace(Some((status, output.clone())));
        output
    }
}

/// A setter and the receiver [`run`] watches.
pub(super) fn channel(output_max: usize, ttl: Duration) -> (TtlSetter, watch::Receiver<Report>) {
    let (reports, rx) = watch::channel(None);
    (
        TtlSetter {
            reports,
            output_max,
            ttl,
        },
        rx,
    )
}

/// Runs a TTL check until its setter is dropped or the reporter is closed.
pub(super) async fn run(
    ttl: Duration,
    mut reports: watch::Receiver<Report>,
    reporter: &mut Reporter,
) {
    let mut last_output = String::new();
    let mut deadline = Some(Instant::now() + ttl);
    loop {
        tokio::select! {
            changed = reports.changed() => {
                if changed.is_err() {
                    return;
                }
                let Some((status, output)) = reports.borrow_and_update().clone() else {
                    continue;
                };
                deadline = Some(Instant::now() + ttl);
                last_output.clone_from(&output);
                if !reporter.report(status, output).await {
                    return;
                }
            }
            () = expiry(deadline) => {
                deadline = None;
                tracing::warn!(check = %reporter.check_id(), "check missed TTL, is now critical");
                if !reporter.report(Status::Critical, expired_output(&last_output)).await {
                    return;
                }
            }
        }
    }
}

/// Waits for `deadline`, or forever once the TTL has expired and no report came since.
async fn expiry(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

fn expired_output(last_output: &str) -> String {
    if last_output.is_empty() {
        "TTL expired".to_string()
    } else {
        format!("TTL expired (last output before timeout follows): {last_output}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_output_carries_the_last_note() {
        assert_eq!(expired_output(""), "TTL expired");
        assert_eq!(
            expired_output("db ok"),
            "TTL expired (last output before timeout follows): db ok"
        );
    }

    #[test]
    fn long_notes_are_cut() {
        let (setter, rx) = channel(4, Duration::from_secs(1));
        assert_eq!(
            setter.set(Status::Passing, "abcdefgh"),
            "abcd ... (captured 4 of 8 bytes)"
        );
        assert_eq!(
            rx.borrow().clone(),
            Some((
                Status::Passing,
                "abcd ... (captured 4 of 8 bytes)".to_string()
            ))
        );
    }
}
