//! Deterministic tests of the gossip state machine on the fake clock and network of `sim`:
//! join, failure detection, leave, force-leave, name conflicts, restarts, reaping and load,
//! asserting Consul's statuses. Must not import http, raft, client or commands.

use std::net::SocketAddr;
use std::time::Duration;

use crate::api::agent::member_status::{ALIVE, FAILED, LEAVING, LEFT};

use super::core::Core;
use super::sim::{addr, node_id, Sim};
use super::table::MemberEvent;
use super::timing::GossipTiming;

#[test]
fn join_converges_on_every_member() {
    let mut s = Sim::new(5, GossipTiming::lan());
    s.join_all();
    assert!(s.events[4]
        .iter()
        .any(|e| matches!(e, MemberEvent::Join(m) if m.name == "n1")));
    // Stays converged with no false failure.
    s.run_for(Duration::from_secs(30));
    for i in 0..5 {
        assert!(s.nodes[i].table.members().iter().all(|m| m.status == ALIVE));
    }
}

#[test]
fn killed_member_is_failed_within_the_target() {
    let timing = GossipTiming::lan();
    let mut worst = Duration::ZERO;
    for victim in 1..5 {
        let mut s = Sim::new(5, timing.clone());
        s.join_all();
        s.run_for(Duration::from_millis(137 * victim as u64));
        s.up[victim] = false;
        let name = format!("n{victim}");
        let took = s
            .run_until(Duration::from_secs(20), |s| s.all_see(&name, FAILED))
            .expect("failure not detected");
        worst = worst.max(took);
        for i in (0..5).filter(|&i| i != victim) {
            assert!(s.events[i]
                .iter()
                .any(|e| matches!(e, MemberEvent::Failed(m) if m.name == name)));
        }
    }
    assert!(
        worst <= Duration::from_secs(4),
        "slowest detection {worst:?}"
    );
}

#[test]
fn graceful_leave_shows_leaving_then_left() {
    let mut s = Sim::new(4, GossipTiming::lan());
    s.join_all();
    s.nodes[3].leave_begin(s.now);
    s.collect(3);
    s.run_for(Duration::from_millis(50));
    assert!(s.all_see("n3", LEAVING));
    s.nodes[3].leave_finish(s.now);
    s.collect(3);
    s.run_until(Duration::from_secs(5), |s| s.all_see("n3", LEFT))
        .expect("others did not see left");
    s.up[3] = false;
    s.run_for(Duration::from_secs(10));
    assert!(s.all_see("n3", LEFT), "left must not turn into failed");
    for i in 0..3 {
        assert!(!s.events[i]
            .iter()
            .any(|e| matches!(e, MemberEvent::Failed(m) if m.name == "n3")));
    }
}

#[test]
fn force_leave_turns_failed_into_left_and_prune_forgets() {
    let mut s = Sim::new(4, GossipTiming::lan());
    s.join_all();
    s.up[2] = false;
    s.run_until(Duration::from_secs(10), |s| s.all_see("n2", FAILED))
        .expect("not failed");
    s.nodes[0].force_leave(s.now, "n2", false).unwrap();
    s.collect(0);
    s.run_until(Duration::from_secs(3), |s| s.all_see("n2", LEFT))
        .expect("force-leave did not spread");
    s.nodes[1].force_leave(s.now, "n2", true).unwrap();
    s.collect(1);
    s.run_until(Duration::from_secs(3), |s| {
        (0..4)
            .filter(|&i| i != 2)
            .all(|i| s.status(i, "n2").is_none())
    })
    .expect("prune did not spread");
    assert!(s.nodes[0].force_leave(s.now, "nobody", false).is_err());
}

