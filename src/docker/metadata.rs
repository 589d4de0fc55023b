//! registrator's `SERVICE_*` keys, read from a container's environment and labels (labels win
//! over the environment for the same key). The part after `SERVICE_` is lowercased;
//! `SERVICE_<port>_<key>` applies to the service of that exposed port only and wins over the
//! generic `SERVICE_<key>`; an empty value counts as unset. Tags are split on `,` with `\,` as
//! an escape.

use std::collections::BTreeMap;

/// A container's `SERVICE_*` keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    generic: BTreeMap<String, String>,
    by_port: BTreeMap<String, BTreeMap<String, String>>,
    /// The keys as the container spelled them, for messages: (port, lowercased key) -> key.
    spelled: BTreeMap<(Option<String>, String), String>,
}

impl Metadata {
    /// From `KEY=value` environment entries and labels.
    pub fn read<'a>(
        env: impl IntoIterator<Item = &'a str>,
        labels: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Metadata {
        let mut m = Metadata::default();
        let pairs = env
            .into_iter()
            .filter_map(|e| e.split_once('='))
            .chain(labels);
        for (key, value) in pairs {
            let Some(rest) = key.strip_prefix("SERVICE_") else {
                continue;
            };
            let rest = rest.to_ascii_lowercase();
            let (port, name) = match rest.split_once('_') {
                Some((p, k))
                    if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && !k.is_empty() =>
                {
                    (Some(p.to_string()), k.to_string())
                }
                _ => (None, rest),
            };
            m.spelled
                .insert((port.clone(), name.clone()), key.to_string());
            let map = match port {
                Some(p) => m.by_port.entry(p).or_default(),
                None => &mut m.generic,
            };
            if value.is_empty() {
                map.remove(&name);
            } else {
                map.insert(name, value.to_string());
            }
        }
        m
    }

    /// The value of `key` for the service on exposed port `port`: its own, else the generic one.
    pub fn get(&self, port: &str, key: &str) -> Option<&str> {
        self.port_specific(port, key)
            .or_else(|| self.generic.get(key).map(String::as_str))
    }

    /// The value of `SERVICE_<port>_<key>` only.
    pub fn port_specific(&self, port: &str, key: &str) -> Option<&str> {
        self.by_port
            .get(port)
            .and_then(|m| m.get(key))
            .map(String::as_str)
    }

    /// The generic `SERVICE_<key>` only.
    pub fn generic(&self, key: &str) -> Option<&str> {
        self.generic.get(key).map(String::as_str)
    }

    /// Whether any `SERVICE_<port>_*` key is set for `port` (how a host-network container opts
    /// a port in).
    pub fn mentions_port(&self, port: &str) -> bool {
        self.by_port.get(port).is_some_and(|m| !m.is_empty())
    }

    /// The key that set `key` for `port`, as the container spelled it (`SERVICE_80_NAME`).
    pub fn key_name(&self, port: &str, key: &str) -> String {
        let own = (Some(port.to_string()), key.to_string());
        let generic = (None, key.to_string());
        let found = if self.port_specific(port, key).is_some() {
            self.spelled.get(&own)
        } else {
            self.spelled.get(&generic)
        };
        found
            .cloned()
            .unwrap_or_else(|| format!("SERVICE_{}", key.to_ascii_uppercase()))
    }

    /// Every key that applies to `port`, the port's own winning.
    pub fn for_port(&self, port: &str) -> BTreeMap<String, String> {
        let mut all = self.generic.clone();
        if let Some(own) = self.by_port.get(port) {
            all.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        all
    }
}

/// Splits registrator's tag lists: `,` separates, `\,` is a literal comma, empty items and
/// surrounding spaces are dropped; order is kept.
pub fn split_tags(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&',') => {
                current.push(',');
                chars.next();
            }
            ',' => out.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    out.push(current);
    out.into_iter()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_keys_win_and_labels_override_env() {
        let m = Metadata::read(
            [
                "SERVICE_NAME=web",
                "SERVICE_443_NAME=tls",
                "SERVICE_TAGS=a",
                "PATH=/bin",
                "SERVICE_REGION=eu",
            ],
            [
                ("SERVICE_TAGS", "b,c"),
                ("SERVICE_80_IGNORE", ""),
                ("SERVICE_443_Check_Http", "/health"),
            ],
        );
        assert_eq!(m.get("80", "name"), Some("web"));
        assert_eq!(m.get("443", "name"), Some("tls"));
        assert_eq!(m.port_specific("80", "name"), None);
        assert_eq!(m.get("80", "tags"), Some("b,c"));
        assert_eq!(m.get("80", "ignore"), None);
        assert_eq!(m.get("443", "check_http"), Some("/health"));
        assert!(m.mentions_port("443") && !m.mentions_port("80"));
        assert_eq!(
            m.for_port("443").get("region").map(String::as_str),
            Some("eu")
        );
    }

    #[test]
    fn tags() {
        assert_eq!(split_tags("a, b\\,c,,d "), ["a", "b,c", "d"]);
        assert!(split_tags("").is_empty());
    }
}
