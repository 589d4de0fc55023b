//! `sd template`: consul-template in the binary. Renders files from the catalog and KV store of
//! any agent and runs a command when a file changes.
//!
//! A client of the HTTP API like the tool it replaces: it reaches an agent only through
//! `client` (and its wire types in `api`), never through `agent`. Layout:
//! - `config`: the run's settings (`Config`, `TemplateConfig`), from `-config` files (HCL,
//!   JSON) and flags;
//! - `query`: the dependency query syntax (`tag.name@dc~near|passing`, `key@dc`, ...);
//! - `dependency`, `brain`, `watch`: one blocking query per unique dependency and the data it
//!   last returned;
//! - `engine`: Go `text/template` (gotmpl) and Tera adapters over one set of functions
//!   (`funcs`);
//! - `writer`, `command`: the destination file (write-if-changed, atomic) and the commands run
//!   after it changed;
//! - `dedup`: `-dedup`, one instance per template querying the agent for all of them;
//! - `runner`: the loop that ties them together (quiescence, n-pass rendering, exec mode).
//!
//! May import: `api`, `cli`, `client`, `config`, `gotemplate`, `process` (checked by tests/architecture.rs).

pub(crate) mod brain;
pub mod config;
pub(crate) mod dedup;
pub(crate) mod dependency;
pub(crate) mod engine;
pub(crate) mod funcs;
pub(crate) mod query;
mod runner;
pub(crate) mod watch;
mod writer;

use std::process::ExitCode;

/// Reads the configuration again (the reload signal): the new settings and a client for them,
/// or why they cannot be used (the run then keeps its current configuration).
pub type Reload = Box<dyn Fn() -> Result<(config::Config, crate::client::Client), String> + Send>;

/// Runs `sd template` with `config` and `client` (built from `config.consul` by the command)
/// until it is told to stop (or, with `-once`, until every template has been rendered once) and
/// returns consul-template's exit code. `env` is the environment the `env` functions read;
/// `reload` is called on the reload signal (without it, only the templates are read again).
pub fn run(
    config: config::Config,
    client: crate::client::Client,
    env: std::collections::BTreeMap<String, String>,
    reload: Option<Reload>,
) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            crate::cli::output::eprintln(&format!("sd template: cannot start: {e}"));
            return ExitCode::FAILURE;
        }
    };
    let helpers = funcs::helpers::HelperContext {
        env: std::sync::Arc::new(env),
        sandbox: None,
    };
    runtime.block_on(runner::run(config, client, helpers, reload))
}
