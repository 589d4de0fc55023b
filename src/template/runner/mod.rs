//! The `sd template` loop: parse every template, render each against the brain, watch what it
//! used, re-render only the templates whose data changed (after their quiescence), write the
//! files whose content changed and run their commands once each, in configuration order.
//!
//! consul-template's behaviour, with its users' complaints fixed: a template that fails does not
//! stop the others; a failed command is logged and the run goes on (unless `on_command_error =
//! "exit"`); an unreachable agent is retried forever with capped backoff, keeping the last files;
//! a template blocked on missing data says at INFO what it waits for; an edited template file is
//! re-read without a restart. With `-dedup`, a template this instance does not lead renders from
//! the data its leader shares instead of from watches of its own.

mod dedup;
mod deliver;
mod exec;
mod template;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use notify::Watcher as _;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::cli::output;
use crate::client::Client;
use crate::template::brain::Brain;
use crate::template::config::{CommandSpec, Config, OnCommandError};
use crate::template::dependency::Dependency;
use crate::template::funcs::helpers::HelperContext;
use crate::template::watch::{Event, WatchSettings, Watcher};
use crate::template::{writer, Reload};
use template::{RenderOutcome, Tmpl};

/// consul-template's exit codes.
pub(crate) mod exit {
    /// A template or command failed under `-once`, or a fatal template error.
    pub const ERROR: u8 = 11;
    /// Stopped by the kill signal.
    pub const INTERRUPT: u8 = 12;
    /// A watcher gave up (`retry.attempts` exhausted).
    pub const RUNNER_ERROR: u8 = 14;
    /// The configuration cannot be used (a template does not parse under `-once`/`-parse-only`).
    pub const CONFIG_ERROR: u8 = 15;
}

