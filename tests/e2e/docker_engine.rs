//! `sd register-docker`'s view of the real Docker engine on this machine: connecting through
//! the socket with a negotiated API version, the running containers, inspect output turned into
//! registrator-style services, and the event stream (resumed with `since`).

use crate::common;

use std::time::Duration;

use common::docker::{busybox_image, docker, require_engine, Removed};
use futures::StreamExt;
use sd::docker::engine::Engine;
use sd::docker::service::{services, Options};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn running_containers_become_services_and_their_events_arrive_in_order() {
    require_engine();
    let image = busybox_image();
    let name = format!("sd-engine-test-{}", std::process::id());
    let rt = runtime();
    let engine = rt
        .block_on(Engine::connect("unix:///var/run/docker.sock"))
        .expect("connect");
    assert!(
        engine.api_version().starts_with("1."),
        "{}",
        engine.api_version()
    );
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as i64;
    let id = docker(&[
        "run",
        "-d",
        "--name",
        &name,
        "-p",
        "127.0.0.1::80",
        "-e",
        "SERVICE_NAME=web",
        "--label",
        "SERVICE_TAGS=a,b",
        image,
        "sleep",
        "60",
    ]);
    let _cleanup = Removed(name.clone());
    let running = rt.block_on(engine.running()).expect("list");
    assert!(running.contains(&id), "{id} not in {running:?}");
    let c = rt
        .block_on(engine.inspect(&id))
        .expect("inspect")
        .expect("exists");
    assert_eq!(c.short_name(), name);
    let host_port = docker(&["port", &name, "80/tcp"]);
    let o = Options {
        hostname: "host1".into(),
        host_ip: "192.0.2.1".into(),
        ..Default::default()
    };
    let (svcs, warnings) = services(&c, &o, &[]);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(svcs.len(), 1);
    let s = &svcs[0];
    assert_eq!(
        (s.name.as_str(), s.id.as_str()),
        ("web", format!("host1:{name}:80").as_str())
    );
    // A binding on a specific host address registers that address.
    assert_eq!(format!("{}:{}", s.address, s.port), host_port);
    assert_eq!(s.tags, ["a", "b"]);

    // Stop it: the stream, resumed from before the start, gives start ... die in order.
    docker(&["stop", "-t", "1", &name]);
    let events: Vec<String> = rt.block_on(async {
        let mut stream = Box::pin(engine.events(Some(since)));
        let mut seen = Vec::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while !seen.iter().any(|a: &String| a == "die") {
            let next = tokio::time::timeout_at(deadline, stream.next())
                .await
                .expect("events within 20 s")
                .expect("stream open")
                .expect("event");
            if next.id == id {
                seen.push(next.action);
            }
        }
        seen
    });
    let start = events.iter().position(|a| a == "start").expect("start");
    let die = events.iter().position(|a| a == "die").expect("die");
    assert!(start < die, "{events:?}");
    // Gone: inspect says so instead of failing.
    docker(&["rm", "-f", &name]);
    assert!(rt.block_on(engine.inspect(&id)).expect("inspect").is_none());
}
