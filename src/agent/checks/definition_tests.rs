//! Tests of check definitions: decoding in every key spelling and validation messages.

use super::*;
use serde_json::json;

fn decode(v: serde_json::Value) -> CheckType {
    serde_json::from_value(v).unwrap()
}

fn error_of(v: serde_json::Value) -> String {
    decode(v).validate().unwrap_err().to_string()
}

#[test]
fn decodes_consuls_field_names() {
    let c = decode(json!({
        "HTTP": "http://x/health", "Method": "POST", "Body": "{}",
        "Header": {"X-Token": ["a", "b"]}, "TLSSkipVerify": true, "TLSServerName": "x.internal",
        "DisableRedirects": true, "Interval": "10s", "Timeout": "1m30s",
        "SuccessBeforePassing": 2, "FailuresBeforeWarning": 1, "FailuresBeforeCritical": 3,
        "OutputMaxSize": 100, "Status": "passing", "Name": "ignored", "ServiceID": "web"
    }));
    assert_eq!(c.http, "http://x/health");
    assert_eq!(c.method, "POST");
    assert_eq!(c.body, "{}");
    assert_eq!(c.header["X-Token"], vec!["a", "b"]);
    assert!(c.tls_skip_verify && c.disable_redirects);
    assert_eq!(c.tls_server_name, "x.internal");
    assert_eq!(c.interval, Some(Duration::from_secs(10)));
    assert_eq!(c.timeout, Some(Duration::from_secs(90)));
    assert_eq!(
        (
            c.success_before_passing,
            c.failures_before_warning,
            c.failures_before_critical
        ),
        (2, 1, 3)
    );
    assert_eq!(c.output_max_size, 100);
    assert_eq!(c.validate(), Ok(CheckKind::Http));
    assert_eq!(c.initial_status(), Ok(Status::Passing));
}

#[test]
fn decodes_folded_and_snake_case_keys() {
    // What the HTTP layer hands over after folding `TLSSkipVerify` and friends.
    let folded = decode(json!({
        "tcp": "db:5432", "interval": "5s", "tlsskipverify": true,
        "failuresbeforecritical": 2, "outputmaxsize": 10, "header": {"X-Keep-Case": ["v"]}
    }));
    assert_eq!(folded.tcp, "db:5432");
    assert!(folded.tls_skip_verify);
    assert_eq!(folded.failures_before_critical, 2);
    assert!(folded.header.contains_key("X-Keep-Case"));
    let snake = decode(json!({
        "script_args": ["/bin/true"], "interval": "5s", "tls_server_name": "n",
        "success_before_passing": 1, "failures_before_warning": 1, "failures_before_critical": 1
    }));
    assert_eq!(snake.command(), vec!["/bin/true"]);
    assert_eq!(snake.tls_server_name, "n");
    assert_eq!(snake.success_before_passing, 1);
}

#[test]
fn durations_are_go_strings_or_nanoseconds() {
    let c = decode(json!({"TTL": 15_000_000_000u64, "Timeout": "500ms", "Interval": null}));
    assert_eq!(c.ttl, Some(Duration::from_secs(15)));
    assert_eq!(c.timeout, Some(Duration::from_millis(500)));
    assert_eq!(c.interval, None);
    let c = decode(json!({"TTL": 1.5e9, "Interval": ""}));
    assert_eq!(c.ttl, Some(Duration::from_millis(1500)));
    assert_eq!(c.interval, None);
    let bad = serde_json::from_value::<CheckType>(json!({"TTL": "10 seconds"}));
    assert!(bad.unwrap_err().to_string().contains("duration"));
}

#[test]
fn nulls_mean_defaults() {
    let c = decode(
        json!({"Args": null, "Header": null, "HTTP": "http://x", "Interval": "1s",
        "Method": null, "TLSSkipVerify": null, "FailuresBeforeCritical": null}),
    );
    assert!(c.args.is_empty() && c.header.is_empty() && c.method.is_empty());
    assert_eq!(c.validate(), Ok(CheckKind::Http));
}

