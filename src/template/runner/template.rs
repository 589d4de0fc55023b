//! One configured template as the runner tracks it: its source, its parsed form, what its last
//! render used and still waits for, and its quiescence timer.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::template::brain::Brain;
use crate::template::config::{Config, EngineKind, TemplateConfig, WaitConfig};
use crate::template::dependency::Dependency;
use crate::template::engine::{Compiled, EngineError, ParseOptions};
use crate::template::funcs::data::Pass;
use crate::template::funcs::helpers::HelperContext;

/// A template's runtime state.
#[derive(Debug)]
pub(crate) struct Tmpl {
    pub cfg: TemplateConfig,
    /// The source's name in logs and errors: its path or `(dynamic)`.
    pub name: String,
    pub compiled: Option<Compiled>,
    /// The MD5 of the text last parsed: its name under `-dedup` (empty until parsed).
    pub id: String,
    /// Dependencies the last render used.
    pub deps: BTreeSet<Dependency>,
    /// Dependencies the last render found no data for: nothing is written while any remain.
    pub missing: BTreeSet<Dependency>,
    /// Whether a render with all data present has happened.
    pub rendered_once: bool,
    /// Something it uses changed since its last render.
    pub dirty: bool,
    /// Waiting on missing data since; and whether that was logged.
    pub blocked_since: Option<Instant>,
    pub block_logged: bool,
    /// Quiescence: first change of the current burst, and when to render.
    pub quiet: Option<(Instant, Instant)>,
    /// Under `-dry`: what was last printed, so an unchanged render prints nothing.
    pub last_dry: Option<String>,
}

/// The result of one render.
pub(crate) enum RenderOutcome {
    /// All data present: the text to write.
    Complete(String),
    /// Some data still missing.
    Blocked,
    Failed(EngineError),
}

