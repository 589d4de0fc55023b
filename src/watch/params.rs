//! The parameters of a watch, from `sd watch`'s flags or an agent's `watches` entry (a JSON
//! object, keys in any case), checked the way Consul's `watch.Parse` checks them.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;

/// Why a watch definition is refused; the words are Consul's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamsError {
    #[error("Watch type must be specified")]
    MissingType,
    #[error("Unsupported watch type: {0}")]
    UnknownType(String),
    #[error("Must specify a single key to watch")]
    MissingKey,
    #[error("Must specify a single prefix to watch")]
    MissingPrefix,
    #[error("Must specify a single service to watch")]
    MissingService,
    #[error("Cannot specify service and state")]
    ServiceAndState,
    #[error("Handler type '{0}' not recognized")]
    UnknownHandler(String),
    #[error("Invalid parameters: {0:?}")]
    Invalid(Vec<String>),
    #[error("Failed to parse {key}: {why}")]
    Bad { key: String, why: String },
}

/// What a watch follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Key(String),
    KeyPrefix(String),
    Services,
    Nodes,
    Service {
        name: String,
        tags: Vec<String>,
        passing_only: bool,
    },
    /// The checks of a service, or every check in a state (`any` when neither is given).
    Checks {
        service: Option<String>,
        state: Option<String>,
    },
    Event(String),
}

/// Where an `http` handler sends each result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpHandlerConfig {
    pub path: String,
    pub method: String,
    pub header: BTreeMap<String, Vec<String>>,
    pub timeout: Duration,
    pub tls_skip_verify: bool,
}

/// A parsed watch: what it follows, how to read it, and (for agent watches) its handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    pub kind: Kind,
    pub datacenter: Option<String>,
    pub token: Option<String>,
    pub stale: bool,
    /// `args` (a command run directly), else the deprecated `handler` (run by a shell).
    pub args: Vec<String>,
    pub shell_handler: Option<String>,
    pub http: Option<HttpHandlerConfig>,
}

fn text(v: &Value, key: &str) -> Result<String, ParamsError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        _ => Err(ParamsError::Bad {
            key: key.into(),
            why: "expected a string".into(),
        }),
    }
}

fn boolean(v: &Value, key: &str) -> Result<bool, ParamsError> {
    match v {
        Value::Bool(b) => Ok(*b),
        // Go's strconv.ParseBool.
        Value::String(s) => match s.as_str() {
            "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
            "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
            _ => Err(ParamsError::Bad {
                key: key.into(),
                why: format!("invalid boolean {s:?}"),
            }),
        },
        _ => Err(ParamsError::Bad {
            key: key.into(),
            why: "expected a boolean".into(),
        }),
    }
}

fn strings(v: &Value, key: &str) -> Result<Vec<String>, ParamsError> {
    match v {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items.iter().map(|i| text(i, key)).collect(),
        _ => Err(ParamsError::Bad {
            key: key.into(),
            why: "expected a string or a list of strings".into(),
        }),
    }
}

impl Params {
    /// Parses a watch definition: `{"type": "key", "key": "a", "args": [...]}`.
    pub fn parse(raw: &Value) -> Result<Params, ParamsError> {
        let Value::Object(map) = raw else {
            return Err(ParamsError::Bad {
                key: "watch".into(),
                why: "expected an object".into(),
            });
        };
        let mut m: BTreeMap<String, Value> = map
            .iter()
            .map(|(k, v)| (crate::api::keys::fold_key(k), v.clone()))
            .collect();
        let mut take = |k: &str| m.remove(k);
        let kind_name = match take("type") {
            None => return Err(ParamsError::MissingType),
            Some(v) => text(&v, "type")?,
        };
        let datacenter = take("datacenter")
            .map(|v| text(&v, "datacenter"))
            .transpose()?;
        let token = take("token").map(|v| text(&v, "token")).transpose()?;
        let stale = take("stale")
            .map(|v| boolean(&v, "stale"))
            .transpose()?
            .unwrap_or(false);
        let args = take("args")
            .map(|v| strings(&v, "args"))
            .transpose()?
            .unwrap_or_default();
        let shell_handler = take("handler").map(|v| text(&v, "handler")).transpose()?;
        let handler_type = take("handlertype")
            .map(|v| text(&v, "handler_type"))
            .transpose()?;
        let http_config = take("httphandlerconfig");
        let single = |v: Option<Value>, key: &str| -> Result<Option<String>, ParamsError> {
            v.map(|v| text(&v, key))
                .transpose()
                .map(|s| s.filter(|s| !s.is_empty()))
        };
        let kind = match kind_name.as_str() {
            "key" => Kind::Key(single(take("key"), "key")?.ok_or(ParamsError::MissingKey)?),
            "keyprefix" => Kind::KeyPrefix(
                single(take("prefix"), "prefix")?.ok_or(ParamsError::MissingPrefix)?,
            ),
            "services" => Kind::Services,
            "nodes" => Kind::Nodes,
            "service" => Kind::Service {
                name: single(take("service"), "service")?.ok_or(ParamsError::MissingService)?,
                tags: take("tag")
                    .map(|v| strings(&v, "tag"))
                    .transpose()?
                    .unwrap_or_default(),
                passing_only: take("passingonly")
                    .map(|v| boolean(&v, "passingonly"))
                    .transpose()?
                    .unwrap_or(false),
            },
            "checks" => {
                let service = single(take("service"), "service")?;
                let state = single(take("state"), "state")?;
                if service.is_some() && state.is_some() {
                    return Err(ParamsError::ServiceAndState);
                }
                Kind::Checks { service, state }
            }
            "event" => Kind::Event(single(take("name"), "name")?.unwrap_or_default()),
            "" => return Err(ParamsError::MissingType),
            other => return Err(ParamsError::UnknownType(other.into())),
        };
        let http = match handler_type.as_deref() {
            None | Some("script") => None,
            Some("http") => Some(http_handler(http_config.unwrap_or(Value::Null))?),
            Some(other) => return Err(ParamsError::UnknownHandler(other.into())),
        };
        if !m.is_empty() {
            return Err(ParamsError::Invalid(m.into_keys().collect()));
        }
        Ok(Params {
            kind,
            datacenter,
            token,
            stale,
            args,
            shell_handler,
            http,
        })
    }

