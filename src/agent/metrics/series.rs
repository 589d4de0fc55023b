//! The registry's storage: per-interval aggregates (go-metrics' in-memory sink) and totals
//! since start (for the Prometheus format), keyed like go-metrics: `name;label=value;...`.

use std::collections::{BTreeMap, VecDeque};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use super::{
    Labels, INTERVAL_SECS, QUANTILE_MAX_OBSERVATIONS, QUANTILE_WINDOW, RETAINED_INTERVALS,
};

/// Count, sum and extremes of the values a counter or sample got in one interval.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Aggregate {
    pub(super) count: u64,
    pub(super) sum: f64,
    pub(super) sum_sq: f64,
    pub(super) min: f64,
    pub(super) max: f64,
}

impl Aggregate {
    pub(super) fn ingest(&mut self, v: f64) {
        self.count += 1;
        self.sum += v;
        self.sum_sq += v * v;
        if self.count == 1 || v < self.min {
            self.min = v;
        }
        if self.count == 1 || v > self.max {
            self.max = v;
        }
    }

    pub(super) fn mean(&self) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        self.sum / self.count as f64
    }

    /// The sample standard deviation; 0 for fewer than two values.
    pub(super) fn stddev(&self) -> f64 {
        if self.count < 2 {
            return 0.0;
        }
        let n = self.count as f64;
        ((n * self.sum_sq - self.sum * self.sum) / (n * (n - 1.0)))
            .max(0.0)
            .sqrt()
    }
}

#[derive(Debug, Clone)]
pub(super) struct Series<T> {
    pub(super) name: String,
    pub(super) labels: Labels,
    pub(super) value: T,
}

/// One aggregation interval, keyed like go-metrics: `name;label=value;...`.
#[derive(Debug, Default)]
pub(super) struct Interval {
    /// Unix seconds of its start, a multiple of [`INTERVAL_SECS`](super::INTERVAL_SECS).
    pub(super) start: u64,
    pub(super) gauges: BTreeMap<String, Series<f64>>,
    pub(super) counters: BTreeMap<String, Series<Aggregate>>,
    pub(super) samples: BTreeMap<String, Series<Aggregate>>,
}

/// A sample's totals since start and its recent values (for quantiles).
#[derive(Debug, Clone, Default)]
pub(super) struct Observed {
    pub(super) count: u64,
    pub(super) sum: f64,
    pub(super) recent: VecDeque<(Instant, f64)>,
}

/// Everything since the agent started, for the Prometheus format.
#[derive(Debug, Default)]
pub(super) struct Totals {
    pub(super) gauges: BTreeMap<String, Series<f64>>,
    pub(super) counters: BTreeMap<String, Series<f64>>,
    pub(super) samples: BTreeMap<String, Series<Observed>>,
}

#[derive(Debug, Default)]
pub(super) struct Inner {
    pub(super) intervals: VecDeque<Interval>,
    pub(super) totals: Totals,
}

/// go-metrics' series key and display name: spaces become underscores.
pub(super) fn key_of(name: &str, labels: &[(&str, &str)]) -> (String, String, Labels) {
    let name = name.replace(' ', "_");
    let mut key = name.clone();
    for (k, v) in labels {
        key.push_str(&format!(";{k}={v}").replace(' ', "_"));
    }
    let labels = labels
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    (key, name, labels)
}

pub(super) fn unix_secs(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

pub(super) fn series<T: Default>(name: &str, labels: &Labels) -> Series<T> {
    Series {
        name: name.to_string(),
        labels: labels.clone(),
        value: T::default(),
    }
}

impl Inner {
    /// The interval `wall` falls in, created (and the oldest dropped) when it starts.
    pub(super) fn interval(&mut self, wall: SystemTime) -> &mut Interval {
        let secs = unix_secs(wall);
        let start = secs - secs % INTERVAL_SECS;
        // A clock stepping back keeps writing into the newest interval.
        if self.intervals.back().is_none_or(|last| last.start < start) {
            self.intervals.push_back(Interval {
                start,
                ..Interval::default()
            });
            while self.intervals.len() > RETAINED_INTERVALS {
                self.intervals.pop_front();
            }
        }
        // Never empty here: an interval was just found or pushed.
        let n = self.intervals.len();
        &mut self.intervals[n - 1]
    }
}

/// Drops observations older than the quantile window, and the oldest past the cap.
pub(super) fn prune(recent: &mut VecDeque<(Instant, f64)>, now: Instant) {
    while recent.len() > QUANTILE_MAX_OBSERVATIONS
        || recent
            .front()
            .is_some_and(|(t, _)| now.saturating_duration_since(*t) > QUANTILE_WINDOW)
    {
        recent.pop_front();
    }
}
