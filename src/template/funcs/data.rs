//! The data functions (`service`, `services`, `key`, `keyExists`, `keyOrDefault`, `ls`,
//! `safeLs`, `tree`, `safeTree`, `node`, `nodes`, `datacenters`, `file`) with
//! consul-template's semantics, independent of the template engine.
//!
//! Each call names a dependency and records it as used; if the brain has no data for it yet the
//! dependency is also recorded as missing and an empty value comes back, so the template can
//! finish this pass (n-pass rendering). A template is written only when nothing is missing.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::template::brain::{Brain, Entry};
use crate::template::dependency::Dependency;
use crate::template::query;

/// What a data function returns: the brain's entry as is (shared, converted once), or a value
/// made for this call.
#[derive(Clone, Debug)]
pub(crate) enum Data {
    Shared(Arc<Entry>),
    Owned(Value),
}

/// A function call that cannot be answered.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DataError {
    #[error("{0}")]
    Query(#[from] query::QueryError),
    #[error("{function}: {message}")]
    Usage {
        function: &'static str,
        message: String,
    },
}

fn usage(function: &'static str, message: impl Into<String>) -> DataError {
    DataError::Usage {
        function,
        message: message.into(),
    }
}

/// One render of one template: what it used and what it still waits for.
/// The data functions, by the name templates call them.
pub(crate) const NAMES: &[&str] = &[
    "service",
    "services",
    "node",
    "nodes",
    "datacenters",
    "key",
    "keyExists",
    "keyOrDefault",
    "ls",
    "safeLs",
    "tree",
    "safeTree",
    "file",
];

#[derive(Debug)]
pub(crate) struct Pass {
    brain: Brain,
    sandbox: Option<PathBuf>,
    err_on_failed_lookup: bool,
    used: Mutex<BTreeSet<Dependency>>,
    missing: Mutex<BTreeSet<Dependency>>,
    /// What each `service` query of this pass answered: a call in a loop costs one lookup, not
    /// a parse and the bookkeeping of a dependency (the data cannot change during a pass).
    services: Mutex<HashMap<String, Data>>,
}

impl Pass {
    pub fn new(brain: Brain, sandbox: Option<PathBuf>, err_on_failed_lookup: bool) -> Pass {
        Pass {
            brain,
            sandbox,
            err_on_failed_lookup,
            used: Mutex::new(BTreeSet::new()),
            missing: Mutex::new(BTreeSet::new()),
            services: Mutex::new(HashMap::new()),
        }
    }

    /// The dependencies this pass used and those it found no data for.
    pub fn finish(self) -> (BTreeSet<Dependency>, BTreeSet<Dependency>) {
        let take = |m: Mutex<BTreeSet<Dependency>>| match m.into_inner() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        (take(self.used), take(self.missing))
    }

    fn add(set: &Mutex<BTreeSet<Dependency>>, dep: &Dependency) {
        match set.lock() {
            Ok(mut s) => s.insert(dep.clone()),
            Err(poisoned) => poisoned.into_inner().insert(dep.clone()),
        };
    }

    /// Records `dep` as used and returns its data, or records it as missing.
    fn recall(&self, dep: Dependency) -> Option<Arc<Entry>> {
        Self::add(&self.used, &dep);
        let found = self.brain.recall(&dep);
        if found.is_none() {
            Self::add(&self.missing, &dep);
        }
        found
    }

    fn mark_missing(&self, dep: &Dependency) {
        Self::add(&self.missing, dep);
    }

    /// `service "query" ["filter"]`.
    pub fn service(&self, args: &[String]) -> Result<Data, DataError> {
        if args.first().is_none_or(|a| a.is_empty()) {
            return Ok(Data::Owned(Value::Array(Vec::new())));
        }
        if args.len() > 2 {
            return Err(usage("service", "expected 1 or 2 arguments"));
        }
        let text = args.join("|");
        let mut answered = self.services.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(data) = answered.get(&text) {
            return Ok(data.clone());
        }
        let data = self.list_or_empty(Dependency::Service(query::service(&text)?));
        answered.insert(text, data.clone());
        Ok(data)
    }

