//! The prepared query table (`/v1/query`): stored definitions by ID, names unique without
//! regard to case, at most one catch-all template, each query tied to a session optionally
//! (the query goes when the session does). Resolving a name finds, in Consul's order, the query
//! with that ID, then the one with that name, then the template with the longest name that
//! prefixes it, rendered for the name asked.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::session::SessionTable;
use crate::api::prepared_query::{PreparedQuery, NAME_PREFIX_MATCH};

/// How a query write changes the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum QueryOp {
    Create,
    Update,
    Delete,
}

/// Every prepared query by ID, with the index of the last change.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct QueryTable {
    queries: BTreeMap<String, PreparedQuery>,
    index: u64,
}

/// Whether `s` is spelled like a UUID (IDs are looked up only then, as Consul does).
pub fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.chars().all(|c| c.is_ascii_hexdigit()))
}

impl QueryTable {
    /// The index of the last change to the table (what its reads report).
    pub fn index(&self) -> u64 {
        self.index
    }

    pub fn get(&self, id: &str) -> Option<&PreparedQuery> {
        self.queries.get(id)
    }

    /// Every query, in ID order.
    pub fn list(&self) -> impl Iterator<Item = &PreparedQuery> {
        self.queries.values()
    }

    fn by_name(&self, name: &str) -> Option<&PreparedQuery> {
        self.queries
            .values()
            .find(|q| !q.name.is_empty() && q.name.eq_ignore_ascii_case(name))
    }

    /// Creates, updates or deletes `query` at `index`; the checks that need the table (Consul's
    /// state store checks, with its words).
    pub fn apply(
        &mut self,
        index: u64,
        op: QueryOp,
        mut query: PreparedQuery,
        sessions: &SessionTable,
    ) -> Result<(), String> {
        if query.id.is_empty() {
            return Err("Missing query ID".into());
        }
        let existing = self.queries.get(&query.id);
        match op {
            QueryOp::Delete => {
                if self.queries.remove(&query.id).is_some() {
                    self.index = index;
                }
                return Ok(());
            }
            QueryOp::Update if existing.is_none() => {
                return Err(format!(
                    "Cannot modify non-existent prepared query: '{}'",
                    query.id
                ))
            }
            QueryOp::Create if existing.is_some() => {
                return Err(format!("Prepared query {:?} already exists", query.id))
            }
            _ => {}
        }
        query.create_index = existing.map_or(index, |e| e.create_index);
        query.modify_index = index;
        if !query.name.is_empty() {
            if self.by_name(&query.name).is_some_and(|o| o.id != query.id) {
                return Err(format!(
                    "name '{}' aliases an existing query name",
                    query.name
                ));
            }
        } else if query.is_template()
            && self
                .queries
                .values()
                .any(|o| o.is_template() && o.name.is_empty() && o.id != query.id)
        {
            return Err("a query template with an empty name already exists".into());
        }
        if is_uuid(&query.name) && self.queries.contains_key(&query.name.to_lowercase()) {
            return Err(format!(
                "name '{}' aliases an existing query ID",
                query.name
            ));
        }
        if !query.session.is_empty() && !sessions.contains(&query.session) {
            return Err(format!("invalid session {:?}", query.session));
        }
        if query.is_template() {
            super::query_template::compile(&query)
                .map_err(|e| format!("failed compiling template: {e}"))?;
        }
        self.queries.insert(query.id.clone(), query);
        self.index = index;
        Ok(())
    }

    /// Removes the queries tied to session `id` (it was invalidated); true if any went.
    pub fn session_gone(&mut self, index: u64, id: &str) -> bool {
        let before = self.queries.len();
        self.queries.retain(|_, q| q.session != id);
        let changed = self.queries.len() != before;
        if changed {
            self.index = index;
        }
        changed
    }

    /// The query `id_or_name` names, a template rendered for it: `Ok(None)` when none does.
    pub fn resolve(&self, id_or_name: &str) -> Result<Option<PreparedQuery>, String> {
        if id_or_name.is_empty() {
            return Err("Missing query ID".into());
        }
        if is_uuid(id_or_name) {
            if let Some(q) = self.queries.get(&id_or_name.to_lowercase()) {
                if q.is_template() {
                    return Err(
                        "prepared query templates can only be resolved up by name, not by ID"
                            .into(),
                    );
                }
                return Ok(Some(q.clone()));
            }
        }
        let found = self.by_name(id_or_name).or_else(|| {
            let lower = id_or_name.to_lowercase();
            self.queries
                .values()
                .filter(|q| q.template.kind == NAME_PREFIX_MATCH)
                .filter(|q| lower.starts_with(&q.name.to_lowercase()))
                .max_by_key(|q| q.name.len())
        });
        match found {
            None => Ok(None),
            Some(q) if q.is_template() => super::query_template::render(q, id_or_name).map(Some),
            Some(q) => Ok(Some(q.clone())),
        }
    }
}

#[cfg(test)]
#[path = "prepared_query_tests.rs"]
mod tests;
