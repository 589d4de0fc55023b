//! The UDP side of the DNS server: receive threads on the bound socket that parse each
//! datagram with hickory's `MessageRequest`, have the same `Handler` as TCP answer it, and send
//! the reply straight back on the socket. The commonest question (a service's A or SRV records)
//! is first offered to `fast`, which answers from records encoded once per view.
//!
//! Why not hickory-server's `register_socket`: it receives on one task, spawns a task per
//! datagram and hands every reply through a channel back to the receiving task, so each query
//! costs a task, a channel hop and reactor wake-ups on top of answering it (half the agent's CPU
//! under dnsperf). Here one thread per core blocks in `recv_from` on the shared socket (the
//! kernel wakes one of them per datagram) and answers inline: an answer that is ready at once
//! (every answer from a server's catalog or a client agent's warm cache) is made and sent by
//! that thread; one that has to wait (a recursor, a client agent's first fetch of a name)
//! continues as a task on the agent's runtime. What hickory does per datagram is kept: a source
//! on port 0 or an unspecified address is not answered, replies (QR set) are ignored, even
//! malformed ones, a query whose header parses but whose rest does not gets FORMERR, one
//! without a whole header gets nothing, and the reply is encoded within the client's EDNS size
//! (else 4096 bytes), SERVFAIL when encoding fails.
//!
//! The socket is blocking: sends on it return at once unless the kernel's send buffer is full,
//! also from the runtime's tasks.

use std::future::Future;
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Waker};
use std::thread::JoinHandle;
use std::time::Duration;

use futures::FutureExt;
use hickory_proto::op::{Header, MessageType, ResponseCode};
use hickory_proto::rr::Record;
use hickory_proto::serialize::binary::{BinDecodable, BinDecoder, BinEncodable, BinEncoder};
use hickory_proto::xfer::Protocol;
use hickory_proto::ProtoErrorKind;
use hickory_server::authority::{MessageRequest, MessageResponse};
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use tokio::runtime::Handle;

use super::fast::Question;
use super::handler::Handler;

/// The largest datagram read, and the reply size without EDNS (hickory's receive buffer).
const MAX_DATAGRAM: usize = hickory_proto::udp::MAX_RECEIVE_BUFFER_SIZE;
/// How often an idle receive thread checks whether it should stop.
const STOP_CHECK: Duration = Duration::from_millis(200);

/// The receive threads of one socket.
pub struct UdpServer {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl UdpServer {
    /// Starts `threads` receive threads on `socket`; answers that wait run on `runtime`.
    pub fn spawn(
        socket: UdpSocket,
        handler: Arc<Handler>,
        threads: usize,
        runtime: Handle,
    ) -> io::Result<UdpServer> {
        socket.set_read_timeout(Some(STOP_CHECK))?;
        let socket = Arc::new(socket);
        let stop = Arc::new(AtomicBool::new(false));
        let mut server = UdpServer {
            stop: stop.clone(),
            threads: Vec::new(),
        };
        for _ in 0..threads.max(1) {
            let (socket, handler, runtime, stop) = (
                socket.clone(),
                handler.clone(),
                runtime.clone(),
                stop.clone(),
            );
            server.threads.push(
                std::thread::Builder::new()
                    .name("sd-dns-udp".into())
                    .spawn(move || receive(&socket, &handler, &runtime, &stop))?,
            );
        }
        Ok(server)
    }

    /// Stops the threads and waits until they have let go of the socket.
    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for UdpServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn receive(socket: &Arc<UdpSocket>, handler: &Arc<Handler>, runtime: &Handle, stop: &AtomicBool) {
    // Handlers may spawn tasks and use timers: they find the runtime through this.
    let _runtime = runtime.enter();
    let mut buf = vec![0u8; MAX_DATAGRAM];
    // The first poll of an answer: one that is not ready is polled again by its task, which
    // registers that task's waker.
    let mut cx = Context::from_waker(Waker::noop());
    while !stop.load(Ordering::Relaxed) {
        let (len, src) = match socket.recv_from(&mut buf) {
            Ok(r) => r,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                continue;
            }
            // As hickory: only a socket that is gone ends the loop.
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::NotConnected | io::ErrorKind::ConnectionAborted
                ) =>
            {
                tracing::warn!("dns: udp socket closed: {e}");
                return;
            }
            Err(e) => {
                tracing::debug!("dns: udp receive: {e}");
                continue;
            }
        };
        if src.port() == 0 || src.ip().is_unspecified() {
            continue;
        }
        let Some(mut work) = request(&buf[..len], src, socket, handler) else {
            continue;
        };
        if work.as_mut().poll(&mut cx).is_pending() {
            runtime.spawn(work);
        }
    }
}

