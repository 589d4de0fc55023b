//! `sd agent`: loads the layered configuration and runs an agent in the foreground until
//! SIGINT or SIGTERM; SIGHUP reloads the configuration.

use std::process::ExitCode;

use anyhow::Context;
use clap::{ArgMatches, Command};

use super::{CliError, CmdResult};
use crate::agent::{reload, Agent, Options, Shutdown};
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
    let reloader: reload::Reloader = std::sync::Arc::new(move || {
        let input = LoadInput::new(flags.clone(), &config::process_env);
        config::load(&input).map_err(|e| e.to_string())
    });
    logging::init(&runtime.log_level, runtime.log_json).map_err(anyhow::Error::msg)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("sd-agent")
        .build()
        .context("starting the async runtime")?;
    let result = rt.block_on(async {
        let bound = Agent::bind(
            runtime,
            Options {
                reloader: Some(reloader),
                version: crate::VERSION,
            },
        )
        .await?;
        output::println("==> Starting sd agent...");
        for (key, value) in bound.banner() {
            output::println(&format!("{key:>20}: {value}"));
        }
        output::println("\n==> Log data will now stream in as it occurs:\n");
        let agent = bound.agent().clone();
        bound.serve(until_stopped(agent)).await
    });
    rt.shutdown_timeout(std::time::Duration::from_secs(2));
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => {
            tracing::error!("{e}");
            Err(CliError::failure(format!("Error: {e}")))
        }
    }
}

/// Reloads on SIGHUP until SIGTERM or SIGINT, then says whether to leave the cluster first:
/// on SIGTERM with `leave_on_terminate`, on SIGINT unless `skip_leave_on_interrupt` (Consul's
/// defaults make clients leave on both and servers on neither).
async fn until_stopped(agent: std::sync::Arc<Agent>) -> Shutdown {
    let mut signals = Signals::new();
    let leave = loop {
        match signals.next().await {
            Signal::Hangup => {
                tracing::info!("caught SIGHUP, reloading configuration");
                if let Err(e) = reload::reload(&agent) {
                    tracing::error!("Failed to reload configs: {e}");
                }
            }
            Signal::Terminate => break agent.config.leave_on_terminate,
            Signal::Interrupt => break !agent.config.skip_leave_on_interrupt,
        }
    };
    tracing::info!("caught signal, shutting down");
    if leave {
        Shutdown::Leave
    } else {
        Shutdown::Stop
    }
}

/// A signal the agent acts on.
enum Signal {
    Terminate,
    Interrupt,
    Hangup,
}

/// SIGTERM, SIGINT and SIGHUP, installed once.
struct Signals {
    handlers: Option<(
        tokio::signal::unix::Signal,
        tokio::signal::unix::Signal,
        tokio::signal::unix::Signal,
    )>,
}

impl Signals {
    fn new() -> Signals {
        use tokio::signal::unix::{signal, SignalKind};
        let handlers = match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
            signal(SignalKind::hangup()),
        ) {
            (Ok(t), Ok(i), Ok(h)) => Some((t, i, h)),
            _ => None,
        };
        Signals { handlers }
    }

    async fn next(&mut self) -> Signal {
        let Some((term, int, hup)) = self.handlers.as_mut() else {
            // Without signal handlers, run until killed.
            return std::future::pending().await;
        };
        tokio::select! {
            _ = term.recv() => Signal::Terminate,
            _ = int.recv() => Signal::Interrupt,
            _ = hup.recv() => Signal::Hangup,
        }
    }
}
