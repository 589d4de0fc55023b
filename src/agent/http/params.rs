//! Query-string parsing with Consul's conventions: flags in every spelling (`recurse`,
//! `recurse=`, `recurse=1`, `recurse=true`), Go durations (`wait=9.87s`), repeated parameters,
//! and the consistency and blocking options every read endpoint shares.

use std::time::Duration;

use super::error::HttpError;
pub use crate::agent::endpoints::{Consistency, QueryOptions};
use crate::api::parse_duration;

/// The decoded query string, in order, repeated names kept.
#[derive(Debug, Default, Clone)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    pub fn parse(raw: Option<&str>) -> Params {
        let pairs = raw
            .map(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        Params { pairs }
    }

    /// The first value of `name`, if present (an empty string for a bare `?name`).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a repeated parameter.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// A boolean flag: present with no value, empty, or any true spelling means true; `false`
    /// and `0` (any Go spelling) mean false.
    pub fn flag(&self, name: &str) -> bool {
        match self.get(name) {
            None => false,
            Some(v) => !matches!(v, "0" | "f" | "F" | "false" | "FALSE" | "False"),
        }
    }

    /// The parameters that shape an answer (all but the blocking and consistency ones), in
    /// order, as one string: equal strings ask the same question.
    pub fn question(&self) -> String {
        let mut out = String::new();
        for (k, v) in &self.pairs {
            if matches!(
                k.as_str(),
                "index" | "wait" | "stale" | "consistent" | "leader" | "dc"
            ) {
                continue;
            }
            out.push_str(k);
            out.push('=');
            out.push_str(v);
            out.push('\0');
        }
        out
    }

    /// `?cas=`, as autopilot's and config entries' endpoints read it (Consul's message).
    pub fn cas(&self) -> Result<Option<u64>, HttpError> {
        self.get("cas")
            .filter(|v| !v.is_empty())
            .map(|v| {
                v.parse::<u64>()
                    .map_err(|e| HttpError::bad_request(format!("Error parsing cas value: {e}")))
            })
            .transpose()
    }

    /// An unsigned integer parameter; a malformed one is a 400 naming it.
    pub fn u64(&self, name: &str) -> Result<Option<u64>, HttpError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => v.parse::<u64>().map(Some).map_err(|_| {
                HttpError::bad_request(format!(
                    "Invalid {name} parameter: {v:?} is not an unsigned integer"
                ))
            }),
        }
    }
}

/// Limits that come from the agent's configuration.
#[derive(Debug, Clone, Copy)]
pub struct QueryLimits {
    pub default_wait: Duration,
    pub max_wait: Duration,
}

/// A read's query string and options, once `?dc` is known to be this datacenter.
pub fn read_opts(
    agent: &crate::agent::Agent,
    q: Option<&str>,
) -> Result<(Params, QueryOptions), HttpError> {
    let p = Params::parse(q);
    agent.check_dc(p.get("dc"))?;
    let opts = QueryOptions::parse(&p, agent.query_limits())?;
    Ok((p, opts))
}

impl QueryOptions {
    /// Reads `stale`, `consistent`, `leader`, `index`, `wait` and `pretty`.
    pub fn parse(p: &Params, limits: QueryLimits) -> Result<QueryOptions, HttpError> {
        let stale = p.flag("stale");
        let consistent = p.flag("consistent");
        if stale && consistent {
            return Err(HttpError::bad_request(
                "Cannot specify ?stale with ?consistent, conflicting semantics.",
            ));
        }
        let consistency = match (stale, consistent) {
            (true, _) => Consistency::Stale,
            (_, true) => Consistency::Consistent,
            _ => Consistency::Default,
        };
        let min_index = match p.get("index") {
            None | Some("") => 0,
            Some(v) => v
                .parse::<u64>()
                .map_err(|_| HttpError::bad_request("Invalid index"))?,
        };
        let wait = match p.get("wait") {
            None | Some("") => limits.default_wait,
            Some(v) => {
                parse_duration(v).map_err(|_| HttpError::bad_request("Invalid wait time"))?
            }
        };
        let wait = if wait.is_zero() {
            limits.default_wait
        } else {
            wait.min(limits.max_wait)
        };
        Ok(QueryOptions {
            consistency,
            min_index,
            wait,
            pretty: p.flag("pretty"),
            datacenter: None,
        })
    }
}

