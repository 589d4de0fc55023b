//! Runs a [`Core`] on real sockets: the UDP loop with its timers, the TCP listener for
//! push/pull, joins, leave, force-leave, the event broadcast and the snapshot file. Must not
//! import http, raft, client or commands.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::{broadcast, oneshot, watch, Notify};

use crate::api::event::UserEvent;
use crate::api::AgentMember;

use super::core::Core;
use super::encryption::initial_keyring;
use super::identity::NodeId;
use super::key_query::{self, KeyOp, KeyOutcome};
use super::keyring::Keyring;
use super::net::{accept_loop, bind, push_pull, resolve, save_snapshot, udp_loop};
use super::snapshot;
use super::table::{MemberEvent, Status};
use super::thread::GossipThread;
use super::{GossipConfig, GossipError, Pool};

/// The member events a subscriber may fall behind by. They only wake their subscribers, which
/// read the member table again (a push/pull can bring hundreds at once); one that falls
/// behind gets `Lagged`, which wakes it just the same. The ring is allocated whole, so it is
/// kept small: 512 slots were 64 KB of every agent's memory.
const MEMBER_EVENTS: usize = 64;

/// The user events the agent's receiver may fall behind by before it drops some.
const USER_EVENTS: usize = 256;

/// Every packet carries two identities; this keeps room for piggybacked updates.
const MAX_IDENTITY: usize = 400;

pub(super) struct Shared {
    pub(super) core: Mutex<Core>,
    pub(super) cfg: GossipConfig,
    pub(super) events: broadcast::Sender<MemberEvent>,
    /// User events delivered to this member (shared: a slot of the channel's ring holds a
    /// pointer, not a 160-byte event).
    pub(super) user_events: broadcast::Sender<Arc<UserEvent>>,
    pub(super) wake: Notify,
    pub(super) stop: watch::Sender<bool>,
    /// Fires when the gossip thread has stopped.
    pub(super) done: Mutex<Option<oneshot::Receiver<()>>>,
    /// The gossip encryption keys, the primary first; `None`: gossip in clear.
    pub(super) keyring: RwLock<Option<Keyring>>,
    /// Keyring operations waiting for members' answers.
    pub(super) key_waiters: key_query::Waiters,
}

/// A running gossip member; clones share it.
#[derive(Clone)]
pub struct Gossip {
    inner: Arc<Shared>,
}

