//! The sockets behind [`super::Gossip`]: binding UDP and TCP on one port, the UDP loop that
//! feeds the core and runs its timers, the TCP listener and client for push/pull, and the
//! snapshot writer. Every datagram and frame passes `Shared::seal`/`Shared::open`
//! (`encryption`). Must not import http, raft, client or commands.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::net::{TcpListener, TcpStream, UdpSocket};

use super::core::Output;
use super::driver::Shared;
use super::key_query;
use super::keyring::{self, Channel};
use super::snapshot::{self, Snapshot};
use super::table::Status;
use super::wire::{self, TcpMsg};
use super::GossipError;
use super::Pool;
use crate::agent::udp_tcp;

/// Binds UDP and TCP on the same address (`udp_tcp`), non-blocking for the driver.
pub(super) fn bind(
    addr: SocketAddr,
    pool: Pool,
) -> Result<(std::net::UdpSocket, std::net::TcpListener, SocketAddr), GossipError> {
    let failed = |f: udp_tcp::BindFailure| GossipError::Bind {
        pool,
        addr: f.addr,
        proto: f.proto,
        source: f.source,
    };
    let (udp, tcp, bound) = udp_tcp::bind(addr).map_err(failed)?;
    let nonblocking = |proto, source| GossipError::Bind {
        pool,
        addr: bound,
        proto,
        source,
    };
    udp.set_nonblocking(true)
        .map_err(|e| nonblocking("UDP", e))?;
    tcp.set_nonblocking(true)
        .map_err(|e| nonblocking("TCP", e))?;
    Ok((udp, tcp, bound))
}

pub(super) async fn resolve(addr: &str, default_port: u16) -> Result<SocketAddr, String> {
    if let Ok(sa) = addr.parse::<SocketAddr>() {
        return Ok(sa);
    }
    let with_port = if addr.parse::<std::net::IpAddr>().is_ok() || !addr.contains(':') {
        format!("{addr}:{default_port}")
    } else {
        addr.to_string()
    };
    let with_port = match with_port.parse::<std::net::Ipv6Addr>() {
        Ok(ip) => SocketAddr::from((ip, default_port)).to_string(),
        Err(_) => with_port,
    };
    let mut found = tokio::net::lookup_host(&with_port)
        .await
        .map_err(|e| format!("cannot resolve {with_port}: {e}"))?;
    let first = found.next();
    first.ok_or_else(|| format!("{with_port} resolves to no address"))
}

/// One push/pull exchange as the client.
pub(super) async fn push_pull(
    shared: &Arc<Shared>,
    target: SocketAddr,
    join: bool,
) -> Result<(), String> {
    let timeout = shared.cfg.timing.tcp_timeout;
    let msg = shared.core().push_pull_msg(join);
    let body = shared.seal(Channel::Frame, wire::encode_msg(&msg));
    let exchange = async {
        let mut s = TcpStream::connect(target).await.map_err(|e| {
            let pool = shared.cfg.pool;
            format!(
                "cannot connect to {target}: {e} (is an agent listening on its serf {pool} port?)"
            )
        })?;
        wire::write_frame(&mut s, &body)
            .await
            .map_err(|e| format!("{target}: {e}"))?;
        wire::read_frame(&mut s)
            .await
            .map_err(|e| format!("{target}: {e}"))
    };
    let reply = tokio::time::timeout(timeout, exchange)
        .await
        .map_err(|_| format!("{target}: no answer within {timeout:?}"))??;
    let reply = match shared.open(Channel::Frame, &reply) {
        Ok((plain, _)) => wire::decode_msg(&plain),
        // A member that cannot read us answers why in clear; nothing else is taken from it.
        Err(refusal) => match wire::decode_msg(&reply) {
            Ok(TcpMsg::Refused(why)) => return Err(why),
            _ => return Err(format!("{target}: {refusal}")),
        },
    }
    .map_err(|e| format!("{target}: {e}"))?;
    let r = shared.core().handle_push_pull_reply(Instant::now(), reply);
    shared.wake.notify_one();
    r
}

pub(super) async fn accept_loop(shared: Arc<Shared>, tcp: TcpListener) {
    let mut stop = shared.stop.subscribe();
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            r = tcp.accept() => match r {
                Ok((s, peer)) => {
                    tokio::spawn(serve_push_pull(shared.clone(), s, peer));
                }
                Err(e) => tracing::debug!("memberlist: accept: {e}"),
            },
        }
    }
}

