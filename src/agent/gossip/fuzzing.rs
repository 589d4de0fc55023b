//! The gossip inputs a fuzz target (`crate::fuzz`) can reach without sockets: one [`Core`] per
//! thread, fed what the sockets would feed it, with a clock that moves on so its timers fire.
//! The first byte of the input picks the way in: a UDP datagram (foca, leave intents, user
//! events, coordinates), a push/pull frame from a peer or the answer to ours (postcard), or a
//! sealed datagram opened with a keyring. Must not import http, raft, client or commands.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::core::Core;
use super::identity::NodeId;
use super::keyring::{Channel, Keyring};
use super::timing::GossipTiming;
use super::wire;

/// Inputs one core takes before a fresh one replaces it (its tables only grow).
const CORE_LIFETIME: u32 = 10_000;
/// A key for sealed datagrams (16 bytes, base64).
const KEY: &str = "cg8StVXbQJ0gPvMd9o7yrg==";

struct Fed {
    core: Core,
    now: Instant,
    inputs: u32,
    keyring: Keyring,
}

thread_local! {
    static FED: RefCell<Option<Fed>> = const { RefCell::new(None) };
}

/// Feeds `data` to this thread's core.
pub fn input(data: &[u8]) {
    let Some((&way, body)) = data.split_first() else {
        return;
    };
    FED.with(|fed| {
        let mut fed = fed.borrow_mut();
        if fed.as_ref().is_none_or(|f| f.inputs >= CORE_LIFETIME) {
            *fed = Some(fresh());
        }
        let Some(f) = fed.as_mut() else { return };
        f.inputs += 1;
        f.now += Duration::from_millis(50);
        match way % 4 {
            0 => f.core.handle_datagram(f.now, body),
            1 => {
                if let Ok(msg) = wire::decode_msg(body) {
                    let _answer = f.core.handle_push_pull(f.now, msg);
                }
            }
            2 => {
                if let Ok(msg) = wire::decode_msg(body) {
                    let _ = f.core.handle_push_pull_reply(f.now, msg);
                }
            }
            _ => {
                if let Ok(plain) = f.keyring.open(Channel::Datagram, body) {
                    f.core.handle_datagram(f.now, &plain);
                }
            }
        }
        f.core.fire_due(f.now);
        let _ = f.core.take_outputs();
    });
}

fn fresh() -> Fed {
    let now = Instant::now();
    let addr = SocketAddr::from(([127, 0, 0, 1], 8301));
    let local = NodeId {
        name: "fuzz".into(),
        addr,
        generation: 1,
        tags: BTreeMap::from([
            ("dc".to_string(), "dc1".to_string()),
            ("role".to_string(), "consul".to_string()),
        ]),
    };
    let keyring = Keyring::from_base64(&[KEY.to_string()])
        .unwrap_or_else(|e| panic!("the fuzz key is a valid key: {e}"));
    Fed {
        core: Core::new(local, GossipTiming::lan(), now, 1),
        now,
        inputs: 0,
        keyring,
    }
}

/// Inputs of every way in, made by real cores: push/pull messages, leave intents, user events,
/// and the SWIM datagrams two cores exchange after a join (probes, acks, announcements),
/// plain and sealed. The seeds of the fuzz corpus.
pub fn examples() -> Vec<Vec<u8>> {
    let now = Instant::now();
    let mut a = fresh();
    let mut b = fresh();
    b.core = Core::new(
        NodeId {
            name: "peer".into(),
            addr: SocketAddr::from(([127, 0, 0, 2], 8301)),
            generation: 7,
            tags: a.core.local().tags.clone(),
        },
        GossipTiming::lan(),
        now,
        2,
    );
    let mut out = Vec::new();
    let way = |w: u8, body: &[u8]| [&[w][..], body].concat();
    let join = wire::encode_msg(&b.core.push_pull_msg(true));
    out.push(way(1, &join));
    out.push(way(2, &wire::encode_msg(&b.core.push_pull_msg(false))));
    let answer = a.core.handle_push_pull(now, b.core.push_pull_msg(true));
    let _ = b.core.handle_push_pull_reply(now, answer);
    let intent = wire::Intent {
        name: "peer".into(),
        generation: 7,
        kind: wire::IntentKind::Leaving,
    };
    out.push(way(0, &wire::intent_datagram(&intent)));
    let event = crate::api::event::UserEvent {
        id: "5d2f3c1e-0000-4000-8000-000000000001".into(),
        name: "deploy".into(),
        payload: Some(b"v2".to_vec()),
        node_filter: "web.*".into(),
        service_filter: String::new(),
        tag_filter: String::new(),
        version: 1,
        ltime: 3,
    };
    out.push(way(0, &wire::user_event_datagram(&event)));
    // Let both run their timers for a while and keep what they send each other.
    let mut t = now;
    for _ in 0..40 {
        t += Duration::from_millis(250);
        exchange(&mut a, &mut b, t, &mut out);
        exchange(&mut b, &mut a, t, &mut out);
    }
    out
}

/// Runs `from`'s timers to `t` and delivers what it sends to `to`, keeping the first datagrams
/// (plain, and sealed with `to`'s key) in `out`.
fn exchange(from: &mut Fed, to: &mut Fed, t: Instant, out: &mut Vec<Vec<u8>>) {
    from.core.fire_due(t);
    for o in from.core.take_outputs() {
        if let super::core::Output::Datagram(_, bytes) = o {
            to.core.handle_datagram(t, &bytes);
            if out.len() < 40 {
                out.push([&[0u8][..], &bytes].concat());
                out.push([&[3u8][..], &to.keyring.seal(Channel::Datagram, &bytes)].concat());
            }
        }
    }
}
