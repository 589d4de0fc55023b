//! End-to-end: `sd maint` against a real agent: node and service maintenance enabled with a
//! reason, listed in Consul's layout, seen by the health endpoint, disabled again; Consul's
//! messages for conflicting flags and unknown services, with a non-zero exit.

use crate::common;

use common::{fails, http_get, ok, AgentBuilder};
use serde_json::Value;

fn passing_redis(a: &common::Agent) -> usize {
    let (_, body) = http_get(&format!("{}/v1/health/service/redis?passing", a.url())).unwrap();
    serde_json::from_str::<Value>(&body)
        .unwrap()
        .as_array()
        .unwrap()
        .len()
}

#[test]
fn maintenance_on_off_and_listed() {
    let a = AgentBuilder::dev().arg("-node=maint-node").start();
    a.put_ok(
        "/v1/agent/service/register",
        r#"{"Name":"redis","ID":"redis1","Port":6379}"#,
    );
    common::cluster::eventually("redis is registered", &[&a], || passing_redis(&a) == 1);
    assert_eq!(ok(&a.cli(&["maint"])), "", "nothing in maintenance yet");
    assert_eq!(
        ok(&a.cli(&["maint", "-enable", "-reason", "disk swap"])),
        "Node maintenance is now enabled\n"
    );
    assert_eq!(
        ok(&a.cli(&[
            "maint",
            "-enable",
            "-service=redis1",
            "-reason=Redis is down"
        ])),
        "Service maintenance is now enabled for \"redis1\"\n"
    );
    assert_eq!(
        ok(&a.cli(&["maint"])),
        "Node:\n  Name:   maint-node\n  Reason: disk swap\n\n\
         Service:\n  ID:     redis1\n  Reason: Redis is down\n\n"
    );
    common::cluster::eventually("redis leaves the healthy list", &[&a], || {
        passing_redis(&a) == 0
    });
    assert_eq!(
        ok(&a.cli(&["maint", "-disable", "-service", "redis1"])),
        "Service maintenance is now disabled for \"redis1\"\n"
    );
    assert_eq!(
        ok(&a.cli(&["maint", "-disable"])),
        "Node maintenance is now disabled\n"
    );
    assert_eq!(ok(&a.cli(&["maint"])), "");
    common::cluster::eventually("redis is healthy again", &[&a], || passing_redis(&a) == 1);

    for (args, want) in [
        (
            &["maint", "-enable", "-disable"][..],
            "Only one of -enable or -disable may be provided",
        ),
        (
            &["maint", "-reason=x"][..],
            "Reason may only be provided with -enable",
        ),
        (
            &["maint", "-service=redis1"][..],
            "Service requires either -enable or -disable",
        ),
        (
            &["maint", "-enable", "-service=nope"][..],
            "Error enabling service maintenance",
        ),
    ] {
        let err = fails(&a.cli(args), 1);
        assert!(err.contains(want), "{args:?}: {err}");
    }
}
