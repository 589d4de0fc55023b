//! Unit tests of sessions through the store: locks and their indexes, invalidation by destroy,
//! by a check going critical and by the node leaving, `delete` behaviour, lock delays counted
//! on the leader's clock, and snapshots.

use super::command::{Command, CommandResult, KvOp, KvVerb};
use super::store::Store;
use super::watch::WatchKey;
use crate::api::catalog::{health, CatalogRegistration, HealthCheck};
use crate::api::session::SessionEntry;

/// The leader's clock on the entries of these tests (ms since the epoch).
const T0: u64 = 1_000_000;

fn register_node(store: &Store, index: u64, status: &str) {
    let reg = CatalogRegistration {
        node: "n1".into(),
        address: "10.0.0.1".into(),
        checks: vec![HealthCheck {
            node: "n1".into(),
            check_id: "serfHealth".into(),
            status: status.into(),
            ..Default::default()
        }],
        ..Default::default()
    };
    let r = store.apply(index, T0, &Command::CatalogRegister(Box::new(reg)));
    assert_eq!(r, CommandResult::Catalog(Ok(())));
}

fn create(store: &Store, index: u64, id: &str, behavior: &str, lock_delay_ms: u64) {
    let s = SessionEntry {
        id: id.into(),
        node: "n1".into(),
        behavior: behavior.into(),
        lock_delay: lock_delay_ms * 1_000_000,
        node_checks: Some(vec!["serfHealth".into()]),
        ..Default::default()
    };
    let r = store.apply(index, T0, &Command::SessionCreate(Box::new(s)));
    assert_eq!(r, CommandResult::Session(Ok(())));
}

fn kv(verb: KvVerb, key: &str, value: &str, session: Option<&str>) -> Command {
    Command::KvTxn(vec![KvOp {
        verb,
        key: key.into(),
        value: value.into(),
        flags: 0,
        index: 0,
        session: session.map(str::to_string),
    }])
}

fn ok(r: CommandResult) -> bool {
    matches!(r, CommandResult::KvTxn(Ok(_)))
}