/// `?filter=`: the expression parsed for elements shaped like `schema`; a malformed one is a
/// 400 saying where (Consul's message text).
pub fn filter(
    p: &Params,
    schema: &crate::agent::filter::Schema,
) -> Result<crate::agent::filter::Filter, HttpError> {
    match p.get("filter") {
        None | Some("") => Ok(crate::agent::filter::Filter::all()),
        Some(expr) => crate::agent::filter::Filter::parse(expr, schema)
            .map_err(|e| HttpError::bad_request(e.to_string())),
    }
}

/// Keeps the values of a map (an ID-keyed result such as `/v1/agent/services`) that match.
pub fn retain_values<T: serde::Serialize>(
    f: &crate::agent::filter::Filter,
    map: &mut std::collections::BTreeMap<String, T>,
) {
    if !f.is_all() {
        map.retain(|_, v| f.matches(&serde_json::to_value(&*v).unwrap_or_default()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: QueryLimits = QueryLimits {
        default_wait: Duration::from_secs(300),
        max_wait: Duration::from_secs(600),
    };

    #[test]
    fn flags_in_every_spelling() {
        for q in [
            "recurse",
            "recurse=",
            "recurse=1",
            "recurse=true",
            "recurse=True",
        ] {
            assert!(Params::parse(Some(q)).flag("recurse"), "{q}");
        }
        for q in ["", "recurse=false", "recurse=0", "other"] {
            assert!(!Params::parse(Some(q)).flag("recurse"), "{q}");
        }
    }

    #[test]
    fn repeated_and_encoded() {
        let p = Params::parse(Some("tag=a&tag=b%20c&separator=%2F"));
        assert_eq!(p.all("tag"), ["a", "b c"]);
        assert_eq!(p.get("separator"), Some("/"));
    }

    #[test]
    fn blocking_options() {
        let o = QueryOptions::parse(&Params::parse(Some("index=42&wait=9.87s")), LIMITS).unwrap();
        assert_eq!(o.min_index, 42);
        assert_eq!(o.wait, Duration::from_millis(9870));
        let o = QueryOptions::parse(&Params::parse(Some("index=1")), LIMITS).unwrap();
        assert_eq!(o.wait, Duration::from_secs(300), "default wait is 5m");
        let o = QueryOptions::parse(&Params::parse(Some("wait=1h")), LIMITS).unwrap();
        assert_eq!(o.wait, Duration::from_secs(600), "wait is capped at 10m");
        assert!(QueryOptions::parse(&Params::parse(Some("wait=10")), LIMITS).is_err());
        assert!(QueryOptions::parse(&Params::parse(Some("index=x")), LIMITS).is_err());
    }

    #[test]
    fn consistency_modes() {
        let c = |q| QueryOptions::parse(&Params::parse(Some(q)), LIMITS).map(|o| o.consistency);
        assert_eq!(c("stale").unwrap(), Consistency::Stale);
        assert_eq!(c("consistent=").unwrap(), Consistency::Consistent);
        assert_eq!(c("").unwrap(), Consistency::Default);
        assert_eq!(
            c("stale&consistent").unwrap_err().status,
            axum::http::StatusCode::BAD_REQUEST
        );
    }

    #[test]
    fn bad_integers_are_400() {
        let p = Params::parse(Some("flags=-1"));
        assert_eq!(
            p.u64("flags").unwrap_err().status,
            axum::http::StatusCode::BAD_REQUEST
        );
        assert_eq!(
            Params::parse(Some("flags=18446744073709551615"))
                .u64("flags")
                .unwrap(),
            Some(u64::MAX)
        );
    }
}
