//! `/v1/agent/metrics?format=prometheus`: the Prometheus text exposition format (0.0.4) of the
//! totals since start, as go-metrics' Prometheus sink (which Consul uses) shows them.
//!
//! - Names: Consul's dotted names with `.`, `-`, `/`, `=` and spaces (and anything else
//!   Prometheus does not allow) turned into `_`: `consul.api.http` → `consul_api_http`.
//! - Gauges → `gauge`; counters → `counter` (the running total, no `_total` suffix, as the Go
//!   client writes them); samples → `summary` with `quantile="0.5|0.9|0.99"` lines over the
//!   last 10 s (`NaN` when nothing was observed then), `_sum` and `_count`.
//! - One `# HELP` and `# TYPE` per family, families sorted by name, series by key.
//!
//! Consul serves this only when `telemetry.prometheus_retention_time` is set and drops series
//! not updated within it; sd always serves it and never drops series (their label sets are
//! bounded: HTTP method × route, and the agent's own gauges).

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{Gauge, Labels, Totals};

const QUANTILES: [f64; 3] = [0.5, 0.9, 0.99];

/// The content type Consul answers this format with.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// What Consul's own definitions say of the metrics sd reports; others get their name.
const HELP: &[(&str, &str)] = &[
    (
        "consul_api_http",
        "Samples how long it takes to service the given HTTP request for the given verb and path.",
    ),
    (
        "consul_runtime_num_goroutines",
        "Number of tasks alive in the agent's async runtime (sd's goroutines).",
    ),
    (
        "consul_runtime_sys_bytes",
        "Resident memory of the agent process in bytes (VmRSS).",
    ),
    (
        "consul_memberlist_health_score",
        "The local node's perception of its own health; 0 is healthy.",
    ),
    (
        "consul_serf_lan_members",
        "Members of the LAN gossip pool by status.",
    ),
    (
        "consul_members_clients",
        "Measures the current number of client agents registered with Consul.",
    ),
    (
        "consul_members_servers",
        "Measures the current number of server agents registered with Consul.",
    ),
    (
        "consul_state_nodes",
        "Measures the current number of nodes registered with Consul.",
    ),
    (
        "consul_state_services",
        "Measures the current number of unique services registered with Consul.",
    ),
    (
        "consul_state_service_instances",
        "Measures the current number of unique service instances registered with Consul.",
    ),
    (
        "consul_state_kv_entries",
        "Measures the current number of entries in the Consul KV store.",
    ),
    (
        "consul_server_isLeader",
        "Tracks if the server is a leader.",
    ),
    (
        "consul_raft_applied_index",
        "Represents the raft applied index.",
    ),
    ("consul_raft_last_index", "Represents the raft last index."),
    (
        "consul_raft_commit_index",
        "The highest Raft index known to be committed.",
    ),
    (
        "consul_agent_local_services",
        "Services registered on this agent.",
    ),
    (
        "consul_agent_local_checks",
        "Checks registered on this agent.",
    ),
];

enum Value {
    Gauge(f64),
    Counter(f64),
    Summary {
        count: u64,
        sum: f64,
        quantiles: [f64; 3],
    },
}

impl Value {
    fn type_name(&self) -> &'static str {
        match self {
            Value::Gauge(_) => "gauge",
            Value::Counter(_) => "counter",
            Value::Summary { .. } => "summary",
        }
    }
}

/// A metric name Prometheus accepts: `[a-zA-Z_:][a-zA-Z0-9_:]*`.
pub(super) fn prometheus_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == ':' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

fn label_name(name: &str) -> String {
    prometheus_name(name).replace(':', "_")
}

fn escape_label_value(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn number(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        format!("{v}")
    }
}

fn label_set(labels: &Labels, extra: Option<(&str, String)>) -> String {
    let mut parts: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{}=\"{}\"", label_name(k), escape_label_value(v)))
        .collect();
    if let Some((k, v)) = extra {
        parts.push(format!("{k}=\"{v}\""));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("{{{}}}", parts.join(","))
    }
}

/// The nearest-rank `q` quantile of `sorted` values; NaN when there are none.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Renders `totals` with `now` gauges replacing recorded gauges of the same series.
pub(super) fn render(totals: &Totals, now: &[Gauge]) -> String {
    // Family name → series key → (labels, value); a name reused with another type is skipped.
    let mut series: BTreeMap<String, (String, Labels, Value)> = BTreeMap::new();
    for (key, s) in &totals.gauges {
        series.insert(
            key.clone(),
            (s.name.clone(), s.labels.clone(), Value::Gauge(s.value)),
        );
    }
    for g in now {
        let (key, name, labels) = g.key();
        series.insert(key, (name, labels, Value::Gauge(g.value)));
    }
    for (key, s) in &totals.counters {
        series.insert(
            key.clone(),
            (s.name.clone(), s.labels.clone(), Value::Counter(s.value)),
        );
    }
    for (key, s) in &totals.samples {
        let mut recent: Vec<f64> = s.value.recent.iter().map(|(_, v)| *v).collect();
        recent.sort_by(f64::total_cmp);
        let quantiles = QUANTILES.map(|q| quantile(&recent, q));
        let value = Value::Summary {
            count: s.value.count,
            sum: s.value.sum,
            quantiles,
        };
        series.insert(key.clone(), (s.name.clone(), s.labels.clone(), value));
    }

    let mut families: BTreeMap<String, (&'static str, String)> = BTreeMap::new();
    for (name, labels, value) in series.into_values() {
        let family = prometheus_name(&name);
        let (kind, lines) = families
            .entry(family.clone())
            .or_insert_with(|| (value.type_name(), String::new()));
        if *kind != value.type_name() {
            continue;
        }
        match value {
            Value::Gauge(v) | Value::Counter(v) => {
                let _ = writeln!(lines, "{family}{} {}", label_set(&labels, None), number(v));
            }
            Value::Summary {
                count,
                sum,
                quantiles,
            } => {
                for (q, v) in QUANTILES.iter().zip(quantiles) {
                    let set = label_set(&labels, Some(("quantile", q.to_string())));
                    let _ = writeln!(lines, "{family}{set} {}", number(v));
                }
                let set = label_set(&labels, None);
                let _ = writeln!(lines, "{family}_sum{set} {}", number(sum));
                let _ = writeln!(lines, "{family}_count{set} {count}");
            }
        }
    }

    let mut out = String::new();
    for (family, (kind, lines)) in families {
        let help = HELP
            .iter()
            .find(|(n, _)| *n == family)
            .map_or(family.as_str(), |(_, h)| h);
        let _ = writeln!(
            out,
            "# HELP {family} {}",
            help.replace('\\', "\\\\").replace('\n', "\\n")
        );
        let _ = writeln!(out, "# TYPE {family} {kind}");
        out.push_str(&lines);
    }
    out
}
