//! Loading the agent configuration: the layers, lowest first, are
//!
//! 1. Consul's defaults (sd's adjustments are listed in `defaults.rs`), then the `-dev`
//!    overlay when `-dev` (or `SD_DEV`) is set;
//! 2. config files, in the order given (`SD_CONFIG_FILE`/`SD_CONFIG_DIR` first, then the
//!    `-config-file`/`-config-dir` flags as typed; a directory contributes its `*.json` and
//!    `*.hcl` files alphabetically, no subdirectories), then `-hcl` fragments;
//! 3. environment variables `SD_<FLAG>` (see `settings.rs` for the scheme);
//! 4. command-line flags.
//!
//! Each source is parsed, shaped (`shape.rs`) and type-checked on its own, so a wrong type is
//! an error naming the source and the key, and an unknown key is a warning naming both. Then
//! it is merged over the layers below it: objects merge key by key, lists append, scalars
//! replace. The result is validated and resolved into a [`RuntimeConfig`].
//!
//! Config is the only module that reads environment variables ([`process_env`]); everything
//! here receives the lookup as a function so tests can inject one.

use serde_json::Value;

use super::addr::HostAddr;
use super::build::{build, go_duration, Host};
use super::defaults;
use super::error::ConfigError;
use super::file::{self, Format};
use super::flag_values::FlagValues;
use super::flags::{Support, Target, AGENT_FLAGS, FILE_KEYS_NOT_YET};
use super::merge::{get_path, merge};
use super::runtime::RuntimeConfig;
use super::schema::{self, FileConfig};
use super::settings::{self, Setting};
use super::shape;

/// What [`load`] works from.
pub struct LoadInput<'a> {
    /// Agent flags typed on the command line (see [`crate::config::flags_from_matches`]).
    pub flags: FlagValues,
    /// Environment lookup; the agent passes [`process_env`].
    pub env: &'a dyn Fn(&str) -> Option<String>,
    /// The default node name; `None` asks the operating system for the host name.
    pub hostname: Option<String>,
    /// The host's interface addresses, used to pick the advertise address when binding
    /// 0.0.0.0 and for address templates; `None` asks the operating system when needed.
    pub host_addrs: Option<Vec<HostAddr>>,
}

impl<'a> LoadInput<'a> {
    pub fn new(flags: FlagValues, env: &'a dyn Fn(&str) -> Option<String>) -> Self {
        LoadInput {
            flags,
            env,
            hostname: None,
            host_addrs: None,
        }
    }
}

/// Reads one variable of this process's environment. With [`process_env_vars`], the only place
/// sd reads its environment: clippy's `disallowed-methods` (clippy.toml) refuses
/// `std::env::var` anywhere else.
#[allow(clippy::disallowed_methods)]
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The shell that runs command lines (`$SHELL`, else `/bin/sh`), as Consul's handlers use.
pub fn user_shell() -> String {
    process_env("SHELL")
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "/bin/sh".into())
}

/// The whole process environment (`sd template` hands it to the commands it runs).
#[allow(clippy::disallowed_methods)]
pub fn process_env_vars() -> std::collections::BTreeMap<String, String> {
    std::env::vars().collect()
}

/// The environment of nothing: for callers that want files and flags only.
pub fn no_env(_: &str) -> Option<String> {
    None
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A file or `-hcl` fragment: deprecations warn, unsupported keys are listed by key.
    Text,
    /// Environment or flags: unsupported settings are listed by flag/variable name.
    Settings,
}

struct Loader {
    merged: Value,
    warnings: Vec<String>,
    not_yet: Vec<String>,
}

