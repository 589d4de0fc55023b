//! The value types of consul-template's configuration that take more than one spelling:
//! durations (`"5s"`), file modes (`"0644"`), commands (a string or a list), waits (`"5s:10s"`
//! or a block), basic auth (`"user:pass"` or a block) and signal names.

use std::fmt;
use std::time::Duration;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use super::{CommandSpec, WaitConfig};

/// A Go duration string (`"250ms"`, `"1m30s"`); a bare number is only accepted when it is 0.
#[derive(Debug, Clone, Copy)]
pub struct Dur(pub Duration);

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => crate::api::parse_duration(&s)
                .map(Dur)
                .map_err(|e| de::Error::custom(format!("{e}; use a duration like 5s or 1m30s"))),
            serde_json::Value::Number(n) if n.as_u64() == Some(0) => Ok(Dur(Duration::ZERO)),
            other => Err(de::Error::custom(format!(
                "expected a duration string like \"5s\", found {other}"
            ))),
        }
    }
}

/// A file mode: a string of octal digits (`"0644"`, `"600"`) or a number written with octal
/// digits (`0644` in HCL, which reads it as 644).
#[derive(Debug, Clone, Copy)]
pub struct Perms(pub u32);

impl<'de> Deserialize<'de> for Perms {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) => n.to_string(),
            other => {
                return Err(de::Error::custom(format!(
                    "expected a file mode like \"0644\", found {other}"
                )))
            }
        };
        let digits = text.trim().trim_start_matches("0o");
        u32::from_str_radix(digits, 8)
            .ok()
            .filter(|m| *m <= 0o7777)
            .map(Perms)
            .ok_or_else(|| {
                de::Error::custom(format!(
                    "invalid file mode {text:?}: expected octal digits like \"0644\""
                ))
            })
    }
}

/// A command: one string (run through `sh -c` when it has spaces) or a list. A list of one
/// string is that string, as in consul-template.
#[derive(Debug, Clone)]
pub struct Command(pub CommandSpec);

impl<'de> Deserialize<'de> for Command {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            One(String),
            Many(Vec<String>),
        }
        let raw = Raw::deserialize(d)
            .map_err(|_| de::Error::custom("expected a command string or a list of strings"))?;
        let spec = match raw {
            Raw::One(s) => CommandSpec::Shell(s),
            Raw::Many(mut v) if v.len() == 1 => CommandSpec::Shell(v.remove(0)),
            Raw::Many(v) => CommandSpec::Args(v),
        };
        let empty = match &spec {
            CommandSpec::Shell(s) => s.trim().is_empty(),
            CommandSpec::Args(v) => v.is_empty(),
        };
        if empty {
            return Err(de::Error::custom("empty command"));
        }
        Ok(Command(spec))
    }
}

/// `wait = "5s:10s"` or `wait { min = "5s" max = "10s" }`; `enabled = false` turns it off.
#[derive(Debug, Clone, Copy)]
pub struct Wait(pub Option<WaitConfig>);

impl<'de> Deserialize<'de> for Wait {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Block {
            min: Option<Dur>,
            max: Option<Dur>,
            enabled: Option<bool>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Block(Block),
        }
        let raw = Raw::deserialize(d).map_err(|_| {
            de::Error::custom("expected \"min[:max]\" or a block with min and max durations")
        })?;
        match raw {
            Raw::Text(s) => super::spec::parse_wait(&s)
                .map(|w| Wait(Some(w)))
                .map_err(de::Error::custom),
            Raw::Block(b) if b.enabled == Some(false) => Ok(Wait(None)),
            Raw::Block(b) => {
                let min = b.min.map(|d| d.0).unwrap_or_default();
                let max = b.max.map_or(min * 4, |d| d.0);
                if min.is_zero() && max.is_zero() {
                    return Ok(Wait(None));
                }
                super::spec::check_wait(min, max)
                    .map(|w| Wait(Some(w)))
                    .map_err(de::Error::custom)
            }
        }
    }
}

