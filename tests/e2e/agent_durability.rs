//! End-to-end: concurrent writers, `kill -9` at an arbitrary moment, restart: every write the
//! agent acknowledged is there with its value.

use crate::common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{http, http_get, AgentBuilder};

#[test]
fn acknowledged_writes_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    for round in 0..3 {
        let mut agent = AgentBuilder::server(dir.path()).start();
        let url = agent.url();
        let acked: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let writers: Vec<_> = (0..8)
            .map(|w| {
                let (url, acked, stop) = (url.clone(), acked.clone(), stop.clone());
                std::thread::spawn(move || {
                    let mut i = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        let key = format!("r{round}/w{w}/k{i}");
                        let value = format!("v{round}-{w}-{i}");
                        // Only a `true` answer is an acknowledgement; errors after the kill are expected.
                        if let Ok((200, body)) =
                            http("PUT", &format!("{url}/v1/kv/{key}"), value.as_bytes())
                        {
                            if body == "true" {
                                acked.lock().unwrap().push((key, value));
                            }
                        }
                        i += 1;
                    }
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(700 + 300 * round));
        agent.kill9();
        stop.store(true, Ordering::Relaxed);
        for w in writers {
            w.join().unwrap();
        }
        let acked = acked.lock().unwrap().clone();
        assert!(
            acked.len() > 10,
            "round {round}: too few writes acknowledged ({}) to prove anything",
            acked.len()
        );

        let restarted = AgentBuilder::server(dir.path()).start();
        let mut missing = Vec::new();
        for (key, value) in &acked {
            match http_get(&format!("{}/v1/kv/{key}?raw", restarted.url())) {
                Ok((200, body)) if &body == value => {}
                other => missing.push(format!("{key}: {other:?}")),
            }
        }
        assert!(
            missing.is_empty(),
            "round {round}: {} of {} acknowledged writes lost after kill -9, e.g. {:?}\n{}",
            missing.len(),
            acked.len(),
            &missing[..missing.len().min(5)],
            restarted.log()
        );
        drop(restarted);
    }
}
