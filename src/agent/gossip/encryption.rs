//! Gossip encryption on the wire: which keyring a member starts with (the keyring file
//! wins over `-encrypt`, as in Consul), and sealing and opening each datagram and push/pull
//! frame under `encrypt_verify_outgoing` / `encrypt_verify_incoming`. Must not import http,
//! raft, client or commands.

use std::borrow::Cow;
use std::path::PathBuf;

use super::driver::Shared;
use super::keyring::{Channel, Keyring, OpenError, SEALED};
use super::GossipError;

/// How a member encrypts its gossip.
#[derive(Debug, Clone)]
pub struct EncryptionConfig {
    /// `-encrypt`: the key to start with when there is no keyring file yet (empty: none).
    pub keys: Vec<String>,
    /// `serf/local.keyring` in the data dir; `None` with `disable_keyring_file` or `-dev`.
    pub keyring_file: Option<PathBuf>,
    /// Refuse what arrives unencrypted (when there is a keyring).
    pub verify_incoming: bool,
    /// Encrypt what is sent (when there is a keyring).
    pub verify_outgoing: bool,
}

impl Default for EncryptionConfig {
    fn default() -> Self {
        EncryptionConfig {
            keys: Vec::new(),
            keyring_file: None,
            verify_incoming: true,
            verify_outgoing: true,
        }
    }
}

/// The keyring to start with: the keyring file's if there is one, else `-encrypt`'s (then
/// written to the keyring file), else none (gossip in clear).
pub(super) fn initial_keyring(cfg: &EncryptionConfig) -> Result<Option<Keyring>, GossipError> {
    let bad = |e: super::keyring::KeyringError| GossipError::Keyring(e.to_string());
    if let Some(path) = &cfg.keyring_file {
        if let Some(ring) = Keyring::load(path).map_err(bad)? {
            if !cfg.keys.is_empty() && !ring.keys().contains(&cfg.keys[0]) {
                tracing::warn!(
                    "agent: LAN keyring exists but -encrypt given, using keyring ({})",
                    path.display()
                );
            }
            return Ok(Some(ring));
        }
    }
    if cfg.keys.is_empty() {
        return Ok(None);
    }
    let ring = Keyring::from_base64(&cfg.keys).map_err(bad)?;
    if let Some(path) = &cfg.keyring_file {
        ring.save(path).map_err(|e| {
            GossipError::Keyring(format!("cannot write keyring file {}: {e}", path.display()))
        })?;
    }
    Ok(Some(ring))
}

/// Why an incoming message was refused.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("{0}")]
    Open(#[from] OpenError),
    #[error("an encrypted message arrived, but gossip encryption is not enabled on this agent")]
    NotEnabled,
    #[error("an unencrypted message arrived, but gossip encryption is enabled on this agent (encrypt_verify_incoming)")]
    Unencrypted,
}

impl Refusal {
    /// What a refused joiner is told, from the refusing member `node`'s side.
    pub fn to_joiner(&self, node: &str) -> String {
        let why = match self {
            Refusal::Open(OpenError::NoKey) => format!(
                "none of {node}'s gossip encryption keys decrypts this agent's messages: give this agent the cluster's key (-encrypt)"
            ),
            Refusal::Unencrypted => format!(
                "{node} encrypts gossip and this agent does not: give this agent the cluster's key (-encrypt)"
            ),
            Refusal::NotEnabled => format!(
                "this agent encrypts gossip and {node} does not: start {node} with the same -encrypt key, or this agent without one"
            ),
            Refusal::Open(e) => e.to_string(),
        };
        format!("{node} refused the join: {why}")
    }
}

impl Shared {
    pub(super) fn encrypted(&self) -> bool {
        self.keyring
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }

    /// What goes on the wire for `plain`: sealed when there is a keyring and
    /// `encrypt_verify_outgoing` holds (a message already sealed is left as it is).
    pub(super) fn seal(&self, channel: Channel, plain: Vec<u8>) -> Vec<u8> {
        if !self.cfg.encryption.verify_outgoing || plain.first() == Some(&SEALED) {
            return plain;
        }
        self.seal_if_keyring(channel, plain)
    }

    /// `plain` sealed with the primary key whenever there is a keyring, whatever
    /// `encrypt_verify_outgoing` says (keyring queries and answers).
    pub(super) fn seal_if_keyring(&self, channel: Channel, plain: Vec<u8>) -> Vec<u8> {
        match self
            .keyring
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            Some(ring) => ring.seal(channel, &plain),
            None => plain,
        }
    }

    /// The plain message in `wire` and whether it arrived sealed.
    pub(super) fn open<'a>(
        &self,
        channel: Channel,
        wire: &'a [u8],
    ) -> Result<(Cow<'a, [u8]>, bool), Refusal> {
        let guard = self.keyring.read().unwrap_or_else(|p| p.into_inner());
        let sealed = wire.first() == Some(&SEALED);
        match (guard.as_ref(), sealed) {
            (Some(ring), true) => Ok((Cow::Owned(ring.open(channel, wire)?), true)),
            (Some(_), false) if self.cfg.encryption.verify_incoming => Err(Refusal::Unencrypted),
            (None, true) => Err(Refusal::NotEnabled),
            _ => Ok((Cow::Borrowed(wire), false)),
        }
    }
}
