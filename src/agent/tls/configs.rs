//! rustls configurations built from [`TlsSettings`]: the server side (HTTPS, server RPC), with
//! client certificates required under `verify_incoming`, and server RPC's client side, which
//! checks the server's chain against the CA and, under `verify_server_hostname`, that it names
//! `server.<datacenter>.<domain>`.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, DigitallySignedStruct, ServerConfig, SupportedProtocolVersion};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

use super::files::{certs, key, roots};
use super::TlsError;
use crate::config::tls::TlsSettings;

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn versions(s: &TlsSettings) -> &'static [&'static SupportedProtocolVersion] {
    static BOTH: &[&SupportedProtocolVersion] = &[&rustls::version::TLS13, &rustls::version::TLS12];
    static ONLY_13: &[&SupportedProtocolVersion] = &[&rustls::version::TLS13];
    if s.min_version_13 {
        ONLY_13
    } else {
        BOTH
    }
}

fn rustls_error(what: &str) -> impl Fn(rustls::Error) -> TlsError + '_ {
    move |e| TlsError::Config(format!("{what}: {e}"))
}

/// What a listener with these settings presents and checks.
pub fn server(s: &TlsSettings) -> Result<Arc<ServerConfig>, TlsError> {
    let (Some(cert_file), Some(key_file)) = (&s.cert_file, &s.key_file) else {
        return Err(TlsError::Config("no cert_file and key_file".into()));
    };
    let builder = ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(versions(s))
        .map_err(rustls_error("TLS versions"))?;
    let builder = if s.verify_incoming {
        let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots(s)?), provider())
            .build()
            .map_err(|e| TlsError::Config(format!("client certificate checks: {e}")))?;
        builder.with_client_cert_verifier(verifier)
    } else {
        builder.with_no_client_auth()
    };
    let mut config = builder
        .with_single_cert(certs(cert_file)?, key(key_file)?)
        .map_err(|e| TlsError::File {
            path: cert_file.clone(),
            message: format!("certificate and key do not go together: {e}"),
        })?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// What server RPC presents (its certificate, when it has one) and checks when it dials.
pub fn rpc_client(s: &TlsSettings) -> Result<Arc<ClientConfig>, TlsError> {
    let chain = WebPkiServerVerifier::builder_with_provider(Arc::new(roots(s)?), provider())
        .build()
        .map_err(|e| TlsError::Config(format!("server certificate checks: {e}")))?;
    let verifier: Arc<dyn ServerCertVerifier> = if s.verify_server_hostname {
        chain
    } else {
        Arc::new(AnyServerName(chain))
    };
    let builder = ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(versions(s))
        .map_err(rustls_error("TLS versions"))?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let config = match (&s.cert_file, &s.key_file) {
        (Some(c), Some(k)) => builder
            .with_client_auth_cert(certs(c)?, key(k)?)
            .map_err(|e| TlsError::File {
                path: c.clone(),
                message: format!("certificate and key do not go together: {e}"),
            })?,
        _ => builder.with_no_client_auth(),
    };
    Ok(Arc::new(config))
}

/// The CA's chain check without the name check (`verify_server_hostname = false`, Consul's
/// default): any certificate the CA signed is accepted for a server.
#[derive(Debug)]
struct AnyServerName(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for AnyServerName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        use rustls::CertificateError::{NotValidForName, NotValidForNameContext};
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                NotValidForName | NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}
