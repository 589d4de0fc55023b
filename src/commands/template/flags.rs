//! consul-template's command-line flags (`cli.go`, all but Vault's and Nomad's) as clap
//! arguments, and their values turned into one configuration layer in the shape of a config
//! file, so flags, `-config` files and `CT_LOCAL_CONFIG` go through the same checks.

use clap::{Arg, ArgMatches};
use serde_json::{json, Map, Value};

use crate::goflag::{flag, multi, opt};
use crate::template::config::spec;

/// How a flag's value enters the configuration.
#[derive(Clone, Copy)]
enum Kind {
    /// A string (durations and signals are checked when the layers are decoded).
    Text,
    /// `-x`, `-x=false`.
    Bool,
    /// A whole number.
    Int,
    /// A whole number that may be negative.
    SignedInt,
    /// Repeatable; the values make a list.
    List,
}

/// (flag, kind, key in the configuration, help).
#[rustfmt::skip]
const FLAGS: &[(&str, Kind, &str, &str)] = &[
    ("consul-addr", Kind::Text, "consul.address", "Address of the agent's HTTP API (default: CONSUL_HTTP_ADDR, else 127.0.0.1:8500)"),
    ("consul-auth", Kind::Text, "consul.auth", "Basic auth for the agent, user[:pass]"),
    ("consul-token", Kind::Text, "consul.token", "ACL token (default: CONSUL_HTTP_TOKEN)"),
    ("consul-token-file", Kind::Text, "consul.token_file", "File holding the ACL token (default: CONSUL_HTTP_TOKEN_FILE)"),
    ("consul-retry", Kind::Bool, "consul.retry.enabled", "Retry failed queries (default true)"),
    ("consul-retry-attempts", Kind::Int, "consul.retry.attempts", "Give up after this many failed attempts (default 0: never)"),
    ("consul-retry-backoff", Kind::Text, "consul.retry.backoff", "First retry delay, doubled on each failure (default 250ms)"),
    ("consul-retry-max-backoff", Kind::Text, "consul.retry.max_backoff", "Cap of the retry delay (default 1m)"),
    ("retry", Kind::Text, "consul.retry.backoff", "Same as -consul-retry-backoff"),
    ("consul-ssl", Kind::Bool, "consul.ssl.enabled", "Talk HTTPS to the agent"),
    ("consul-ssl-verify", Kind::Bool, "consul.ssl.verify", "Verify the agent's certificate (default true)"),
    ("consul-ssl-ca-cert", Kind::Text, "consul.ssl.ca_cert", "CA certificate file"),
    ("consul-ssl-ca-path", Kind::Text, "consul.ssl.ca_path", "Directory of CA certificates"),
    ("consul-ssl-cert", Kind::Text, "consul.ssl.cert", "Client certificate file"),
    ("consul-ssl-key", Kind::Text, "consul.ssl.key", "Client key file"),
    ("consul-ssl-server-name", Kind::Text, "consul.ssl.server_name", "Name expected in the agent's certificate"),
    ("consul-transport-dial-keep-alive", Kind::Text, "consul.transport.dial_keep_alive", "Accepted for compatibility (Go HTTP tuning)"),
    ("consul-transport-dial-timeout", Kind::Text, "consul.transport.dial_timeout", "Accepted for compatibility (Go HTTP tuning)"),
    ("consul-transport-disable-keep-alives", Kind::Bool, "consul.transport.disable_keep_alives", "Accepted for compatibility (Go HTTP tuning)"),
    ("consul-transport-max-idle-conns-per-host", Kind::Int, "consul.transport.max_idle_conns_per_host", "Accepted for compatibility (Go HTTP tuning)"),
    ("consul-transport-tls-handshake-timeout", Kind::Text, "consul.transport.tls_handshake_timeout", "Accepted for compatibility (Go HTTP tuning)"),
    ("dedup", Kind::Bool, "deduplicate.enabled", "Elect one instance per template to query the agent; the others render from the data it shares in the KV store"),
    ("default-left-delimiter", Kind::Text, "default_delimiters.left", "Left delimiter of templates that set none (default {{)"),
    ("default-right-delimiter", Kind::Text, "default_delimiters.right", "Right delimiter of templates that set none (default }})"),
    ("dry", Kind::Bool, "dry", "Print the rendered templates to stdout instead of writing them"),
    ("once", Kind::Bool, "once", "Render each template once and exit"),
    ("parse-only", Kind::Bool, "parse_only", "Parse the templates and exit"),
    ("exec", Kind::Text, "exec.command", "Run and supervise this command once every template has rendered"),
    ("exec-kill-signal", Kind::Text, "exec.kill_signal", "Signal that stops the child (default SIGINT)"),
    ("exec-kill-timeout", Kind::Text, "exec.kill_timeout", "Wait this long after the kill signal before SIGKILL (default 30s)"),
    ("exec-reload-signal", Kind::Text, "exec.reload_signal", "Signal sent to the child on a change (default: restart it)"),
    ("exec-splay", Kind::Text, "exec.splay", "Random delay before signalling the child"),
    ("exec-env-pristine", Kind::Bool, "exec.env.pristine", "Start the child with an empty environment"),
    ("exec-env-custom", Kind::List, "exec.env.custom", "KEY=value to add to the child's environment"),
    ("exec-env-allowlist", Kind::List, "exec.env.allowlist", "Only pass variables matching this glob to the child"),
    ("exec-env-denylist", Kind::List, "exec.env.denylist", "Never pass variables matching this glob to the child"),
    ("kill-signal", Kind::Text, "kill_signal", "Signal that stops sd template (default SIGINT)"),
    ("reload-signal", Kind::Text, "reload_signal", "Signal that reloads configuration and templates (default SIGHUP)"),
    ("log-level", Kind::Text, "log_level", "Log level: trace, debug, info, warn, err (default warn)"),
    ("log-file", Kind::Text, "log_file.path", "Also log to this file, rotated (a directory gets consul-template-<time>.log)"),
    ("log-rotate-bytes", Kind::Int, "log_file.log_rotate_bytes", "Start a new log file past this size in bytes (default 0: no limit)"),
    ("log-rotate-duration", Kind::Text, "log_file.log_rotate_duration", "Start a new log file this often (default 24h)"),
    ("log-rotate-max-files", Kind::SignedInt, "log_file.log_rotate_max_files", "Old log files to keep (default 0: all; -1: none)"),
    ("syslog", Kind::Bool, "syslog.enabled", "Also log to the local syslog daemon"),
    ("syslog-facility", Kind::Text, "syslog.facility", "Syslog facility (default LOCAL0)"),
    ("syslog-name", Kind::Text, "syslog.name", "Program name in syslog (default consul-template)"),
    ("max-stale", Kind::Text, "max_stale", "Allow stale reads this far behind the leader (default 2s)"),
    ("pid-file", Kind::Text, "pid_file", "Write the process id to this file"),
    ("template-error-fatal", Kind::Bool, "template_error_fatal", "A template error ends the run (default false in sd)"),
    ("wait", Kind::Text, "wait", "Quiescence: min[:max] with no change before rendering"),
    ("block-warn", Kind::Text, "block_warn", "Say at INFO what a template waits for after this long (default 30s)"),
    ("on-command-error", Kind::Text, "on_command_error", "What a failed command does: log (default) or exit"),
];

