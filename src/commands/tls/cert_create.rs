//! `sd tls cert create -server|-client|-cli`: a certificate and key signed by the CA
//! (`-ca`, `-key`), named `<dc>-<kind>-<domain>-<n>.pem` with the first free `n`. A server
//! certificate names `server.<dc>.<domain>` (what `verify_server_hostname` checks), localhost
//! and 127.0.0.1; a client one `client.<dc>.<domain>`; a CLI one `cli.<dc>.<domain>`.

use std::net::IpAddr;
use std::path::Path;
use std::process::ExitCode;

use clap::{ArgMatches, Command};
use rcgen::{
    CertificateParams, DnType, ExtendedKeyUsagePurpose, KeyPair, KeyUsagePurpose, SanType,
};

use super::issuer::Issuer;
use super::{cert_error, save, validity};
use crate::cli::output;
use crate::commands::{no_arguments, stray_args, CliError, CmdResult};
use crate::goflag::{flag, get_all, get_flag, get_int, get_str, multi, opt};

pub fn cli() -> Command {
    Command::new("create")
        .about("Create a new certificate")
        .long_about(
            "Creates a certificate and key signed by the CA, in the current directory: \
             <dc>-server-<domain>-<n>.pem (and -key.pem, mode 0600) with -server, -client- or \
             -cli- likewise. Server certificates name server.<dc>.<domain>, which servers check \
             of each other under verify_server_hostname.",
        )
        .arg(opt("ca", "FILE", "Provide path to the ca. Defaults to #DOMAIN#-agent-ca.pem.").default_value("#DOMAIN#-agent-ca.pem"))
        .arg(opt("key", "FILE", "Provide path to the key. Defaults to #DOMAIN#-agent-ca-key.pem.").default_value("#DOMAIN#-agent-ca-key.pem"))
        .arg(flag("server", "Generate server certificate."))
        .arg(flag("client", "Generate client certificate."))
        .arg(flag("cli", "Generate cli certificate."))
        .arg(opt("node", "NAME", "When generating a server cert and this is set an additional dns name is included of the form <node>.server.<datacenter>.<domain>."))
        .arg(opt("days", "N", "Provide number of days the certificate is valid for from now on. Defaults to 1 year.").default_value("365"))
        .arg(opt("dc", "DC", "Provide the datacenter. Matters only for -server certificates. Defaults to dc1.").default_value("dc1"))
        .arg(opt("domain", "DOMAIN", "Provide the domain. Matters only for -server certificates.").default_value("consul"))
        .arg(multi("additional-dnsname", "NAME", "Provide an additional dnsname for Subject Alternative Names. localhost is always included. This flag may be provided multiple times."))
        .arg(multi("additional-ipaddress", "IP", "Provide an additional ipaddress for Subject Alternative Names. 127.0.0.1 is always included. This flag may be provided multiple times."))
        .arg(stray_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    no_arguments(m)?;
    let (server, client, cli) = (
        get_flag(m, "server"),
        get_flag(m, "client"),
        get_flag(m, "cli"),
    );
    if [server, client, cli].iter().filter(|f| **f).count() != 1 {
        return Err(CliError::failure(
            "Please provide either -server, -client, or -cli",
        ));
    }
    let node = get_str(m, "node").filter(|n| !n.is_empty());
    if node.is_some() && !server {
        return Err(CliError::failure("-node requires -server"));
    }
    let dc = get_str(m, "dc").unwrap_or("dc1");
    let domain = get_str(m, "domain").unwrap_or("consul");
    let days = get_int(m, "days", 365).map_err(CliError::failure)?;
    let (not_before, not_after) = validity(days)?;
    let kind = if server {
        "server"
    } else if client {
        "client"
    } else {
        "cli"
    };
    let name = format!("{kind}.{dc}.{domain}");

    let mut dns: Vec<String> = get_all(m, "additional-dnsname")
        .into_iter()
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty())
        .collect();
    if let Some(node) = node {
        dns.push(format!("{node}.server.{dc}.{domain}"));
    }
    dns.extend([name.clone(), "localhost".to_string()]);
    let mut ips: Vec<IpAddr> = Vec::new();
    for ip in get_all(m, "additional-ipaddress")
        .iter()
        .map(|i| i.trim())
        .filter(|i| !i.is_empty())
    {
        ips.push(ip.parse().map_err(|_| {
            CliError::failure(format!("-additional-ipaddress {ip:?} is not an IP address"))
        })?);
    }
    if !cli {
        ips.push(IpAddr::from([127, 0, 0, 1]));
    }

    let prefix = format!("{dc}-{kind}-{domain}");
    let (cert_file, key_file) = (0..=10_000)
        .map(|i| (format!("{prefix}-{i}.pem"), format!("{prefix}-{i}-key.pem")))
        .find(|(c, k)| !Path::new(c).exists() && !Path::new(k).exists())
        .ok_or_else(|| CliError::failure("Could not find a filename that doesn't already exist"))?;
    let ca_file = get_str(m, "ca")
        .unwrap_or_default()
        .replacen("#DOMAIN#", domain, 1);
    let ca_key = get_str(m, "key")
        .unwrap_or_default()
        .replacen("#DOMAIN#", domain, 1);
    if ca_file.is_empty() {
        return Err(CliError::failure("Please provide the ca"));
    }
    if ca_key.is_empty() {
        return Err(CliError::failure("Please provide the key"));
    }
    let issuer = Issuer::read(&ca_file, &ca_key)?;
    if server {
        output::println(
            "==> WARNING: Server Certificates grants authority to become a\n    server and access all state in the cluster including root keys\n    and all ACL tokens. Do not distribute them to production hosts\n    that are not server nodes. Store them as securely as CA keys.",
        );
    }
    output::println(&format!("==> Using {ca_file} and {ca_key}"));

    let mut params = CertificateParams::default();
    params.distinguished_name.push(DnType::CommonName, name);
    let mut sans = Vec::new();
    for d in dns {
        let ia5 = d.clone().try_into().map_err(|_| {
            CliError::failure(format!("-additional-dnsname {d:?} is not a DNS name"))
        })?;
        sans.push(SanType::DnsName(ia5));
    }
    sans.extend(ips.into_iter().map(SanType::IpAddress));
    params.subject_alt_names = sans;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = match cli {
        true => Vec::new(),
        false => vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::ClientAuth,
        ],
    };
    (params.not_before, params.not_after) = (not_before, not_after);
    let key = KeyPair::generate().map_err(cert_error)?;
    let cert = params
        .signed_by(&key, &issuer.cert, &issuer.key)
        .map_err(cert_error)?;
    save(Path::new(&cert_file), &cert.pem(), false)?;
    save(Path::new(&key_file), &key.serialize_pem(), true)?;
    Ok(ExitCode::SUCCESS)
}
