//! `sd agent`: loads the layered configuration and runs an agent in the foreground until
//! SIGINT or SIGTERM; SIGHUP reloads the configuration.

use std::process::ExitCode;

use anyhow::Context;
use clap::{ArgMatches, Command};

use super::{CliError, CmdResult};
use crate::agent::{reload, Agent, Options, Shutdown};
use crate::cli::{logging, output};
use crate::config::{self, LoadInput};
use crate::watch;

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
    let watches = parse_watches(&runtime.watches).map_err(CliError::failure)?;
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
                log_monitor: Some(log_monitor()),
            },
        )
        .await?;
        output::println("==> Starting sd agent...");
        for (key, value) in bound.banner() {
            output::println(&format!("{key:>20}: {value}"));
        }
        output::println("\n==> Log data will now stream in as it occurs:\n");
        let agent = bound.agent().clone();
        start_watches(&agent.config, watches);
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

/// The agent's `watches`, each with exactly one handler.
fn parse_watches(
    raw: &[serde_json::Value],
) -> Result<Vec<(watch::Params, watch::Handler)>, String> {
    raw.iter()
        .map(|w| {
            let params = watch::Params::parse(w)
                .map_err(|e| format!("Failed to parse watch ({w}): {e}"))?;
            if params.shell_handler.is_some() {
                tracing::warn!("The 'handler' field in watches has been deprecated and replaced with the 'args' field.");
            }
            let handler = watch::for_agent(&params).map_err(|e| format!("Failed to parse watch ({w}): {e}"))?;
            Ok((params, handler))
        })
        .collect()
}

/// Runs the agent's watches against its own HTTP API, as Consul's agent does; a handler
/// that fails is logged and the watch goes on.
fn start_watches(c: &config::RuntimeConfig, watches: Vec<(watch::Params, watch::Handler)>) {
    if watches.is_empty() {
        return;
    }
    let addr = match (c.http_listen.ips.first(), c.http_listen.unix.first()) {
        (Some(ip), _) => {
            let ip = if ip.is_unspecified() {
                std::net::IpAddr::from([127, 0, 0, 1])
            } else {
                *ip
            };
            std::net::SocketAddr::new(ip, u16::try_from(c.ports.http).unwrap_or(8500)).to_string()
        }
        (None, Some(path)) => format!("unix://{}", path.display()),
        (None, None) => {
            tracing::error!("agent: watches need the HTTP API, which is disabled");
            return;
        }
    };
    let flags = config::client_env::ClientFlags {
        http_addr: Some(addr),
        ..Default::default()
    };
    let client = match config::client_env::resolve(&flags, &config::no_env)
        .map_err(|e| e.to_string())
        .and_then(|s| crate::client::Client::new(s).map_err(|e| e.to_string()))
    {
        Ok(client) => client,
        Err(e) => {
            tracing::error!("agent: cannot run watches: {e}");
            return;
        }
    };
    for (params, handler) in watches {
        let mut plan = watch::Plan::new(params, client.clone());
        tokio::spawn(async move {
            loop {
                let (index, view) = plan
                    .next(|e, retry| tracing::error!(%e, ?retry, "watch: Watch errored"))
                    .await;
                if let Err(e) = handler.run(index, &view).await {
                    tracing::error!("agent: Failed to run watch handler: {e}");
                }
            }
        });
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

/// The agent's `/v1/agent/monitor` feeds, from the logger's hub.
fn log_monitor() -> crate::agent::monitor::LogMonitor {
    let hub = crate::cli::log_hub::hub();
    std::sync::Arc::new(move |level, json| {
        let (lines, watch) = hub.watch(level, json);
        crate::agent::monitor::MonitorFeed {
            lines,
            guard: Box::new(watch),
        }
    })
}
