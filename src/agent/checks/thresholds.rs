//! SuccessBeforePassing / FailuresBeforeWarning / FailuresBeforeCritical, as Consul's
//! `StatusHandler` applies them: a passing or warning result counts as a success, a critical
//! one as a failure; a status is reported only once its run of results reaches the threshold.
//! Failures short of critical but at FailuresBeforeWarning report warning.
//!
//! Both counters start at their thresholds, so the very first result is reported at once (the
//! check has no history to protect); after that a status change needs its full run.

use super::Status;

#[derive(Debug, Clone)]
pub(super) struct Thresholds {
    success_before_passing: u32,
    failures_before_warning: u32,
    failures_before_critical: u32,
    successes: u32,
    failures: u32,
}

impl Thresholds {
    /// `failures_before_warning` already defaulted (to `failures_before_critical` when 0).
    pub(super) fn new(
        success_before_passing: u32,
        failures_before_warning: u32,
        failures_before_critical: u32,
    ) -> Thresholds {
        Thresholds {
            success_before_passing,
            failures_before_warning,
            failures_before_critical,
            successes: success_before_passing,
            failures: failures_before_critical,
        }
    }

    /// Counts one result; returns the status and output to report, if any.
    pub(super) fn observe(&mut self, status: Status, output: String) -> Option<(Status, String)> {
        if status == Status::Critical {
            self.failures = self.failures.saturating_add(1);
            self.successes = 0;
            if self.failures >= self.failures_before_critical {
                return Some((Status::Critical, output));
            }
            if self.failures >= self.failures_before_warning {
                return Some((Status::Warning, output));
            }
            tracing::debug!(
                failures = self.failures,
                warning_threshold = self.failures_before_warning,
                critical_threshold = self.failures_before_critical,
                "check failed but has not reached the warning or critical threshold"
            );
            None
        } else {
            self.successes = self.successes.saturating_add(1);
            self.failures = 0;
            if self.successes >= self.success_before_passing {
                return Some((status, output));
            }
            tracing::debug!(
                successes = self.successes,
                threshold = self.success_before_passing,
                "check passed but has not reached the success threshold"
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    fn feed(t: &mut Thresholds, s: Status) -> Option<Status> {
        t.observe(s, String::new()).map(|(s, _)| s)
    }

    #[test]
    fn without_thresholds_every_result_is_reported() {
        let mut t = Thresholds::new(0, 0, 0);
        for s in [Passing, Critical, Warning, Critical] {
            assert_eq!(feed(&mut t, s), Some(s));
        }
    }

    #[test]
    fn failures_before_critical_needs_that_many_failures_in_a_row() {
        let mut t = Thresholds::new(0, 2, 2);
        assert_eq!(feed(&mut t, Passing), Some(Passing));
        assert_eq!(feed(&mut t, Critical), None);
        assert_eq!(feed(&mut t, Passing), Some(Passing));
        assert_eq!(feed(&mut t, Critical), None);
        assert_eq!(feed(&mut t, Critical), Some(Critical));
        assert_eq!(feed(&mut t, Critical), Some(Critical));
    }

    #[test]
    fn failures_before_warning_reports_warning_first() {
        let mut t = Thresholds::new(0, 1, 3);
        assert_eq!(feed(&mut t, Passing), Some(Passing));
        assert_eq!(feed(&mut t, Critical), Some(Warning));
        assert_eq!(feed(&mut t, Critical), Some(Warning));
        assert_eq!(feed(&mut t, Critical), Some(Critical));
    }

    #[test]
    fn success_before_passing_needs_that_many_successes() {
        let mut t = Thresholds::new(3, 0, 0);
        // The first result is reported at once, as in Consul.
        assert_eq!(feed(&mut t, Critical), Some(Critical));
        assert_eq!(feed(&mut t, Passing), None);
        assert_eq!(feed(&mut t, Warning), None);
        assert_eq!(feed(&mut t, Passing), Some(Passing));
    }

    #[test]
    fn the_first_result_is_reported_whatever_the_thresholds() {
        assert_eq!(
            feed(&mut Thresholds::new(5, 5, 5), Critical),
            Some(Critical)
        );
        assert_eq!(feed(&mut Thresholds::new(5, 5, 5), Passing), Some(Passing));
    }
}