impl Tmpl {
    pub fn new(cfg: TemplateConfig) -> Tmpl {
        let name = cfg
            .source
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "(dynamic)".to_string());
        Tmpl {
            cfg,
            name,
            compiled: None,
            id: String::new(),
            deps: BTreeSet::new(),
            missing: BTreeSet::new(),
            rendered_once: false,
            dirty: true,
            blocked_since: None,
            block_logged: false,
            quiet: None,
            last_dry: None,
        }
    }

    /// Which engine reads this template: `engine`, else Tera for `*.tera` sources, else Go.
    pub fn engine(&self) -> EngineKind {
        self.cfg.engine.unwrap_or_else(|| {
            match self.cfg.source.as_ref().and_then(|p| p.extension()) {
                Some(ext) if ext == "tera" => EngineKind::Tera,
                _ => EngineKind::Go,
            }
        })
    }

    /// The template's text: its file, or its inline contents.
    pub fn read_source(&self) -> Result<String, EngineError> {
        match (&self.cfg.source, &self.cfg.contents) {
            (Some(path), _) => std::fs::read_to_string(path)
                .map_err(|e| EngineError::Parse(format!("{}: {e}", path.display()))),
            (None, Some(text)) => Ok(text.clone()),
            (None, None) => Err(EngineError::Parse(
                "template has neither source nor contents".into(),
            )),
        }
    }

    /// Reads and parses the source; on success replaces the parsed form and marks it dirty.
    pub fn load(&mut self, config: &Config, helpers: &HelperContext) -> Result<(), EngineError> {
        let src = self.read_source()?;
        let helpers = &HelperContext {
            env: helpers.env.clone(),
            sandbox: self.cfg.sandbox_path.clone(),
        };
        let denylist = crate::template::funcs::denied(&self.cfg.function_denylist, helpers)
            .map_err(EngineError::Parse)?;
        let opts = ParseOptions {
            name: &self.name,
            left: self
                .cfg
                .left_delimiter
                .as_deref()
                .unwrap_or(&config.default_left_delimiter),
            right: self
                .cfg
                .right_delimiter
                .as_deref()
                .unwrap_or(&config.default_right_delimiter),
            error_on_missing_key: self.cfg.error_on_missing_key,
            denylist: &denylist,
            helpers,
        };
        self.compiled = Some(Compiled::parse(self.engine(), &src, &opts)?);
        self.id = crate::template::dedup::data::template_id(&src);
        self.dirty = true;
        Ok(())
    }

    /// Renders against the brain, recording what was used and what is missing.
    pub fn render(&mut self, brain: &Brain, err_on_failed_lookup: bool) -> RenderOutcome {
        self.dirty = false;
        self.quiet = None;
        let Some(compiled) = &self.compiled else {
            return RenderOutcome::Failed(EngineError::Parse(format!("{}: not parsed", self.name)));
        };
        let pass = Arc::new(Pass::new(
            brain.clone(),
            self.cfg.sandbox_path.clone(),
            err_on_failed_lookup,
        ));
        let result = compiled.render(&pass);
        let Ok(pass) = Arc::try_unwrap(pass) else {
            return RenderOutcome::Failed(EngineError::Exec(format!(
                "{}: a render outlived its pass",
                self.name
            )));
        };
        let (used, missing) = pass.finish();
        self.deps = used;
        self.missing = missing;
        match result {
            Err(e) => RenderOutcome::Failed(e),
            Ok(_) if !self.missing.is_empty() => {
                if self.blocked_since.is_none() {
                    self.blocked_since = Some(Instant::now());
                }
                RenderOutcome::Blocked
            }
            Ok(text) => {
                self.blocked_since = None;
                self.block_logged = false;
                RenderOutcome::Complete(text)
            }
        }
    }

    /// The quiescence that applies: the template's own `wait`, else the run's.
    pub fn wait<'a>(&'a self, config: &'a Config) -> Option<&'a WaitConfig> {
        self.cfg.wait.as_ref().or(config.wait.as_ref())
    }

    /// A change to something this template uses: render now, or (with quiescence, once it has
    /// rendered) after `min` without further changes but no later than `max` after the first.
    pub fn changed(&mut self, config: &Config, now: Instant) {
        self.dirty = true;
        let wait = self.wait(config).copied();
        match wait {
            Some(w) if self.rendered_once && !config.once && !w.min.is_zero() => {
                let first = self.quiet.map_or(now, |(first, _)| first);
                let deadline = (now + w.min).min(first + w.max.max(w.min));
                self.quiet = Some((first, deadline));
            }
            _ => self.quiet = None,
        }
    }

    /// Whether it should render now.
    pub fn due(&self, now: Instant) -> bool {
        self.dirty && self.quiet.is_none_or(|(_, deadline)| deadline <= now)
    }

    /// The destination, when it has one.
    pub fn destination(&self) -> Option<&PathBuf> {
        self.cfg.destination.as_ref()
    }

    /// How long it has waited on missing data.
    pub fn blocked_for(&self, now: Instant) -> Option<Duration> {
        self.blocked_since.map(|s| now.duration_since(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiting(min_ms: u64, max_ms: u64) -> (Config, Tmpl) {
        let config = Config {
            wait: Some(WaitConfig {
                min: Duration::from_millis(min_ms),
                max: Duration::from_millis(max_ms),
            }),
            ..Config::default()
        };
        let mut t = Tmpl::new(TemplateConfig::default());
        t.rendered_once = true;
        t.dirty = false;
        (config, t)
    }

    #[test]
    fn quiescence_waits_for_min_but_never_past_max() {
        let (config, mut t) = waiting(100, 250);
        let start = Instant::now();
        t.changed(&config, start);
        assert!(!t.due(start));
        assert!(t.due(start + Duration::from_millis(100)));
        // Changes keep pushing the render back...
        t.changed(&config, start + Duration::from_millis(90));
        t.changed(&config, start + Duration::from_millis(180));
        assert!(!t.due(start + Duration::from_millis(249)));
        // ...but not beyond max after the first one.
        assert!(t.due(start + Duration::from_millis(250)));
    }

    #[test]
    fn first_render_and_once_runs_do_not_wait() {
        let (config, mut t) = waiting(100, 400);
        t.rendered_once = false;
        let now = Instant::now();
        t.changed(&config, now);
        assert!(t.due(now));
        let once = Config {
            once: true,
            ..config
        };
        t.rendered_once = true;
        t.changed(&once, now);
        assert!(t.due(now));
    }

    #[test]
    fn engine_follows_the_extension_unless_set() {
        let t = Tmpl::new(TemplateConfig {
            source: Some("a/b.tera".into()),
            ..TemplateConfig::default()
        });
        assert_eq!(t.engine(), EngineKind::Tera);
        let t = Tmpl::new(TemplateConfig {
            source: Some("a/b.tera".into()),
            engine: Some(EngineKind::Go),
            ..TemplateConfig::default()
        });
        assert_eq!(t.engine(), EngineKind::Go);
        assert_eq!(Tmpl::new(TemplateConfig::default()).name, "(dynamic)");
    }
}
