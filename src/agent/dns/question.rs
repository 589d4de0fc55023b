//! The question section of a reply. hickory-server copies the question's bytes from the
//! request as the client sent them, compression pointers included; a pointer is an offset into
//! the request, so in the reply it points at other bytes and the reply cannot be read (found
//! by fuzzing: a question whose name ended in a pointer to offset 2 came back pointing at the
//! reply's flags). A request whose question holds a pointer is encoded afresh, pointers
//! resolved, before the reply is built from it; every other request is used as it is.

use hickory_proto::op::Message;
use hickory_proto::serialize::binary::BinDecodable;
use hickory_server::authority::MessageRequest;

/// Where the question section starts: right after the header.
const HEADER_LEN: usize = 12;

/// `request` encoded afresh (its questions' names written out whole), or `None` when that
/// fails (the reply then carries the question as it came).
pub fn afresh(request: &MessageRequest) -> Option<MessageRequest> {
    let mut message = Message::new();
    message.set_header(*request.header());
    for q in request.queries() {
        message.add_query(q.original().clone());
    }
    if let Some(edns) = request.edns() {
        message.set_edns(edns.clone());
    }
    MessageRequest::from_bytes(&message.to_vec().ok()?).ok()
}

/// Whether the `count` questions of `datagram` (a whole request) hold a compression pointer,
/// or do not read as questions at all. UDP requests are checked with this, so only the rare
/// one with a pointer pays for [`afresh`].
pub fn has_pointer(datagram: &[u8], count: u16) -> bool {
    let mut i = HEADER_LEN;
    for _ in 0..count {
        loop {
            match datagram.get(i) {
                None => return true,
                Some(0) => {
                    i += 1 + 4;
                    break;
                }
                Some(len) if len & 0xC0 != 0 => return true,
                Some(len) => i += 1 + usize::from(*len),
            }
        }
    }
    i > datagram.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::op::Query;
    use hickory_proto::rr::{Name, RecordType};

    fn header(count: u8) -> Vec<u8> {
        vec![0, 0x0d, 1, 0, 0, count, 0, 0, 0, 0, 0, 0]
    }

    #[test]
    fn pointers_are_found() {
        let plain = [
            header(1),
            b"\x03web\x07service\x06consul\x00\x00\x01\x00\x01".to_vec(),
        ]
        .concat();
        assert!(!has_pointer(&plain, 1));
        let pointer = [header(1), b"\x03web\xc0\x0c\x00\x01\x00\x01".to_vec()].concat();
        assert!(has_pointer(&pointer, 1));
        assert!(has_pointer(&header(1), 1), "a missing question");
        assert!(!has_pointer(&header(0), 0));
    }

    #[test]
    fn a_question_with_a_pointer_is_encoded_without_it() {
        // The fuzzer's question: a label of three zero bytes, then a pointer to offset 2
        // (the flags), type and class 0x0202.
        let wire = [header(1), vec![3, 0, 0, 0, 0xc0, 0x02, 2, 2, 2, 2]].concat();
        assert!(has_pointer(&wire, 1));
        let request = MessageRequest::from_bytes(&wire).unwrap();
        let fresh = afresh(&request).expect("encoded again");
        let bytes = {
            let mut m = Message::new();
            m.set_header(*fresh.header());
            m.add_query(fresh.queries()[0].original().clone());
            m.to_vec().unwrap()
        };
        assert!(!has_pointer(&bytes, 1));
        assert_eq!(
            fresh.queries()[0].original(),
            request.queries()[0].original()
        );
        assert_eq!(fresh.id(), request.id());
        let mut m = Message::new();
        m.add_query(Query::query(
            Name::from_ascii("web.service.consul.").unwrap(),
            RecordType::A,
        ));
        assert!(!has_pointer(&m.to_vec().unwrap(), 1));
    }
}
