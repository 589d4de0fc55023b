//! Reading PEM files for TLS: certificate chains, private keys, and the CA certificates of
//! `ca_file` and every `*.pem`/`*.crt` file of `ca_path`. Errors name the file.

use std::path::{Path, PathBuf};

use rustls::RootCertStore;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use super::TlsError;
use crate::config::tls::TlsSettings;

fn bad(path: &Path, message: impl std::fmt::Display) -> TlsError {
    TlsError::File {
        path: path.to_path_buf(),
        message: message.to_string(),
    }
}

/// Every certificate in a PEM file; none is an error.
pub fn certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certs: Vec<_> = CertificateDer::pem_file_iter(path)
        .map_err(|e| bad(path, e))?
        .collect::<Result<_, _>>()
        .map_err(|e| bad(path, e))?;
    if certs.is_empty() {
        return Err(bad(path, "no PEM certificate in it"));
    }
    Ok(certs)
}

/// The first private key in a PEM file (PKCS#8, PKCS#1 or SEC1).
pub fn key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    PrivateKeyDer::from_pem_file(path).map_err(|e| bad(path, format!("no usable private key: {e}")))
}

/// The trusted CA certificates.
pub fn roots(s: &TlsSettings) -> Result<RootCertStore, TlsError> {
    let mut files: Vec<PathBuf> = s.ca_file.iter().cloned().collect();
    if let Some(dir) = &s.ca_path {
        let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| bad(dir, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "pem" || x == "crt"))
            .collect();
        found.sort();
        files.extend(found);
    }
    let mut store = RootCertStore::empty();
    for f in &files {
        for cert in certs(f)? {
            store
                .add(cert)
                .map_err(|e| bad(f, format!("not a usable CA certificate: {e}")))?;
        }
    }
    if store.is_empty() {
        let shown = s.ca_path.as_deref().unwrap_or(Path::new("(ca_path)"));
        return Err(bad(shown, "no CA certificate found"));
    }
    Ok(store)
}
