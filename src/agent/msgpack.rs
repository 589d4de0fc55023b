//! Reading msgpack (rmp-serde) with a nesting limit. rmp-serde allows 1,024 levels, and
//! decoding recurses once per level: a message or state built to nest that deep overflows a
//! 2 MiB thread stack (the fuzzer's snapshot target did, on the state of `PUT /v1/snapshot`).
//! Everything sd decodes from msgpack (server RPC, the Raft log, snapshots) goes through here,
//! with serde_json's limit for JSON bodies: 128.

use serde::de::DeserializeOwned;

/// The deepest nesting read, as serde_json's.
pub const MAX_DEPTH: usize = 128;

/// Decodes `bytes`, refusing anything nested deeper than [`MAX_DEPTH`].
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, rmp_serde::decode::Error> {
    let mut de = rmp_serde::Deserializer::from_read_ref(bytes);
    de.set_max_depth(MAX_DEPTH);
    T::deserialize(&mut de)
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    #[test]
    fn deep_nesting_is_refused_and_shallow_reads() {
        let mut deep = Value::from(1);
        for _ in 0..200 {
            deep = Value::Array(vec![deep]);
        }
        let bytes = rmp_serde::to_vec(&deep).unwrap();
        assert!(super::decode::<Value>(&bytes).is_err());
        let shallow = rmp_serde::to_vec(&serde_json::json!({"a": [1, {"b": "c"}]})).unwrap();
        assert_eq!(
            super::decode::<Value>(&shallow).unwrap(),
            serde_json::json!({"a": [1, {"b": "c"}]})
        );
    }
}