/// What the loop reacts to besides watcher events.
enum Wake {
    Event(Option<Event>),
    SourceChanged(PathBuf),
    Timer,
    Stop,
    Reload,
    /// A signal to pass on to exec mode's child.
    Forward(&'static str),
    ChildExited(std::process::ExitStatus),
    Dedup(crate::template::dedup::Event),
}

struct Runner {
    config: Config,
    brain: Brain,
    watcher: Watcher,
    helpers: HelperContext,
    templates: Vec<Tmpl>,
    /// Environment of commands (`CONSUL_HTTP_ADDR`, ...).
    command_env: Vec<(String, String)>,
    warned_many: bool,
    reload: Option<Reload>,
    /// Where new watchers report (kept for a reload's new watcher).
    tx: mpsc::UnboundedSender<Event>,
    /// Exec mode's child, if configured.
    exec: Option<exec::Supervisor>,
    /// `-dedup`'s manager, when on.
    dedup: Option<crate::template::dedup::Dedup>,
    /// The templates (hashes) this instance leads under `-dedup`.
    leading: HashSet<String>,
    /// What the leaders of the other templates last shared.
    shared: HashMap<String, Vec<(Dependency, Value)>>,
}

fn watcher_for(config: &Config, client: Client, tx: mpsc::UnboundedSender<Event>) -> Watcher {
    let settings = WatchSettings {
        max_stale: config.max_stale,
        block_query_wait: config.block_query_wait,
        retry: config.consul.retry.clone(),
    };
    Watcher::new(client, settings, tx)
}

/// What commands (and exec mode's child) get in their environment: how to reach the agent, as
/// consul-template passes it (`CONSUL_HTTP_ADDR`, `_TOKEN`, `_TOKEN_FILE`, `_AUTH`, `_SSL`,
/// `_SSL_VERIFY`), so `consul`/`sd` commands run from a template's command hit the same agent.
fn command_env(config: &Config, client: &Client) -> Vec<(String, String)> {
    let c = &config.consul;
    let base = client.base_url().to_string();
    let mut env = vec![("CONSUL_HTTP_ADDR".to_string(), base.clone())];
    if let Some(token) = &c.token {
        env.push(("CONSUL_HTTP_TOKEN".into(), token.clone()));
    }
    if let Some(file) = &c.token_file {
        env.push(("CONSUL_HTTP_TOKEN_FILE".into(), file.display().to_string()));
    }
    if let Some(auth) = &c.auth {
        env.push(("CONSUL_HTTP_AUTH".into(), auth.clone()));
    }
    env.push((
        "CONSUL_HTTP_SSL".into(),
        base.starts_with("https://").to_string(),
    ));
    env.push(("CONSUL_HTTP_SSL_VERIFY".into(), c.ssl.verify.to_string()));
    env
}

/// Exec mode's supervisor for `config`, if it has an `exec {}`.
fn supervisor_for(
    config: &Config,
    helpers: &HelperContext,
    command_env: &[(String, String)],
) -> Result<Option<exec::Supervisor>, String> {
    config
        .exec
        .clone()
        .map(|cfg| exec::Supervisor::new(cfg, &helpers.env, command_env))
        .transpose()
}

/// consul-template warns past this many watched dependencies.
const MANY_DEPENDENCIES: usize = 128;

/// Runs until stopped, or under `-once` until every template has rendered.
pub(crate) async fn run(
    config: Config,
    client: Client,
    helpers: HelperContext,
    reload: Option<Reload>,
) -> ExitCode {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let command_env = command_env(&config, &client);
    let exec = match supervisor_for(&config, &helpers, &command_env) {
        Ok(exec) => exec,
        Err(e) => {
            output::eprintln(&format!("sd template: {e}"));
            return ExitCode::from(exit::CONFIG_ERROR);
        }
    };
    if config.consul.transport_tuned {
        tracing::info!(
            "consul transport settings are Go HTTP tuning; sd's client keeps its own pool and ignores them"
        );
    }
    let mut runner = Runner {
        templates: config.templates.iter().cloned().map(Tmpl::new).collect(),
        watcher: watcher_for(&config, client.clone(), tx.clone()),
        command_env,
        exec,
        brain: Brain::default(),
        helpers,
        config,
        warned_many: false,
        reload,
        tx,
        dedup: None,
        leading: HashSet::new(),
        shared: HashMap::new(),
    };
    if let Err(code) = runner.load_all() {
        return code;
    }
    if runner.config.parse_only {
        return ExitCode::SUCCESS;
    }
    runner.start_dedup(client);
    if let Some(pid_file) = &runner.config.pid_file {
        if let Err(e) = std::fs::write(pid_file, format!("{}\n", std::process::id())) {
            output::eprintln(&format!(
                "sd template: pid file {}: {e}",
                pid_file.display()
            ));
            return ExitCode::from(exit::CONFIG_ERROR);
        }
    }
    let code = runner.serve(&mut rx).await;
    runner.stop_dedup().await;
    if let Some(child) = &mut runner.exec {
        child.stop().await;
    }
    if let Some(pid_file) = &runner.config.pid_file {
        let _ = std::fs::remove_file(pid_file);
    }
    code
}

impl Runner {
    /// Parses every template. A template that does not parse ends `-once`/`-parse-only` runs
    /// (and fatal-error runs); the daemon logs it and serves the others.
    fn load_all(&mut self) -> Result<(), ExitCode> {
        let strict = self.config.once || self.config.parse_only || self.config.template_error_fatal;
        let mut failed = false;
        for t in &mut self.templates {
            if let Err(e) = t.load(&self.config, &self.helpers) {
                failed = true;
                if strict {
                    output::eprintln(&format!("sd template: {e}"));
                } else {
                    tracing::error!("{e}; the other templates keep rendering");
                }
            }
        }
        if failed && (strict || self.templates.iter().all(|t| t.compiled.is_none())) {
            return Err(ExitCode::from(exit::CONFIG_ERROR));
        }
        Ok(())
    }

