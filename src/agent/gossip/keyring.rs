//! The gossip encryption keyring (memberlist's `Keyring`): the installed keys, the primary
//! first, that seal what this member sends and open what it receives, and the keyring file
//! (`serf/local.keyring`, a JSON array of base64 keys, primary first, mode 0600).
//!
//! A sealed message is `[SEALED][12-byte random nonce][AES-GCM ciphertext and tag]`, with
//! the version byte and the channel (datagram or push/pull frame) as associated data, so a
//! datagram cannot be replayed as a frame. Opening tries every installed key, the primary
//! first, as memberlist does while a new key rolls out. Must not import http, raft, client
//! or commands.

use std::path::Path;

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_128_GCM, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};

use crate::api::keyring::{decode_gossip_key, encode_gossip_key};

/// First byte of a sealed message: encrypted, format version 1. Plain datagrams start with
/// a kind (1-6) and plain frames with a postcard enum tag, so neither can be mistaken for it.
pub const SEALED: u8 = 0x81;
const TAG_LEN: usize = 16;
/// What sealing adds to a message.
pub const OVERHEAD: usize = 1 + NONCE_LEN + TAG_LEN;

/// Which kind of message is sealed (bound into the associated data).
#[derive(Debug, Clone, Copy)]
pub enum Channel {
    Datagram,
    Frame,
}

impl Channel {
    fn aad(self) -> [u8; 2] {
        match self {
            Channel::Datagram => [SEALED, b'u'],
            Channel::Frame => [SEALED, b't'],
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyringError {
    #[error("Invalid key: {0}")]
    Invalid(String),
    #[error("Requested key is not in the keyring")]
    NotInstalled,
    #[error("Removing the primary key is not allowed")]
    RemovePrimary,
    #[error("no keys present in keyring: {0}")]
    Empty(String),
    #[error("cannot read keyring file {path}: {message}")]
    File { path: String, message: String },
}

/// Why a message could not be opened.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OpenError {
    #[error("message is not encrypted")]
    Plain,
    #[error("encrypted message too short")]
    Short,
    #[error("No installed keys could decrypt the message")]
    NoKey,
}

struct SecretKey {
    raw: Vec<u8>,
    aead: LessSafeKey,
}

impl SecretKey {
    fn new(raw: Vec<u8>) -> Result<SecretKey, KeyringError> {
        let alg = match raw.len() {
            16 => &AES_128_GCM,
            32 => &AES_256_GCM,
            n => {
                return Err(KeyringError::Invalid(format!(
                    "key is {n} bytes, must be 16 or 32"
                )))
            }
        };
        let unbound =
            UnboundKey::new(alg, &raw).map_err(|_| KeyringError::Invalid("rejected".into()))?;
        Ok(SecretKey {
            raw,
            aead: LessSafeKey::new(unbound),
        })
    }

    fn is(&self, raw: &[u8]) -> bool {
        // Keys come from an operator's request or file, not from someone probing for them.
        self.raw == raw
    }
}

/// The installed keys, the primary first.
pub struct Keyring {
    keys: Vec<SecretKey>,
    rng: SystemRandom,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Keyring({} keys)", self.keys.len())
    }
}

impl Keyring {
    /// A keyring of base64 keys, the first one primary.
    pub fn from_base64(keys: &[String]) -> Result<Keyring, KeyringError> {
        let mut ring = Keyring {
            keys: Vec::new(),
            rng: SystemRandom::new(),
        };
        for k in keys {
            let raw = decode_gossip_key(k).map_err(KeyringError::Invalid)?;
            if !ring.keys.iter().any(|s| s.is(&raw)) {
                ring.keys.push(SecretKey::new(raw)?);
            }
        }
        if ring.keys.is_empty() {
            return Err(KeyringError::Empty("no key given".into()));
        }
        Ok(ring)
    }

    /// The installed keys in base64, the primary first.
    pub fn keys(&self) -> Vec<String> {
        self.keys
            .iter()
            .map(|k| encode_gossip_key(&k.raw))
            .collect()
    }

    /// Adds a key (not as primary); installing an installed key changes nothing.
    pub fn install(&mut self, key: &str) -> Result<(), KeyringError> {
        let raw = decode_gossip_key(key).map_err(KeyringError::Invalid)?;
        if !self.keys.iter().any(|k| k.is(&raw)) {
            self.keys.push(SecretKey::new(raw)?);
        }
        Ok(())
    }

    /// Makes an installed key the primary one.
    pub fn use_key(&mut self, key: &str) -> Result<(), KeyringError> {
        let raw = decode_gossip_key(key).map_err(KeyringError::Invalid)?;
        let at = self
            .keys
            .iter()
            .position(|k| k.is(&raw))
            .ok_or(KeyringError::NotInstalled)?;
        let k = self.keys.remove(at);
        self.keys.insert(0, k);
        Ok(())
    }

    /// Drops a key that is not the primary; removing a key that is not installed is a no-op.
    pub fn remove(&mut self, key: &str) -> Result<(), KeyringError> {
        let raw = decode_gossip_key(key).map_err(KeyringError::Invalid)?;
        if self.keys[0].is(&raw) {
            return Err(KeyringError::RemovePrimary);
        }
        self.keys.retain(|k| !k.is(&raw));
        Ok(())
    }

    /// Encrypts `plain` with the primary key.
    pub fn seal(&self, channel: Channel, plain: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        // The system's random source failing is not something to limp on with a fixed nonce.
        if self.rng.fill(&mut nonce).is_err() {
            nonce = rand::random();
        }
        let mut out = Vec::with_capacity(plain.len() + OVERHEAD);
        out.push(SEALED);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(plain);
        let mut body = out.split_off(1 + NONCE_LEN);
        // Sealing fails only for messages over 64 GB.
        let _ = self.keys[0].aead.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(channel.aad()),
            &mut body,
        );
        out.extend_from_slice(&body);
        out
    }

