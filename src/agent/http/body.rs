//! Request bodies: reading with a size limit (413 past it) and decoding JSON whose keys may come
//! in any case or in snake_case, as Go's decoder and Consul's registration endpoints allow.

use axum::body::Body;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::error::HttpError;
pub use crate::api::keys::{canonical_keys, fold_key};

/// Reads the whole body, refusing more than `limit` bytes with a 413 `what_limit` names.
pub async fn read_limited(
    body: Body,
    limit: u64,
    too_large: impl FnOnce(u64) -> String,
) -> Result<bytes::Bytes, HttpError> {
    let cap = usize::try_from(limit).unwrap_or(usize::MAX);
    axum::body::to_bytes(body, cap).await.map_err(|e| {
        let is_limit = std::error::Error::source(&e)
            .and_then(|s| s.downcast_ref::<http_body_util::LengthLimitError>())
            .is_some();
        if is_limit {
            HttpError::new(StatusCode::PAYLOAD_TOO_LARGE, too_large(limit))
        } else {
            HttpError::bad_request(format!("Failed to read request body: {e}"))
        }
    })
}

/// Rewrites every object key of `value` with [`fold_key`], except inside the values of fields
/// whose folded name is in `opaque` (user-keyed maps such as `Meta`, whose keys must survive).
pub fn fold_keys(value: Value, opaque: &[&str]) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::with_capacity(map.len());
            for (k, v) in map {
                let folded = fold_key(&k);
                let v = if opaque.contains(&folded.as_str()) {
                    v
                } else {
                    fold_keys(v, opaque)
                };
                out.insert(folded, v);
            }
            Value::Object(out)
        }
        Value::Array(items) => {
            Value::Array(items.into_iter().map(|v| fold_keys(v, opaque)).collect())
        }
        other => other,
    }
}

/// Decodes a JSON body into `T`, whose serde field names must be the folded forms
/// (`#[serde(rename_all = "lowercase")]` on structs without underscores in field names).
pub fn decode<T: DeserializeOwned>(bytes: &[u8], opaque: &[&str]) -> Result<T, HttpError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| HttpError::bad_request(format!("Failed to parse body: {e}")))?;
    serde_json::from_value(fold_keys(value, opaque))
        .map_err(|e| HttpError::bad_request(format!("Failed to decode request body: {e}")))
}

/// Decodes a JSON body into a PascalCase type, matching keys with [`canonical_keys`].
pub fn decode_canonical<T: DeserializeOwned>(
    bytes: &[u8],
    names: &[&str],
    opaque: &[&str],
) -> Result<T, HttpError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| HttpError::bad_request(format!("Request decode failed: {e}")))?;
    serde_json::from_value(canonical_keys(value, names, opaque))
        .map_err(|e| HttpError::bad_request(format!("Request decode failed: {e}")))
}

/// Reads a JSON request body of at most `limit` bytes (413 past it) and decodes it with
/// [`decode_canonical`]: the one way the agent, catalog and check endpoints read registrations.
pub async fn read_json<T: DeserializeOwned>(
    body: Body,
    limit: u64,
    names: &[&str],
    opaque: &[&str],
) -> Result<T, HttpError> {
    let bytes = read_limited(body, limit, |max| {
        format!("Request body too large, max size: {max} bytes")
    })
    .await?;
    decode_canonical(&bytes, names, opaque)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn folds_case_and_snake_case_but_not_opaque_maps() {
        let v = json!({"ServiceID": 1, "deregister_critical_service_after": "1m", "Meta": {"Foo_Bar": "x"}, "Checks": [{"TTL": "5s"}]});
        let f = fold_keys(v, &["meta"]);
        assert_eq!(
            f,
            json!({"serviceid": 1, "deregistercriticalserviceafter": "1m", "meta": {"Foo_Bar": "x"}, "checks": [{"ttl": "5s"}]})
        );
    }
}