    async fn serve(&mut self, rx: &mut mpsc::UnboundedReceiver<Event>) -> ExitCode {
        let (src_tx, mut src_rx) = mpsc::unbounded_channel::<PathBuf>();
        let _source_watch = self.watch_sources(src_tx);
        let mut stop = signal(&self.config.kill_signal);
        let mut reload = signal(&self.config.reload_signal);
        let mut forward = ForwardedSignals::new(&self.config);
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            if let Some(code) = self.render_due().await {
                return code;
            }
            let all_rendered = self.templates.iter().all(|t| t.rendered_once);
            if self.config.once && all_rendered && self.exec.is_none() {
                return ExitCode::SUCCESS;
            }
            let next_quiet = self
                .templates
                .iter()
                .filter_map(|t| t.quiet.map(|q| q.1))
                .min();
            let timer = async {
                match next_quiet {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            let wake = tokio::select! {
                ev = rx.recv() => Wake::Event(ev),
                Some(path) = src_rx.recv() => Wake::SourceChanged(path),
                _ = timer => Wake::Timer,
                _ = tick.tick() => Wake::Timer,
                _ = recv_signal(&mut stop) => Wake::Stop,
                _ = recv_signal(&mut reload) => Wake::Reload,
                name = forward.recv() => Wake::Forward(name),
                status = child_exit(&mut self.exec) => Wake::ChildExited(status),
                ev = dedup::event(&mut self.dedup) => Wake::Dedup(ev),
            };
            match wake {
                Wake::Event(None) | Wake::Stop => return ExitCode::from(exit::INTERRUPT),
                Wake::Event(Some(ev)) => {
                    if let Some(code) = self.handle(ev) {
                        return code;
                    }
                    // Take every update already queued before rendering (one render per burst).
                    while let Ok(ev) = rx.try_recv() {
                        if let Some(code) = self.handle(ev) {
                            return code;
                        }
                    }
                }
                Wake::SourceChanged(path) => self.reload_source(&path),
                Wake::Reload => self.reload().await,
                Wake::Timer => self.log_blocked(),
                Wake::Forward(name) => {
                    if let Some(child) = &self.exec {
                        child.signal(name);
                    }
                }
                Wake::ChildExited(status) => {
                    tracing::info!("(child) exited: {status}");
                    return ExitCode::from(exec::exit_code(status));
                }
                Wake::Dedup(ev) => self.on_dedup(ev),
            }
        }
    }

    /// Applies one watcher event; returns an exit code when the run must end.
    fn handle(&mut self, ev: Event) -> Option<ExitCode> {
        match ev {
            Event::Data(dep, data) => {
                if !self.watcher.is_watching(&dep) {
                    return None;
                }
                if self.brain.remember(dep.clone(), data) {
                    let now = Instant::now();
                    for t in self.templates.iter_mut().filter(|t| t.deps.contains(&dep)) {
                        t.changed(&self.config, now);
                    }
                }
                None
            }
            Event::Failed {
                dep,
                error,
                retry_in,
            } => {
                tracing::warn!("{dep}: {error} (retrying in {retry_in:?})");
                None
            }
            Event::GaveUp { dep, error } => {
                output::eprintln(&format!(
                    "sd template: {dep}: {error}; giving up after {} attempts",
                    self.config.consul.retry.attempts
                ));
                Some(ExitCode::from(exit::RUNNER_ERROR))
            }
        }
    }

    /// Renders every due template, writes what changed, starts watchers for new dependencies,
    /// stops those no template uses, and runs the commands of the files that changed.
    async fn render_due(&mut self) -> Option<ExitCode> {
        let now = Instant::now();
        // Each command once, in configuration order, with the templates that asked for it.
        let mut commands: Vec<(CommandSpec, Duration, Vec<String>)> = Vec::new();
        let mut any_changed = false;
        for i in 0..self.templates.len() {
            if !self.templates[i].due(now) || self.templates[i].compiled.is_none() {
                continue;
            }
            self.prefill(i);
            let outcome = self.templates[i].render(&self.brain, self.config.err_on_failed_lookup);
            for dep in &self.templates[i].deps {
                if self.watches_for(i, dep) {
                    self.watcher.watch(dep);
                }
            }
            if matches!(outcome, RenderOutcome::Complete(_)) {
                self.share(i);
            }
            let t = &mut self.templates[i];
            match outcome {
                RenderOutcome::Blocked => {}
                RenderOutcome::Failed(e) => {
                    let fatal = t
                        .cfg
                        .error_fatal
                        .unwrap_or(self.config.template_error_fatal);
                    if fatal || self.config.once {
                        output::eprintln(&format!("sd template: {e}"));
                        return Some(ExitCode::from(exit::ERROR));
                    }
                    tracing::error!("{e}");
                }
                RenderOutcome::Complete(text) => {
                    t.rendered_once = true;
                    match deliver(&self.config, t, &text, &self.command_env).await {
                        Ok(true) => {
                            any_changed = true;
                            if let Some(cmd) = &t.cfg.command {
                                let name = format!(
                                    "{:?} => {:?}",
                                    t.name,
                                    t.destination()
                                        .map(|d| d.display().to_string())
                                        .unwrap_or_default()
                                );
                                match commands.iter_mut().find(|(c, _, _)| c == cmd) {
                                    Some((_, _, names)) => names.push(name),
                                    None => commands.push((
                                        cmd.clone(),
                                        t.cfg.command_timeout,
                                        vec![name],
                                    )),
                                }
                            }
                        }
                        Ok(false) => {}
                        Err(e) => {
                            if self.config.once {
                                output::eprintln(&format!("sd template: {e}"));
                                return Some(ExitCode::from(exit::ERROR));
                            }
                            tracing::error!("{e}");
                        }
                    }
                }
            }
        }
        self.forget_unused();
        if self.watcher.len() > MANY_DEPENDENCIES && !self.warned_many {
            self.warned_many = true;
            tracing::warn!(
                "watching {} dependencies; each is one blocking query to the agent",
                self.watcher.len()
            );
        }
        for (cmd, timeout, names) in commands {
            tracing::info!("executing command {cmd} from {}", names.join(", "));
            if let Err(e) = deliver::run_command(&cmd, timeout, &self.command_env).await {
                let text = format!("command {cmd:?}: {e}");
                if self.config.on_command_error == OnCommandError::Exit || self.config.once {
                    output::eprintln(&format!("sd template: {text}"));
                    return Some(ExitCode::from(exit::ERROR));
                }
                tracing::error!("{text}; still running");
            }
        }
        self.supervise(any_changed).await
    }

    /// Exec mode: starts the child once every template has rendered, and tells it (signal or
    /// restart) when a file changed after that.
    async fn supervise(&mut self, any_changed: bool) -> Option<ExitCode> {
        let all_rendered = self.templates.iter().all(|t| t.rendered_once);
        let child = self.exec.as_mut()?;
        let result = if !child.running() && all_rendered {
            child.start()
        } else if child.running() && any_changed {
            child.changed().await
        } else {
            Ok(())
        };
        if let Err(e) = result {
            output::eprintln(&format!("sd template: {e}"));
            return Some(ExitCode::from(exit::RUNNER_ERROR));
        }
        None
    }

    /// Stops watching dependencies no template needs watched (none used them in its last
    /// render, or only `-dedup` followers do), and forgets data no template used.
    fn forget_unused(&mut self) {
        let mut watched = BTreeSet::new();
        for (i, t) in self.templates.iter().enumerate() {
            watched.extend(t.deps.iter().filter(|d| self.watches_for(i, d)).cloned());
        }
        self.watcher.retain(|d| watched.contains(d));
        let used: BTreeSet<&Dependency> = self.templates.iter().flat_map(|t| &t.deps).collect();
        self.brain.retain(|d| used.contains(d));
    }

    /// Logs, once per blocked spell, what a template has waited on for longer than
    /// `block_warn`.
    fn log_blocked(&mut self) {
        let now = Instant::now();
        for i in 0..self.templates.len() {
            let t = &self.templates[i];
            if t.block_logged || t.missing.is_empty() {
                continue;
            }
            if t.blocked_for(now)
                .is_none_or(|d| d < self.config.block_warn)
            {
                continue;
            }
            let names: Vec<String> = t.missing.iter().map(|d| d.to_string()).collect();
            match self.waits_on_leader(i) {
                Some(key) => tracing::info!(
                    "template {} has waited {:?} for the data its de-duplication leader shares at {key:?}: {}",
                    t.name,
                    self.config.block_warn,
                    names.join(", ")
                ),
                None => tracing::info!(
                    "template {} has waited {:?} for data that does not exist yet: {}",
                    t.name,
                    self.config.block_warn,
                    names.join(", ")
                ),
            }
            self.templates[i].block_logged = true;
        }
    }

    /// Watches the template source files; an edit re-parses that template.
    fn watch_sources(
        &self,
        tx: mpsc::UnboundedSender<PathBuf>,
    ) -> Option<notify::RecommendedWatcher> {
        let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
            if let Ok(ev) = res {
                if ev.kind.is_modify() || ev.kind.is_create() {
                    for p in ev.paths {
                        let _ = tx.send(p);
                    }
                }
            }
        })
        .map_err(|e| tracing::warn!("cannot watch template files: {e}"))
        .ok()?;
        // Watch the directories: editors replace files by renaming over them.
        let dirs: BTreeSet<PathBuf> = self
            .templates
            .iter()
            .filter_map(|t| t.cfg.source.as_ref())
            .filter_map(|p| std::path::absolute(p).ok())
            .filter_map(|p| p.parent().map(PathBuf::from))
            .collect();
        for dir in dirs {
            if let Err(e) = watcher.watch(&dir, notify::RecursiveMode::NonRecursive) {
                tracing::warn!("cannot watch {}: {e}", dir.display());
            }
        }
        Some(watcher)
    }