/// `auth = "user:pass"` or `auth { enabled username password }`.
#[derive(Debug, Clone)]
pub struct Auth(pub Option<String>);

impl<'de> Deserialize<'de> for Auth {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Block {
            enabled: Option<bool>,
            username: Option<String>,
            password: Option<String>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Block(Block),
        }
        let raw = Raw::deserialize(d)
            .map_err(|_| de::Error::custom("expected \"user[:pass]\" or an auth block"))?;
        Ok(Auth(match raw {
            Raw::Text(s) if s.is_empty() => None,
            Raw::Text(s) => Some(s),
            Raw::Block(b) if b.enabled == Some(false) => None,
            Raw::Block(b) => match (b.username, b.password) {
                (Some(u), Some(p)) => Some(format!("{u}:{p}")),
                (Some(u), None) => Some(u),
                (None, _) => None,
            },
        }))
    }
}

/// A signal name as consul-template spells them (`SIGHUP`, `HUP`, `sighup`); `""` or
/// `"none"`... are not signals.
#[derive(Debug, Clone)]
pub struct Signal(pub String);

/// Normalises a signal name to `SIGXXX`, or says why it is not one.
pub fn parse_signal(name: &str) -> Result<String, String> {
    if crate::process::signal_named(name).is_none() {
        return Err(format!("unknown signal {name:?}"));
    }
    let upper = name.trim().to_ascii_uppercase();
    Ok(format!(
        "SIG{}",
        upper.strip_prefix("SIG").unwrap_or(&upper)
    ))
}

impl<'de> Deserialize<'de> for Signal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Signal;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a signal name such as SIGHUP")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Signal, E> {
                parse_signal(s).map(Signal).map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn de<T: for<'a> Deserialize<'a>>(v: serde_json::Value) -> Result<T, String> {
        serde_json::from_value(v).map_err(|e| e.to_string())
    }

    #[test]
    fn durations() {
        assert_eq!(
            de::<Dur>(json!("1m30s")).unwrap().0,
            Duration::from_secs(90)
        );
        assert_eq!(de::<Dur>(json!(0)).unwrap().0, Duration::ZERO);
        assert!(de::<Dur>(json!(5)).unwrap_err().contains("duration string"));
        assert!(de::<Dur>(json!("5 parsecs")).is_err());
    }

    #[test]
    fn file_modes() {
        assert_eq!(de::<Perms>(json!("0644")).unwrap().0, 0o644);
        assert_eq!(de::<Perms>(json!(600)).unwrap().0, 0o600);
        assert!(de::<Perms>(json!("0999")).unwrap_err().contains("octal"));
    }

    #[test]
    fn commands() {
        assert!(matches!(
            de::<Command>(json!("a b")).unwrap().0,
            CommandSpec::Shell(_)
        ));
        assert!(matches!(
            de::<Command>(json!(["a b"])).unwrap().0,
            CommandSpec::Shell(_)
        ));
        assert!(matches!(
            de::<Command>(json!(["a", "b"])).unwrap().0,
            CommandSpec::Args(_)
        ));
        assert!(de::<Command>(json!([])).is_err());
    }

    #[test]
    fn waits_and_auth_and_signals() {
        let w = de::<Wait>(json!({"min": "2s"})).unwrap().0.unwrap();
        assert_eq!(w.max, Duration::from_secs(8));
        assert!(de::<Wait>(json!("3s:1s")).is_err());
        assert!(de::<Wait>(json!({"min": "1s", "enabled": false}))
            .unwrap()
            .0
            .is_none());
        let a = de::<Auth>(json!({"username": "u", "password": "p"})).unwrap();
        assert_eq!(a.0.as_deref(), Some("u:p"));
        assert_eq!(de::<Signal>(json!("hup")).unwrap().0, "SIGHUP");
        assert!(de::<Signal>(json!("SIGFOO"))
            .unwrap_err()
            .contains("SIGFOO"));
    }
}