#[test]
fn lock_unlock_and_lock_index() {
    let s = Store::new();
    register_node(&s, 2, health::PASSING);
    create(&s, 3, "a", "release", 0);
    create(&s, 4, "b", "release", 0);
    assert!(ok(s.apply(5, T0, &kv(KvVerb::Lock, "l", "1", Some("a")))));
    let e = s.read().kv.get("l").cloned().unwrap();
    assert_eq!((e.lock_index, e.session.as_deref()), (1, Some("a")));
    // The holder may write again without a new lock index; others are refused.
    assert!(ok(s.apply(6, T0, &kv(KvVerb::Lock, "l", "2", Some("a")))));
    assert!(!ok(s.apply(7, T0, &kv(KvVerb::Lock, "l", "3", Some("b")))));
    assert!(!ok(s.apply(
        7,
        T0,
        &kv(KvVerb::Unlock, "l", "3", Some("b"))
    )));
    // A plain set keeps the holder.
    assert!(ok(s.apply(8, T0, &kv(KvVerb::Set, "l", "4", None))));
    assert_eq!(s.read().kv.get("l").unwrap().session.as_deref(), Some("a"));
    assert!(ok(s.apply(9, T0, &kv(KvVerb::Unlock, "l", "5", Some("a")))));
    assert!(ok(s.apply(10, T0, &kv(KvVerb::Lock, "l", "6", Some("b")))));
    let e = s.read().kv.get("l").cloned().unwrap();
    assert_eq!(
        (e.lock_index, e.session.as_deref(), e.value.as_slice()),
        (2, Some("b"), b"6".as_slice())
    );
    // An unknown session is an error, not an unmet condition.
    match s.apply(11, T0, &kv(KvVerb::Lock, "m", "", Some("zzz"))) {
        CommandResult::KvTxn(Err(e)) => {
            assert_eq!(e[0].what, "invalid session \"zzz\"");
            assert!(!e[0].unmet_condition);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn destroy_releases_locks_and_starts_the_lock_delay() {
    let s = Store::new();
    register_node(&s, 2, health::PASSING);
    create(&s, 3, "a", "release", 1_000);
    create(&s, 4, "b", "release", 0);
    assert!(ok(s.apply(5, T0, &kv(KvVerb::Lock, "l", "v", Some("a")))));
    let watch = s.watch(WatchKey::Key("l".into()));
    let sessions = s.watch(WatchKey::Sessions);
    s.apply(6, T0 + 10, &Command::SessionDestroy { id: "a".into() });
    assert!(watch.has_changed().unwrap());
    assert!(sessions.has_changed().unwrap());
    let e = s.read().kv.get("l").cloned().unwrap();
    assert_eq!((e.session, e.modify_index, e.lock_index), (None, 6, 1));
    assert!(s.read().sessions.get("a").is_none());
    // Within the delay (counted on the entries' clock) nobody may lock it.
    assert!(!ok(s.apply(
        7,
        T0 + 500,
        &kv(KvVerb::Lock, "l", "x", Some("b"))
    )));
    assert!(!ok(s.apply(
        8,
        T0 + 1_009,
        &kv(KvVerb::Lock, "l", "x", Some("b"))
    )));
    assert!(ok(s.apply(
        9,
        T0 + 1_011,
        &kv(KvVerb::Lock, "l", "x", Some("b"))
    )));
    // Destroying an unknown session changes nothing.
    assert_eq!(
        s.apply(10, T0, &Command::SessionDestroy { id: "a".into() }),
        CommandResult::Session(Ok(()))
    );
}

#[test]
fn delete_behavior_deletes_the_keys() {
    let s = Store::new();
    register_node(&s, 2, health::PASSING);
    create(&s, 3, "a", "delete", 0);
    assert!(ok(s.apply(4, T0, &kv(KvVerb::Lock, "e/1", "v", Some("a")))));
    assert!(ok(s.apply(5, T0, &kv(KvVerb::Lock, "e/2", "v", Some("a")))));
    s.apply(6, T0, &Command::SessionDestroy { id: "a".into() });
    assert!(s.read().kv.get("e/1").is_none());
    assert!(s.read().kv.get("e/2").is_none());
    assert_eq!(s.read().kv.prefix_index("e/"), 6);
}

#[test]
fn a_critical_check_or_a_departed_node_invalidates_sessions() {
    let s = Store::new();
    register_node(&s, 2, health::PASSING);
    create(&s, 3, "a", "release", 0);
    assert!(ok(s.apply(4, T0, &kv(KvVerb::Lock, "l", "v", Some("a")))));
    register_node(&s, 5, health::WARNING);
    assert!(s.read().sessions.contains("a"), "warning is not critical");
    register_node(&s, 6, health::CRITICAL);
    assert!(!s.read().sessions.contains("a"));
    assert_eq!(s.read().kv.get("l").unwrap().session, None);

    register_node(&s, 7, health::PASSING);
    create(&s, 8, "b", "release", 0);
    s.apply(
        9,
        T0,
        &Command::CatalogDeregister {
            node: "n1".into(),
            service_id: String::new(),
            check_id: String::new(),
        },
    );
    assert!(s.read().sessions.is_empty());
}

#[test]
fn snapshots_keep_sessions_holders_and_delays() {
    let a = Store::new();
    register_node(&a, 2, health::PASSING);
    create(&a, 3, "a", "release", 5_000);
    create(&a, 4, "b", "release", 0);
    assert!(ok(a.apply(5, T0, &kv(KvVerb::Lock, "l", "v", Some("a")))));
    assert!(ok(a.apply(6, T0, &kv(KvVerb::Lock, "m", "v", Some("b")))));
    a.apply(7, T0, &Command::SessionDestroy { id: "a".into() });
    let b = Store::new();
    b.restore(&a.snapshot()).unwrap();
    assert_eq!(b.read().sessions.len(), 1);
    assert_eq!(b.read().sessions.of_node("n1").count(), 1);
    assert_eq!(b.read().kv.held_by("b").cloned().collect::<Vec<_>>(), ["m"]);
    assert!(!ok(b.apply(
        8,
        T0 + 1,
        &kv(KvVerb::Lock, "l", "v", Some("b"))
    )));
    // Invalidating "b" on the restored store releases what the lookup says it holds.
    b.apply(9, T0, &Command::SessionDestroy { id: "b".into() });
    assert_eq!(b.read().kv.get("m").unwrap().session, None);
}
