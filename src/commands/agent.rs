//! `sd agent`: runs an agent in the foreground. TEMPORARY flag handling until config lands.

use std::process::ExitCode;

use anyhow::Context;
use clap::{ArgMatches, Command};

use super::CmdResult;
use crate::cli::args::{flag, get_flag, get_str, opt};
use crate::config::RuntimeConfig;

pub fn cli() -> Command {
    Command::new("agent")
        .about("Runs a Consul-compatible agent")
        .args([
            flag("dev", "dev mode"),
            flag("server", "server"),
            flag("bootstrap", "bootstrap"),
            opt("data-dir", "PATH", "data dir"),
            opt("node", "NAME", "node"),
            opt("http-port", "PORT", "http port"),
            opt("client", "ADDR", "client"),
            opt("bind", "ADDR", "bind"),
            opt("dns-port", "PORT", "x"),
            opt("server-port", "PORT", "x"),
            opt("serf-lan-port", "PORT", "x"),
            opt("serf-wan-port", "PORT", "x"),
            opt("log-level", "L", "x"),
        ])
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let mut c = RuntimeConfig::default();
    c.dev = get_flag(m, "dev");
    c.server = get_flag(m, "server") || c.dev;
    c.bootstrap = get_flag(m, "bootstrap");
    c.data_dir = get_str(m, "data-dir").map(Into::into);
    c.node_name = get_str(m, "node").unwrap_or("node").to_string();
    if let Some(p) = get_str(m, "http-port") {
        c.ports.http = p.parse().context("http-port")?;
    }
    if let Some(a) = get_str(m, "client") {
        c.client_addrs = vec![a.parse().context("client")?];
    }
    if let Some(a) = get_str(m, "bind") {
        c.bind_addr = a.parse().context("bind")?;
    }
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter("info")
        .init();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(crate::agent::run(c, |lines| {
        crate::cli::output::println("==> Starting sd agent...");
        for (k, v) in lines {
            crate::cli::output::println(&format!("{k:>20}: {v}"));
        }
        crate::cli::output::println("\n==> Log data will now stream in as it occurs:\n");
    }))?;
    Ok(ExitCode::SUCCESS)
}
