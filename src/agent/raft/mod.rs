//! TEMPORARY shim with the RaftNode API, applying writes directly. Replaced by the real Raft layer.
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::agent::state::{Command, CommandResult, Store};
use crate::config::RaftTuning;

#[derive(Debug, Clone, Default)]
pub struct ServerNode {
    pub id: String,
    pub name: String,
    pub addr: String,
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("No cluster leader")]
    NoLeader,
}
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("No cluster leader")]
    NoLeader,
}
#[derive(Debug, thiserror::Error)]
pub enum RaftOpenError {
    #[error("io: {0}")]
    Io(String),
}
#[derive(Debug, thiserror::Error)]
pub enum PeerError {
    #[error("{0}")]
    NotFound(String),
}
pub enum PeerRef {
    Id(String),
    Address(String),
}

pub struct RaftNode {
    store: Arc<Store>,
    me: ServerNode,
    index: AtomicU64,
    lock: Mutex<()>,
}

impl RaftNode {
    pub async fn open(
        _dir: &Path,
        me: ServerNode,
        _t: &RaftTuning,
        store: Arc<Store>,
    ) -> Result<RaftNode, RaftOpenError> {
        Ok(RaftNode {
            store,
            me,
            index: AtomicU64::new(1),
            lock: Mutex::new(()),
        })
    }
    pub async fn bootstrap_single(&self) -> Result<(), RaftOpenError> {
        Ok(())
    }
    pub async fn write(&self, cmd: Command) -> Result<(u64, CommandResult), WriteError> {
        let _g = self.lock.lock().unwrap();
        let i = self.index.fetch_add(1, Ordering::SeqCst) + 1;
        Ok((i, self.store.apply(i, &cmd)))
    }
    pub fn is_leader(&self) -> bool {
        true
    }
    pub fn leader_addr(&self) -> Option<String> {
        Some(self.me.addr.clone())
    }
    pub async fn ensure_linearizable(&self) -> Result<(), ReadError> {
        Ok(())
    }
    pub fn last_contact_ms(&self) -> u64 {
        0
    }
    pub fn applied_index(&self) -> u64 {
        self.index.load(Ordering::SeqCst)
    }
    pub fn stats(&self) -> BTreeMap<String, String> {
        BTreeMap::new()
    }
    pub fn configuration(&self) -> crate::api::RaftConfiguration {
        crate::api::RaftConfiguration {
            servers: vec![crate::api::RaftServer {
                id: self.me.id.clone(),
                node: self.me.name.clone(),
                address: self.me.addr.clone(),
                leader: true,
                protocol_version: "3".into(),
                voter: true,
                last_index: 1,
            }],
            index: 1,
        }
    }
    pub async fn remove_peer(&self, _p: PeerRef) -> Result<(), PeerError> {
        Err(PeerError::NotFound("x".into()))
    }
    pub async fn shutdown(&self) {}
}
