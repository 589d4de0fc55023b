//! What goes on the serf LAN port: datagrams (a one-byte kind, then a foca packet or an
//! intent) and TCP frames (a 4-byte length, then a postcard message) for push/pull. Decoding
//! never panics: bad input is an error the caller logs and drops. Must not import http, raft,
//! client or commands.

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::identity::NodeId;

/// Largest datagram sent or accepted (memberlist's UDPBufferSize).
pub const MAX_DATAGRAM: usize = 1400;
/// Largest TCP frame accepted (a full state of thousands of members fits).
pub const MAX_FRAME: usize = 8 << 20;

pub const KIND_FOCA: u8 = 1;
pub const KIND_INTENT: u8 = 2;

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

/// Splits a datagram into its kind and body.
pub fn split(datagram: &[u8]) -> Result<(u8, &[u8]), WireError> {
    match datagram.split_first() {
        None => Err(WireError::Empty),
        Some((&k, body)) if k == KIND_FOCA || k == KIND_INTENT => Ok((k, body)),
        Some((&k, _)) => Err(WireError::Kind(k)),
    }
}

pub async fn write_frame<W: AsyncWriteExt + Unpin>(
    w: &mut W,
    msg: &TcpMsg,
) -> Result<(), WireError> {
    let body = postcard::to_allocvec(msg)?;
    if body.len() > MAX_FRAME {
        return Err(WireError::TooLarge(body.len()));
    }
    w.write_all(&(body.len() as u32).to_be_bytes()).await?;
    w.write_all(&body).await?;
    w.flush().await?;
    Ok(())
}

pub async fn read_frame<R: AsyncReadExt + Unpin>(r: &mut R) -> Result<TcpMsg, WireError> {
    let mut len = [0u8; 4];
    r.read_exact(&mut len).await?;
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_FRAME {
        return Err(WireError::TooLarge(len));
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body).await?;
    Ok(postcard::from_bytes(&body)?)
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
    }

    #[tokio::test]
    async fn oversized_frames_are_refused() {
        let mut data: &[u8] = &[0xff, 0xff, 0xff, 0xff, 1, 2];
        assert!(matches!(
            read_frame(&mut data).await,
            Err(WireError::TooLarge(_))
        ));
        let mut data: &[u8] = &[0, 0, 0, 3, 0xff, 0xff, 0xff];
        assert!(read_frame(&mut data).await.is_err());
    }
}