impl Loader {
    fn add(&mut self, name: &str, value: Value, kind: Kind) -> Result<(), ConfigError> {
        let mut value = shape::prepare(value, name)?;
        let typed = typed(name, &value, Some(&mut self.warnings))?;
        for (path, text) in schema::durations(&typed) {
            if let Err(message) = go_duration(text) {
                return Err(ConfigError::Type {
                    source_name: name.to_string(),
                    key: path,
                    message,
                });
            }
        }
        let warn = (kind == Kind::Text).then_some(&mut self.warnings);
        shape::translate_deprecated(&mut value, name, warn);
        if kind == Kind::Text {
            self.note_unsupported_keys(name, &value);
        }
        merge(&mut self.merged, value);
        Ok(())
    }

    fn note_unsupported_keys(&mut self, name: &str, value: &Value) {
        let table_keys = AGENT_FLAGS
            .iter()
            .filter(|f| f.support == Support::NotYet)
            .filter_map(|f| f.key());
        for key in table_keys.chain(FILE_KEYS_NOT_YET.iter().copied()) {
            if get_path(value, key).is_some_and(settings::value_asks_for_something) {
                let what = name.strip_prefix("config file ").unwrap_or(name);
                self.not_yet.push(format!("{key} (in {what})"));
            }
        }
    }

    fn note_unsupported_settings(&mut self, list: &[Setting]) {
        for s in list {
            if s.spec.support == Support::NotYet && settings::asks_for_something(s) {
                self.not_yet.push(s.origin.clone());
            }
        }
    }
}

/// Type-checks one source against the schema; unknown keys become warnings when asked for.
fn typed(
    name: &str,
    value: &Value,
    warnings: Option<&mut Vec<String>>,
) -> Result<FileConfig, ConfigError> {
    let mut unknown: Vec<String> = Vec::new();
    let mut note = |path: serde_ignored::Path| unknown.push(key_path(&path));
    let de = serde_ignored::Deserializer::new(value, &mut note);
    let config: FileConfig = serde_path_to_error::deserialize(de).map_err(|e| {
        let key = e.path().to_string();
        ConfigError::Type {
            source_name: name.to_string(),
            key: if key == "." {
                "(top level)".into()
            } else {
                key
            },
            message: e.into_inner().to_string(),
        }
    })?;
    if let Some(w) = warnings {
        w.extend(
            unknown
                .into_iter()
                .map(|k| format!("{name}: unknown key {k:?} (ignored)")),
        );
    }
    Ok(config)
}

/// `ports.htp`, `services[0].x`: a serde_ignored path without its `Option` markers.
fn key_path(path: &serde_ignored::Path) -> String {
    use serde_ignored::Path as P;
    match path {
        P::Root => String::new(),
        P::Seq { parent, index } => format!("{}[{index}]", key_path(parent)),
        P::Map { parent, key } => match key_path(parent) {
            p if p.is_empty() => key.clone(),
            p => format!("{p}.{key}"),
        },
        P::Some { parent } | P::NewtypeStruct { parent } | P::NewtypeVariant { parent } => {
            key_path(parent)
        }
    }
}

fn format_of(s: &Setting) -> Result<Format, ConfigError> {
    Format::parse(s.value.trim()).map_err(|_| ConfigError::Value {
        origin: s.origin.clone(),
        value: s.value.clone(),
        message: "must be either 'hcl' or 'json'".into(),
    })
}

