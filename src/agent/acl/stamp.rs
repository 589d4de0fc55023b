//! What ACL objects are stamped with when written: new IDs, `CreateTime` and `Hash`.

use serde::Serialize;

/// A new random ID (UUID v4), for accessors, secrets, policies and roles.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The current time as Consul writes `CreateTime` (RFC 3339, nanoseconds).
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

/// A content hash (`Hash`): base64 of the SHA-256 of the value's JSON.
pub fn hash_of<T: Serialize>(value: &T) -> String {
    use base64::Engine;
    let json = serde_json::to_vec(value).unwrap_or_default();
    let digest = ring::digest::digest(&ring::digest::SHA256, &json);
    base64::engine::general_purpose::STANDARD.encode(digest.as_ref())
}
