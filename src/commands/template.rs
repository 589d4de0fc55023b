//! `sd template`: renders files from the catalog and KV store (consul-template). This first
//! version takes the flags of the seed's command (`-consul-addr`, `-template`, `-once`, `-dry`,
//! `-log-level`); `src/template/` does the work.

use std::process::ExitCode;

use anyhow::Context;
use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::commands::CmdResult;
use crate::template::config::{CommandSpec, Config, TemplateConfig};

pub fn cli() -> Command {
    Command::new("template")
        .about("Render templates from the catalog and KV store, running a command on change")
        .arg(
            Arg::new("consul-addr")
                .long("consul-addr")
                .value_name("ADDR")
                .help(
                    "Address of the agent's HTTP API (default: CONSUL_HTTP_ADDR or 127.0.0.1:8500)",
                ),
        )
        .arg(
            Arg::new("template")
                .long("template")
                .value_name("SRC[:DEST[:COMMAND]]")
                .action(ArgAction::Append)
                .help("A template to render, where to write it and what to run when it changed"),
        )
        .arg(
            Arg::new("once")
                .long("once")
                .action(ArgAction::SetTrue)
                .help("Render each template once and exit"),
        )
        .arg(
            Arg::new("dry")
                .long("dry")
                .action(ArgAction::SetTrue)
                .help("Print the rendered templates to stdout instead of writing them"),
        )
        .arg(
            Arg::new("log-level")
                .long("log-level")
                .value_name("LEVEL")
                .default_value("warn")
                .help("Log level: trace, debug, info, warn, err"),
        )
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let level = m.get_one::<String>("log-level").map(String::as_str);
    crate::cli::logging::init(level.unwrap_or("warn"), false)
        .map_err(|e| anyhow::anyhow!("-log-level: {e}"))?;
    let mut config = Config {
        once: m.get_flag("once"),
        dry: m.get_flag("dry"),
        ..Default::default()
    };
    for spec in m.get_many::<String>("template").into_iter().flatten() {
        let mut parts = spec.splitn(3, ':');
        let source = parts.next().filter(|s| !s.is_empty());
        let Some(source) = source else {
            crate::cli::output::eprintln(&format!("-template {spec:?}: no source"));
            return Ok(ExitCode::from(2));
        };
        config.templates.push(TemplateConfig {
            source: Some(source.into()),
            destination: parts.next().map(Into::into),
            command: parts.next().map(|s| CommandSpec::Shell(s.to_string())),
            ..Default::default()
        });
    }
    let flags = crate::config::client_env::ClientFlags {
        http_addr: m.get_one::<String>("consul-addr").cloned(),
        ..Default::default()
    };
    let settings = crate::config::client_env::from_process_env(&flags)?;
    let client = crate::client::Client::new(settings).context("cannot build the HTTP client")?;
    let env = std::env::vars().collect();
    Ok(crate::template::run(config, client, env, None))
}
