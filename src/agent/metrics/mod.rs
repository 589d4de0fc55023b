//! Telemetry: a small in-process registry of counters, gauges and samples (timers) under
//! Consul's dotted names (`consul.api.http`) with labels, served by `/v1/agent/metrics`.
//!
//! It aggregates like go-metrics' in-memory sink, which Consul's JSON output comes from: every
//! value lands in the 10-second interval of the wall clock it was recorded in (intervals start
//! at multiples of 10 s), the last minute of intervals is kept, and the JSON shows the most
//! recent *finished* interval (the current one only while no other exists), with each counter's
//! and sample's Count, Rate (Sum per second of the interval), Sum, Min, Max, Mean and Stddev.
//! Beside the intervals it keeps totals since start for the Prometheus format (`prometheus`),
//! which, like go-metrics' Prometheus sink, is cumulative: counters are running totals and
//! samples are summaries with `_sum`, `_count` and 0.5/0.9/0.99 quantiles over the last 10 s.
//! Gauges the agent reads from its state at request time (`gauges`) are merged into both.
//!
//! Hand-written rather than a crate: the `metrics` facade wants one global recorder per process
//! (tests run several agents in one) and its recorders keep cumulative values, not per-interval
//! aggregates; `prometheus-client` renders text but has neither intervals nor Consul's JSON
//! shape. Both outputs are small here and need no new dependency.
//!
//! Lock-light: one mutex, held only to update one series or to copy out a report; names and
//! labels are built before taking it. Must not import `http`.

mod display;
pub mod gauges;
pub mod prometheus;
mod series;

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

pub use display::{GaugeValue, SampledValue, Summary};
use series::{key_of, prune, series, Aggregate, Inner, Interval, Series, Totals};

/// go-metrics' in-memory sink as Consul configures it: 10 s intervals kept for one minute.
pub const INTERVAL_SECS: u64 = 10;
const RETAINED_INTERVALS: usize = 6;
/// Prometheus summary quantiles cover this much recent time (go-metrics' MaxAge) ...
const QUANTILE_WINDOW: Duration = Duration::from_secs(10);
/// ... and at most this many of its observations per series.
const QUANTILE_MAX_OBSERVATIONS: usize = 1024;

/// Label names and values, in the order given.
pub type Labels = Vec<(String, String)>;

/// A gauge read from the agent's state when a report is made.
#[derive(Debug, Clone, PartialEq)]
pub struct Gauge {
    pub name: String,
    pub labels: Labels,
    pub value: f64,
}

impl Gauge {
    /// Its series key, display name and labels, as recorded series have them.
    fn key(&self) -> (String, String, Labels) {
        let pairs: Vec<(&str, &str)> = self
            .labels
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        key_of(&self.name, &pairs)
    }
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Gauge,
    Counter,
    Sample,
}

/// The agent's metrics registry.
#[derive(Debug, Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

impl Metrics {
    pub fn new() -> Metrics {
        Metrics::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sets a gauge to `value`.
    pub fn set_gauge(&self, name: &str, labels: &[(&str, &str)], value: f64) {
        self.record(
            Kind::Gauge,
            name,
            labels,
            value,
            SystemTime::now(),
            Instant::now(),
        );
    }

    /// Adds `value` to a counter.
    pub fn incr_counter(&self, name: &str, labels: &[(&str, &str)], value: f64) {
        self.record(
            Kind::Counter,
            name,
            labels,
            value,
            SystemTime::now(),
            Instant::now(),
        );
    }

    /// Adds one observation to a sample.
    pub fn add_sample(&self, name: &str, labels: &[(&str, &str)], value: f64) {
        self.record(
            Kind::Sample,
            name,
            labels,
            value,
            SystemTime::now(),
            Instant::now(),
        );
    }

    /// Records the milliseconds since `start` as a sample (a timer, as go-metrics measures).
    pub fn measure_since(&self, name: &str, labels: &[(&str, &str)], start: Instant) {
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        self.add_sample(name, labels, ms);
    }

    fn record(
        &self,
        kind: Kind,
        name: &str,
        labels: &[(&str, &str)],
        value: f64,
        wall: SystemTime,
        mono: Instant,
    ) {
        let (key, name, labels) = key_of(name, labels);
        let mut inner = self.lock();
        let interval = inner.interval(wall);
        let aggregates = match kind {
            Kind::Gauge => None,
            Kind::Counter => Some(&mut interval.counters),
            Kind::Sample => Some(&mut interval.samples),
        };
        match aggregates {
            Some(map) => map
                .entry(key.clone())
                .or_insert_with(|| series(&name, &labels))
                .value
                .ingest(value),
            None => {
                let s = interval.gauges.entry(key.clone());
                s.or_insert_with(|| series(&name, &labels)).value = value;
            }
        }
        let totals = &mut inner.totals;
        match kind {
            Kind::Gauge => {
                totals
                    .gauges
                    .entry(key)
                    .or_insert_with(|| series(&name, &labels))
                    .value = value;
            }
            Kind::Counter => {
                totals
                    .counters
                    .entry(key)
                    .or_insert_with(|| series(&name, &labels))
                    .value += value;
            }
            Kind::Sample => {
                let o = &mut totals
                    .samples
                    .entry(key)
                    .or_insert_with(|| series(&name, &labels))
                    .value;
                o.count += 1;
                o.sum += value;
                o.recent.push_back((mono, value));
                prune(&mut o.recent, mono);
            }
        }
    }

    /// The JSON report (`/v1/agent/metrics`), with `now` gauges merged over recorded ones.
    pub fn summary(&self, now: &[Gauge]) -> Summary {
        self.summary_at(now, SystemTime::now())
    }

    fn summary_at(&self, now: &[Gauge], wall: SystemTime) -> Summary {
        let mut inner = self.lock();
        inner.interval(wall);
        // The one before the current, or the current when it is the only one.
        let shown = inner.intervals.len().saturating_sub(2);
        match inner.intervals.get(shown) {
            Some(interval) => display::summary(interval, now),
            None => display::summary(&Interval::default(), now),
        }
    }

    /// The Prometheus text report, with `now` gauges merged over recorded ones.
    pub fn prometheus(&self, now: &[Gauge]) -> String {
        self.prometheus_at(now, Instant::now())
    }

    fn prometheus_at(&self, now: &[Gauge], mono: Instant) -> String {
        let mut inner = self.lock();
        for s in inner.totals.samples.values_mut() {
            prune(&mut s.value.recent, mono);
        }
        prometheus::render(&inner.totals, now)
    }
}

#[cfg(test)]
mod tests;