impl Shared {
    pub(super) fn core(&self) -> MutexGuard<'_, Core> {
        // A panic while holding the lock would be a bug; keep serving the state anyway.
        self.core.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Gossip {
    /// Binds UDP and TCP on `cfg.bind` and starts gossiping (alone until a join), on a
    /// thread of its own.
    pub async fn start(cfg: GossipConfig) -> Result<Gossip, GossipError> {
        let name = match cfg.pool {
            Pool::Lan => "gossip",
            Pool::Wan => "gossip-wan",
        };
        Self::start_on(cfg, &GossipThread::spawn(name)?).await
    }

    /// Like [`Gossip::start`], on a thread other pools may share (a server's LAN and WAN).
    pub async fn start_on(
        mut cfg: GossipConfig,
        thread: &GossipThread,
    ) -> Result<Gossip, GossipError> {
        let (udp, tcp, bound) = bind(cfg.bind, cfg.pool)?;
        if cfg.advertise.port() == 0 {
            cfg.advertise.set_port(bound.port());
        }
        if cfg.advertise.ip().is_unspecified() {
            cfg.advertise.set_ip(bound.ip());
        }
        cfg.tags
            .entry("dc".into())
            .or_insert_with(|| cfg.datacenter.clone());
        cfg.tags
            .entry("id".into())
            .or_insert_with(|| cfg.node_id.clone());
        let millis = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(1);
        let previous = cfg
            .snapshot_path
            .as_deref()
            .and_then(snapshot::load)
            .map_or(0, |s| s.generation);
        let local = NodeId {
            name: cfg.node_name.clone(),
            addr: cfg.advertise,
            generation: millis.max(previous.saturating_add(1)),
            tags: cfg.tags.clone(),
        };
        let size = postcard::to_allocvec(&local)
            .map(|v| v.len())
            .unwrap_or(usize::MAX);
        if size > MAX_IDENTITY {
            return Err(GossipError::TagsTooLarge(size, MAX_IDENTITY));
        }
        let keyring = initial_keyring(&cfg.encryption)?;
        let seed = rand::random::<u64>();
        let mut core = Core::new(local, cfg.timing.clone(), Instant::now(), seed);
        core.pool = cfg.pool;
        let (stop, _) = watch::channel(false);
        let inner = Arc::new(Shared {
            core: Mutex::new(core),
            cfg,
            events: broadcast::channel(MEMBER_EVENTS).0,
            user_events: broadcast::channel(USER_EVENTS).0,
            wake: Notify::new(),
            stop,
            done: Mutex::new(None),
            keyring: RwLock::new(keyring),
            key_waiters: Default::default(),
        });
        tracing::info!(
            "serf: EventMemberJoin: {} {}",
            inner.cfg.node_name,
            inner.cfg.advertise.ip()
        );
        // Gossip runs on a thread and single-threaded runtime of its own (`thread`), so a busy
        // agent (HTTP, Raft) cannot delay probes and acks: load elsewhere in the process is
        // not mistaken for a dead node.
        let (udp, tcp) = thread
            .enter(|| {
                Ok::<_, std::io::Error>((UdpSocket::from_std(udp)?, TcpListener::from_std(tcp)?))
            })
            .map_err(GossipError::Runtime)?;
        let (done_tx, done_rx) = oneshot::channel();
        if let Ok(mut d) = inner.done.lock() {
            *d = Some(done_rx);
        }
        let shared = inner.clone();
        thread.run(async move {
            tokio::join!(udp_loop(shared.clone(), udp), accept_loop(shared, tcp));
            let _ = done_tx.send(());
        });
        Ok(Gossip { inner })
    }

    /// This member's name in its pool.
    pub fn name(&self) -> &str {
        &self.inner.cfg.node_name
    }

    /// The pool this member gossips in.
    pub fn pool(&self) -> Pool {
        self.inner.cfg.pool
    }

    /// The address others reach this node at.
    pub fn advertise(&self) -> SocketAddr {
        self.inner.cfg.advertise
    }

    /// Contacts each address (`host:port`, or `host` with this node's port) with a push/pull.
    /// Returns how many answered; an error when none did, naming each address.
    pub async fn join(&self, addrs: &[String]) -> Result<usize, GossipError> {
        let mut ok = 0;
        let mut errors = Vec::new();
        for a in addrs {
            match self.join_one(a).await {
                Ok(()) => ok += 1,
                Err(e) => errors.push(format!("Error joining address '{a}': {e}")),
            }
        }
        for e in &errors {
            tracing::warn!("agent: {e}");
        }
        if ok == 0 {
            if errors.is_empty() {
                errors.push("no addresses given".into());
            }
            return Err(GossipError::Join(errors.join("\n")));
        }
        tracing::info!(
            "agent: ({}) joined: number_of_nodes={ok}",
            self.inner.cfg.pool
        );
        Ok(ok)
    }

    async fn join_one(&self, addr: &str) -> Result<(), String> {
        let target = resolve(addr, self.inner.cfg.bind.port()).await?;
        push_pull(&self.inner, target, true).await
    }

    /// Contacts the members saved in the snapshot (a restart without `-join`).
    pub async fn rejoin_known(&self) -> usize {
        let Some(path) = &self.inner.cfg.snapshot_path else {
            return 0;
        };
        let Some(snap) = snapshot::load(path) else {
            return 0;
        };
        if snap.left && !self.inner.cfg.rejoin_after_leave {
            tracing::info!("serf: ignoring previous join history: this node left the cluster (set -rejoin to rejoin)");
            return 0;
        }
        let me = self.inner.cfg.node_name.clone();
        let tries = snap
            .members
            .iter()
            .filter(|(name, _)| *name != me)
            .map(|(_, addr)| self.join_one(addr));
        let n = futures::future::join_all(tries)
            .await
            .into_iter()
            .filter(Result::is_ok)
            .count();
        if n > 0 {
            tracing::info!("serf: re-joined to previously known nodes: {n}");
        }
        n
    }

    /// Graceful leave: others see `leaving`, then `left`.
    pub async fn leave(&self) -> Result<(), GossipError> {
        let interval = self.inner.cfg.timing.gossip_interval;
        {
            let mut core = self.inner.core();
            if core.is_gone() {
                return Ok(());
            }
            core.leave_begin(Instant::now());
        }
        self.inner.wake.notify_one();
        tokio::time::sleep(interval * 2).await;
        self.inner.core().leave_finish(Instant::now());
        self.inner.wake.notify_one();
        save_snapshot(&self.inner);
        // Let the last datagrams leave the socket.
        tokio::time::sleep(interval).await;
        tracing::info!("serf: Graceful leave complete");
        Ok(())
    }

    /// `force-leave NODE`: a failed member becomes `left`; `prune` removes it.
    pub async fn force_leave(&self, node: &str, prune: bool) -> Result<(), GossipError> {
        self.inner.core().force_leave(Instant::now(), node, prune)?;
        self.inner.wake.notify_one();
        Ok(())
    }

    /// The whole LAN pool including this node, as `/v1/agent/members` shows it.
    pub fn members(&self) -> Vec<AgentMember> {
        self.inner.core().table.members()
    }

    pub fn subscribe(&self) -> broadcast::Receiver<MemberEvent> {
        self.inner.events.subscribe()
    }

    /// Sends a user event to the whole pool (this member included); returns it stamped with
    /// its Lamport time.
    pub fn fire_user_event(&self, event: UserEvent) -> Result<UserEvent, GossipError> {
        let sent = self.inner.core().fire_user_event(event)?;
        self.inner.wake.notify_one();
        Ok(sent)
    }

    /// The user events this member receives (its own included).
    pub fn subscribe_user_events(&self) -> broadcast::Receiver<Arc<UserEvent>> {
        self.inner.user_events.subscribe()
    }

    /// Runs a keyring operation on every alive member, this one included, and sums the
    /// answers. Waits serf's query timeout at most (gossip interval × 16 × ⌈log10(n+1)⌉).
    pub async fn key_operation(&self, op: KeyOp) -> KeyOutcome {
        let n = self.inner.core().table.count(Status::Alive) + 1;
        let scale = ((n + 1) as f64).log10().ceil().max(1.0) as u32;
        let timeout = self.inner.cfg.timing.gossip_interval * 16 * scale;
        key_query::run(&self.inner, op, timeout).await
    }

    /// Whether gossip is encrypted (there is a keyring).
    pub fn encrypted(&self) -> bool {
        self.inner.encrypted()
    }

    /// This node's network coordinate (Serf's `GetCoordinate`).
    pub fn coordinate(&self) -> crate::api::coordinate::Coordinate {
        self.inner.core().rtt.vivaldi.coordinate().clone()
    }

    /// The coordinate `name` sent last, if it has sent one (Serf's `GetCachedCoordinate`).
    pub fn peer_coordinate(&self, name: &str) -> Option<crate::api::coordinate::Coordinate> {
        self.inner.core().rtt.peer(name).cloned()
    }

    /// `consul info`'s `serf_lan` (or `serf_wan`) section.
    pub fn stats(&self) -> BTreeMap<String, String> {
        let core = self.inner.core();
        let t = &core.table;
        [
            ("encrypted", self.inner.encrypted().to_string()),
            ("event_queue", "0".into()),
            ("event_time", core.user_events.clock().to_string()),
            ("coordinate_resets", core.rtt.vivaldi.resets.to_string()),
            ("failed", t.count(Status::Failed).to_string()),
            ("health_score", core.health_score().to_string()),
            ("intent_queue", "0".into()),
            ("left", t.count(Status::Left).to_string()),
            ("member_time", t.changes.to_string()),
            // serf counts every member it knows, failed and left ones included.
            ("members", t.entries().count().to_string()),
            ("query_queue", "0".into()),
            ("query_time", "1".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    /// Addresses seen gossiping under this node's name (empty when names are unique).
    pub fn name_conflicts(&self) -> Vec<SocketAddr> {
        self.inner.core().name_conflicts()
    }

    /// Serf's `health_score`: 0 is healthy, up to 7.
    pub fn local_health_score(&self) -> u32 {
        self.inner.core().health_score()
    }

    /// Stops the sockets without leaving (others will see this node fail).
    pub async fn shutdown(&self) {
        let _ = self.inner.stop.send(true);
        let done = self.inner.done.lock().ok().and_then(|mut d| d.take());
        if let Some(done) = done {
            let _ = tokio::time::timeout(Duration::from_secs(5), done).await;
        }
    }
}
