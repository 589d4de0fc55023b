//! `sd agent`: loads the layered configuration and runs an agent in the foreground until
//! SIGINT or SIGTERM.

use std::process::ExitCode;

use anyhow::Context;
use clap::{ArgMatches, Command};

use super::CmdResult;
use crate::cli::{logging, output};
use crate::config::{self, LoadInput};

pub fn cli() -> Command {
    Command::new("agent")
        .about("Runs a Consul-compatible agent")
        .long_about(
            "Runs a Consul-compatible agent in the foreground: a server keeping the replicated state \
             (-server), or a throw-away development server (-dev). Takes Consul's agent flags and \
             config files; every flag may also be set as SD_<FLAG> in the environment.",
        )
        .args(config::agent_args())
        .after_help(
            "Examples:\n  sd agent -dev\n  sd agent -server -bootstrap -ui -data-dir=/var/lib/consul-data \
             -bind=10.0.0.1 -client=0.0.0.0 -node=consul-server01",
        )
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let flags = config::flags_from_matches(m);
    let input = LoadInput::new(flags.clone(), &config::process_env);
    let runtime = config::load(&input).map_err(|e| anyhow::anyhow!("{e}"))?;
    // A reload reads the same flags, files and environment again.
    let reloader: crate::agent::reload::Reloader = std::sync::Arc::new(move || {
        let input = LoadInput::new(flags.clone(), &config::process_env);
        config::load(&input).map_err(|e| e.to_string())
    });
    logging::init(&runtime.log_level, runtime.log_json).map_err(anyhow::Error::msg)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("sd-agent")
        .build()
        .context("starting the async runtime")?;
    let result = rt.block_on(crate::agent::run(runtime, Some(reloader), |banner| {
        output::println("==> Starting sd agent...");
        for (key, value) in banner {
            output::println(&format!("{key:>20}: {value}"));
        }
        output::println("\n==> Log data will now stream in as it occurs:\n");
    }));
    rt.shutdown_timeout(std::time::Duration::from_secs(2));
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => {
            tracing::error!("{e}");
            Err(anyhow::anyhow!("{e}"))
        }
    }
}