    /// `services ["query"]`.
    pub fn services(&self, args: &[String]) -> Result<Data, DataError> {
        let dep = Dependency::Services(query::services(&args.concat())?);
        Ok(self.list_or_empty(dep))
    }

    /// `nodes ["query"]`.
    pub fn nodes(&self, args: &[String]) -> Result<Data, DataError> {
        let dep = Dependency::Nodes(query::nodes(&args.concat())?);
        Ok(self.list_or_empty(dep))
    }

    /// `node ["query"]`: the node and its services, nil while unknown.
    pub fn node(&self, args: &[String]) -> Result<Data, DataError> {
        let dep = Dependency::Node(query::node(&args.concat())?);
        Ok(match self.recall(dep) {
            Some(e) => Data::Shared(e),
            None => Data::Owned(Value::Null),
        })
    }

    /// `datacenters [ignoreInaccessible]`.
    pub fn datacenters(&self, args_len: usize) -> Result<Data, DataError> {
        if args_len > 1 {
            return Err(usage(
                "datacenters",
                format!("wrong number of arguments, expected 0 or 1, but got {args_len}"),
            ));
        }
        Ok(self.list_or_empty(Dependency::Datacenters))
    }

    fn list_or_empty(&self, dep: Dependency) -> Data {
        match self.recall(dep) {
            Some(e) => Data::Shared(e),
            None => Data::Owned(Value::Array(Vec::new())),
        }
    }

    /// `key "path"`: the value; waits (missing) while the key does not exist.
    pub fn key(&self, path: &str) -> Result<Data, DataError> {
        if path.is_empty() {
            return Ok(Data::Owned(Value::String(String::new())));
        }
        let dep = Dependency::Key(query::key(path)?);
        match self.recall(dep.clone()) {
            Some(e) if !e.json.is_null() => Ok(Data::Shared(e)),
            Some(_) if self.err_on_failed_lookup => {
                Err(usage("key", format!("key {path:?} does not exist")))
            }
            Some(_) => {
                self.mark_missing(&dep);
                Ok(Data::Owned(Value::String(String::new())))
            }
            None => Ok(Data::Owned(Value::String(String::new()))),
        }
    }

    /// `keyExists "path"`.
    pub fn key_exists(&self, path: &str) -> Result<bool, DataError> {
        if path.is_empty() {
            return Ok(false);
        }
        let dep = Dependency::Key(query::key(path)?);
        Ok(self.recall(dep).is_some_and(|e| !e.json.is_null()))
    }

    /// `keyOrDefault "path" "default"`: the default while absent or empty (never waits).
    pub fn key_or_default(&self, path: &str, default: &str) -> Result<String, DataError> {
        if path.is_empty() {
            return Ok(default.to_string());
        }
        let dep = Dependency::Key(query::key(path)?);
        Ok(match self.recall(dep) {
            Some(e) => match e.json.as_str() {
                Some(v) if !v.is_empty() => v.to_string(),
                _ => default.to_string(),
            },
            None => default.to_string(),
        })
    }

    /// `ls`/`safeLs` (`tree == false`) and `tree`/`safeTree`: the pairs under a prefix. `ls`
    /// keeps direct children only, `tree` everything but folder keys; the safe forms treat an
    /// empty result as missing so the file is never rendered empty.
    pub fn list(&self, prefix: &str, tree: bool, safe: bool) -> Result<Data, DataError> {
        if prefix.is_empty() {
            return Ok(Data::Owned(Value::Array(Vec::new())));
        }
        let dep = Dependency::KeyList(query::prefix(prefix)?);
        let Some(entry) = self.recall(dep.clone()) else {
            return Ok(Data::Owned(Value::Array(Vec::new())));
        };
        let kept: Vec<Value> = entry
            .json
            .as_array()
            .into_iter()
            .flatten()
            .filter(|pair| {
                let key = pair["Key"].as_str().unwrap_or_default();
                if tree {
                    !key.ends_with('/') && !key.is_empty()
                } else {
                    !key.is_empty() && !key.contains('/')
                }
            })
            .cloned()
            .collect();
        if kept.is_empty() && safe {
            self.mark_missing(&dep);
        }
        Ok(Data::Owned(Value::Array(kept)))
    }

