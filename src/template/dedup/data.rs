//! What a `-dedup` leader stores for the other instances: the name of each template's key, and
//! the data of the dependencies it rendered from, encoded.
//!
//! consul-template's layout: the key is `<prefix>/<MD5 of the template's text>/data`, flagged
//! with Consul's lock flag value, holding `__NO_DATA__` until the leader's first render. The
//! encoding is sd's own (consul-template stores Go's gob, LZW-compressed, which nothing but Go
//! reads): gzipped JSON with a format number, so that sd versions sharing a format interoperate
//! and anything else is recognised and refused rather than misread.

use std::io::{Read as _, Write as _};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::template::dependency::Dependency;

/// The value of a template's key before its leader first shares data (consul-template's).
pub const NO_DATA: &[u8] = b"__NO_DATA__";

/// The version of the layout below; data of another format is refused.
const FORMAT: u32 = 1;

/// Consul's largest KV value: data past it cannot be shared.
pub const MAX_VALUE: usize = 512 * 1024;

/// A template's dedup name: the MD5 of its text, as consul-template names it.
pub fn template_id(text: &str) -> String {
    crate::template::funcs::helpers::md5_hex(text.as_bytes())
}

/// `<prefix>/<id>/data`, joined the way Go's `path.Join` does (no empty segments).
pub fn data_key(prefix: &str, id: &str) -> String {
    prefix
        .split('/')
        .chain([id, "data"])
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("/")
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Shared {
    format: u32,
    /// Which sd wrote it, for the operator reading the key.
    writer: String,
    data: Vec<SharedEntry>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SharedEntry {
    dependency: Dependency,
    value: Value,
}

/// Why shared data cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("not data shared by sd (another program's format, e.g. consul-template's)")]
    Foreign,
    #[error("written in format {0} by {1}; this sd reads format {FORMAT}")]
    Format(u32, String),
    #[error("corrupt: {0}")]
    Corrupt(String),
}

/// Encodes the data of `entries` (gzipped JSON).
pub fn encode(entries: &[(Dependency, Value)]) -> Vec<u8> {
    let shared = Shared {
        format: FORMAT,
        writer: format!("sd {}", env!("CARGO_PKG_VERSION")),
        data: entries
            .iter()
            .map(|(dependency, value)| SharedEntry {
                dependency: dependency.clone(),
                value: value.clone(),
            })
            .collect(),
    };
    // Serialising owned JSON values and derive-generated types cannot fail.
    let json = serde_json::to_vec(&shared).unwrap_or_default();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writes into a Vec cannot fail.
    let _ = gz.write_all(&json);
    gz.finish().unwrap_or_default()
}

/// Decodes what [`encode`] wrote.
pub fn decode(raw: &[u8]) -> Result<Vec<(Dependency, Value)>, DecodeError> {
    const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
    if !raw.starts_with(&GZIP_MAGIC) {
        return Err(DecodeError::Foreign);
    }
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(raw)
        .read_to_end(&mut json)
        .map_err(|e| DecodeError::Corrupt(e.to_string()))?;
    let head: Value =
        serde_json::from_slice(&json).map_err(|e| DecodeError::Corrupt(e.to_string()))?;
    let format = head.get("Format").and_then(Value::as_u64);
    if format != Some(u64::from(FORMAT)) {
        let writer = head.get("Writer").and_then(Value::as_str).unwrap_or("?");
        let format = format.and_then(|f| u32::try_from(f).ok()).unwrap_or(0);
        return Err(DecodeError::Format(format, writer.to_string()));
    }
    let shared: Shared =
        serde_json::from_value(head).map_err(|e| DecodeError::Corrupt(e.to_string()))?;
    Ok(shared
        .data
        .into_iter()
        .map(|e| (e.dependency, e.value))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::query;
    use serde_json::json;

    #[test]
    fn key_layout_is_consul_templates() {
        assert_eq!(template_id("hello"), "5d41402abc4b2a76b9719d911017c592");
        assert_eq!(template_id(""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(
            data_key("consul-template/dedup/", "abc"),
            "consul-template/dedup/abc/data"
        );
        assert_eq!(data_key("ct//x", "abc"), "ct/x/abc/data");
    }

    #[test]
    fn data_round_trips_and_foreign_data_is_refused() {
        let dep = Dependency::Service(query::service("web|passing").unwrap());
        let value = json!([{"Address": "10.0.0.1", "Port": 80}]);
        let raw = encode(&[(dep.clone(), value.clone())]);
        assert_eq!(decode(&raw).unwrap(), vec![(dep, value)]);
        assert_eq!(decode(b"__NO_DATA__"), Err(DecodeError::Foreign));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(br#"{"Format":9,"Writer":"sd 9.0.0","Data":[]}"#)
            .unwrap();
        assert_eq!(
            decode(&gz.finish().unwrap()),
            Err(DecodeError::Format(9, "sd 9.0.0".into()))
        );
        assert!(matches!(
            decode(&[0x1f, 0x8b, 0, 1]),
            Err(DecodeError::Corrupt(_))
        ));
    }
}
