//! The settings of one `sd template` run: consul-template's configuration (`-config` files in
//! HCL or JSON, then command-line flags, the latter winning), as plain values.
//!
//! Only types and their defaults live here; reading files and flags is in the submodules.

mod decode;
mod load;
pub mod spec;
mod values;

pub use load::{load, Sources};
pub use values::parse_signal;

use std::path::PathBuf;
use std::time::Duration;

/// consul-template's default `max_stale`: reads may be served by any server this far behind.
pub const DEFAULT_MAX_STALE: Duration = Duration::from_secs(2);
/// consul-template's default `block_query_wait`: how long one blocking query may wait.
pub const DEFAULT_BLOCK_QUERY_WAIT: Duration = Duration::from_secs(60);
/// How long a template may wait on missing data before sd says at INFO what it waits for.
pub const DEFAULT_BLOCK_WARN: Duration = Duration::from_secs(30);
/// consul-template's default command timeout.
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(30);
/// consul-template's default `deduplicate.prefix`.
pub const DEFAULT_DEDUP_PREFIX: &str = "consul-template/dedup/";
/// consul-template's default `deduplicate.ttl`: the TTL of the instance's session.
pub const DEFAULT_DEDUP_TTL: Duration = Duration::from_secs(15);

/// Everything one run needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// How to reach the agent.
    pub consul: ConsulConfig,
    /// The templates, in configuration order (commands run in this order).
    pub templates: Vec<TemplateConfig>,
    /// Global quiescence; a template's own `wait` overrides it.
    pub wait: Option<WaitConfig>,
    /// `-once`: render every template once all its data is there, run commands, exit.
    pub once: bool,
    /// `-dry`: print `> <dest>` and the contents to stdout; write nothing, run nothing.
    pub dry: bool,
    /// `-parse-only`: parse every template and exit.
    pub parse_only: bool,
    /// `max_stale`: stale reads allowed within this lag (0 = always consistent reads).
    pub max_stale: Duration,
    /// `block_query_wait`: the `wait` of each blocking query.
    pub block_query_wait: Duration,
    /// `block_warn` (sd): log at INFO what a template still waits for after this long.
    pub block_warn: Duration,
    /// `template_error_fatal`: a template execution error ends the run. consul-template
    /// defaults to true; sd's daemon keeps serving the other templates unless this is set.
    pub template_error_fatal: bool,
    /// `err_on_failed_lookup`: a lookup of a missing key is an error instead of waiting.
    pub err_on_failed_lookup: bool,
    /// `on_command_error` (sd): what a failed command does to the daemon.
    pub on_command_error: OnCommandError,
    /// `kill_signal` (default SIGINT): stop gracefully.
    pub kill_signal: String,
    /// `reload_signal` (default SIGHUP): re-read configuration and templates.
    pub reload_signal: String,
    /// `pid_file`.
    pub pid_file: Option<PathBuf>,
    /// `log_level`: trace, debug, info, warn, err.
    pub log_level: String,
    /// `log_file {}` / `-log-file`: also log to a rotating file.
    pub log_file: Option<crate::cli::log_file::LogFileSettings>,
    /// `syslog {}` / `-syslog`: also log to syslog, with this facility and program name.
    pub syslog: Option<SyslogConfig>,
    /// `default_delimiters`: the delimiters of templates that set none.
    pub default_left_delimiter: String,
    pub default_right_delimiter: String,
    /// `exec {}`: supervise one child process.
    pub exec: Option<ExecConfig>,
    /// `deduplicate {}` / `-dedup`: one instance per template renders from the agent and
    /// shares its data with the others through the KV store.
    pub dedup: Option<DedupConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            consul: ConsulConfig::default(),
            templates: Vec::new(),
            wait: None,
            once: false,
            dry: false,
            parse_only: false,
            max_stale: DEFAULT_MAX_STALE,
            block_query_wait: DEFAULT_BLOCK_QUERY_WAIT,
            block_warn: DEFAULT_BLOCK_WARN,
            template_error_fatal: false,
            err_on_failed_lookup: false,
            on_command_error: OnCommandError::Log,
            kill_signal: "SIGINT".into(),
            reload_signal: "SIGHUP".into(),
            pid_file: None,
            log_level: "warn".into(),
            log_file: None,
            syslog: None,
            default_left_delimiter: "{{".into(),
            default_right_delimiter: "}}".into(),
            exec: None,
            dedup: None,
        }
    }
}

