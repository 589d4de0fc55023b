//! The in-memory replicated state and the entry point Raft applies commands through.

use std::sync::Arc;

use super::command::{Command, CommandResult};

/// Errors restoring state from a snapshot.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("snapshot is not readable: {0}")]
    Decode(String),
}

/// The replicated state. Raft calls [`Store::apply`] for each committed command, in log order.
#[derive(Default)]
pub struct Store {}

impl Store {
    pub fn new() -> Arc<Store> {
        Arc::new(Store::default())
    }

    /// Applies one command committed at Raft log `index`.
    pub fn apply(&self, _index: u64, cmd: &Command) -> CommandResult {
        match cmd {
            Command::KvTxn(_) => CommandResult::KvTxn(Ok(Vec::new())),
        }
    }

    /// Serialises the whole state for a Raft snapshot.
    pub fn snapshot(&self) -> Vec<u8> {
        Vec::new()
    }

    /// Replaces the whole state with a snapshot made by [`Store::snapshot`].
    pub fn restore(&self, _data: &[u8]) -> Result<(), StateError> {
        Ok(())
    }
}
