//! What goes on the serf LAN port: datagrams (a one-byte kind, then a foca packet, an intent
//! or a user event) and TCP frames (a 4-byte length, then a postcard message) for push/pull. Decoding
//! never panics: bad input is an error the caller logs and drops. Must not import http, raft,
//! client or commands.

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::identity::NodeId;
use crate::api::event::UserEvent;

/// Largest datagram sent or accepted (memberlist's UDPBufferSize).
pub const MAX_DATAGRAM: usize = 1400;
/// Largest TCP frame accepted (a full state of thousands of members fits).
pub const MAX_FRAME: usize = 8 << 20;

pub const KIND_FOCA: u8 = 1;
pub const KIND_INTENT: u8 = 2;
pub const KIND_USER_EVENT: u8 = 3;
/// This node's network coordinate, sent just ahead of each probe ack (`coordinates`).
pub const KIND_COORDINATE: u8 = 4;
/// A keyring operation and a member's answer to it (`key_query`); never reach the core.
pub const KIND_KEY_QUERY: u8 = 5;
pub const KIND_KEY_RESPONSE: u8 = 6;

/// What a leave or force-leave says about one generation of a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum IntentKind {
    /// It announced a graceful leave and is still running.
    Leaving,
    /// It is gone (graceful leave finished, or force-leave of a failed member).
    Left,
    /// Forget it entirely (`force-leave -prune`).
    Prune,
}

/// A leave intent, flooded to every member and carried in push/pull.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intent {
    pub name: String,
    pub generation: u64,
    pub kind: IntentKind,
}

/// A push/pull exchange (join, or the periodic full-state sync).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum TcpMsg {
    PushPull {
        from: NodeId,
        join: bool,
        state: Vec<foca::Member<NodeId>>,
        intents: Vec<Intent>,
    },
    Refused(String),
}

#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("empty datagram")]
    Empty,
    #[error("unknown datagram kind {0}")]
    Kind(u8),
    #[error("undecodable message: {0}")]
    Decode(#[from] postcard::Error),
    #[error("frame of {0} bytes is over the limit")]
    TooLarge(usize),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

pub fn intent_datagram(intent: &Intent) -> Vec<u8> {
    let mut out = vec![KIND_INTENT];
    // Serializing plain strings and integers into a Vec cannot fail.
    out.extend(postcard::to_allocvec(intent).unwrap_or_default());
    out
}

pub fn decode_intent(body: &[u8]) -> Result<Intent, WireError> {
    Ok(postcard::from_bytes(body)?)
}

/// A user event as gossip carries it: the API's event in plain fields (postcard is not
/// self-describing, so the API's base64 payload encoding cannot be used here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct WireEvent {
    id: String,
    name: String,
    #[serde(with = "serde_bytes")]
    payload: Vec<u8>,
    node_filter: String,
    service_filter: String,
    tag_filter: String,
    version: u32,
    ltime: u64,
}

pub fn user_event_datagram(e: &UserEvent) -> Vec<u8> {
    let wire = WireEvent {
        id: e.id.clone(),
        name: e.name.clone(),
        payload: e.payload.clone().unwrap_or_default(),
        node_filter: e.node_filter.clone(),
        service_filter: e.service_filter.clone(),
        tag_filter: e.tag_filter.clone(),
        version: e.version,
        ltime: e.ltime,
    };
    let mut out = vec![KIND_USER_EVENT];
    out.extend(postcard::to_allocvec(&wire).unwrap_or_default());
    out
}

pub fn decode_user_event(body: &[u8]) -> Result<UserEvent, WireError> {
    let w: WireEvent = postcard::from_bytes(body)?;
    Ok(UserEvent {
        id: w.id,
        name: w.name,
        payload: (!w.payload.is_empty()).then_some(w.payload),
        node_filter: w.node_filter,
        service_filter: w.service_filter,
        tag_filter: w.tag_filter,
        version: w.version,
        ltime: w.ltime,
    })
}

/// Splits a datagram into its kind and body.
pub fn split(datagram: &[u8]) -> Result<(u8, &[u8]), WireError> {
    match datagram.split_first() {
        None => Err(WireError::Empty),
        Some((&k, body))
            if matches!(
                k,
                KIND_FOCA | KIND_INTENT | KIND_USER_EVENT | KIND_COORDINATE
            ) =>
        {
            Ok((k, body))
        }
        Some((&k, _)) => Err(WireError::Kind(k)),
    }
}

/// A push/pull message as a frame's body.
pub fn encode_msg(msg: &TcpMsg) -> Vec<u8> {
    // Serializing strings, integers and vectors into a Vec cannot fail.
    postcard::to_allocvec(msg).unwrap_or_default()
}

pub fn decode_msg(body: &[u8]) -> Result<TcpMsg, WireError> {
    Ok(postcard::from_bytes(body)?)
}

/// Writes one frame: a 4-byte big-endian length, then `body`.
pub async fn write_frame<W: AsyncWriteExt + Unpin>(
    w: &mut W,
    body: &[u8],
) -> Result<(), WireError> {
    if body.len() > MAX_FRAME {
        return Err(WireError::TooLarge(body.len()));
    }
    w.write_all(&(body.len() as u32).to_be_bytes()).await?;
    w.write_all(body).await?;
    w.flush().await?;
    Ok(())
}

/// Reads one frame's body.
pub async fn read_frame<R: AsyncReadExt + Unpin>(r: &mut R) -> Result<Vec<u8>, WireError> {
    let mut len = [0u8; 4];
    r.read_exact(&mut len).await?;
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_FRAME {
        return Err(WireError::TooLarge(len));
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body).await?;
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(split(&[]).is_err());
        assert!(split(&[9, 1, 2]).is_err());
        assert!(decode_intent(&[0xff, 0xff, 0xff]).is_err());
        let i = Intent {
            name: "n1".into(),
            generation: 7,
            kind: IntentKind::Left,
        };
        let d = intent_datagram(&i);
        let (k, body) = split(&d).unwrap();
        assert_eq!(k, KIND_INTENT);
        assert_eq!(decode_intent(body).unwrap(), i);
        let e = UserEvent {
            id: "a".into(),
            name: "deploy".into(),
            payload: Some(b"x".to_vec()),
            ltime: 4,
            ..Default::default()
        };
        let d = user_event_datagram(&e);
        let (k, body) = split(&d).unwrap();
        assert_eq!(k, KIND_USER_EVENT);
        assert_eq!(decode_user_event(body).unwrap(), e);
    }

    #[tokio::test]
    async fn oversized_frames_are_refused() {
        let mut data: &[u8] = &[0xff, 0xff, 0xff, 0xff, 1, 2];
        assert!(matches!(
            read_frame(&mut data).await,
            Err(WireError::TooLarge(_))
        ));
        let mut data: &[u8] = &[0, 0, 0, 3, 0xff, 0xff, 0xff];
        let body = read_frame(&mut data).await.unwrap();
        assert!(decode_msg(&body).is_err());
        let mut short: &[u8] = &[0, 0, 0, 9, 1];
        assert!(read_frame(&mut short).await.is_err());
    }
}
