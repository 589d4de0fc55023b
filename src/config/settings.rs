//! Agent settings given as command-line flags or `SD_*` environment variables, turned into a
//! config source (a JSON object with Consul's key names) using the flag table.
//!
//! Environment scheme: every agent flag `-some-flag` can also be set as `SD_SOME_FLAG`
//! (upper-cased, `-` becomes `_`): `SD_DATA_DIR`, `SD_NODE`, `SD_HTTP_PORT`, `SD_SERVER=true`.
//! Repeatable flags take a comma-separated list (`SD_RETRY_JOIN=10.0.0.1,10.0.0.2`,
//! `SD_NODE_META=rack:r1,zone:a`) except `SD_HCL`, which is one fragment; booleans use Go's spellings (`1`, `true`, `false`, ...); an
//! empty variable counts as unset. This module only receives the lookup function: reading the
//! process environment is done by [`crate::config::process_env`].

use serde_json::{Map, Value};

use super::error::ConfigError;
use super::flag_values::FlagValues;
use super::flags::{self, AgentFlag, FlagKind, Target, AGENT_FLAGS};
use super::merge::{append_path, set_path};
use crate::goflag::parse_go_bool;

/// One flag occurrence or environment variable, with the table row it belongs to.
#[derive(Debug, Clone)]
pub(crate) struct Setting {
    pub spec: &'static AgentFlag,
    pub value: String,
    /// How the user gave it: `-http-port` or `SD_HTTP_PORT`.
    pub origin: String,
}

/// The settings in `flags`, in order. A name that is not an agent flag is an error.
pub(crate) fn from_flags(flags: &FlagValues) -> Result<Vec<Setting>, ConfigError> {
    flags
        .iter()
        .map(|(name, value)| {
            let spec = flags::find(name).ok_or_else(|| ConfigError::Value {
                origin: format!("-{name}"),
                value: value.to_string(),
                message: "not an agent flag".into(),
            })?;
            Ok(Setting {
                spec,
                value: value.to_string(),
                origin: format!("-{name}"),
            })
        })
        .collect()
}

/// The settings found in the environment through `env`, in flag-table order.
pub(crate) fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Vec<Setting> {
    let mut out = Vec::new();
    for spec in AGENT_FLAGS {
        let var = spec.env_var();
        let Some(raw) = env(&var) else { continue };
        if raw.trim().is_empty() {
            continue;
        }
        let values: Vec<String> = match spec.kind {
            // An HCL fragment may itself contain commas: it is never split.
            _ if spec.target == Target::Hcl => vec![raw],
            FlagKind::List | FlagKind::Map => raw
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
            _ => vec![raw],
        };
        out.extend(values.into_iter().map(|value| Setting {
            spec,
            value,
            origin: var.clone(),
        }));
    }
    out
}

/// The last value given for a special (non-key) target, with its origin.
pub(crate) fn last_for(settings: &[Setting], target: Target) -> Option<&Setting> {
    settings.iter().rev().find(|s| s.spec.target == target)
}

/// Parses a boolean setting.
pub(crate) fn bool_of(s: &Setting) -> Result<bool, ConfigError> {
    parse_go_bool(s.value.trim()).map_err(|_| bad(s, "expected a boolean (true or false)"))
}

fn bad(s: &Setting, message: &str) -> ConfigError {
    ConfigError::Value {
        origin: s.origin.clone(),
        value: s.value.clone(),
        message: message.into(),
    }
}

/// The config source made of every setting that maps to a config key.
pub(crate) fn to_source(settings: &[Setting]) -> Result<Value, ConfigError> {
    let mut out = Value::Object(Map::new());
    for s in settings {
        let Target::Key(path) = s.spec.target else {
            continue;
        };
        match s.spec.kind {
            FlagKind::Bool => set_path(&mut out, path, Value::Bool(bool_of(s)?)),
            FlagKind::Str => set_path(&mut out, path, Value::String(s.value.clone())),
            FlagKind::Int => {
                let n: i64 = s
                    .value
                    .trim()
                    .parse()
                    .map_err(|_| bad(s, "expected an integer"))?;
                set_path(&mut out, path, Value::from(n));
            }
            FlagKind::Duration => {
                crate::api::parse_duration(&s.value).map_err(|e| {
                    bad(
                        s,
                        &format!("{e}; use Go duration syntax like 30s, 5m or 1h30m"),
                    )
                })?;
                set_path(&mut out, path, Value::String(s.value.clone()));
            }
            FlagKind::List => append_path(&mut out, path, vec![Value::String(s.value.clone())]),
            FlagKind::Map => {
                // Go's flag: `key:value`; a missing `:` gives an empty value.
                let (k, v) = s.value.split_once(':').unwrap_or((s.value.as_str(), ""));
                if k.is_empty() {
                    return Err(bad(s, "expected key:value"));
                }
                set_path(&mut out, &format!("{path}.{k}"), Value::String(v.into()));
            }
        }
    }
    Ok(out)
}

/// Whether a setting asks for something (not `false`, `0`, `-1` or empty), for the
/// "not yet supported" list.
pub(crate) fn asks_for_something(s: &Setting) -> bool {
    match s.spec.kind {
        FlagKind::Bool => bool_of(s).unwrap_or(false),
        FlagKind::Int => s.value.trim().parse::<i64>().map(|n| n > 0).unwrap_or(true),
        _ => !s.value.trim().is_empty(),
    }
}

/// Whether a config value asks for something: `true`, a positive number, a non-empty string,
/// list or object.
pub(crate) fn value_asks_for_something(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f > 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flags_become_a_source() {
        let fv = FlagValues::new()
            .with("server", "true")
            .with("http-port", "-1")
            .with("node-meta", "rack:r1")
            .with("node-meta", "zone:a:b")
            .with("retry-join", "a")
            .with("join", "b")
            .with("ui", "true")
            .with("default-query-time", "10s");
        let src = to_source(&from_flags(&fv).unwrap()).unwrap();
        assert_eq!(
            src,
            json!({"server": true, "ports": {"http": -1},
                   "node_meta": {"rack": "r1", "zone": "a:b"},
                   "retry_join": ["a"], "start_join": ["b"],
                   "ui_config": {"enabled": true}, "default_query_time": "10s"})
        );
    }

    #[test]
    fn bad_flag_values_name_the_flag() {
        let fv = FlagValues::new().with("http-port", "eighty");
        let err = to_source(&from_flags(&fv).unwrap())
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "invalid value \"eighty\" for -http-port: expected an integer"
        );
        let fv = FlagValues::new().with("max-query-time", "10");
        let err = to_source(&from_flags(&fv).unwrap())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("-max-query-time") && err.contains("30s"),
            "{err}"
        );
        assert!(from_flags(&FlagValues::new().with("bogus", "1")).is_err());
    }

    #[test]
    fn env_lists_split_on_commas() {
        let env = |k: &str| match k {
            "SD_RETRY_JOIN" => Some("a, b,".to_string()),
            "SD_NODE" => Some("n1".to_string()),
            "SD_DATACENTER" => Some(String::new()),
            _ => None,
        };
        let s = from_env(&env);
        let got: Vec<(&str, &str)> = s
            .iter()
            .map(|s| (s.origin.as_str(), s.value.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("SD_NODE", "n1"),
                ("SD_RETRY_JOIN", "a"),
                ("SD_RETRY_JOIN", "b")
            ]
        );
    }
}
