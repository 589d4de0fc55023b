//! What a watch does with each new view: print it once (`sd watch` without a handler), run a
//! command with the view's JSON on stdin and `CONSUL_INDEX` set, or send it to an HTTP
//! endpoint with `X-Consul-Index`. The commands run in a process group of their own.

use std::time::Duration;

use tokio::io::AsyncWriteExt;

use super::fetch::View;
use super::params::{HttpHandlerConfig, Params};
use crate::process::ProcessGroup;

/// A watch's handler.
#[derive(Debug, Clone)]
pub enum Handler {
    /// A command: `args` run directly, or one line run by `$SHELL -c` (`/bin/sh`).
    Command {
        argv: Vec<String>,
        shell: bool,
    },
    Http(HttpHandlerConfig),
}

impl Handler {
    /// The handler an agent watch definition names, if any.
    pub fn of(params: &Params) -> Option<Handler> {
        if let Some(h) = &params.http {
            return Some(Handler::Http(h.clone()));
        }
        if !params.args.is_empty() {
            return Some(Handler::Command {
                argv: params.args.clone(),
                shell: false,
            });
        }
        params.shell_handler.as_ref().map(|line| Handler::Command {
            argv: vec![line.clone()],
            shell: true,
        })
    }

    /// Runs the handler for the view at `index`; an error says why it failed.
    pub async fn run(&self, index: u64, view: &View) -> Result<(), String> {
        // As Go's json.Encoder writes it: compact, one line.
        let mut body = view.json.clone().into_bytes();
        body.push(b'\n');
        match self {
            Handler::Command { argv, shell } => run_command(argv, *shell, index, &body).await,
            Handler::Http(cfg) => post(cfg, index, body).await,
        }
    }
}

async fn run_command(argv: &[String], shell: bool, index: u64, stdin: &[u8]) -> Result<(), String> {
    let sh = shell.then(crate::config::user_shell);
    let mut cmd = crate::process::command(argv, sh.as_deref()).ok_or("empty handler command")?;
    cmd.env("CONSUL_INDEX", index.to_string())
        .stdin(std::process::Stdio::piped())
        .process_group(0);
    let mut child = ProcessGroup::new(
        cmd.spawn()
            .map_err(|e| format!("Error starting handler: {e}"))?,
    );
    if let Some(mut input) = child.child.stdin.take() {
        // A handler that does not read its input must not fail the watch.
        let _ = input.write_all(stdin).await;
    }
    let status = child.wait().await.map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("Error executing handler: {status}"))
    }
}

async fn post(cfg: &HttpHandlerConfig, index: u64, body: Vec<u8>) -> Result<(), String> {
    let client = reqwest::Client::builder()
        .timeout(cfg.timeout.max(Duration::from_millis(1)))
        .danger_accept_invalid_certs(cfg.tls_skip_verify)
        .build()
        .map_err(|e| e.to_string())?;
    let method = reqwest::Method::from_bytes(cfg.method.as_bytes()).map_err(|e| e.to_string())?;
    let mut req = client
        .request(method, &cfg.path)
        .header("Content-Type", "application/json")
        .header("X-Consul-Index", index.to_string())
        .body(body);
    for (name, values) in &cfg.header {
        for v in values {
            req = req.header(name, v);
        }
    }
    let resp = req
        .send()
        .await
        .map_err(|e| format!("Failed to invoke http watch handler: {e}"))?;
    if !resp.status().is_success() {
        return Err(format!(
            "http watch handler returned not 2xx: {}",
            resp.status()
        ));
    }
    Ok(())
}

/// The handler of an agent's `watches` entry, which must have exactly one (Consul's checks).
pub fn for_agent(params: &Params) -> Result<Handler, String> {
    let given = [
        !params.args.is_empty(),
        params.shell_handler.is_some(),
        params.http.is_some(),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    match (given, Handler::of(params)) {
        (1, Some(h)) => Ok(h),
        (0, _) => Err("Must define a watch handler".into()),
        _ => Err("Only one watch handler allowed".into()),
    }
}
