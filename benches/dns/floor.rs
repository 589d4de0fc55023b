//! Part of the dnsmasq comparison: a stand-in for the agent's UDP DNS server that does only
//! the wire work, to show what these cores allow. It is this bench binary run again as a child
//! process (`--floor-server PORT FILE...`), with the agent's threading (one thread per core
//! blocking in `recv_from` on the shared socket, answering inline), and it answers every query
//! with the agent's own reply to the same question (captured by the bench, one file per
//! type), its ID set to the query's. No parsing, no catalog, no encoding: the gap between the
//! agent and this is what answering costs; this against dnsmasq is the most the agent's design
//! (one receive and one send per datagram) can get.
//!
//! With `--floor-server-batched` it takes what is queued with one `recvmmsg` (up to [`BATCH`]
//! datagrams, waiting only for the first) and answers them with one `sendmmsg`: what batching
//! the socket calls would add to that design.

use std::collections::HashMap;
use std::net::UdpSocket;
use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Context, Result};

/// The flag that turns this binary into the stand-in.
pub const FLAG: &str = "--floor-server";
/// The same, receiving and sending in batches.
pub const FLAG_BATCHED: &str = "--floor-server-batched";
/// Most datagrams taken by one `recvmmsg`.
pub const BATCH: usize = 64;
const HEADER_LEN: usize = 12;

/// A query for `name` and `rtype` (1 = A, 33 = SRV) as dnsperf sends it: recursion desired,
/// one question, no EDNS.
pub fn query(id: u16, name: &str, rtype: u16) -> Vec<u8> {
    let mut q = Vec::with_capacity(64);
    q.extend_from_slice(&id.to_be_bytes());
    q.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
    for label in name.trim_end_matches('.').split('.') {
        q.push(label.len() as u8);
        q.extend_from_slice(label.as_bytes());
    }
    q.push(0);
    q.extend_from_slice(&rtype.to_be_bytes());
    q.extend_from_slice(&1u16.to_be_bytes());
    q
}

/// The server's reply to `query` (sent from a socket of our own).
pub fn capture(dns: u16, query: &[u8]) -> Result<Vec<u8>> {
    let socket = UdpSocket::bind("127.0.0.1:0")?;
    socket.set_read_timeout(Some(Duration::from_secs(5)))?;
    socket.send_to(query, ("127.0.0.1", dns))?;
    let mut buf = vec![0u8; 65_535];
    let len = socket
        .recv(&mut buf)
        .context("no reply to the captured query")?;
    if len < HEADER_LEN || buf[..2] != query[..2] {
        bail!("the captured reply is not an answer to the query");
    }
    Ok(buf[..len].to_vec())
}

/// The query type of a whole query: the two bytes after its first name.
fn qtype(query: &[u8]) -> Option<u16> {
    let mut i = HEADER_LEN;
    loop {
        let len = usize::from(*query.get(i)?);
        if len == 0 {
            let t = query.get(i + 1..i + 3)?;
            return Some(u16::from_be_bytes([t[0], t[1]]));
        }
        i += 1 + len;
    }
}

/// Runs the stand-in until killed: `args` are the port and the reply files.
pub fn serve(args: &[String], batched: bool) -> Result<()> {
    let [port, files @ ..] = args else {
        bail!("{FLAG} PORT FILE...");
    };
    let port: u16 = port.parse().with_context(|| format!("{FLAG} PORT"))?;
    let mut replies: HashMap<u16, Vec<u8>> = HashMap::new();
    for f in files {
        let reply = std::fs::read(Path::new(f)).with_context(|| f.clone())?;
        let t = qtype(&reply).with_context(|| format!("{f}: no question"))?;
        replies.insert(t, reply);
    }
    let socket = UdpSocket::bind(("127.0.0.1", port))?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    std::thread::scope(|s| {
        for _ in 0..threads {
            let (socket, replies) = (&socket, &replies);
            if batched {
                s.spawn(move || answer_batches(socket, replies));
            } else {
                s.spawn(move || answer(socket, replies));
            }
        }
    });
    Ok(())
}

fn answer(socket: &UdpSocket, replies: &HashMap<u16, Vec<u8>>) {
    let mut buf = vec![0u8; 65_535];
    let mut out = Vec::with_capacity(4096);
    loop {
        let Ok((len, src)) = socket.recv_from(&mut buf) else {
            continue;
        };
        let Some(reply) = qtype(&buf[..len]).and_then(|t| replies.get(&t)) else {
            continue;
        };
        out.clear();
        out.extend_from_slice(reply);
        out[..2].copy_from_slice(&buf[..2]);
        let _ = socket.send_to(&out, src);
    }
}

fn answer_batches(socket: &UdpSocket, replies: &HashMap<u16, Vec<u8>>) {
    use std::io::{IoSlice, IoSliceMut};
    use std::os::fd::AsRawFd;

    use nix::sys::socket::{recvmmsg, sendmmsg, MsgFlags, MultiHeaders, SockaddrIn};

    let fd = socket.as_raw_fd();
    let mut bufs = vec![[0u8; 512]; BATCH];
    let mut outs: Vec<Vec<u8>> = (0..BATCH).map(|_| Vec::with_capacity(4096)).collect();
    let mut received = MultiHeaders::<SockaddrIn>::preallocate(BATCH, None);
    let mut sending = MultiHeaders::<SockaddrIn>::preallocate(BATCH, None);
    loop {
        // (which buffer, its length, who sent it)
        let mut got: Vec<(usize, usize, SockaddrIn)> = Vec::with_capacity(BATCH);
        {
            let mut iovs: Vec<[IoSliceMut; 1]> =
                bufs.iter_mut().map(|b| [IoSliceMut::new(b)]).collect();
            let Ok(msgs) = recvmmsg(
                fd,
                &mut received,
                iovs.iter_mut(),
                MsgFlags::MSG_WAITFORONE,
                None,
            ) else {
                continue;
            };
            for (i, m) in msgs.enumerate() {
                if let Some(from) = m.address {
                    got.push((i, m.bytes, from));
                }
            }
        }
        let mut to = Vec::with_capacity(got.len());
        let mut n = 0;
        for &(i, len, from) in &got {
            let query = &bufs[i][..len];
            let Some(reply) = qtype(query).and_then(|t| replies.get(&t)) else {
                continue;
            };
            let out = &mut outs[n];
            out.clear();
            out.extend_from_slice(reply);
            out[..2].copy_from_slice(&query[..2]);
            to.push(Some(from));
            n += 1;
        }
        let slices: Vec<[IoSlice; 1]> = outs[..n].iter().map(|o| [IoSlice::new(o)]).collect();
        let _ = sendmmsg(fd, &mut sending, &slices, &to, [], MsgFlags::empty());
    }
}