#[test]
fn duplicate_name_is_refused_naming_both_addresses() {
    let mut s = Sim::new(2, GossipTiming::lan());
    s.join_all();
    let other = SocketAddr::from(([127, 0, 0, 9], 20001));
    let j = s.add(node_id("n1", other, 5, "dc1"));
    let err = s.exchange(j, 0, true).unwrap_err();
    assert!(
        err.contains("127.0.0.1:20001") && err.contains("127.0.0.9:20001"),
        "{err}"
    );
    s.run_for(Duration::from_secs(3));
    assert_eq!(s.status(0, "n1"), Some(ALIVE));
    assert_eq!(s.nodes[0].table.members().len(), 2);
    // A twin that slips in anyway (joined through another member) is reported by both.
    let twin = s.nodes[j].local().clone();
    let d = {
        let mut rt = foca::AccumulatingRuntime::new();
        let mut f = foca::Foca::new(
            twin,
            GossipTiming::lan().foca_config(2),
            <rand_foca::rngs::SmallRng as rand_foca::SeedableRng>::seed_from_u64(1),
            foca::PostcardCodec,
        );
        f.announce(s.nodes[1].local().clone(), &mut rt).unwrap();
        let (_, data) = rt.to_send().unwrap();
        let mut d = vec![super::wire::KIND_FOCA];
        d.extend_from_slice(&data);
        d
    };
    s.nodes[1].handle_datagram(s.now, &d);
    assert_eq!(s.nodes[1].name_conflicts(), vec![other]);
}

#[test]
fn datacenter_mismatch_is_refused() {
    let mut s = Sim::new(1, GossipTiming::lan());
    let j = s.add(node_id("x", addr(7), 1, "dc2"));
    let err = s.exchange(j, 0, true).unwrap_err();
    assert!(err.contains("datacenter") && err.contains("dc2"), "{err}");
    assert_eq!(s.nodes[0].table.members().len(), 1);
}

#[test]
fn restarted_member_rejoins_with_a_renewed_identity() {
    let mut s = Sim::new(3, GossipTiming::lan());
    s.join_all();
    // kill -9 and restart at once, before anyone notices: same name and address.
    s.up[2] = false;
    s.run_for(Duration::from_millis(100));
    s.nodes[2] = Core::new(node_id("n2", addr(2), 2, "dc1"), s.timing.clone(), s.now, 7);
    s.up[2] = true;
    s.exchange(2, 0, true).unwrap();
    let renewed = |s: &Sim| {
        (0..2).all(|i| {
            s.nodes[i]
                .table
                .get("n2")
                .is_some_and(|e| e.id.generation == 2 && e.status == super::Status::Alive)
        })
    };
    s.run_until(Duration::from_secs(5), renewed)
        .expect("not renewed");
    s.run_for(Duration::from_secs(15));
    assert!(renewed(&s));
    assert_eq!(s.nodes[2].table.members().len(), 3);
}

#[test]
fn failed_member_coming_back_is_alive_again() {
    let mut s = Sim::new(3, GossipTiming::dev());
    s.join_all();
    s.up[1] = false;
    s.run_until(Duration::from_secs(10), |s| s.all_see("n1", FAILED))
        .expect("not failed");
    // The partition heals: the same process is reachable again; reconnects bring it back.
    s.up[1] = true;
    s.run_until(Duration::from_secs(30), |s| {
        s.all_see("n1", ALIVE) && s.all_see("n0", ALIVE) && s.all_see("n2", ALIVE)
    })
    .expect("did not come back");
}

#[test]
fn slow_member_is_not_declared_failed() {
    let mut s = Sim::new(5, GossipTiming::lan());
    s.join_all();
    // Each packet to or from n1 takes 360 ms more: round trips of 0.72 s against a 200 ms
    // probe timeout, so every probe of n1 fails. n1 hears it is suspected and refutes within
    // the 1 s of suspicion. (A single member failing probes does not raise the probers'
    // local-health score: that would double every real detection, since foca has no nacks;
    // at 480 ms each way the refutation no longer arrives in time.)
    s.delay[1] = Duration::from_millis(360);
    s.run_for(Duration::from_secs(60));
    for i in 0..5 {
        assert!(
            !s.events[i]
                .iter()
                .any(|e| matches!(e, MemberEvent::Failed(_))),
            "node {i} saw a false failure: {:?}",
            s.events[i]
        );
    }
}