    /// The reload signal: read the configuration again and start over with it (new watchers,
    /// an empty brain, every template parsed again). A configuration that cannot be used, or a
    /// template that does not parse, leaves the running one in place.
    async fn reload(&mut self) {
        let Some(reload) = &self.reload else {
            tracing::info!("reloading templates");
            for t in &mut self.templates {
                if let Err(e) = t.load(&self.config, &self.helpers) {
                    tracing::error!("{e}; keeping its previous version");
                }
            }
            self.track();
            return;
        };
        let (config, client) = match reload() {
            Ok(next) => next,
            Err(e) => {
                tracing::error!("reload: {e}; keeping the running configuration");
                return;
            }
        };
        let mut templates: Vec<Tmpl> = config.templates.iter().cloned().map(Tmpl::new).collect();
        for t in &mut templates {
            if let Err(e) = t.load(&config, &self.helpers) {
                tracing::error!("reload: {e}; keeping the running configuration");
                return;
            }
        }
        let env = command_env(&config, &client);
        if config.exec != self.config.exec {
            let next = match supervisor_for(&config, &self.helpers, &env) {
                Ok(next) => next,
                Err(e) => {
                    tracing::error!("reload: {e}; keeping the running configuration");
                    return;
                }
            };
            if let Some(old) = &mut self.exec {
                old.stop().await;
            }
            self.exec = next;
        }
        tracing::info!("reloaded the configuration: {} templates", templates.len());
        self.stop_dedup().await;
        self.watcher = watcher_for(&config, client.clone(), self.tx.clone());
        self.command_env = env;
        self.brain = Brain::default();
        self.templates = templates;
        self.config = config;
        self.start_dedup(client);
    }

