//! The Raft node as the server RPC listener sees it: decodes the message a path names, hands
//! it to openraft (or to leadership transfer) and encodes the answer. `rpc` owns the
//! [`RaftHandler`] seam; implementing it here keeps the dependency one way (raft uses rpc).

use std::future::Future;
use std::pin::Pin;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::RaftNode;
use crate::agent::rpc::messages::{
    ElectionControl, PATH_APPEND, PATH_ELECTION, PATH_SNAPSHOT, PATH_VOTE,
};
use crate::agent::rpc::{decode, encode, RaftCallError, RaftHandler};

impl RaftHandler for RaftNode {
    fn handle<'a>(
        &'a self,
        path: &'static str,
        body: &'a [u8],
    ) -> Pin<Box<dyn Future<Output = Result<Vec<u8>, RaftCallError>> + Send + 'a>> {
        Box::pin(async move {
            match path {
                PATH_APPEND => answer(&self.append_entries(parse("AppendEntries", body)?).await),
                PATH_VOTE => answer(&self.raft().vote(parse("RequestVote", body)?).await),
                PATH_SNAPSHOT => {
                    answer(&self.install_snapshot(parse("InstallSnapshot", body)?).await)
                }
                PATH_ELECTION => {
                    let msg: ElectionControl = parse("election control", body)?;
                    self.election_control(msg).await;
                    answer(&())
                }
                _ => Err(RaftCallError::Malformed {
                    what: "Raft message",
                    reason: format!("no Raft message is sent to {path}"),
                }),
            }
        })
    }

    fn is_leader(&self) -> bool {
        RaftNode::is_leader(self)
    }
}

fn parse<T: DeserializeOwned>(what: &'static str, body: &[u8]) -> Result<T, RaftCallError> {
    decode(body).map_err(|e| RaftCallError::Malformed {
        what,
        reason: e.to_string(),
    })
}

fn answer<T: Serialize>(value: &T) -> Result<Vec<u8>, RaftCallError> {
    encode(value).map_err(|e| RaftCallError::Encode(e.to_string()))
}
