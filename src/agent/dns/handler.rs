//! The hickory-server request handler: checks the request (one question, the QUERY opcode,
//! class IN or ANY), has the responder answer it, trims the reply to the transport's limits
//! and sends it with the `aa` flag (and `ra` when recursors are configured). Used for TCP by
//! hickory-server and for UDP by `udp`. Requests that cannot be parsed never get here: they get
//! FORMERR when the header is readable, else nothing.

use std::sync::Arc;

use hickory_proto::op::{Edns, Header, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::{DNSClass, Record};
use hickory_proto::xfer::Protocol;
use hickory_server::authority::MessageResponseBuilder;
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};

use super::answer::Responder;
use super::question;
use super::reply::Reply;
use super::trim::{self, Limits};

#[derive(Clone)]
pub struct Handler {
    pub responder: Arc<Responder>,
}

#[async_trait::async_trait]
impl RequestHandler for Handler {
    async fn handle_request<R: ResponseHandler>(
        &self,
        request: &Request,
        mut response: R,
    ) -> ResponseInfo {
        let mut header = reply_header(request.header(), self.responder.recursion_available());
        let edns = request.edns().map(Edns::max_payload);
        let limits = match request.protocol() {
            Protocol::Udp => Limits::udp(edns, self.responder.settings.udp_answer_limit),
            _ => Limits::tcp(),
        };
        let mut reply = self.reply(request, limits).await;
        let queries = request.queries();
        if let Some(q) = queries.first() {
            let qlen = trim::question_len(q.original().name());
            let trimmed = trim::trim(&mut reply, qlen, edns.is_some(), limits);
            let truncated =
                trimmed.for_size || (trimmed.for_count && self.responder.settings.enable_truncate);
            header.set_truncated(truncated);
        }
        header.set_response_code(reply.rcode);
        // UDP requests with a pointer in the question were encoded afresh on receipt (`udp`);
        // TCP ones arrive parsed, so each is.
        let fresh = match request.protocol() {
            Protocol::Udp => None,
            _ => question::afresh(request),
        };
        let mut builder =
            MessageResponseBuilder::from_message_request(fresh.as_ref().unwrap_or(request));
        if let Some(payload) = edns {
            let mut e = Edns::new();
            e.set_max_payload(payload.max(trim::UDP_MIN as u16));
            builder.edns(e);
        }
        let answers = reply.units.iter().map(|u| &u.answer);
        let additional = reply
            .units
            .iter()
            .flat_map(|u| u.extra.iter())
            .chain(reply.additional.iter());
        let message = builder.build(
            header,
            answers,
            reply.authority.iter(),
            std::iter::empty::<&Record>(),
            additional,
        );
        match response.send_response(message).await {
            Ok(info) => info,
            Err(e) => {
                tracing::debug!("dns: cannot send a reply to {}: {e}", request.src());
                let mut h = header;
                h.set_response_code(ResponseCode::ServFail);
                h.into()
            }
        }
    }
}

/// The header of a reply to `request` before its code and counts: the request's ID, opcode,
/// RD and CD, with the `aa` flag, and `ra` when names outside the domain are forwarded. The
/// UDP fast path (`fast`) starts from it too.
pub fn reply_header(request: &Header, recursion_available: bool) -> Header {
    let mut header = Header::response_from_request(request);
    header.set_message_type(MessageType::Response);
    header.set_authoritative(true);
    header.set_recursion_available(recursion_available);
    header
}

impl Handler {
    async fn reply(&self, request: &Request, limits: Limits) -> Reply {
        if request.op_code() != OpCode::Query {
            return Reply::code(ResponseCode::NotImp);
        }
        let [query] = request.queries() else {
            return Reply::code(ResponseCode::FormErr);
        };
        match query.query_class() {
            DNSClass::IN | DNSClass::ANY => {
                // Answers past the count limit are cut anyway; one more tells `trim` to flag it.
                let wanted = limits.answers.map(|n| n + 1);
                self.responder.answer(query.original(), wanted).await
            }
            _ => Reply::code(ResponseCode::NotImp),
        }
    }
}
