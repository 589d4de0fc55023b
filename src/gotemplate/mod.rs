//! Go `text/template` (the gotmpl crate) pieces shared by `sd template` and
//! `sd register-docker -tags`: JSON as template values, and finding functions a template calls
//! that are not defined. A leaf: it imports only gotmpl and serde_json.
//!
//! May import: nothing (checked by tests/architecture.rs).

pub mod check;

use std::collections::BTreeMap;
use std::sync::Arc;

use gotmpl::Value;

/// JSON data (the brain's neutral form) as a Go-template value: integers stay integers,
/// objects become maps (ranged in key order, as Go ranges over maps).
pub fn from_json(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Int(i)
            } else if let Some(u) = n.as_u64() {
                Value::Uint(u)
            } else {
                Value::Float(n.as_f64().unwrap_or(0.0))
            }
        }
        serde_json::Value::String(s) => Value::String(s.as_str().into()),
        serde_json::Value::Array(a) => Value::List(a.iter().map(from_json).collect()),
        serde_json::Value::Object(o) => {
            let m: BTreeMap<Arc<str>, Value> = o
                .iter()
                .map(|(k, v)| (Arc::from(k.as_str()), from_json(v)))
                .collect();
            Value::Map(Arc::new(m))
        }
    }
}