/// `deduplicate {}`: when enabled, the instances running the same template elect one leader
/// per template with a lock at `<prefix>/<template hash>/data`; the leader watches the agent
/// and stores what it rendered from in that key, the others render from the key alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DedupConfig {
    /// `prefix`: where the locks and data live (default `consul-template/dedup/`).
    pub prefix: String,
    /// `ttl`: the TTL of the instance's session (default 15s; Consul's bounds 10s-24h).
    pub ttl: Duration,
    /// `max_stale`: followers may read the shared data this far behind the leader.
    pub max_stale: Duration,
    /// `block_query_wait`: the `wait` of the blocking reads of the shared data.
    pub block_query_wait: Duration,
}

impl Default for DedupConfig {
    fn default() -> Self {
        DedupConfig {
            prefix: DEFAULT_DEDUP_PREFIX.into(),
            ttl: DEFAULT_DEDUP_TTL,
            max_stale: DEFAULT_MAX_STALE,
            block_query_wait: DEFAULT_BLOCK_QUERY_WAIT,
        }
    }
}

/// `syslog { facility name }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyslogConfig {
    /// Default `LOCAL0`.
    pub facility: String,
    /// Default `consul-template`.
    pub name: String,
}

/// `consul {}`: the agent and how to talk to it. Unset fields fall back to the environment
/// (`CONSUL_HTTP_ADDR`, `CONSUL_HTTP_TOKEN`, ...) as the rest of sd's clients do.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConsulConfig {
    /// `address` / `-consul-addr`: `host:port` or a URL.
    pub address: Option<String>,
    /// `token` / `-consul-token`.
    pub token: Option<String>,
    /// `token_file` / `-consul-token-file`.
    pub token_file: Option<PathBuf>,
    /// `auth` / `-consul-auth`: `user[:pass]`.
    pub auth: Option<String>,
    pub ssl: SslConfig,
    pub retry: RetryConfig,
    /// `transport {}` / `-consul-transport-*` was set: Go's HTTP tuning, which sd's client
    /// does not take (the run says so once).
    pub transport_tuned: bool,
}

/// `consul { ssl {} }`.
#[derive(Debug, Clone, PartialEq)]
pub struct SslConfig {
    pub enabled: Option<bool>,
    pub verify: bool,
    pub ca_cert: Option<PathBuf>,
    pub ca_path: Option<PathBuf>,
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    pub server_name: Option<String>,
}

impl Default for SslConfig {
    fn default() -> Self {
        SslConfig {
            enabled: None,
            verify: true,
            ca_cert: None,
            ca_path: None,
            cert: None,
            key: None,
            server_name: None,
        }
    }
}

/// `consul { retry {} }`. consul-template gives up after `attempts` and exits; sd retries
/// forever unless `attempts` is set explicitly (0 means forever in both).
#[derive(Debug, Clone, PartialEq)]
pub struct RetryConfig {
    pub enabled: bool,
    /// 0 = retry forever (sd's default).
    pub attempts: u32,
    /// First backoff, doubled on each failure.
    pub backoff: Duration,
    /// Cap of the backoff (0 = no cap).
    pub max_backoff: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            enabled: true,
            attempts: 0,
            backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(60),
        }
    }
}

/// `wait { min max }` / `-wait=min[:max]`: quiescence. `max` defaults to 4 x `min`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitConfig {
    pub min: Duration,
    pub max: Duration,
}

/// What a failed command (non-zero exit, timeout, cannot start) does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnCommandError {
    /// Log it and keep running (sd's default).
    Log,
    /// Exit non-zero, as consul-template does.
    Exit,
}

/// Which template language a template is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineKind {
    /// Go's `text/template` (the default; `.ctmpl` files).
    Go,
    /// Tera (`*.tera` files or `engine = "tera"`).
    Tera,
}

/// A command: a string (run through `sh -c` when it has spaces) or an argument list (exec'd).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandSpec {
    Shell(String),
    Args(Vec<String>),
}