    /// Whether the definition names a handler (agent watches must).
    pub fn has_handler(&self) -> bool {
        !self.args.is_empty() || self.shell_handler.is_some() || self.http.is_some()
    }
}

fn http_handler(v: Value) -> Result<HttpHandlerConfig, ParamsError> {
    let bad = |why: &str| ParamsError::Bad {
        key: "http_handler_config".into(),
        why: why.into(),
    };
    let Value::Object(map) = v else {
        return Err(bad("an http handler needs http_handler_config with a path"));
    };
    let m: BTreeMap<String, Value> = map
        .into_iter()
        .map(|(k, v)| (crate::api::keys::fold_key(&k), v))
        .collect();
    let path = match m.get("path") {
        Some(Value::String(p)) if !p.is_empty() => p.clone(),
        _ => return Err(bad("missing path")),
    };
    let method = match m.get("method") {
        Some(Value::String(s)) if !s.is_empty() => s.to_ascii_uppercase(),
        _ => "POST".into(),
    };
    let timeout = match m.get("timeout") {
        Some(Value::String(s)) => crate::api::parse_duration(s).map_err(|e| bad(&e))?,
        _ => Duration::from_secs(10),
    };
    let tls_skip_verify = m
        .get("tlsskipverify")
        .map(|v| boolean(v, "tls_skip_verify"))
        .transpose()?
        .unwrap_or(false);
    let mut header = BTreeMap::new();
    if let Some(Value::Object(h)) = m.get("header") {
        for (k, v) in h {
            header.insert(k.clone(), strings(v, "header")?);
        }
    }
    Ok(HttpHandlerConfig {
        path,
        method,
        header,
        timeout,
        tls_skip_verify,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_every_type() {
        let p =
            Params::parse(&json!({"type": "key", "key": "a/b", "args": ["/bin/true"]})).unwrap();
        assert_eq!(p.kind, Kind::Key("a/b".into()));
        assert!(p.has_handler());
        let p = Params::parse(
            &json!({"Type": "service", "Service": "web", "Tag": ["a", "b"], "PassingOnly": true}),
        )
        .unwrap();
        assert_eq!(
            p.kind,
            Kind::Service {
                name: "web".into(),
                tags: vec!["a".into(), "b".into()],
                passing_only: true
            }
        );
        assert!(!p.has_handler());
        let p = Params::parse(&json!({"type": "checks", "state": "critical"})).unwrap();
        assert_eq!(
            p.kind,
            Kind::Checks {
                service: None,
                state: Some("critical".into())
            }
        );
        let p = Params::parse(&json!({"type": "event", "name": "deploy"})).unwrap();
        assert_eq!(p.kind, Kind::Event("deploy".into()));
        let p = Params::parse(&json!({"type": "nodes", "handler_type": "http",
            "http_handler_config": {"path": "http://x/hook", "header": {"X-A": ["1"]}, "timeout": "5s"}})).unwrap();
        let h = p.http.unwrap();
        assert_eq!(
            (h.method.as_str(), h.timeout),
            ("POST", Duration::from_secs(5))
        );
    }

    #[test]
    fn refuses_with_consuls_words() {
        let err = |v: Value| Params::parse(&v).unwrap_err().to_string();
        assert_eq!(err(json!({})), "Watch type must be specified");
        assert_eq!(
            err(json!({"type": "bogus"})),
            "Unsupported watch type: bogus"
        );
        assert_eq!(
            err(json!({"type": "key"})),
            "Must specify a single key to watch"
        );
        assert_eq!(
            err(json!({"type": "keyprefix"})),
            "Must specify a single prefix to watch"
        );
        assert_eq!(
            err(json!({"type": "service"})),
            "Must specify a single service to watch"
        );
        assert_eq!(
            err(json!({"type": "checks", "service": "a", "state": "any"})),
            "Cannot specify service and state"
        );
        assert_eq!(
            err(json!({"type": "nodes", "handler_type": "carrier-pigeon"})),
            "Handler type 'carrier-pigeon' not recognized"
        );
        assert_eq!(
            err(json!({"type": "nodes", "key": "x"})),
            "Invalid parameters: [\"key\"]"
        );
    }
}
