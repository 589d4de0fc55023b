//! The brain: the last data each watched dependency returned, shared by every template that
//! uses it. Written by the runner as updates arrive, read by renders. Each entry keeps its
//! engine-specific form (the Go-template value) once built, so a dependency used by many
//! templates is converted once per change, not once per template.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use serde_json::Value;

use crate::template::dependency::Dependency;

/// One dependency's data.
#[derive(Debug)]
pub(crate) struct Entry {
    pub json: Value,
    go: OnceLock<gotmpl::Value>,
}

impl Entry {
    pub fn new(json: Value) -> Entry {
        Entry {
            json,
            go: OnceLock::new(),
        }
    }

    /// The data as a Go-template value, built on first use.
    pub fn go(&self) -> gotmpl::Value {
        self.go
            .get_or_init(|| crate::gotemplate::from_json(&self.json))
            .clone()
    }
}

/// The shared cache (cheap to clone).
#[derive(Debug, Clone, Default)]
pub(crate) struct Brain {
    inner: Arc<RwLock<HashMap<Dependency, Arc<Entry>>>>,
}

impl Brain {
    /// The data of `dep`, if it has arrived.
    pub fn recall(&self, dep: &Dependency) -> Option<Arc<Entry>> {
        match self.inner.read() {
            Ok(map) => map.get(dep).cloned(),
            Err(poisoned) => poisoned.into_inner().get(dep).cloned(),
        }
    }

    /// Stores new data for `dep`; returns false (and changes nothing) when it equals the data
    /// already there.
    pub fn remember(&self, dep: Dependency, json: Value) -> bool {
        let mut map = match self.inner.write() {
            Ok(map) => map,
            Err(poisoned) => poisoned.into_inner(),
        };
        if map.get(&dep).is_some_and(|e| e.json == json) {
            return false;
        }
        map.insert(dep, Arc::new(Entry::new(json)));
        true
    }

    /// As [`Brain::remember`], copying `dep` and `json` only when they are new.
    pub fn remember_ref(&self, dep: &Dependency, json: &Value) -> bool {
        if self.recall(dep).is_some_and(|e| e.json == *json) {
            return false;
        }
        self.remember(dep.clone(), json.clone())
    }

    /// Drops the data of a dependency no template uses any more.
    pub fn forget(&self, dep: &Dependency) {
        match self.inner.write() {
            Ok(mut map) => map.remove(dep),
            Err(poisoned) => poisoned.into_inner().remove(dep),
        };
    }

    /// Keeps only the data of the dependencies `keep` accepts.
    pub fn retain(&self, keep: impl Fn(&Dependency) -> bool) {
        match self.inner.write() {
            Ok(mut map) => map.retain(|d, _| keep(d)),
            Err(poisoned) => poisoned.into_inner().retain(|d, _| keep(d)),
        }
    }
}