impl std::fmt::Display for CommandSpec {
    /// As consul-template logs it: `"nginx -s reload"`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CommandSpec::Shell(s) => write!(f, "{s:?}"),
            CommandSpec::Args(a) => write!(f, "{:?}", a.join(" ")),
        }
    }
}

/// One `template {}` block or `-template` flag.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateConfig {
    /// `source`: the template file (exclusive with `contents`).
    pub source: Option<PathBuf>,
    /// `contents`: inline template text.
    pub contents: Option<String>,
    /// `destination`: the rendered file.
    pub destination: Option<PathBuf>,
    /// `create_dest_dirs` (default true): create missing parent directories (mode 0755).
    pub create_dest_dirs: bool,
    /// `command` / `exec { command }`: run after the destination changed.
    pub command: Option<CommandSpec>,
    /// `command_timeout` / `exec { timeout }` (default 30s).
    pub command_timeout: Duration,
    /// `check_command` (sd): run on the rendered file before it replaces the destination;
    /// `{{.src}}` in it is the path of the new content. Non-zero exit keeps the old file.
    pub check_command: Option<CommandSpec>,
    /// `perms`: the file mode; unset keeps the existing file's, else 0644.
    pub perms: Option<u32>,
    /// `user`, `group`: owner (name or id); unset keeps the existing file's.
    pub user: Option<String>,
    pub group: Option<String>,
    /// `backup`: keep the previous file as `<dest>.bak`.
    pub backup: bool,
    /// `left_delimiter`, `right_delimiter`: unset = the run's defaults.
    pub left_delimiter: Option<String>,
    pub right_delimiter: Option<String>,
    /// `error_on_missing_key`: Go's `missingkey=error` instead of `<no value>`.
    pub error_on_missing_key: bool,
    /// `error_fatal`: unset = the run's `template_error_fatal`.
    pub error_fatal: Option<bool>,
    /// `wait {}`: this template's quiescence.
    pub wait: Option<WaitConfig>,
    /// `function_denylist`: glob patterns of functions that fail when called.
    pub function_denylist: Vec<String>,
    /// `sandbox_path`: `file` and `writeToFile` may only reach paths under it.
    pub sandbox_path: Option<PathBuf>,
    /// `engine` (sd): unset = Tera for `*.tera` sources, Go otherwise.
    pub engine: Option<EngineKind>,
}

impl Default for TemplateConfig {
    fn default() -> Self {
        TemplateConfig {
            source: None,
            contents: None,
            destination: None,
            create_dest_dirs: true,
            command: None,
            command_timeout: DEFAULT_COMMAND_TIMEOUT,
            check_command: None,
            perms: None,
            user: None,
            group: None,
            backup: false,
            left_delimiter: None,
            right_delimiter: None,
            error_on_missing_key: false,
            error_fatal: None,
            wait: None,
            function_denylist: Vec::new(),
            sandbox_path: None,
            engine: None,
        }
    }
}

/// `exec {}` / `-exec`: one child process supervised by the run.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecConfig {
    pub command: CommandSpec,
    /// Signal sent on a change; unset = restart the child.
    pub reload_signal: Option<String>,
    /// Signal to stop the child (default SIGINT).
    pub kill_signal: String,
    /// How long to wait for the child after `kill_signal` before SIGKILL (default 30s).
    pub kill_timeout: Duration,
    /// Random delay before signalling.
    pub splay: Duration,
    /// `env { pristine custom allowlist denylist }`.
    pub env: ExecEnv,
}

impl ExecConfig {
    /// `command` with consul-template's defaults: restart on change, SIGINT, 30 s, no splay.
    pub fn new(command: CommandSpec) -> Self {
        ExecConfig {
            command,
            reload_signal: None,
            kill_signal: "SIGINT".into(),
            kill_timeout: Duration::from_secs(30),
            splay: Duration::ZERO,
            env: ExecEnv::default(),
        }
    }
}

/// The child's environment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExecEnv {
    pub pristine: bool,
    pub custom: Vec<String>,
    pub allowlist: Vec<String>,
    pub denylist: Vec<String>,
}
