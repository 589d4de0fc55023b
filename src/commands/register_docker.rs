//! `sd register-docker` (and `registrator` through a symlink): registers the services of the
//! containers running on this host's Docker engine into an agent, as gliderlabs/registrator
//! does, with registrator's flags (Go syntax, all before the one registry URI). `src/docker/`
//! does the work.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::{Arg, ArgMatches, Command};

use crate::commands::{CliError, CmdResult};
use crate::docker::tags::Tags;
use crate::docker::{engine, runner, service, uri};
use crate::goflag::{flag, get_all, get_flag, get_int, get_str, opt};

pub fn cli() -> Command {
    Command::new("register-docker")
        .about("Register the services of running Docker containers (registrator)")
        .arg(opt("ip", "IP", "Address of the services of published ports (default: the agent's address when it is this host's, else the default route's)"))
        .arg(flag("internal", "Register the container's address and exposed port instead of the published ones"))
        .arg(flag("explicit", "Register only containers with SERVICE_NAME or SERVICE_<port>_NAME"))
        .arg(opt("tags", "TAGS", "Tags added to every service: a comma-separated list, or a Go template over the container's inspect object"))
        .arg(opt("ttl", "SECONDS", "Accepted for registrator's etcd backends; Consul services do not expire"))
        .arg(opt("ttl-refresh", "SECONDS", "Accepted with -ttl; see -ttl"))
        .arg(opt("resync", "SECONDS", "Reconcile with the engine this often (default 0: on reconnects only)"))
        .arg(opt("retry-attempts", "N", "Tries to reach the agent at start (-1: forever, default 0: once)"))
        .arg(opt("retry-interval", "MS", "Milliseconds between those tries (default 2000)"))
        .arg(opt("deregister", "WHEN", "always (default) or on-success: keep the services of a container that failed"))
        .arg(flag("cleanup", "Remove this host's services whose containers are gone (sd always does)"))
        .arg(opt("useIpFromLabel", "LABEL", "Take the address from this container label"))
        .arg(opt("docker-host", "URL", "Docker engine (default: DOCKER_HOST, else unix:///tmp/docker.sock, else /var/run/docker.sock)"))
        .arg(Arg::new("args").num_args(0..).trailing_var_arg(true).hide(true))
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let args = get_all(m, "args");
    let uri = match args.as_slice() {
        [uri] => uri.clone(),
        // Usage errors exit 2, as registrator's Go flag parsing does.
        [] => {
            return Err(CliError::usage(
                "Missing required argument for registry URI.",
            ))
        }
        _ => {
            return Err(CliError::usage(
                "Options should come before the registry URI argument.",
            ))
        }
    };
    let registry = uri::parse(&uri).map_err(CliError::usage)?;
    let parsed = (|| -> Result<_, String> {
        let ttl = get_int(m, "ttl", 0)?;
        let ttl_refresh = get_int(m, "ttl-refresh", 0)?;
        if (ttl > 0) != (ttl_refresh > 0) || (ttl > 0 && ttl <= ttl_refresh) {
            return Err("-ttl must be greater than -ttl-refresh, and both given together".into());
        }
        let tags = get_str(m, "tags").map_or(Ok(Tags::None), Tags::parse)?;
        let resync = get_int(m, "resync", 0)?;
        let attempts = get_int(m, "retry-attempts", 0)?;
        let interval = get_int(m, "retry-interval", 2000)?;
        if interval <= 0 {
            return Err("-retry-interval must be greater than 0".into());
        }
        let on_success = match get_str(m, "deregister").unwrap_or("always") {
            "always" => false,
            "on-success" => true,
            other => {
                return Err(format!(
                    "-deregister must be \"always\" or \"on-success\", not {other:?}"
                ))
            }
        };
        Ok((resync, attempts, interval, on_success, tags))
    })();
    let (resync, attempts, interval, on_success, tags) = parsed.map_err(CliError::usage)?;
    crate::cli::logging::init("info", false).map_err(anyhow::Error::msg)?;
    let flags = crate::config::client_env::ClientFlags {
        http_addr: Some(registry.http_addr()),
        ..Default::default()
    };
    let client = match crate::config::client_env::from_process_env(&flags)
        .map_err(|e| e.to_string())
        .and_then(|s| crate::client::Client::new(s).map_err(|e| e.to_string()))
    {
        Ok(c) => c,
        Err(e) => return Err(CliError::failure(format!("sd register-docker: {e}"))),
    };
    let docker_host = engine::docker_host(
        get_str(m, "docker-host"),
        crate::config::process_env("DOCKER_HOST").as_deref(),
    );
    let hostname = gethostname::gethostname().to_string_lossy().into_owned();
    let ip = get_str(m, "ip").map(str::to_string);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let result = rt.block_on(async {
        // Reach the agent first (registrator pings its backend), with -retry-attempts.
        let mut tries = 0i64;
        let member_addr = loop {
            match client.agent().self_info().await {
                Ok(me) => break me.member.addr,
                Err(e) if attempts < 0 || tries < attempts => {
                    tracing::warn!("agent at {}: {e}; retrying", registry.http_addr());
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(interval as u64)).await;
                }
                Err(e) => return Err(format!("agent at {}: {e}", registry.http_addr())),
            }
        };
        let host_ip = match &ip {
            Some(ip) => ip.clone(),
            None => {
                let local: Vec<std::net::IpAddr> = if_addrs::get_if_addrs()
                    .map(|l| l.into_iter().map(|i| i.ip()).collect())
                    .unwrap_or_default();
                crate::docker::host_ip::detect(&member_addr, &local)
            }
        };
        tracing::info!("published ports register at {host_ip}");
        let settings = runner::Settings {
            docker_host,
            options: service::Options {
                hostname,
                ip,
                host_ip,
                internal: get_flag(m, "internal"),
                explicit: get_flag(m, "explicit"),
                ip_from_label: get_str(m, "useIpFromLabel").map(str::to_string),
            },
            tags,
            resync: (resync > 0).then(|| Duration::from_secs(resync as u64)),
            deregister_on_success: on_success,
        };
        tokio::select! {
            r = runner::run(settings, client) => r.map(|never| match never {}),
            () = crate::commands::stop_signal() => Ok(()),
        }
    });
    result.map_err(|e| CliError::failure(format!("sd register-docker: {e}")))?;
    Ok(ExitCode::SUCCESS)
}