    /// `file "path"`: the file's contents (within `sandbox_path` when one is set).
    pub fn file(&self, path: &str) -> Result<Data, DataError> {
        if path.is_empty() {
            return Ok(Data::Owned(Value::String(String::new())));
        }
        if let Some(sandbox) = &self.sandbox {
            if !in_sandbox(sandbox, Path::new(path)) {
                return Err(usage(
                    "file",
                    format!("{path:?} is outside the sandbox {}", sandbox.display()),
                ));
            }
        }
        let dep = Dependency::File(PathBuf::from(path));
        Ok(match self.recall(dep) {
            Some(e) => Data::Shared(e),
            None => Data::Owned(Value::String(String::new())),
        })
    }
}

/// Whether `path`, made absolute and with `.`/`..` resolved lexically, lies under `sandbox`.
/// Symlinks inside the sandbox that point out of it are refused when the file is read (the
/// watcher opens it without following a final symlink out of the sandbox).
pub(crate) fn in_sandbox(sandbox: &Path, path: &Path) -> bool {
    let normal = |p: &Path| {
        let mut out = PathBuf::new();
        for c in p.components() {
            match c {
                std::path::Component::ParentDir => {
                    out.pop();
                }
                std::path::Component::CurDir => {}
                other => out.push(other),
            }
        }
        out
    };
    normal(path).starts_with(normal(sandbox))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pass_with(entries: Vec<(Dependency, Value)>) -> Pass {
        let brain = Brain::default();
        for (d, v) in entries {
            brain.remember(d, v);
        }
        Pass::new(brain, None, false)
    }

    #[test]
    fn a_missing_service_is_empty_and_recorded() {
        let pass = pass_with(vec![]);
        let Data::Owned(v) = pass.service(&["web".into()]).unwrap() else {
            panic!("expected an owned empty list");
        };
        assert_eq!(v, json!([]));
        let (used, missing) = pass.finish();
        assert_eq!(used.len(), 1);
        assert_eq!(used, missing);
    }

    #[test]
    fn key_waits_for_an_absent_key_but_key_or_default_does_not() {
        let dep = Dependency::Key(query::key("a/b").unwrap());
        let pass = pass_with(vec![(dep.clone(), Value::Null)]);
        assert!(!pass.key_exists("a/b").unwrap());
        assert_eq!(pass.key_or_default("a/b", "d").unwrap(), "d");
        pass.key("a/b").unwrap();
        let (_, missing) = pass.finish();
        assert!(missing.contains(&dep));
    }

    #[test]
    fn ls_keeps_direct_children_and_safe_ls_refuses_empty() {
        let dep = Dependency::KeyList(query::prefix("app").unwrap());
        let pairs = json!([
            {"Key": "", "Value": ""},
            {"Key": "a", "Value": "1"},
            {"Key": "dir/", "Value": ""},
            {"Key": "dir/b", "Value": "2"}
        ]);
        let pass = pass_with(vec![(dep.clone(), pairs)]);
        let Data::Owned(ls) = pass.list("app", false, false).unwrap() else {
            panic!()
        };
        assert_eq!(ls.as_array().unwrap().len(), 1);
        let Data::Owned(tree) = pass.list("app", true, false).unwrap() else {
            panic!()
        };
        assert_eq!(tree.as_array().unwrap().len(), 2);
        let (_, missing) = pass.finish();
        assert!(missing.is_empty());

        let empty = pass_with(vec![(dep.clone(), json!([]))]);
        empty.list("app", false, true).unwrap();
        assert!(empty.finish().1.contains(&dep));
    }

    #[test]
    fn sandbox_is_lexical_and_refuses_escapes() {
        assert!(in_sandbox(Path::new("/srv"), Path::new("/srv/a/b")));
        assert!(!in_sandbox(
            Path::new("/srv"),
            Path::new("/srv/../etc/passwd")
        ));
        assert!(!in_sandbox(Path::new("/srv"), Path::new("/srvx")));
    }
}
