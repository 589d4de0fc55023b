//! `sd tls ca create` and `sd tls cert create`: a private CA and the certificates agents
//! present, with Consul's file names (`consul-agent-ca.pem`, `dc1-server-consul-0.pem`, ...),
//! flags and messages. Keys are ECDSA P-256, written with mode 0600 (Consul leaves keys to the
//! umask). Works without an agent. `issuer` reads an existing CA back for signing.

mod ca_create;
mod cert_create;
mod issuer;

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::{ArgMatches, Command};

use crate::commands::{CliError, CmdResult};

pub fn cli() -> Command {
    Command::new("tls")
        .about("Builtin helpers for creating CAs and certificates")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(
            Command::new("ca")
                .about("Helpers for CAs")
                .subcommand_required(true)
                .arg_required_else_help(true)
                .subcommand(ca_create::cli()),
        )
        .subcommand(
            Command::new("cert")
                .about("Helpers for certificates")
                .subcommand_required(true)
                .arg_required_else_help(true)
                .subcommand(cert_create::cli()),
        )
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    match m.subcommand() {
        Some(("ca", m)) => match m.subcommand() {
            Some(("create", m)) => ca_create::exec(m),
            _ => unreachable!("clap requires a ca subcommand"),
        },
        Some(("cert", m)) => match m.subcommand() {
            Some(("create", m)) => cert_create::exec(m),
            _ => unreachable!("clap requires a cert subcommand"),
        },
        _ => unreachable!("clap requires a tls subcommand"),
    }
}

/// From now until `days` days from now.
fn validity(days: i64) -> Result<(time::OffsetDateTime, time::OffsetDateTime), CliError> {
    if days < 1 {
        return Err(CliError::failure("-days must be at least 1"));
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs() as i64;
    let at = |secs: i64| {
        time::OffsetDateTime::from_unix_timestamp(secs)
            .map_err(|e| CliError::failure(format!("-days {days}: {e}")))
    };
    Ok((
        at(now - 60)?,
        at(now.saturating_add(days.saturating_mul(86_400)))?,
    ))
}

/// Writes a new file (never over an existing one); keys with mode 0600.
fn save(path: &Path, text: &str, private: bool) -> Result<(), CliError> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(if private { 0o600 } else { 0o644 })
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()).map(|_| f))
        .map_err(|e| CliError::failure(format!("cannot write {}: {e}", path.display())))?;
    f.flush()
        .map_err(|e| CliError::failure(format!("cannot write {}: {e}", path.display())))?;
    crate::cli::output::println(&format!("==> Saved {}", path.display()));
    Ok(())
}

fn cert_error(e: rcgen::Error) -> CliError {
    CliError::failure(format!("cannot create the certificate: {e}"))
}
