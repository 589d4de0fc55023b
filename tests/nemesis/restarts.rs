//! Whole-cluster restarts: writers put unique keys on three servers, all three are killed -9 at
//! once, restarted in random order; a leader must be elected without any manual step and every
//! write acknowledged before the kill must be there, in this round and in all earlier ones.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::seq::SliceRandom;
use rand::Rng;

use crate::lab::Lab;

/// What the restarts found.
#[derive(Debug, Default)]
pub struct Outcome {
    pub acked: usize,
    pub lost: usize,
    pub leader_ms_p50: u64,
    pub leader_ms_max: u64,
}

pub fn run(rounds: usize, seed: u64, rng: &mut impl Rng) -> Outcome {
    let mut out = Outcome::default();
    if rounds == 0 {
        return out;
    }
    let mut lab = Lab::start(3);
    let http = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .expect("http client");
    let mut all_acked: Vec<(String, String)> = Vec::new();
    let mut leader_ms = Vec::new();
    println!("nemesis: {rounds} whole-cluster kill -9 restarts (seed {seed})");
    for round in 0..rounds {
        let urls: Vec<String> = lab.servers.iter().map(|s| s.url()).collect();
        let acked: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let writers: Vec<_> = (0..4)
            .map(|w| {
                let (url, acked, stop) =
                    (urls[w % urls.len()].clone(), acked.clone(), stop.clone());
                std::thread::spawn(move || {
                    let http = reqwest::blocking::Client::builder()
                        .timeout(Duration::from_secs(2))
                        .build()
                        .expect("http client");
                    let mut i = 0u64;
                    while !stop.load(Ordering::Acquire) {
                        let key = format!("restart/r{round}/w{w}/k{i}");
                        let value = format!("{round}-{w}-{i}");
                        let ok = http
                            .put(format!("{url}/v1/kv/{key}"))
                            .body(value.clone())
                            .send()
                            .ok()
                            .filter(|r| r.status().as_u16() == 200)
                            .and_then(|r| r.text().ok())
                            .is_some_and(|t| t.trim() == "true");
                        if ok {
                            acked.lock().expect("acked").push((key, value));
                        }
                        i += 1;
                    }
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(rng.random_range(400..1200)));
        for i in 0..lab.servers.len() {
            lab.kill(i);
        }
        stop.store(true, Ordering::Release);
        for w in writers {
            let _ = w.join();
        }
        let mut order: Vec<usize> = (0..lab.servers.len()).collect();
        order.shuffle(rng);
        let restarted = Instant::now();
        for i in order {
            lab.restart(i);
            std::thread::sleep(Duration::from_millis(rng.random_range(0..300)));
        }
        loop {
            if lab.leader().is_some() {
                leader_ms.push(restarted.elapsed().as_millis() as u64);
                break;
            }
            assert!(
                restarted.elapsed() < Duration::from_secs(60),
                "round {round}: no leader a minute after a whole-cluster restart\n{}",
                lab.logs()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let acked = std::mem::take(&mut *acked.lock().expect("acked"));
        let missing = verify(&http, &urls, &acked);
        out.lost += missing.len();
        for m in missing.iter().take(5) {
            println!("  LOST round {round}: {m}");
        }
        all_acked.extend(acked);
    }
    // Everything acknowledged in any round is still there at the end.
    let urls: Vec<String> = lab.servers.iter().map(|s| s.url()).collect();
    let missing = verify(&http, &urls, &all_acked);
    for m in missing.iter().take(5) {
        println!("  LOST by the end: {m}");
    }
    out.lost += missing.len();
    out.acked = all_acked.len();
    leader_ms.sort_unstable();
    out.leader_ms_p50 = leader_ms.get(leader_ms.len() / 2).copied().unwrap_or(0);
    out.leader_ms_max = leader_ms.last().copied().unwrap_or(0);
    out
}

/// The acknowledged writes a consistent read does not find with their value.
fn verify(
    http: &reqwest::blocking::Client,
    urls: &[String],
    acked: &[(String, String)],
) -> Vec<String> {
    let mut missing = Vec::new();
    for (n, (key, value)) in acked.iter().enumerate() {
        let deadline = Instant::now() + Duration::from_secs(20);
        let got = loop {
            let url = format!("{}/v1/kv/{key}?consistent&raw", urls[n % urls.len()]);
            match http.get(url).send() {
                Ok(r) if r.status().as_u16() == 200 => break r.text().ok(),
                Ok(r) if r.status().as_u16() == 404 => break None,
                _ if Instant::now() > deadline => break None,
                _ => std::thread::sleep(Duration::from_millis(100)),
            }
        };
        if got.as_deref() != Some(value.as_str()) {
            missing.push(format!("{key}: wanted {value:?}, read {got:?}"));
        }
    }
    missing
}