async fn serve_push_pull(shared: Arc<Shared>, mut s: TcpStream, peer: SocketAddr) {
    let timeout = shared.cfg.timing.tcp_timeout;
    let work = async {
        let raw = wire::read_frame(&mut s).await?;
        let plain = match shared.open(Channel::Frame, &raw) {
            Ok((plain, _)) => plain,
            Err(refusal) => {
                tracing::warn!("memberlist: refused push/pull from {peer}: {refusal}");
                let why = refusal.to_joiner(&shared.cfg.node_name);
                return wire::write_frame(&mut s, &wire::encode_msg(&TcpMsg::Refused(why))).await;
            }
        };
        let msg = wire::decode_msg(&plain)?;
        let reply = shared.core().handle_push_pull(Instant::now(), msg);
        shared.wake.notify_one();
        let body = shared.seal(Channel::Frame, wire::encode_msg(&reply));
        wire::write_frame(&mut s, &body).await
    };
    match tokio::time::timeout(timeout, work).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::debug!("memberlist: push/pull from {peer} dropped: {e}"),
        Err(_) => tracing::debug!("memberlist: push/pull from {peer} timed out"),
    }
}

pub(super) async fn udp_loop(shared: Arc<Shared>, udp: UdpSocket) {
    let mut stop = shared.stop.subscribe();
    let mut buf = vec![0u8; 65536];
    let mut last_refusal: Option<Instant> = None;
    loop {
        let deadline = shared
            .core()
            .next_deadline()
            .unwrap_or_else(|| Instant::now() + Duration::from_secs(1));
        tokio::select! {
            _ = stop.changed() => break,
            r = udp.recv_from(&mut buf) => match r {
                Ok((n, from)) if n > wire::MAX_DATAGRAM + keyring::OVERHEAD => {
                    tracing::debug!("memberlist: dropped {n}-byte datagram from {from}");
                }
                Ok((n, from)) => match shared.open(Channel::Datagram, &buf[..n]) {
                    Ok((plain, sealed)) => dispatch(&shared, from, &plain, sealed),
                    Err(refusal) => {
                        // A member with another key sends many datagrams: warn now and then.
                        let now = Instant::now();
                        if last_refusal.is_none_or(|t| now - t > Duration::from_secs(10)) {
                            last_refusal = Some(now);
                            tracing::warn!("memberlist: dropped a datagram from {from}: {refusal}");
                        }
                    }
                },
                Err(e) => tracing::debug!("memberlist: udp receive: {e}"),
            },
            _ = tokio::time::sleep_until(deadline.into()) => shared.core().fire_due(Instant::now()),
            _ = shared.wake.notified() => {}
        }
        flush(&shared, &udp).await;
    }
}

/// Keyring queries and answers go to `key_query`; everything else to the core.
fn dispatch(shared: &Shared, from: SocketAddr, datagram: &[u8], sealed: bool) {
    match datagram.split_first() {
        Some((&wire::KIND_KEY_QUERY, body)) => key_query::answer(shared, from, body, sealed),
        Some((&wire::KIND_KEY_RESPONSE, body)) => key_query::deliver(shared, body, sealed),
        _ => shared.core().handle_datagram(Instant::now(), datagram),
    }
}

async fn flush(shared: &Arc<Shared>, udp: &UdpSocket) {
    let (outputs, events, user_events) = {
        let mut core = shared.core();
        (
            core.take_outputs(),
            core.table.take_events(),
            std::mem::take(&mut core.user_events.delivered),
        )
    };
    for e in user_events {
        let _ = shared.user_events.send(Arc::new(e));
    }
    for o in outputs {
        match o {
            Output::Datagram(to, d) => {
                let d = shared.seal(Channel::Datagram, d);
                if let Err(e) = udp.send_to(&d, to).await {
                    tracing::debug!("memberlist: send to {to}: {e}");
                }
            }
            Output::PushPull(to) => {
                let s = shared.clone();
                tokio::spawn(async move {
                    if let Err(e) = push_pull(&s, to, false).await {
                        tracing::debug!("memberlist: push/pull with {to} failed: {e}");
                    }
                });
            }
        }
    }
    if !events.is_empty() {
        save_snapshot(shared);
        for e in events {
            let _ = shared.events.send(e);
        }
    }
}

pub(super) fn save_snapshot(shared: &Shared) {
    let Some(path) = &shared.cfg.snapshot_path else {
        return;
    };
    let snap = {
        let core = shared.core();
        Snapshot {
            members: core
                .table
                .entries()
                .filter(|e| e.id.name != core.local().name)
                .filter(|e| matches!(e.status, Status::Alive | Status::Failed | Status::Leaving))
                .map(|e| (e.id.name.clone(), e.id.addr.to_string()))
                .collect(),
            left: core.is_gone(),
            generation: core.local().generation,
        }
    };
    if let Err(e) = snapshot::save(path, &snap) {
        tracing::warn!("serf: cannot write snapshot {}: {e}", path.display());
    }
}