type Work = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The work of answering one datagram, or `None` when nothing is left to do (no reply, or
/// one sent already).
fn request(
    bytes: &[u8],
    src: SocketAddr,
    socket: &Arc<UdpSocket>,
    handler: &Arc<Handler>,
) -> Option<Work> {
    // Only a fast answer that is ready at once: one that would wait (a client agent's first
    // fetch of a name) takes the general path, which waits for it once.
    let fast = Question::parse(bytes, &handler.responder.settings)
        .and_then(|q| handler.responder.fast(&q).now_or_never().flatten());
    if let Some(answer) = fast {
        if let Err(e) = socket.send_to(&answer, src) {
            tracing::debug!("dns: cannot send a reply to {src}: {e}");
        }
        return None;
    }
    let reply = Reply {
        socket: socket.clone(),
        to: src,
    };
    match MessageRequest::read(&mut BinDecoder::new(bytes)) {
        Ok(message) if message.message_type() == MessageType::Response => None,
        Ok(message) => {
            // The reply echoes the question's bytes: none may point into this datagram.
            let message = if super::question::has_pointer(bytes, message.header().query_count()) {
                super::question::afresh(&message).unwrap_or(message)
            } else {
                message
            };
            let handler = handler.clone();
            Some(Box::pin(async move {
                let request = Request::new(message, src, Protocol::Udp);
                handler.handle_request(&request, reply).await;
            }))
        }
        Err(e) => match *e.kind {
            // A malformed reply (QR set) gets nothing either: answering it could start two
            // servers trading FORMERRs (found by fuzzing, as a FORMERR arriving late).
            ProtoErrorKind::FormError { header, .. }
                if header.message_type() == MessageType::Query =>
            {
                Some(Box::pin(form_error(header, reply)))
            }
            _ => None,
        },
    }
}

/// FORMERR for a datagram whose header parsed but whose rest did not: the bare header, as
/// hickory-server answers it (no question, no EDNS).
async fn form_error(request: Header, reply: Reply) {
    let mut header = Header::response_from_request(&request);
    header.set_response_code(ResponseCode::FormErr);
    let mut bytes = Vec::with_capacity(12);
    if header.emit(&mut BinEncoder::new(&mut bytes)).is_ok() {
        if let Err(e) = reply.send(&bytes).await {
            tracing::debug!("dns: cannot send FORMERR to {}: {e}", reply.to);
        }
    }
}

/// Sends one reply to the client it is for.
#[derive(Clone)]
struct Reply {
    socket: Arc<UdpSocket>,
    to: SocketAddr,
}

#[async_trait::async_trait]
impl ResponseHandler for Reply {
    async fn send_response<'a>(
        &mut self,
        response: MessageResponse<
            '_,
            'a,
            impl Iterator<Item = &'a Record> + Send + 'a,
            impl Iterator<Item = &'a Record> + Send + 'a,
            impl Iterator<Item = &'a Record> + Send + 'a,
            impl Iterator<Item = &'a Record> + Send + 'a,
        >,
    ) -> io::Result<ResponseInfo> {
        let id = response.header().id();
        let max = response
            .get_edns()
            .as_ref()
            .map_or(MAX_DATAGRAM as u16, |e| e.max_payload());
        let mut bytes = Vec::with_capacity(512);
        let mut encoder = BinEncoder::new(&mut bytes);
        encoder.set_max_size(max);
        let info = match response.destructive_emit(&mut encoder) {
            Ok(info) => info,
            Err(e) => {
                tracing::warn!("dns: cannot encode a reply: {e}");
                servfail(id, &mut bytes)?
            }
        };
        self.send(&bytes).await?;
        Ok(info)
    }
}

impl Reply {
    async fn send(&self, bytes: &[u8]) -> io::Result<()> {
        self.socket.send_to(bytes, self.to).map(drop)
    }
}

/// A bare SERVFAIL header with this id, in place of what `bytes` held.
fn servfail(id: u16, bytes: &mut Vec<u8>) -> io::Result<ResponseInfo> {
    let mut header = Header::new();
    header.set_id(id);
    header.set_message_type(MessageType::Response);
    header.set_response_code(ResponseCode::ServFail);
    bytes.clear();
    header
        .emit(&mut BinEncoder::new(bytes))
        .map_err(io::Error::other)?;
    Ok(header.into())
}