#[test]
fn the_kind_follows_the_field_set() {
    let kind = |v| decode(v).validate();
    assert_eq!(
        kind(json!({"Args": ["x"], "Interval": "1s"})),
        Ok(CheckKind::Script)
    );
    assert_eq!(
        kind(json!({"ScriptArgs": ["x"], "Interval": "1s"})),
        Ok(CheckKind::Script)
    );
    assert_eq!(
        kind(json!({"Script": "exit 0", "Interval": "1s"})),
        Ok(CheckKind::Script)
    );
    assert_eq!(
        kind(json!({"TCP": "h:1", "Interval": "1s"})),
        Ok(CheckKind::Tcp)
    );
    assert_eq!(kind(json!({"TTL": "30s"})), Ok(CheckKind::Ttl));
    assert_eq!(CheckKind::Http.to_string(), "http");
}

#[test]
fn validation_uses_consuls_messages() {
    assert_eq!(error_of(json!({})), "TTL must be > 0 for TTL checks");
    assert_eq!(
        error_of(json!({"TTL": -1})),
        "TTL must be > 0 for TTL checks"
    );
    assert_eq!(
        error_of(json!({"HTTP": "http://x"})),
        "Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks"
    );
    assert_eq!(
        error_of(json!({"TTL": "20s", "Interval": "10s"})),
        "Interval and TTL cannot both be specified"
    );
    assert_eq!(
        error_of(json!({"TTL": "20s", "OutputMaxSize": -1})),
        "MaxOutputMaxSize must be positive"
    );
    assert_eq!(
        error_of(json!({"TTL": "20s", "FailuresBeforeWarning": 3, "FailuresBeforeCritical": 2})),
        "FailuresBeforeWarning can't be higher than FailuresBeforeCritical"
    );
    assert_eq!(
        error_of(json!({"TTL": "20s", "Status": "ok"})),
        "Invalid check status: 'ok'"
    );
}

#[test]
fn several_kinds_and_unsupported_kinds_are_refused() {
    assert_eq!(
        error_of(json!({"HTTP": "http://x", "TCP": "x:1", "Interval": "1s"})),
        "Only one of Args (or Script), HTTP, TCP, GRPC or TTL may be set; this check sets HTTP, TCP"
    );
    assert_eq!(
        error_of(json!({"GRPC": "x:1", "TCP": "x:1", "Interval": "1s"})),
        "Only one of Args (or Script), HTTP, TCP, GRPC or TTL may be set; this check sets TCP, GRPC"
    );
    assert_eq!(
        error_of(json!({"UDP": "x:1", "Interval": "1s"})),
        "UDP checks are not supported by sd yet"
    );
    assert_eq!(
        error_of(json!({"DockerContainerID": "abc", "Args": ["x"], "Interval": "1s"})),
        "Docker checks are not supported by sd yet"
    );
}

#[test]
fn defaults_follow_consul() {
    let http = decode(json!({"HTTP": "http://x", "Interval": "1s"}));
    assert_eq!(http.timeout_for(CheckKind::Http), DEFAULT_NET_TIMEOUT);
    assert_eq!(http.timeout_for(CheckKind::Script), DEFAULT_SCRIPT_TIMEOUT);
    assert_eq!(http.initial_status(), Ok(Status::Critical));
    assert_eq!(http.effective_output_max_size(0), 4096);
    let c = decode(json!({"FailuresBeforeCritical": 3, "OutputMaxSize": 100, "Timeout": "2s"}));
    assert_eq!(c.effective_failures_before_warning(), 3);
    assert_eq!(c.timeout_for(CheckKind::Tcp), Duration::from_secs(2));
    // A check can lower the agent's limit, never raise it.
    assert_eq!(c.effective_output_max_size(4096), 100);
    assert_eq!(c.effective_output_max_size(50), 50);
    let legacy = decode(json!({"Script": "exit 1"}));
    assert_eq!(legacy.command(), vec!["/bin/sh", "-c", "exit 1"]);
}