/// Every flag, for `sd template`'s clap command.
pub fn args() -> Vec<Arg> {
    let mut out =
        vec![
        multi("config", "PATH", "Configuration file or directory (HCL or JSON); repeatable"),
        multi(
            "template",
            "SRC[:DEST[:COMMAND]]",
            "A template to render, where to write it and what to run when it changed; repeatable",
        ),
    ];
    for &(name, kind, _, help) in FLAGS {
        out.push(match kind {
            Kind::Bool => flag(name, help),
            Kind::Text | Kind::Int | Kind::SignedInt => opt(name, "VALUE", help),
            Kind::List => multi(name, "VALUE", help),
        });
    }
    out
}

/// The flags given on the command line as a configuration layer; a malformed `-template` or
/// number is an error naming the flag.
pub fn layer(m: &ArgMatches) -> Result<Value, String> {
    let mut root = Map::new();
    for &(name, kind, key, _) in FLAGS {
        let value = match kind {
            Kind::Bool => match m.try_get_one::<bool>(name).ok().flatten() {
                Some(b) => json!(b),
                None => continue,
            },
            Kind::Text => match crate::goflag::get_str(m, name) {
                Some(s) => json!(s),
                None => continue,
            },
            Kind::Int => match crate::goflag::get_str(m, name) {
                Some(s) => json!(s
                    .parse::<u32>()
                    .map_err(|_| format!("-{name}: {s:?} is not a whole number"))?),
                None => continue,
            },
            Kind::SignedInt => match crate::goflag::get_str(m, name) {
                Some(s) => json!(s
                    .parse::<i64>()
                    .map_err(|_| format!("-{name}: {s:?} is not a whole number"))?),
                None => continue,
            },
            Kind::List => {
                let all = crate::goflag::get_all(m, name);
                if all.is_empty() {
                    continue;
                }
                json!(all)
            }
        };
        set(&mut root, key, value);
    }
    let mut templates = Vec::new();
    for s in crate::goflag::get_all(m, "template") {
        let t = spec::parse_template(&s)?;
        let mut entry = Map::new();
        if let Some(src) = t.source {
            entry.insert("source".into(), json!(src));
        }
        if let Some(dest) = t.destination {
            entry.insert("destination".into(), json!(dest));
        }
        if let Some(crate::template::config::CommandSpec::Shell(cmd)) = t.command {
            entry.insert("command".into(), json!(cmd));
        }
        templates.push(Value::Object(entry));
    }
    if !templates.is_empty() {
        root.insert("template".into(), Value::Array(templates));
    }
    Ok(Value::Object(root))
}

/// Sets the dotted `key` in `root`, creating the blocks on the way.
fn set(root: &mut Map<String, Value>, key: &str, value: Value) {
    let mut cur = root;
    let mut steps = key.split('.').peekable();
    while let Some(step) = steps.next() {
        if steps.peek().is_none() {
            cur.insert(step.to_string(), value);
            return;
        }
        let next = cur
            .entry(step.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !next.is_object() {
            *next = Value::Object(Map::new());
        }
        let Value::Object(map) = next else { return };
        cur = map;
    }
}