    /// Decrypts a sealed message with whichever installed key opens it.
    pub fn open(&self, channel: Channel, msg: &[u8]) -> Result<Vec<u8>, OpenError> {
        if msg.first() != Some(&SEALED) {
            return Err(OpenError::Plain);
        }
        if msg.len() < OVERHEAD {
            return Err(OpenError::Short);
        }
        let nonce: [u8; NONCE_LEN] = msg[1..1 + NONCE_LEN]
            .try_into()
            .map_err(|_| OpenError::Short)?;
        for key in &self.keys {
            let mut body = msg[1 + NONCE_LEN..].to_vec();
            if let Ok(plain) = key.aead.open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(channel.aad()),
                &mut body,
            ) {
                let n = plain.len();
                body.truncate(n);
                return Ok(body);
            }
        }
        Err(OpenError::NoKey)
    }

    /// Reads a keyring file; `Ok(None)` when there is none.
    pub fn load(path: &Path) -> Result<Option<Keyring>, KeyringError> {
        let file_error = |message: String| KeyringError::File {
            path: path.display().to_string(),
            message,
        };
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(file_error(e.to_string())),
        };
        let keys: Vec<String> =
            serde_json::from_slice(&bytes).map_err(|e| file_error(e.to_string()))?;
        if keys.is_empty() {
            return Err(KeyringError::Empty(path.display().to_string()));
        }
        Keyring::from_base64(&keys)
            .map(Some)
            .map_err(|e| file_error(e.to_string()))
    }

    /// Writes the keyring file (mode 0600) through a temporary file, synced, then renamed.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let json = serde_json::to_vec(&self.keys()).unwrap_or_default();
        crate::agent::data_dir::write_durably_with_mode(path, &json, 0o600)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const K1: &str = "YwgWlBvicJN17UOYcutXLpJSZsw5aWpLEEWqgK635zA=";
    const K2: &str = "r+pUD3yH8bZVHxPrBwmI2g==";

    fn ring(keys: &[&str]) -> Keyring {
        Keyring::from_base64(&keys.iter().map(|k| k.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn sealed_messages_open_with_the_same_key_and_only_on_their_channel() {
        let a = ring(&[K1]);
        let sealed = a.seal(Channel::Datagram, b"hello node-1");
        assert_eq!(sealed.len(), 12 + OVERHEAD);
        assert_eq!(sealed[0], SEALED);
        assert!(!sealed.windows(6).any(|w| w == b"node-1"));
        assert_eq!(a.open(Channel::Datagram, &sealed).unwrap(), b"hello node-1");
        assert_eq!(a.open(Channel::Frame, &sealed), Err(OpenError::NoKey));
        // Two seals of one message differ (fresh nonces).
        assert_ne!(sealed, a.seal(Channel::Datagram, b"hello node-1"));
    }

    #[test]
    fn a_wrong_key_a_tampered_byte_or_a_plain_message_does_not_open() {
        let a = ring(&[K1]);
        let b = ring(&[K2]);
        let sealed = a.seal(Channel::Frame, b"state");
        assert_eq!(b.open(Channel::Frame, &sealed), Err(OpenError::NoKey));
        let mut bent = sealed.clone();
        let last = bent.len() - 1;
        bent[last] ^= 1;
        assert_eq!(a.open(Channel::Frame, &bent), Err(OpenError::NoKey));
        assert_eq!(a.open(Channel::Frame, b"\x01plain"), Err(OpenError::Plain));
        assert_eq!(
            a.open(Channel::Frame, &[SEALED, 1, 2]),
            Err(OpenError::Short)
        );
        assert_eq!(a.open(Channel::Frame, &[]), Err(OpenError::Plain));
    }

    #[test]
    fn rotation_installs_uses_and_removes_keys_as_memberlist_does() {
        let mut a = ring(&[K1]);
        let old = a.seal(Channel::Datagram, b"x");
        a.install(K2).unwrap();
        a.install(K2).unwrap();
        assert_eq!(a.keys(), vec![K1.to_string(), K2.to_string()]);
        assert_eq!(
            a.use_key("AAAAAAAAAAAAAAAAAAAAAA=="),
            Err(KeyringError::NotInstalled)
        );
        a.use_key(K2).unwrap();
        assert_eq!(a.keys()[0], K2);
        // Messages sealed with the old primary still open while it is installed.
        assert_eq!(a.open(Channel::Datagram, &old).unwrap(), b"x");
        assert_eq!(a.remove(K2), Err(KeyringError::RemovePrimary));
        a.remove(K1).unwrap();
        assert_eq!(a.keys(), vec![K2.to_string()]);
        assert_eq!(a.open(Channel::Datagram, &old), Err(OpenError::NoKey));
        assert!(matches!(a.install("abc"), Err(KeyringError::Invalid(_))));
    }

    #[test]
    fn the_keyring_file_is_private_and_read_back_primary_first() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("serf").join("local.keyring");
        assert!(Keyring::load(&path).unwrap().is_none());
        let mut a = ring(&[K1]);
        a.install(K2).unwrap();
        a.use_key(K2).unwrap();
        a.save(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let b = Keyring::load(&path).unwrap().unwrap();
        assert_eq!(b.keys(), vec![K2.to_string(), K1.to_string()]);
        std::fs::write(&path, b"[]").unwrap();
        assert!(matches!(Keyring::load(&path), Err(KeyringError::Empty(_))));
        std::fs::write(&path, b"{not json").unwrap();
        let e = Keyring::load(&path).unwrap_err().to_string();
        assert!(e.contains("local.keyring"), "{e}");
    }
}