    fn reload_source(&mut self, path: &std::path::Path) {
        for t in &mut self.templates {
            let Some(src) = t
                .cfg
                .source
                .as_ref()
                .and_then(|p| std::path::absolute(p).ok())
            else {
                continue;
            };
            if src != path {
                continue;
            }
            match t.load(&self.config, &self.helpers) {
                Ok(()) => tracing::info!("{} changed; rendering it again", t.name),
                Err(e) => tracing::error!("{e}; keeping its previous version"),
            }
        }
        self.track();
    }
}

/// Puts one rendered template in place; true when a file changed (its command must run).
/// With a `check_command`, the new content is checked in a temporary file first and replaces
/// the destination only when the check exits 0.
async fn deliver(
    config: &Config,
    t: &mut Tmpl,
    text: &str,
    env: &[(String, String)],
) -> Result<bool, String> {
    let Some(dest) = t.destination() else {
        return Ok(false);
    };
    if config.dry {
        if t.last_dry.as_deref() != Some(text) {
            output::println(&format!("> {}\n{text}", dest.display()));
            t.last_dry = Some(text.to_string());
        }
        return Ok(false);
    }
    let staged = match writer::stage(&t.cfg, dest, text.as_bytes()) {
        Ok(Some(staged)) => staged,
        Ok(None) => return Ok(false),
        Err(e) => return Err(e.to_string()),
    };
    if let Some(check) = &t.cfg.check_command {
        let spec = deliver::with_src(check, staged.path());
        if let Err(e) = deliver::run_command(&spec, t.cfg.command_timeout, env).await {
            return Err(format!(
                "{}: check_command {spec:?} refused the new content ({e}); the file is unchanged",
                dest.display()
            ));
        }
    }
    staged.commit().map_err(|e| e.to_string())?;
    tracing::info!("rendered {:?} => {:?}", t.name, dest.display().to_string());
    Ok(true)
}

