//! Turns consul-template's configuration, merged into one JSON value (from `-config` files,
//! `CT_LOCAL_CONFIG` and the flags), into a [`Config`]. Every key is checked: an unknown one is
//! an error naming where it is (`template[1].perm: unknown field ...`), and the parts sd does not
//! do (Vault, Nomad) are refused by name instead of being ignored.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use super::values::{Auth, Command, Dur, Perms, Signal, Wait};
use super::{
    Config, EngineKind, ExecConfig, ExecEnv, OnCommandError, RetryConfig, SslConfig,
    TemplateConfig, DEFAULT_COMMAND_TIMEOUT,
};

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    consul: Option<RawConsul>,
    deduplicate: Option<RawDedup>,
    default_delimiters: Option<RawDelims>,
    exec: Option<RawExec>,
    kill_signal: Option<Signal>,
    log_level: Option<String>,
    log_file: Option<RawLogFile>,
    max_stale: Option<Dur>,
    pid_file: Option<PathBuf>,
    reload_signal: Option<Signal>,
    syslog: Option<RawSyslog>,
    #[serde(default)]
    template: Vec<RawTemplate>,
    template_error_fatal: Option<bool>,
    vault: Option<Value>,
    nomad: Option<Value>,
    wait: Option<Wait>,
    once: Option<bool>,
    parse_only: Option<bool>,
    dry: Option<bool>,
    block_query_wait: Option<Dur>,
    err_on_failed_lookup: Option<bool>,
    block_warn: Option<Dur>,
    on_command_error: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawConsul {
    address: Option<String>,
    namespace: Option<String>,
    token: Option<String>,
    token_file: Option<PathBuf>,
    auth: Option<Auth>,
    ssl: Option<RawSsl>,
    retry: Option<RawRetry>,
    transport: Option<RawTransport>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSsl {
    enabled: Option<bool>,
    verify: Option<bool>,
    ca_cert: Option<PathBuf>,
    ca_path: Option<PathBuf>,
    cert: Option<PathBuf>,
    key: Option<PathBuf>,
    server_name: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRetry {
    enabled: Option<bool>,
    attempts: Option<u32>,
    backoff: Option<Dur>,
    max_backoff: Option<Dur>,
}

/// Connection tuning of Go's HTTP transport: accepted for compatibility; sd's client keeps its
/// own pool and timeouts (the run logs that it ignores them).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawTransport {
    dial_keep_alive: Option<Dur>,
    dial_timeout: Option<Dur>,
    disable_keep_alives: Option<bool>,
    max_idle_conns: Option<u32>,
    max_idle_conns_per_host: Option<u32>,
    max_conns_per_host: Option<u32>,
    tls_handshake_timeout: Option<Dur>,
}

impl RawTransport {
    fn is_set(&self) -> bool {
        self.dial_keep_alive.is_some()
            || self.dial_timeout.is_some()
            || self.disable_keep_alives.is_some()
            || self.max_idle_conns.is_some()
            || self.max_idle_conns_per_host.is_some()
            || self.max_conns_per_host.is_some()
            || self.tls_handshake_timeout.is_some()
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDedup {
    enabled: Option<bool>,
    prefix: Option<String>,
    ttl: Option<Dur>,
    max_stale: Option<Dur>,
    block_query_wait: Option<Dur>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLogFile {
    path: Option<PathBuf>,
    log_rotate_bytes: Option<u64>,
    log_rotate_duration: Option<Dur>,
    log_rotate_max_files: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSyslog {
    enabled: Option<bool>,
    facility: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDelims {
    left: Option<String>,
    right: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawExec {
    command: Option<Command>,
    enabled: Option<bool>,
    env: Option<RawEnv>,
    kill_signal: Option<Signal>,
    kill_timeout: Option<Dur>,
    reload_signal: Option<Signal>,
    splay: Option<Dur>,
    timeout: Option<Dur>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawEnv {
    pristine: Option<bool>,
    #[serde(default)]
    custom: Vec<String>,
    #[serde(default, alias = "whitelist")]
    allowlist: Vec<String>,
    #[serde(default, alias = "blacklist")]
    denylist: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawTemplate {
    source: Option<PathBuf>,
    contents: Option<String>,
    destination: Option<PathBuf>,
    create_dest_dirs: Option<bool>,
    command: Option<Command>,
    command_timeout: Option<Dur>,
    exec: Option<RawExec>,
    check_command: Option<Command>,
    perms: Option<Perms>,
    user: Option<String>,
    uid: Option<u32>,
    group: Option<String>,
    gid: Option<u32>,
    backup: Option<bool>,
    left_delimiter: Option<String>,
    right_delimiter: Option<String>,
    error_on_missing_key: Option<bool>,
    error_fatal: Option<bool>,
    wait: Option<Wait>,
    #[serde(default, alias = "function_blacklist")]
    function_denylist: Vec<String>,
    sandbox_path: Option<PathBuf>,
    engine: Option<String>,
}

/// Checks one layer's keys and values on their own, so an error can name its file.
pub fn check(value: &Value) -> Result<(), String> {
    raw(value.clone()).map(|_| ())
}

fn raw(value: Value) -> Result<RawConfig, String> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        if path == "." {
            e.inner().to_string()
        } else {
            format!("{path}: {}", e.inner())
        }
    })
}

/// Builds the configuration from the merged value. Errors name the key.
pub fn decode(value: Value) -> Result<Config, String> {
    let raw = raw(value)?;
    refuse_unsupported(&raw)?;
    let mut c = Config::default();
    if let Some(consul) = raw.consul {
        apply_consul(&mut c, consul)?;
    }
    if let Some(d) = raw.default_delimiters {
        if let Some(l) = d.left {
            c.default_left_delimiter = l;
        }
        if let Some(r) = d.right {
            c.default_right_delimiter = r;
        }
    }
    if let Some(exec) = raw.exec {
        c.exec = exec_config(exec, "exec")?;
    }
    if let Some(dedup) = raw.deduplicate {
        c.dedup = dedup_config(dedup)?;
    }
    set(&mut c.kill_signal, raw.kill_signal.map(|s| s.0));
    set(&mut c.reload_signal, raw.reload_signal.map(|s| s.0));
    if let Some(level) = raw.log_level {
        crate::cli::logging::level_name(&level).map_err(|e| format!("log_level: {e}"))?;
        c.log_level = level;
    }
    if let Some(f) = raw.log_file {
        if let Some(path) = f.path.filter(|p| !p.as_os_str().is_empty()) {
            c.log_file = Some(crate::cli::log_file::LogFileSettings {
                path,
                rotate_bytes: f.log_rotate_bytes.unwrap_or(0),
                rotate_duration: f
                    .log_rotate_duration
                    .map(|d| d.0)
                    .filter(|d| !d.is_zero())
                    .unwrap_or(crate::cli::log_file::DEFAULT_ROTATE_DURATION),
                max_files: f.log_rotate_max_files.unwrap_or(0),
            });
        }
    }
    if let Some(s) = raw.syslog.filter(|s| s.enabled == Some(true)) {
        c.syslog = Some(super::SyslogConfig {
            facility: s.facility.unwrap_or_else(|| "LOCAL0".into()),
            name: s.name.unwrap_or_else(|| "consul-template".into()),
        });
    }
    set(&mut c.max_stale, raw.max_stale.map(|d| d.0));
    c.pid_file = raw.pid_file;
    set(&mut c.template_error_fatal, raw.template_error_fatal);
    c.wait = raw.wait.and_then(|w| w.0);
    set(&mut c.once, raw.once);
    set(&mut c.parse_only, raw.parse_only);
    set(&mut c.dry, raw.dry);
    set(&mut c.block_query_wait, raw.block_query_wait.map(|d| d.0));
    set(&mut c.err_on_failed_lookup, raw.err_on_failed_lookup);
    set(&mut c.block_warn, raw.block_warn.map(|d| d.0));
    if let Some(on) = raw.on_command_error {
        c.on_command_error = match on.as_str() {
            "log" => OnCommandError::Log,
            "exit" => OnCommandError::Exit,
            other => {
                return Err(format!(
                    "on_command_error: {other:?} is neither \"log\" nor \"exit\""
                ))
            }
        };
    }
    for (i, t) in raw.template.into_iter().enumerate() {
        c.templates.push(template_config(t, i)?);
    }
    Ok(c)
}

fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *slot = v;
    }
}

fn refuse_unsupported(raw: &RawConfig) -> Result<(), String> {
    if raw.vault.is_some() {
        return Err("vault: sd template does not talk to Vault; remove the vault block".into());
    }
    if raw.nomad.is_some() {
        return Err("nomad: sd template does not talk to Nomad; remove the nomad block".into());
    }
    Ok(())
}

/// `deduplicate {}`: on when `enabled`, or (as consul-template decides) when any other field
/// is set and `enabled` is not.
fn dedup_config(raw: RawDedup) -> Result<Option<super::DedupConfig>, String> {
    let any_set = raw.prefix.is_some()
        || raw.ttl.is_some()
        || raw.max_stale.is_some()
        || raw.block_query_wait.is_some();
    if !raw.enabled.unwrap_or(any_set) {
        return Ok(None);
    }
    let mut c = super::DedupConfig::default();
    if let Some(prefix) = raw.prefix {
        let prefix = prefix.trim_start_matches('/');
        if prefix.trim_matches('/').is_empty() {
            return Err(
                "deduplicate.prefix: must name a KV path, e.g. \"consul-template/dedup/\"".into(),
            );
        }
        c.prefix = prefix.to_string();
    }
    if let Some(ttl) = raw.ttl {
        // The agent refuses a session TTL outside Consul's bounds: say so before starting.
        if ttl.0 < Duration::from_secs(10) || ttl.0 > Duration::from_secs(86_400) {
            return Err(format!(
                "deduplicate.ttl: {:?} is outside a session TTL's bounds (10s to 24h)",
                ttl.0
            ));
        }
        c.ttl = ttl.0;
    }
    set(&mut c.max_stale, raw.max_stale.map(|d| d.0));
    set(&mut c.block_query_wait, raw.block_query_wait.map(|d| d.0));
    Ok(Some(c))
}

fn apply_consul(c: &mut Config, raw: RawConsul) -> Result<(), String> {
    if raw
        .namespace
        .as_deref()
        .is_some_and(|n| !n.is_empty() && n != "default")
    {
        return Err(
            "consul.namespace: namespaces are a Consul Enterprise feature sd does not have".into(),
        );
    }
    let consul = &mut c.consul;
    consul.address = raw
        .address
        .filter(|a| !a.is_empty())
        .or(consul.address.take());
    consul.token = raw.token.filter(|t| !t.is_empty());
    consul.token_file = raw.token_file;
    consul.auth = raw.auth.and_then(|a| a.0);
    if let Some(ssl) = raw.ssl {
        consul.ssl = SslConfig {
            enabled: ssl.enabled,
            verify: ssl.verify.unwrap_or(true),
            ca_cert: ssl.ca_cert,
            ca_path: ssl.ca_path,
            cert: ssl.cert,
            key: ssl.key,
            server_name: ssl.server_name,
        };
    }
    if let Some(r) = raw.retry {
        let d = RetryConfig::default();
        consul.retry = RetryConfig {
            enabled: r.enabled.unwrap_or(d.enabled),
            attempts: r.attempts.unwrap_or(d.attempts),
            backoff: r.backoff.map_or(d.backoff, |b| b.0),
            max_backoff: r.max_backoff.map_or(d.max_backoff, |b| b.0),
        };
    }
    consul.transport_tuned = raw.transport.is_some_and(|t| t.is_set());
    Ok(())
}

/// `exec {}` (the run's child); `None` when it has `enabled = false`.
fn exec_config(raw: RawExec, at: &str) -> Result<Option<ExecConfig>, String> {
    if raw.enabled == Some(false) {
        return Ok(None);
    }
    let Some(command) = raw.command else {
        return Err(format!("{at}: no command"));
    };
    let env = raw.env.unwrap_or_default();
    let defaults = ExecConfig::new(command.0.clone());
    Ok(Some(ExecConfig {
        command: command.0,
        reload_signal: raw.reload_signal.map(|s| s.0),
        kill_signal: raw.kill_signal.map_or(defaults.kill_signal, |s| s.0),
        kill_timeout: raw.kill_timeout.map_or(defaults.kill_timeout, |d| d.0),
        splay: raw.splay.map_or(defaults.splay, |d| d.0),
        env: ExecEnv {
            pristine: env.pristine.unwrap_or(false),
            custom: env.custom,
            allowlist: env.allowlist,
            denylist: env.denylist,
        },
    }))
}

fn template_config(raw: RawTemplate, i: usize) -> Result<TemplateConfig, String> {
    let at = format!("template[{i}]");
    match (&raw.source, &raw.contents) {
        (Some(_), Some(_)) => return Err(format!("{at}: source and contents are exclusive")),
        (None, None) => return Err(format!("{at}: needs a source or contents")),
        _ => {}
    }
    let (exec_command, exec_timeout) = match raw.exec {
        Some(e) if e.enabled != Some(false) => (e.command, e.timeout),
        _ => (None, None),
    };
    let engine = match raw.engine.as_deref() {
        None => None,
        Some("go") => Some(EngineKind::Go),
        Some("tera") => Some(EngineKind::Tera),
        Some(other) => {
            return Err(format!(
                "{at}.engine: {other:?} is neither \"go\" nor \"tera\""
            ))
        }
    };
    Ok(TemplateConfig {
        source: raw.source,
        contents: raw.contents,
        destination: raw.destination,
        create_dest_dirs: raw.create_dest_dirs.unwrap_or(true),
        command: raw.command.or(exec_command).map(|c| c.0),
        command_timeout: raw
            .command_timeout
            .or(exec_timeout)
            .map_or(DEFAULT_COMMAND_TIMEOUT, |d| d.0),
        check_command: raw.check_command.map(|c| c.0),
        perms: raw.perms.map(|p| p.0),
        user: raw.user.or(raw.uid.map(|u| u.to_string())),
        group: raw.group.or(raw.gid.map(|g| g.to_string())),
        backup: raw.backup.unwrap_or(false),
        left_delimiter: raw.left_delimiter,
        right_delimiter: raw.right_delimiter,
        error_on_missing_key: raw.error_on_missing_key.unwrap_or(false),
        error_fatal: raw.error_fatal,
        wait: raw.wait.and_then(|w| w.0),
        function_denylist: raw.function_denylist,
        sandbox_path: raw.sandbox_path,
        engine,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::Duration;

    #[test]
    fn every_template_field() {
        let c = decode(json!({
            "template": [{
                "source": "in.ctmpl", "destination": "out", "command": ["nginx", "-s", "reload"],
                "command_timeout": "5s", "check_command": "nginx -t -c {{.src}}",
                "perms": "0600", "user": "www-data", "gid": 33, "backup": true,
                "left_delimiter": "[[", "right_delimiter": "]]", "error_on_missing_key": true,
                "error_fatal": false, "wait": "1s:3s", "function_blacklist": ["plugin"],
                "sandbox_path": "/srv", "create_dest_dirs": false, "engine": "tera"
            }]
        }))
        .unwrap();
        let t = &c.templates[0];
        assert_eq!(t.command_timeout, Duration::from_secs(5));
        assert_eq!(t.perms, Some(0o600));
        assert_eq!(t.group.as_deref(), Some("33"));
        assert_eq!(t.wait.unwrap().max, Duration::from_secs(3));
        assert_eq!(t.function_denylist, vec!["plugin".to_string()]);
        assert_eq!(t.engine, Some(EngineKind::Tera));
        assert!(t.backup && t.error_on_missing_key && !t.create_dest_dirs);
    }

    #[test]
    fn exec_block_inside_a_template() {
        let c = decode(
            json!({"template": [{"contents": "x", "exec": {"command": "a b", "timeout": "2s"}}]}),
        )
        .unwrap();
        assert_eq!(
            c.templates[0].command,
            Some(super::super::CommandSpec::Shell("a b".into()))
        );
        assert_eq!(c.templates[0].command_timeout, Duration::from_secs(2));
    }

    #[test]
    fn unknown_keys_are_named() {
        let e = decode(json!({"template": [{"source": "a"}, {"source": "b", "perm": "0644"}]}))
            .unwrap_err();
        assert!(
            e.starts_with("template[1].perm: unknown field `perm`"),
            "{e}"
        );
        let e = decode(json!({"consul": {"adress": "x"}})).unwrap_err();
        assert!(
            e.starts_with("consul.adress: unknown field `adress`"),
            "{e}"
        );
        let e = decode(json!({"max_stale": "soon"})).unwrap_err();
        assert!(e.starts_with("max_stale: "), "{e}");
    }

    #[test]
    fn deduplicate_is_on_when_enabled_or_when_any_field_is_set() {
        assert_eq!(decode(json!({})).unwrap().dedup, None);
        let off = decode(json!({"deduplicate": {"enabled": false, "ttl": "20s"}})).unwrap();
        assert_eq!(off.dedup, None);
        let on = decode(json!({"deduplicate": {"enabled": true}})).unwrap();
        assert_eq!(on.dedup, Some(super::super::DedupConfig::default()));
        let implied = decode(json!({"deduplicate": {"prefix": "/ct/", "ttl": "30s"}}))
            .unwrap()
            .dedup
            .unwrap();
        assert_eq!(implied.prefix, "ct/");
        assert_eq!(implied.ttl, Duration::from_secs(30));
        let e = decode(json!({"deduplicate": {"ttl": "1s"}})).unwrap_err();
        assert!(e.starts_with("deduplicate.ttl: "), "{e}");
        let e = decode(json!({"deduplicate": {"prefix": "/"}})).unwrap_err();
        assert!(e.starts_with("deduplicate.prefix: "), "{e}");
        let e = decode(json!({"deduplicate": {"enabeld": true}})).unwrap_err();
        assert!(e.starts_with("deduplicate.enabeld: unknown field"), "{e}");
    }

    #[test]
    fn unsupported_blocks_are_refused_by_name() {
        assert!(decode(json!({"vault": {"address": "x"}}))
            .unwrap_err()
            .starts_with("vault:"));
        assert!(decode(json!({"template": [{}]}))
            .unwrap_err()
            .contains("source or contents"));
    }

    #[test]
    fn top_level_settings() {
        let c = decode(json!({
            "consul": {"address": "10.0.0.1:8500", "retry": {"attempts": 3}, "auth": "u:p",
                       "ssl": {"enabled": true, "verify": false}},
            "exec": {"command": "app", "reload_signal": "HUP", "kill_timeout": "1s"},
            "kill_signal": "SIGTERM", "wait": {"min": "1s"}, "max_stale": "0s",
            "default_delimiters": {"left": "<%"}, "on_command_error": "exit", "block_warn": "5s"
        }))
        .unwrap();
        assert_eq!(c.consul.address.as_deref(), Some("10.0.0.1:8500"));
        assert_eq!(c.consul.retry.attempts, 3);
        assert_eq!(c.consul.auth.as_deref(), Some("u:p"));
        assert!(!c.consul.ssl.verify);
        let exec = c.exec.unwrap();
        assert_eq!(exec.reload_signal.as_deref(), Some("SIGHUP"));
        assert_eq!(exec.kill_signal, "SIGINT");
        assert_eq!(c.kill_signal, "SIGTERM");
        assert_eq!(c.wait.unwrap().max, Duration::from_secs(4));
        assert_eq!(c.max_stale, Duration::ZERO);
        assert_eq!(c.default_left_delimiter, "<%");
        assert_eq!(c.on_command_error, OnCommandError::Exit);
    }
}
