//! TLS settings: `tls { defaults { ... } https { ... } internal_rpc { ... } grpc { ... } }`
//! (the old top-level `ca_file`, `cert_file`, `verify_incoming`, ... arrive here already moved
//! under `tls.defaults` by `shape`). Each protocol's value falls back to `defaults`, as in
//! Consul. Only paths and switches are checked here; the agent reads the files.

use std::path::PathBuf;

use super::error::ConfigError;
use super::schema::FileConfig;
use super::schema_sections::TlsProtocol;

/// One protocol's TLS settings, with `tls.defaults` filled in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsSettings {
    pub ca_file: Option<PathBuf>,
    pub ca_path: Option<PathBuf>,
    pub cert_file: Option<PathBuf>,
    pub key_file: Option<PathBuf>,
    /// Require and check a client certificate signed by the CA.
    pub verify_incoming: bool,
    /// Use TLS, checking the peer's certificate against the CA, on outgoing connections.
    pub verify_outgoing: bool,
    /// `internal_rpc` only: servers' certificates must name `server.<dc>.<domain>`.
    pub verify_server_hostname: bool,
    /// `TLSv1_2` (the default) or `TLSv1_3`.
    pub min_version_13: bool,
}

impl TlsSettings {
    /// Whether this protocol has a certificate to serve with.
    pub fn has_cert(&self) -> bool {
        self.cert_file.is_some() && self.key_file.is_some()
    }

    /// Whether CA certificates are configured.
    pub fn has_ca(&self) -> bool {
        self.ca_file.is_some() || self.ca_path.is_some()
    }
}

/// The TLS settings of the HTTPS API and of server RPC.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsConfig {
    pub https: TlsSettings,
    pub internal_rpc: TlsSettings,
}

pub(super) fn tls_config(c: &FileConfig) -> Result<TlsConfig, ConfigError> {
    let tls = c.tls.clone().unwrap_or_default();
    let defaults = tls.defaults.unwrap_or_default();
    let https = merge("https", &defaults, &tls.https.unwrap_or_default())?;
    let internal_rpc = merge(
        "internal_rpc",
        &defaults,
        &tls.internal_rpc.unwrap_or_default(),
    )?;
    Ok(TlsConfig {
        https: TlsSettings {
            verify_server_hostname: false,
            ..https
        },
        internal_rpc,
    })
}

fn merge(name: &str, d: &TlsProtocol, p: &TlsProtocol) -> Result<TlsSettings, ConfigError> {
    let path = |own: &Option<String>, default: &Option<String>| {
        own.as_ref()
            .or(default.as_ref())
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
    };
    let version = p
        .tls_min_version
        .as_ref()
        .or(d.tls_min_version.as_ref())
        .map(String::as_str)
        .unwrap_or("TLSv1_2");
    let min_version_13 = match version {
        "TLSv1_2" | "tls12" => false,
        "TLSv1_3" | "tls13" => true,
        "TLSv1_0" | "TLSv1_1" | "tls10" | "tls11" => {
            return Err(ConfigError::invalid(format!(
                "tls.{name}.tls_min_version: {version} is not offered by sd, which speaks TLS 1.2 and 1.3 only: use TLSv1_2 or TLSv1_3"
            )))
        }
        other => {
            return Err(ConfigError::invalid(format!(
                "tls.{name}.tls_min_version: {other:?} is not a TLS version: use TLSv1_2 or TLSv1_3"
            )))
        }
    };
    let s = TlsSettings {
        ca_file: path(&p.ca_file, &d.ca_file),
        ca_path: path(&p.ca_path, &d.ca_path),
        cert_file: path(&p.cert_file, &d.cert_file),
        key_file: path(&p.key_file, &d.key_file),
        verify_incoming: p.verify_incoming.or(d.verify_incoming).unwrap_or(false),
        verify_outgoing: p.verify_outgoing.or(d.verify_outgoing).unwrap_or(false),
        verify_server_hostname: p
            .verify_server_hostname
            .or(d.verify_server_hostname)
            .unwrap_or(false),
        min_version_13,
    };
    if s.cert_file.is_some() != s.key_file.is_some() {
        return Err(ConfigError::invalid(format!(
            "tls.{name}: cert_file and key_file must be given together"
        )));
    }
    if s.verify_incoming && !s.has_ca() {
        return Err(ConfigError::invalid(format!(
            "tls.{name}.verify_incoming is set, but no ca_file or ca_path is given to check certificates with"
        )));
    }
    if s.verify_incoming && !s.has_cert() {
        return Err(ConfigError::invalid(format!(
            "tls.{name}.verify_incoming is set, but no cert_file and key_file are given"
        )));
    }
    if (s.verify_outgoing || s.verify_server_hostname) && !s.has_ca() {
        return Err(ConfigError::invalid(format!(
            "tls.{name}.verify_outgoing is set, but no ca_file or ca_path is given to check certificates with"
        )));
    }
    Ok(s)
}
