//! `sd template` (and `consul-template` through a symlink): renders files from the catalog and
//! KV store. This module reads the command line, layers `CT_LOCAL_CONFIG`, `-config` files and
//! the flags into one configuration, builds the HTTP client and hands over to `src/template/`.
//!
//! A usage error (an unknown flag, a malformed `-template`, a bad key or value in any layer)
//! exits 2 naming it; the run's own exit codes are consul-template's (see `template::run`).

mod flags;

use std::collections::BTreeMap;
use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::cli::output;
use crate::client::Client;
use crate::commands::{CliError, CmdResult};
use crate::template::config::{self, Config, Sources};

pub fn cli() -> Command {
    Command::new("template")
        .about("Render templates from the catalog and KV store, running a command on change")
        .long_about(
            "Render templates from the catalog and KV store, running a command on change \
             (consul-template). Settings come from CT_LOCAL_CONFIG, then -config files and \
             directories (HCL or JSON), then these flags.",
        )
        .disable_version_flag(true)
        .args(flags::args())
        .arg(
            Arg::new("version")
                .short('v')
                .long("version")
                .action(ArgAction::SetTrue)
                .help("Print the version and exit"),
        )
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    if m.get_flag("version") {
        output::println(&format!("consul-template v{} (sd)", crate::VERSION));
        return Ok(ExitCode::SUCCESS);
    }
    let env: BTreeMap<String, String> = crate::config::process_env_vars();
    let sources = sources(m, &env).map_err(usage)?;
    let config = config::load(&sources).map_err(usage)?;
    if config.templates.is_empty() && config.exec.is_none() {
        return Err(usage(
            "no templates: give -template \"src:dest[:command]\" or a template {} block in -config",
        ));
    }
    let outputs = log_outputs(&config).map_err(usage)?;
    crate::cli::logging::init_with(&config.log_level, false, outputs)
        .map_err(|e| usage(format!("log_level: {e}")))?;
    let client = client_for(&config).map_err(usage)?;
    let reload: crate::template::Reload = Box::new(move || {
        let config = config::load(&sources)?;
        let client = client_for(&config)?;
        Ok((config, client))
    });
    Ok(crate::template::run(config, client, env, Some(reload)))
}

/// The layers of this run: consul-template's log-level variables, `CT_LOCAL_CONFIG`, the
/// `-config` paths and the flags.
fn sources(m: &ArgMatches, env: &BTreeMap<String, String>) -> Result<Sources, String> {
    let mut flags = flags::layer(m)?;
    if flags.get("log_level").is_none() {
        let from_env = ["CT_LOG", "CONSUL_TEMPLATE_LOG", "CONSUL_TEMPLATE_LOG_LEVEL"]
            .iter()
            .find_map(|k| env.get(*k).filter(|v| !v.is_empty()));
        if let (Some(level), Some(map)) = (from_env, flags.as_object_mut()) {
            map.insert("log_level".into(), level.clone().into());
        }
    }
    Ok(Sources {
        local_config: env.get("CT_LOCAL_CONFIG").cloned(),
        paths: crate::goflag::get_all(m, "config")
            .into_iter()
            .map(Into::into)
            .collect(),
        flags,
    })
}

/// The log file and syslog the configuration asks for (read once: a reload keeps them).
fn log_outputs(config: &Config) -> Result<crate::cli::logging::Outputs, String> {
    let file = config
        .log_file
        .clone()
        .map(|f| crate::cli::log_file::RotatingFile::open(f, "consul-template.log"))
        .transpose()?;
    let syslog = config
        .syslog
        .as_ref()
        .map(|s| crate::cli::syslog::Syslog::connect(&s.facility, &s.name))
        .transpose()?;
    Ok(crate::cli::logging::Outputs { file, syslog })
}

/// The HTTP client for `config.consul`, over the `CONSUL_HTTP_*` environment as every sd client.
fn client_for(config: &Config) -> Result<Client, String> {
    let c = &config.consul;
    let path = |p: &Option<std::path::PathBuf>| p.as_ref().map(|p| p.display().to_string());
    let mut address = c.address.clone();
    if c.ssl.enabled == Some(true) {
        address = address.map(|a| {
            if a.contains("://") {
                a
            } else {
                format!("https://{a}")
            }
        });
    }
    let flags = crate::config::client_env::ClientFlags {
        http_addr: address,
        token: c.token.clone(),
        token_file: path(&c.token_file),
        ca_file: path(&c.ssl.ca_cert),
        ca_path: path(&c.ssl.ca_path),
        client_cert: path(&c.ssl.cert),
        client_key: path(&c.ssl.key),
        tls_server_name: c.ssl.server_name.clone(),
        datacenter: None,
    };
    let mut settings =
        crate::config::client_env::from_process_env(&flags).map_err(|e| e.to_string())?;
    if c.ssl.enabled == Some(true) && c.address.is_none() {
        settings.scheme = crate::config::client_env::Scheme::Https;
    }
    if !c.ssl.verify {
        settings.tls.insecure_skip_verify = true;
    }
    if let Some(auth) = &c.auth {
        let (user, pass) = auth.split_once(':').unwrap_or((auth, ""));
        settings.http_auth = Some(crate::config::client_env::BasicAuth {
            username: user.to_string(),
            password: pass.to_string(),
        });
    }
    Client::new(settings).map_err(|e| format!("cannot build the HTTP client: {e}"))
}

/// A usage error: `sd template: <message>`, exit 2.
fn usage(message: impl std::fmt::Display) -> CliError {
    CliError::usage(format!("sd template: {message}"))
}
