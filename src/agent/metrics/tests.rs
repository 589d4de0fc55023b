//! The registry's aggregation, the JSON shape and the Prometheus text.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::display::go_utc_string;
use super::{Gauge, Kind, Metrics};

/// 2017-08-08 02:55:10 UTC, the start of an interval.
const T0: u64 = 1_502_160_910;

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

fn sample(m: &Metrics, labels: &[(&str, &str)], v: f64, secs: u64, mono: Instant) {
    m.record(Kind::Sample, "consul.api.http", labels, v, at(secs), mono);
}

/// GET v1_kv_ timings 1, 2, 3 and 4 ms, `spacing` seconds apart from T0.
fn kv_gets(m: &Metrics, spacing: u64, mono: Instant) {
    let get = [("method", "GET"), ("path", "v1_kv_")];
    for (i, v) in [1.0, 2.0, 3.0, 4.0].into_iter().enumerate() {
        sample(m, &get, v, T0 + spacing * i as u64, mono);
    }
}

#[test]
fn timestamps_are_gos_utc_form() {
    assert_eq!(go_utc_string(T0), "2017-08-08 02:55:10 +0000 UTC");
    assert_eq!(go_utc_string(951_868_790), "2000-02-29 23:59:50 +0000 UTC");
    assert_eq!(
        go_utc_string(4_107_542_400),
        "2100-03-01 00:00:00 +0000 UTC"
    );
    assert_eq!(go_utc_string(0), "1970-01-01 00:00:00 +0000 UTC");
}

#[test]
fn an_interval_aggregates_count_rate_sum_min_max_mean_stddev() {
    let m = Metrics::new();
    let now = Instant::now();
    kv_gets(&m, 1, now);
    m.record(
        Kind::Counter,
        "consul.client.rpc",
        &[],
        1.0,
        at(T0 + 5),
        now,
    );
    m.record(
        Kind::Counter,
        "consul.client.rpc",
        &[],
        1.0,
        at(T0 + 6),
        now,
    );
    m.record(
        Kind::Gauge,
        "consul.raft.last_index",
        &[],
        7.0,
        at(T0 + 7),
        now,
    );

    // Only the current interval exists: it is the one shown.
    let s = m.summary_at(&[], at(T0 + 9));
    assert_eq!(s.timestamp, "2017-08-08 02:55:10 +0000 UTC");
    assert!(s.points.is_empty());
    assert_eq!(s.samples.len(), 1);
    let h = &s.samples[0];
    assert_eq!(h.name, "consul.api.http");
    assert_eq!((h.count, h.sum, h.min, h.max), (4, 10.0, 1.0, 4.0));
    assert_eq!((h.mean, h.rate), (2.5, 1.0));
    assert!((h.stddev - 1.290_994_448_735_805_6).abs() < 1e-12);
    assert_eq!(h.labels["method"], "GET");
    assert_eq!(h.labels["path"], "v1_kv_");
    let c = &s.counters[0];
    assert_eq!(
        (c.name.as_str(), c.count, c.sum),
        ("consul.client.rpc", 2, 2.0)
    );
    assert!((c.rate - 0.2).abs() < 1e-12);
    assert_eq!(c.stddev, 0.0);
    assert_eq!(s.gauges[0].name, "consul.raft.last_index");
    assert_eq!(s.gauges[0].value, 7.0);
}

#[test]
fn the_last_finished_interval_is_shown_and_a_minute_is_kept() {
    let m = Metrics::new();
    let now = Instant::now();
    sample(&m, &[], 5.0, T0 + 1, now);
    sample(&m, &[], 9.0, T0 + 12, now);
    // Once a second interval exists, the first (finished) one is shown.
    let s = m.summary_at(&[], at(T0 + 15));
    assert_eq!(s.timestamp, go_utc_string(T0));
    assert_eq!(s.samples[0].sum, 5.0);
    // An interval with nothing recorded is still an interval once asked for.
    let s = m.summary_at(&[], at(T0 + 25));
    assert_eq!(s.timestamp, go_utc_string(T0 + 10));
    assert_eq!(s.samples[0].sum, 9.0);
    let s = m.summary_at(&[], at(T0 + 35));
    assert!(s.samples.is_empty(), "{s:?}");
    for i in 0..20 {
        m.summary_at(&[], at(T0 + 40 + 10 * i));
    }
    assert_eq!(m.lock().intervals.len(), super::RETAINED_INTERVALS);
}

#[test]
fn gauges_read_now_replace_recorded_ones_and_sort_by_key() {
    let m = Metrics::new();
    let now = Instant::now();
    m.record(
        Kind::Gauge,
        "consul.state.nodes",
        &[("datacenter", "dc1")],
        1.0,
        at(T0),
        now,
    );
    let read = [
        Gauge {
            name: "consul.state.nodes".into(),
            labels: vec![("datacenter".into(), "dc1".into())],
            value: 3.0,
        },
        Gauge {
            name: "consul.agent.local.checks".into(),
            labels: vec![],
            value: 2.0,
        },
    ];
    let s = m.summary_at(&read, at(T0 + 1));
    let names: Vec<(&str, f32)> = s
        .gauges
        .iter()
        .map(|g| (g.name.as_str(), g.value))
        .collect();
    assert_eq!(
        names,
        [
            ("consul.agent.local.checks", 2.0),
            ("consul.state.nodes", 3.0)
        ]
    );
}