#[test]
fn garbage_and_late_timers() {
    let mut s = Sim::new(2, GossipTiming::lan());
    s.join_all();
    for junk in [
        &[][..],
        &[1][..],
        &[1, 0xff, 0xff, 0xff][..],
        &[2, 9, 9][..],
        &[7; 3000][..],
    ] {
        s.nodes[0].handle_datagram(s.now, junk);
    }
    assert_eq!(s.nodes[0].health_score(), 0);
    // The event loop stalls for two seconds: local health drops.
    let late = s.nodes[0].next_deadline().unwrap() + Duration::from_secs(2);
    s.now = late;
    s.nodes[0].fire_due(late);
    assert!(s.nodes[0].health_score() > 0);
}

#[test]
fn failed_and_left_members_are_reaped_after_their_timeouts() {
    let mut timing = GossipTiming::lan();
    timing.reconnect_timeout = Duration::from_secs(20);
    timing.tombstone_timeout = Duration::from_secs(10);
    let mut s = Sim::new(4, timing);
    s.join_all();
    s.up[3] = false;
    s.run_until(Duration::from_secs(10), |s| s.all_see("n3", FAILED))
        .expect("not failed");
    s.nodes[2].leave_begin(s.now);
    s.collect(2);
    s.run_for(Duration::from_millis(300));
    s.nodes[2].leave_finish(s.now);
    s.collect(2);
    s.run_until(Duration::from_secs(5), |s| s.status(0, "n2") == Some(LEFT))
        .expect("not left");
    s.up[2] = false;
    let gone = |s: &Sim, name: &str| (0..2).all(|i| s.status(i, name).is_none());
    let t = s
        .run_until(Duration::from_secs(15), |s| gone(s, "n2"))
        .expect("left member not reaped");
    assert!(t >= Duration::from_secs(9), "reaped too early: {t:?}");
    assert_eq!(s.status(0, "n3"), Some(FAILED));
    s.run_until(Duration::from_secs(15), |s| gone(s, "n3"))
        .expect("failed member not reaped");
    assert!(s.events[0]
        .iter()
        .any(|e| matches!(e, MemberEvent::Reap(m) if m.name == "n3")));
    // Reaped members stay gone: no stale gossip brings them back.
    s.run_for(Duration::from_secs(30));
    assert!(gone(&s, "n2") && gone(&s, "n3"));
}

#[test]
fn probe_round_trips_build_coordinates_that_estimate_them() {
    // A packet from i to j takes 1 ms + delay[i] + delay[j]: the round trip between i and j
    // is 2 * (1 + delay[i] + delay[j]) ms.
    let mut s = Sim::new(4, GossipTiming::lan());
    let delays = [1, 2, 3, 20];
    for (i, ms) in delays.iter().enumerate() {
        s.delay[i] = Duration::from_millis(*ms);
    }
    s.join_all();
    s.run_for(Duration::from_secs(120));
    for i in 0..4 {
        let name = format!("n{i}");
        for j in 0..4 {
            if i == j {
                continue;
            }
            // Everyone has heard everyone's coordinate with an ack.
            assert!(s.nodes[j].rtt.peer(&name).is_some(), "n{j} heard from n{i}");
            let mine = s.nodes[i].rtt.vivaldi.coordinate();
            let theirs = s.nodes[j].rtt.vivaldi.coordinate();
            let truth = 2.0 * (1 + delays[i] + delays[j]) as f64 / 1000.0;
            let estimate = mine.distance_to(theirs).as_secs_f64();
            let error = (estimate - truth).abs() / truth;
            assert!(
                error < 0.3,
                "n{i} <-> n{j}: estimated {estimate:.4} s, true {truth:.4} s"
            );
        }
    }
}
