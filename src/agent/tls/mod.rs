//! TLS for the agent: the HTTPS API (`ports.https`, `tls.https`) and server RPC
//! (`tls.internal_rpc`: servers present their certificate, require clients' under
//! `verify_incoming`, dial each other over TLS under `verify_outgoing` and check
//! `server.<dc>.<domain>` under `verify_server_hostname`). Certificates are read at start and
//! again on `sd reload`; a reload that cannot read them keeps the ones in use.
//!
//! `files` reads PEM files, `configs` builds rustls configurations, `listener` accepts TLS
//! connections for `axum::serve`. Must not import `agent::http`, `agent::raft`, `client` or
//! `commands`.

mod configs;
mod files;
mod listener;

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use rustls::ClientConfig;

use crate::config::tls::TlsConfig;

pub use listener::{Plain, SharedServerConfig, TlsListener};

/// The client configuration server RPC dials with, replaced on reload.
pub type SharedClientConfig = Arc<RwLock<Arc<ClientConfig>>>;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("TLS: {path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("TLS: {0}")]
    Config(String),
    #[error("TLS: ports.https is {0} but no tls.https (or tls.defaults) cert_file and key_file are given")]
    HttpsWithoutCert(i32),
}

/// The agent's TLS configurations in use.
#[derive(Default)]
pub struct AgentTls {
    pub https: Option<SharedServerConfig>,
    pub rpc_server: Option<SharedServerConfig>,
    pub rpc_client: Option<SharedClientConfig>,
    /// Whether server RPC refuses plain connections.
    pub rpc_verify_incoming: bool,
}

impl AgentTls {
    /// Reads every certificate the configuration names; `server` says whether this agent
    /// serves RPC, `https_port` whether it serves HTTPS.
    pub fn load(cfg: &TlsConfig, server: bool, https_port: i32) -> Result<AgentTls, TlsError> {
        let shared = |c| Arc::new(RwLock::new(c));
        let https = if https_port >= 0 {
            if !cfg.https.has_cert() {
                return Err(TlsError::HttpsWithoutCert(https_port));
            }
            Some(shared(configs::server(&cfg.https)?))
        } else {
            None
        };
        let rpc = &cfg.internal_rpc;
        let rpc_server = if server && rpc.has_cert() {
            Some(shared(configs::server(rpc)?))
        } else {
            None
        };
        let rpc_client = if rpc.verify_outgoing {
            Some(Arc::new(RwLock::new(configs::rpc_client(rpc)?)))
        } else {
            None
        };
        Ok(AgentTls {
            https,
            rpc_server,
            rpc_client,
            rpc_verify_incoming: rpc.verify_incoming,
        })
    }

    /// `sd reload`: puts the certificates of `fresh` (loaded from the new configuration) into
    /// the configurations in use, for new connections. What was off at start stays off:
    /// listeners are not added or removed.
    pub fn take_certificates(&self, fresh: AgentTls) {
        replace(&self.https, fresh.https);
        replace(&self.rpc_server, fresh.rpc_server);
        replace(&self.rpc_client, fresh.rpc_client);
    }
}

fn replace<T>(current: &Option<Arc<RwLock<Arc<T>>>>, fresh: Option<Arc<RwLock<Arc<T>>>>) {
    if let (Some(current), Some(fresh)) = (current, fresh) {
        let new = fresh.read().unwrap_or_else(|p| p.into_inner()).clone();
        *current.write().unwrap_or_else(|p| p.into_inner()) = new;
    }
}