/// Loads, merges and validates the agent configuration (see the module doc for the layers).
pub fn load(input: &LoadInput) -> Result<RuntimeConfig, ConfigError> {
    let flags = settings::from_flags(&input.flags)?;
    let env = settings::from_env(input.env);
    let last = |t: Target| settings::last_for(&flags, t).or_else(|| settings::last_for(&env, t));

    let dev = last(Target::Dev)
        .map(settings::bool_of)
        .transpose()?
        .unwrap_or(false);
    let format = last(Target::ConfigFormat).map(format_of).transpose()?;
    let both = || env.iter().chain(flags.iter());
    let paths: Vec<&str> = both()
        .filter(|s| matches!(s.spec.target, Target::ConfigFile | Target::ConfigDir))
        .map(|s| s.value.as_str())
        .collect();
    let fragments: Vec<&str> = both()
        .filter(|s| s.spec.target == Target::Hcl)
        .map(|s| s.value.as_str())
        .collect();

    let mut loader = Loader {
        merged: defaults::defaults(),
        warnings: Vec::new(),
        not_yet: Vec::new(),
    };
    if dev {
        merge(&mut loader.merged, defaults::dev());
    }
    let mut config_files = Vec::new();
    for path in paths {
        let found = file::sources_from_path(path.as_ref(), format, &mut loader.warnings)?;
        for source in found {
            if let Some(value) = source.value {
                loader.add(&file::file_source_name(&source.path), value, Kind::Text)?;
            }
            config_files.push(source.path);
        }
    }
    for (i, text) in fragments.iter().enumerate() {
        let name = format!("-hcl fragment {}", i + 1);
        if let Some(value) = file::parse_text(&name, text, Format::Hcl)? {
            loader.add(&name, value, Kind::Text)?;
        }
    }
    if !env.is_empty() {
        loader.add("environment", settings::to_source(&env)?, Kind::Settings)?;
        loader.note_unsupported_settings(&env);
    }
    if !flags.is_empty() {
        loader.add(
            "command-line flags",
            settings::to_source(&flags)?,
            Kind::Settings,
        )?;
        loader.note_unsupported_settings(&flags);
    }

    let merged_config = typed("merged configuration", &loader.merged, None)?;
    let mut host = Host {
        hostname: input.hostname.clone().or_else(os_hostname),
        addrs: input.host_addrs.clone(),
    };
    let mut rt = build(&merged_config, dev, &mut host, &mut loader.warnings)?;

    let mut not_yet: Vec<String> = Vec::new();
    for item in loader.not_yet {
        if !not_yet.contains(&item) {
            not_yet.push(item);
        }
    }
    rt.not_yet_supported = not_yet;
    rt.warnings = loader.warnings;
    rt.config_files = config_files;
    rt.merged = resolved_view(loader.merged, &rt);
    Ok(rt)
}

fn os_hostname() -> Option<String> {
    gethostname::gethostname()
        .into_string()
        .ok()
        .filter(|h| !h.is_empty())
}

/// The merged JSON with the values sd derived (node name, advertise address, ...) filled in
/// and secrets hidden.
fn resolved_view(mut merged: Value, rt: &RuntimeConfig) -> Value {
    if let Value::Object(m) = &mut merged {
        m.insert("node_name".into(), rt.node_name.clone().into());
        m.insert("datacenter".into(), rt.datacenter.clone().into());
        m.insert(
            "primary_datacenter".into(),
            rt.primary_datacenter.clone().into(),
        );
        m.insert("log_level".into(), rt.log_level.clone().into());
        m.insert("domain".into(), rt.domain.clone().into());
        if let Some(a) = rt.advertise_addr {
            m.insert("advertise_addr".into(), a.to_string().into());
        }
        if let Some(a) = rt.advertise_addr_wan {
            m.insert("advertise_addr_wan".into(), a.to_string().into());
        }
        m.insert("bootstrap".into(), rt.bootstrap.into());
        m.insert("bootstrap_expect".into(), rt.bootstrap_expect.into());
    }
    redact(&mut merged, false);
    merged
}

/// Replaces secret strings (`encrypt`, anything under a `*token*` or `*secret*` key) with
/// `"hidden"`, as Consul does in `/v1/agent/self`.
fn redact(value: &mut Value, secret: bool) {
    match value {
        Value::String(s) if secret => *s = "hidden".into(),
        Value::Object(m) => {
            for (key, v) in m.iter_mut() {
                let is_secret = secret
                    || key == "encrypt"
                    || ((key.contains("token") || key.contains("secret"))
                        && !key.ends_with("_ttl"));
                redact(v, is_secret);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|v| redact(v, secret)),
        _ => {}
    }
}
