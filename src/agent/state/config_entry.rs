//! Config entries as the servers keep them: one per kind and name, the entry's JSON as the
//! user wrote it (canonical keys) with its create and modify indexes, written and deleted with
//! optional check-and-set.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What a config entry write does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EntryOp {
    /// Create or replace; with `cas`, only if the stored `ModifyIndex` is it (0: absent).
    Upsert,
    /// Remove; with `cas`, only if the stored `ModifyIndex` is it.
    Delete,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Stored {
    /// The entry's JSON object, without indexes.
    json: String,
    create_index: u64,
    modify_index: u64,
}

/// (kind, name) → entry, and the index of the last change.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct ConfigEntryTable {
    entries: BTreeMap<(String, String), Stored>,
    index: u64,
}

impl ConfigEntryTable {
    /// Applies a write at `index`: whether it took effect (a failed check-and-set, or a delete
    /// of nothing with check-and-set, is false; a plain delete of nothing is true).
    pub fn apply(
        &mut self,
        index: u64,
        op: EntryOp,
        kind: &str,
        name: &str,
        json: &str,
        cas: Option<u64>,
    ) -> bool {
        let key = (kind.to_string(), name.to_string());
        let current = self.entries.get(&key).map(|s| s.modify_index);
        if let Some(cas) = cas {
            if current.unwrap_or(0) != cas || (op == EntryOp::Delete && current.is_none()) {
                return false;
            }
        }
        match op {
            EntryOp::Upsert => {
                let create_index = self.entries.get(&key).map_or(index, |s| s.create_index);
                self.entries.insert(
                    key,
                    Stored {
                        json: json.to_string(),
                        create_index,
                        modify_index: index,
                    },
                );
            }
            EntryOp::Delete => {
                if self.entries.remove(&key).is_none() {
                    return true;
                }
            }
        }
        self.index = index;
        true
    }

    pub fn index(&self) -> u64 {
        self.index
    }

    /// One entry as the API shows it, with its indexes.
    pub fn get(&self, kind: &str, name: &str) -> Option<Value> {
        self.entries
            .get(&(kind.to_string(), name.to_string()))
            .map(shown)
    }

    /// Every entry of `kind`, by name.
    pub fn list(&self, kind: &str) -> Vec<Value> {
        self.entries
            .iter()
            .filter(|((k, _), _)| k == kind)
            .map(|(_, s)| shown(s))
            .collect()
    }
}

fn shown(s: &Stored) -> Value {
    let mut v: Value = serde_json::from_str(&s.json).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut v {
        map.insert("CreateIndex".into(), s.create_index.into());
        map.insert("ModifyIndex".into(), s.modify_index.into());
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    const WEB: &str = r#"{"Kind":"service-defaults","Name":"web","Protocol":"http"}"#;

    #[test]
    fn upsert_cas_and_delete() {
        let mut t = ConfigEntryTable::default();
        assert!(t.apply(5, EntryOp::Upsert, "service-defaults", "web", WEB, Some(0)));
        assert!(!t.apply(6, EntryOp::Upsert, "service-defaults", "web", WEB, Some(0)));
        assert!(t.apply(7, EntryOp::Upsert, "service-defaults", "web", WEB, Some(5)));
        let got = t.get("service-defaults", "web").unwrap();
        assert_eq!(
            (got["CreateIndex"].as_u64(), got["ModifyIndex"].as_u64()),
            (Some(5), Some(7))
        );
        assert_eq!(got["Protocol"], "http");
        assert_eq!(t.list("service-defaults").len(), 1);
        assert!(t.list("proxy-defaults").is_empty());
        assert!(!t.apply(8, EntryOp::Delete, "service-defaults", "web", "", Some(5)));
        assert!(t.apply(9, EntryOp::Delete, "service-defaults", "web", "", Some(7)));
        assert!(t.get("service-defaults", "web").is_none());
        assert_eq!(t.index(), 9);
        assert!(t.apply(10, EntryOp::Delete, "service-defaults", "web", "", None));
        assert!(!t.apply(11, EntryOp::Delete, "service-defaults", "web", "", Some(7)));
    }
}