/// A Unix signal stream for a name like `SIGHUP` or `HUP`; none for an unknown name.
fn signal(name: &str) -> Option<tokio::signal::unix::Signal> {
    let sig = crate::process::signal_named(name)?;
    let kind = tokio::signal::unix::SignalKind::from_raw(sig.as_raw());
    tokio::signal::unix::signal(kind).ok()
}

/// Resolves when exec mode's child exits; never without one.
async fn child_exit(exec: &mut Option<exec::Supervisor>) -> std::process::ExitStatus {
    match exec {
        Some(child) => child.exited().await,
        None => std::future::pending().await,
    }
}

/// The signals passed on to exec mode's child: the common ones sd does not use itself (its
/// kill and reload signals). Without a child nothing is caught, so SIGTERM still ends sd.
struct ForwardedSignals {
    streams: Vec<(&'static str, tokio::signal::unix::Signal)>,
}

impl ForwardedSignals {
    fn new(config: &Config) -> ForwardedSignals {
        let mut streams = Vec::new();
        if config.exec.is_some() {
            for name in [
                "SIGHUP", "SIGINT", "SIGTERM", "SIGQUIT", "SIGUSR1", "SIGUSR2",
            ] {
                let own = [&config.kill_signal, &config.reload_signal]
                    .iter()
                    .any(|s| crate::template::config::parse_signal(s).as_deref() == Ok(name));
                if own {
                    continue;
                }
                if let Some(stream) = signal(name) {
                    streams.push((name, stream));
                }
            }
        }
        ForwardedSignals { streams }
    }

    async fn recv(&mut self) -> &'static str {
        if self.streams.is_empty() {
            return std::future::pending().await;
        }
        let futures = self.streams.iter_mut().map(|(name, s)| {
            Box::pin(async move {
                s.recv().await;
                *name
            })
        });
        futures::future::select_all(futures).await.0
    }
}

async fn recv_signal(sig: &mut Option<tokio::signal::unix::Signal>) {
    match sig {
        Some(s) => {
            s.recv().await;
        }
        None => std::future::pending().await,
    }
}
