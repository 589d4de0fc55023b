//! Docker's `HEALTHCHECK` as a Consul check: a container with one gets a TTL check on each of
//! its services, whose status follows Docker's (`healthy` -> passing, `unhealthy` -> critical,
//! `starting` -> critical, so no traffic reaches a container before its first good probe, as
//! Swarm does) with the last probe's output. registrator ignored Docker's health (its users'
//! #578). The runner sets the status on every `health_status` event and refreshes it well
//! within the TTL, so the check turns critical by itself if `sd register-docker` goes away
//! and nobody vouches for the container any more.

use std::time::Duration;

use serde_json::{json, Value};

use super::container::Container;

/// The check's TTL.
pub const TTL: Duration = Duration::from_secs(90);
/// How often the runner re-sends each status (a third of the TTL: two refreshes may fail).
pub const REFRESH: Duration = Duration::from_secs(30);
/// The most output a status carries (Docker keeps up to 4 KiB per probe).
const MAX_OUTPUT: usize = 4096;

/// The ID of the Docker health check of service `service_id`.
pub fn check_id(service_id: &str) -> String {
    format!("service:{service_id}:docker-health")
}

/// Consul's status and an output for the container's Docker health; none without a
/// `HEALTHCHECK`.
pub fn status(c: &Container) -> Option<(&'static str, String)> {
    if !c.has_healthcheck() {
        return None;
    }
    let health = c.state.health.as_ref();
    let docker = health.map_or("starting", |h| h.status.as_str());
    let status = match docker {
        "healthy" => "passing",
        _ => "critical",
    };
    let last = health
        .and_then(|h| h.log.as_ref())
        .and_then(|l| l.last())
        .map(|p| {
            format!(
                " (last probe exited {}): {}",
                p.exit_code,
                p.output.trim_end()
            )
        })
        .unwrap_or_default();
    let mut output = format!("Docker health: {docker}{last}");
    if output.len() > MAX_OUTPUT {
        let mut end = MAX_OUTPUT;
        while !output.is_char_boundary(end) {
            end -= 1;
        }
        output.truncate(end);
    }
    Some((status, output))
}

/// The check definition for service `service_id` of `c`, with its current status (a
/// registration carries no output: the runner sends it next); none without a `HEALTHCHECK`.
pub fn definition(c: &Container, service_id: &str) -> Option<Value> {
    let (status, _) = status(c)?;
    Some(json!({
        "CheckID": check_id(service_id),
        "Name": "Docker health check",
        "Notes": format!("Docker's HEALTHCHECK of container {}, reported by sd register-docker", c.short_name()),
        "TTL": format!("{}s", TTL.as_secs()),
        "Status": status,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn container(health: Value) -> Container {
        serde_json::from_value(json!({
            "Id": "abc", "Name": "/web",
            "Config": {"Healthcheck": {"Test": ["CMD-SHELL", "wget -q -O- localhost"]}},
            "State": {"Running": true, "Health": health}
        }))
        .unwrap()
    }

    #[test]
    fn docker_statuses_map_to_consuls() {
        let c = container(json!({"Status": "healthy", "Log": [
            {"ExitCode": 1, "Output": "refused"}, {"ExitCode": 0, "Output": "ok\n"}]}));
        assert_eq!(
            status(&c),
            Some((
                "passing",
                "Docker health: healthy (last probe exited 0): ok".into()
            ))
        );
        let c = container(
            json!({"Status": "unhealthy", "Log": [{"ExitCode": 1, "Output": "refused"}]}),
        );
        assert_eq!(status(&c).unwrap().0, "critical");
        let c = container(json!({"Status": "starting"}));
        assert_eq!(
            status(&c),
            Some(("critical", "Docker health: starting".into()))
        );
        let d = definition(&c, "h:web:80").unwrap();
        assert_eq!(d["CheckID"], "service:h:web:80:docker-health");
        assert_eq!(d["TTL"], "90s");
        assert_eq!(d["Status"], "critical");
    }

    #[test]
    fn no_healthcheck_or_none_gives_no_check() {
        let c: Container = serde_json::from_value(json!({"Id": "a", "Config": {}})).unwrap();
        assert_eq!(status(&c), None);
        let c: Container = serde_json::from_value(
            json!({"Id": "a", "Config": {"Healthcheck": {"Test": ["NONE"]}}}),
        )
        .unwrap();
        assert_eq!(definition(&c, "x"), None);
    }

    #[test]
    fn long_output_is_cut_on_a_char_boundary() {
        let c = container(
            json!({"Status": "unhealthy", "Log": [{"ExitCode": 1, "Output": "é".repeat(5000)}]}),
        );
        let (_, out) = status(&c).unwrap();
        assert!(out.len() <= MAX_OUTPUT && out.len() > MAX_OUTPUT - 2);
    }
}
