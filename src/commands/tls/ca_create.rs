//! `sd tls ca create`: a CA certificate and key, `<domain>-agent-ca.pem` and
//! `<domain>-agent-ca-key.pem`, valid `-days` (1825), optionally limited by name constraints
//! to the cluster's domain and localhost (`-name-constraint`, `-additional-name-constraint`).

use std::path::Path;
use std::process::ExitCode;

use clap::{ArgMatches, Command};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, GeneralSubtree, IsCa, KeyPair, KeyUsagePurpose,
    NameConstraints,
};

use super::{cert_error, save, validity};
use crate::commands::{no_arguments, stray_args, CliError, CmdResult};
use crate::goflag::{flag, get_all, get_flag, get_int, get_str, multi, opt};

pub fn cli() -> Command {
    Command::new("create")
        .about("Create a new consul CA")
        .long_about(
            "Creates a CA for the cluster's agents in the current directory: \
             <domain>-agent-ca.pem and <domain>-agent-ca-key.pem (mode 0600). Existing files \
             are never overwritten.",
        )
        .arg(opt("days", "N", "Provide number of days the CA is valid for from now on. Defaults to 5 years.").default_value("1825"))
        .arg(opt("domain", "DOMAIN", "Domain of consul cluster. Only used in combination with -name-constraint. Defaults to consul.").default_value("consul"))
        .arg(flag("name-constraint", "Add name constraints for the CA. Results in rejecting certificates for other DNS than specified. If turned on localhost and -domain will be added to the allowed DNS."))
        .arg(multi("additional-name-constraint", "NAME", "Add name constraints for the CA. Can be used multiple times. Only used in combination with -name-constraint."))
        .arg(opt("common-name", "NAME", "Common Name of CA. Defaults to Consul Agent CA <random number>."))
        .arg(stray_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    no_arguments(m)?;
    let domain = get_str(m, "domain").unwrap_or("consul");
    let days = get_int(m, "days", 1825).map_err(CliError::failure)?;
    let cert_file = format!("{domain}-agent-ca.pem");
    let key_file = format!("{domain}-agent-ca-key.pem");
    for f in [&cert_file, &key_file] {
        if Path::new(f).exists() {
            return Err(CliError::failure(format!("{f} already exists.")));
        }
    }
    let name = match get_str(m, "common-name").filter(|n| !n.is_empty()) {
        Some(n) => n.to_string(),
        None => format!("Consul Agent CA {}", rand::random::<u32>()),
    };
    let mut params = CertificateParams::default();
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
    ];
    (params.not_before, params.not_after) = validity(days)?;
    if get_flag(m, "name-constraint") {
        let mut names = get_all(m, "additional-name-constraint");
        names.extend([domain.to_string(), "localhost".to_string()]);
        params.name_constraints = Some(NameConstraints {
            permitted_subtrees: names.into_iter().map(GeneralSubtree::DnsName).collect(),
            excluded_subtrees: Vec::new(),
        });
    }
    let key = KeyPair::generate().map_err(cert_error)?;
    let cert = params.self_signed(&key).map_err(cert_error)?;
    save(Path::new(&cert_file), &cert.pem(), false)?;
    save(Path::new(&key_file), &key.serialize_pem(), true)?;
    Ok(ExitCode::SUCCESS)
}