#[test]
fn json_has_consuls_field_names() {
    let m = Metrics::new();
    let now = Instant::now();
    sample(&m, &[("method", "GET")], 1.5, T0, now);
    m.record(Kind::Counter, "consul.client.rpc", &[], 1.0, at(T0), now);
    let read = [Gauge {
        name: "consul.runtime.sys_bytes".into(),
        labels: vec![],
        value: 1024.0,
    }];
    let v = serde_json::to_value(m.summary_at(&read, at(T0))).unwrap_or_default();
    let keys = |v: &serde_json::Value| -> Vec<String> {
        let mut k: Vec<String> = v
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        k.sort();
        k
    };
    assert_eq!(
        keys(&v),
        ["Counters", "Gauges", "Points", "Samples", "Timestamp"]
    );
    assert_eq!(keys(&v["Gauges"][0]), ["Labels", "Name", "Value"]);
    let sampled = [
        "Count", "Labels", "Max", "Mean", "Min", "Name", "Rate", "Stddev", "Sum",
    ];
    assert_eq!(keys(&v["Samples"][0]), sampled);
    assert_eq!(keys(&v["Counters"][0]), sampled);
    assert_eq!(
        v["Samples"][0]["Labels"],
        serde_json::json!({"method": "GET"})
    );
    assert_eq!(v["Counters"][0]["Labels"], serde_json::json!({}));
    assert_eq!(v["Points"], serde_json::json!([]));
}

/// Every line is a comment or `name{labels} value`, as a Prometheus scraper reads it.
fn assert_parses(text: &str) {
    for line in text.lines() {
        if line.starts_with("# HELP ") || line.starts_with("# TYPE ") {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("{line}"));
        assert!(
            value.parse::<f64>().is_ok() || ["NaN", "+Inf", "-Inf"].contains(&value),
            "value of {line}"
        );
        let name_end = series.find('{').unwrap_or(series.len());
        let name = &series[..name_end];
        assert!(
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "name of {line}"
        );
        if name_end < series.len() {
            assert!(series.ends_with('}'), "labels of {line}");
        }
    }
}

#[test]
fn prometheus_text_is_cumulative_and_well_formed() {
    let m = Metrics::new();
    let t = Instant::now();
    // Across two intervals: the Prometheus totals do not reset.
    kv_gets(&m, 8, t);
    m.record(Kind::Counter, "consul.client.rpc", &[], 2.0, at(T0), t);
    m.record(Kind::Counter, "consul.client.rpc", &[], 3.0, at(T0 + 20), t);
    let read = [Gauge {
        name: "consul.serf.lan.members".into(),
        labels: vec![("status".into(), "al\"ive\\".into())],
        value: 1.0,
    }];
    let text = m.prometheus_at(&read, t);
    assert_parses(&text);
    let expected = [
        "# HELP consul_api_http Samples how long it takes to service the given HTTP request for the given verb and path.",
        "# TYPE consul_api_http summary",
        "consul_api_http{method=\"GET\",path=\"v1_kv_\",quantile=\"0.5\"} 2",
        "consul_api_http{method=\"GET\",path=\"v1_kv_\",quantile=\"0.9\"} 4",
        "consul_api_http{method=\"GET\",path=\"v1_kv_\",quantile=\"0.99\"} 4",
        "consul_api_http_sum{method=\"GET\",path=\"v1_kv_\"} 10",
        "consul_api_http_count{method=\"GET\",path=\"v1_kv_\"} 4",
        "# HELP consul_client_rpc consul_client_rpc",
        "# TYPE consul_client_rpc counter",
        "consul_client_rpc 5",
        "# HELP consul_serf_lan_members Members of the LAN gossip pool by status.",
        "# TYPE consul_serf_lan_members gauge",
        "consul_serf_lan_members{status=\"al\\\"ive\\\\\"} 1",
    ];
    assert_eq!(text.lines().collect::<Vec<_>>(), expected, "{text}");

    // Quantiles cover the last 10 s: later, they are NaN while _sum and _count stay.
    let text = m.prometheus_at(&[], t + Duration::from_secs(11));
    assert_parses(&text);
    assert!(text.contains("consul_api_http{method=\"GET\",path=\"v1_kv_\",quantile=\"0.5\"} NaN\n"));
    assert!(text.contains("consul_api_http_count{method=\"GET\",path=\"v1_kv_\"} 4\n"));
}

#[test]
fn prometheus_names_replace_what_prometheus_forbids() {
    use super::prometheus::prometheus_name;
    assert_eq!(
        prometheus_name("consul.raft.leader.lastContact"),
        "consul_raft_leader_lastContact"
    );
    assert_eq!(prometheus_name("consul.a-b/c=d e"), "consul_a_b_c_d_e");
    assert_eq!(prometheus_name("9lives"), "_9lives");
}

#[test]
fn a_real_timer_records_milliseconds() {
    let m = Metrics::new();
    let start = Instant::now() - Duration::from_millis(30);
    m.measure_since("consul.api.http", &[("method", "PUT")], start);
    let s = m.summary(&[]);
    let h = &s.samples[0];
    assert_eq!(h.count, 1);
    assert!(h.sum >= 30.0 && h.sum < 30_000.0, "{h:?}");
}
