//! The JSON shape of `/v1/agent/metrics`: go-metrics' `MetricsSummary` as Consul serves it,
//! `{Timestamp, Gauges:[{Name, Value, Labels}], Points:[], Counters:[...], Samples:[...]}` with
//! every counter and sample as `{Name, Count, Rate, Sum, Min, Max, Mean, Stddev, Labels}`,
//! sorted by series key, and `Timestamp` in Go's `time.String()` form of the interval's start
//! (`2017-08-08 02:55:10 +0000 UTC`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Aggregate, Gauge, Interval, Labels, Series, INTERVAL_SECS};

/// One interval's report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Summary {
    pub timestamp: String,
    pub gauges: Vec<GaugeValue>,
    /// go-metrics' `EmitKey` values; nothing in sd emits them, so always empty.
    pub points: Vec<PointValue>,
    pub counters: Vec<SampledValue>,
    pub samples: Vec<SampledValue>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GaugeValue {
    pub name: String,
    /// A float32, as in go-metrics.
    pub value: f32,
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PointValue {
    pub name: String,
    pub points: Vec<f32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SampledValue {
    pub name: String,
    pub count: u64,
    /// Sum per second of the interval.
    pub rate: f64,
    pub sum: f64,
    pub min: f64,
    pub max: f64,
    pub mean: f64,
    pub stddev: f64,
    pub labels: BTreeMap<String, String>,
}

fn label_map(labels: &Labels) -> BTreeMap<String, String> {
    labels.iter().cloned().collect()
}

fn sampled(s: &Series<Aggregate>) -> SampledValue {
    let a = &s.value;
    SampledValue {
        name: s.name.clone(),
        count: a.count,
        rate: a.sum / INTERVAL_SECS as f64,
        sum: a.sum,
        min: a.min,
        max: a.max,
        mean: a.mean(),
        stddev: a.stddev(),
        labels: label_map(&s.labels),
    }
}

/// The report of `interval`, with `now` gauges replacing recorded ones of the same key.
pub(super) fn summary(interval: &Interval, now: &[Gauge]) -> Summary {
    let mut gauges: BTreeMap<String, GaugeValue> = interval
        .gauges
        .iter()
        .map(|(k, s)| (k.clone(), gauge_value(&s.name, &s.labels, s.value)))
        .collect();
    for g in now {
        let (key, name, labels) = g.key();
        gauges.insert(key, gauge_value(&name, &labels, g.value));
    }
    Summary {
        timestamp: go_utc_string(interval.start),
        gauges: gauges.into_values().collect(),
        points: Vec::new(),
        counters: interval.counters.values().map(sampled).collect(),
        samples: interval.samples.values().map(sampled).collect(),
    }
}

fn gauge_value(name: &str, labels: &Labels, value: f64) -> GaugeValue {
    GaugeValue {
        name: name.to_string(),
        value: value as f32,
        labels: label_map(labels),
    }
}

/// Go's `Time.UTC().String()` of a whole Unix second: `2006-01-02 15:04:05 +0000 UTC`.
pub(super) fn go_utc_string(unix_secs: u64) -> String {
    let (y, m, d) = civil_from_days((unix_secs / 86_400) as i64);
    let s = unix_secs % 86_400;
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} +0000 UTC",
        s / 3600,
        s % 3600 / 60,
        s % 60
    )
}

/// The proleptic Gregorian (year, month, day) of a count of days since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    // Shift to a calendar whose years start on 1 March, so the leap day ends a year.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let march_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * march_month + 2) / 5 + 1;
    let month = if march_month < 10 {
        march_month + 3
    } else {
        march_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month as u32, day as u32)
}
