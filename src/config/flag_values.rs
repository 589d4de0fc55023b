//! The agent flags given on one command line, in the order they were typed, taken from clap's
//! matches. Only values the user actually typed are kept (never clap defaults), so that the
//! layering in [`crate::config::load`] can tell "set on the command line" from "not set".
//!
//! Part of `config`, the only module that reads environment variables.

use clap::parser::ValueSource;
use clap::ArgMatches;

use super::flags::AGENT_FLAGS;

/// Agent flags from the command line: `(name, value)` pairs in command-line order. A boolean
/// typed as `-server` is recorded as `("server", "true")`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlagValues {
    entries: Vec<(String, String)>,
}

impl FlagValues {
    pub fn new() -> Self {
        FlagValues::default()
    }

    /// Records one occurrence of `-name=value`.
    pub fn push(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.entries.push((name.into(), value.into()));
    }

    /// Builder form of [`FlagValues::push`].
    pub fn with(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.push(name, value);
        self
    }

    /// Every value given for `name`, in order.
    pub fn values(&self, name: &str) -> Vec<&str> {
        self.entries
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The last value given for `name`.
    pub fn last(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// All `(name, value)` pairs in command-line order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for FlagValues {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        FlagValues {
            entries: iter
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }
}

/// Collects the agent flags typed on the command line from `m` (built from
/// [`crate::config::agent_args`]), keeping their order across different flags so that
/// `-config-file` and `-config-dir` load in the order given.
pub fn flags_from_matches(m: &ArgMatches) -> FlagValues {
    let mut found: Vec<(usize, String, String)> = Vec::new();
    for spec in AGENT_FLAGS {
        let name = spec.name;
        if !matches!(m.try_contains_id(name), Ok(true)) {
            continue;
        }
        if m.value_source(name) != Some(ValueSource::CommandLine) {
            continue;
        }
        let Ok(Some(raw)) = m.try_get_raw(name) else {
            continue;
        };
        let indices: Vec<usize> = m.indices_of(name).map(|i| i.collect()).unwrap_or_default();
        for (n, value) in raw.enumerate() {
            let index = indices.get(n).copied().unwrap_or(usize::MAX);
            found.push((
                index,
                name.to_string(),
                value.to_string_lossy().into_owned(),
            ));
        }
    }
    found.sort_by_key(|(index, _, _)| *index);
    found.into_iter().map(|(_, n, v)| (n, v)).collect()
}
