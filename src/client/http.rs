//! Builds the reqwest client from [`ClientSettings`]: TLS roots (`-ca-file`, `-ca-path`), client
//! certificate, `CONSUL_HTTP_SSL_VERIFY=false`, and `-tls-server-name`.

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::Path;
use std::time::Duration;

use reqwest::{Certificate, Identity};

use crate::client::ClientError;
use crate::config::client_env::{go_file_error, ClientSettings, Scheme};

/// The reqwest client plus the base URL requests go to (`scheme://host:port/prefix`).
pub(crate) fn build(settings: &ClientSettings) -> Result<(reqwest::Client, String), ClientError> {
    let tls = &settings.tls;
    let mut builder = reqwest::Client::builder()
        .use_rustls_tls()
        .no_proxy()
        .connect_timeout(Duration::from_secs(30))
        .pool_idle_timeout(Duration::from_secs(90));
    let mut base = settings.base_url();
    if let Some(path) = &settings.unix_socket {
        builder = builder.unix_socket(path.clone());
    }

    if tls.insecure_skip_verify {
        builder = builder.danger_accept_invalid_certs(true);
    }
    let mut roots = Vec::new();
    if let Some(file) = &tls.ca_file {
        roots.extend(read_certs(file)?);
    }
    if let Some(dir) = &tls.ca_path {
        roots.extend(read_cert_dir(dir)?);
    }
    if tls.ca_file.is_some() || tls.ca_path.is_some() {
        // Like Consul: an explicit CA replaces the system roots.
        builder = builder.tls_built_in_root_certs(false);
        for cert in roots {
            builder = builder.add_root_certificate(cert);
        }
    }
    match (&tls.client_cert, &tls.client_key) {
        (Some(cert), Some(key)) => {
            let mut pem = read(cert)?;
            pem.push(b'\n');
            pem.extend(read(key)?);
            let identity =
                Identity::from_pem(&pem).map_err(|e| ClientError::Setup(format!("tls: {e}")))?;
            builder = builder.identity(identity);
        }
        (None, None) => {}
        _ => {
            return Err(ClientError::Setup(
                "both client cert and client key must be provided".into(),
            ))
        }
    }
    if let (Scheme::Https, Some(name)) = (settings.scheme, &tls.server_name) {
        if let Some((addr, port)) = server_name_override(&settings.address, name)? {
            // Connect to the configured address but verify (and send SNI for) `name`.
            builder = builder.resolve(name, addr);
            base = format!("https://{name}:{port}{}", settings.path_prefix);
        }
    }
    let client = builder
        .build()
        .map_err(|e| ClientError::Setup(format!("Error creating HTTP client: {e}")))?;
    Ok((client, base))
}

/// The socket address to dial and the port when `-tls-server-name` names a host other than the
/// one in the address; `None` when nothing needs overriding.
fn server_name_override(
    address: &str,
    name: &str,
) -> Result<Option<(SocketAddr, u16)>, ClientError> {
    let name = name.rsplit_once(':').map(|(h, _)| h).unwrap_or(name);
    if name.is_empty() || name.parse::<std::net::IpAddr>().is_ok() {
        return Ok(None);
    }
    let with_port = if address
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
    {
        address.to_string()
    } else {
        format!("{address}:443")
    };
    let addr = with_port
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| ClientError::Setup(format!("cannot resolve {address}")))?;
    Ok(Some((addr, addr.port())))
}

fn read(path: &Path) -> Result<Vec<u8>, ClientError> {
    std::fs::read(path)
        .map_err(|e| ClientError::Setup(go_file_error("open", &path.display().to_string(), &e)))
}

fn read_certs(path: &Path) -> Result<Vec<Certificate>, ClientError> {
    let pem = read(path)?;
    let certs = Certificate::from_pem_bundle(&pem)
        .map_err(|e| ClientError::Setup(format!("Error loading {}: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(ClientError::Setup(format!(
            "Error loading CA File: Couldn't parse PEM in: {}",
            path.display()
        )));
    }
    Ok(certs)
}

fn read_cert_dir(dir: &Path) -> Result<Vec<Certificate>, ClientError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| ClientError::Setup(go_file_error("open", &dir.display().to_string(), &e)))?;
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        out.extend(read_certs(&path)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::client_env::{resolve, ClientFlags};

    fn settings(flags: ClientFlags) -> ClientSettings {
        resolve(&flags, &|_| None).unwrap()
    }

    #[test]
    fn plain_http_base_url() {
        let (_, base) = build(&settings(ClientFlags {
            http_addr: Some("http://10.1.2.3:8500/consul".into()),
            ..Default::default()
        }))
        .unwrap();
        assert_eq!(base, "http://10.1.2.3:8500/consul");
    }

    #[test]
    fn half_a_client_keypair_is_an_error() {
        let err = build(&settings(ClientFlags {
            client_cert: Some("/x/cert.pem".into()),
            ..Default::default()
        }))
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "both client cert and client key must be provided"
        );
    }

    #[test]
    fn missing_ca_file_is_an_error() {
        let err = build(&settings(ClientFlags {
            ca_file: Some("/nonexistent/ca.pem".into()),
            ..Default::default()
        }))
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "open /nonexistent/ca.pem: no such file or directory"
        );
    }

    #[test]
    fn server_name_overrides_host() {
        let (_, base) = build(&settings(ClientFlags {
            http_addr: Some("https://127.0.0.1:8501".into()),
            tls_server_name: Some("server.dc1.consul".into()),
            ..Default::default()
        }))
        .unwrap();
        assert_eq!(base, "https://server.dc1.consul:8501");
    }
}
