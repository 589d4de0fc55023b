//! `PUT /v1/txn` request and response bodies (`api/txn.go`), KV operations only for now.

use serde::{Deserialize, Serialize};

use crate::api::kv::{base64_opt, KVPair};

/// One element of the request array: `{"KV": {...}}`. Node/Service/Check arrive with the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TxnOp {
    #[serde(rename = "KV", default, skip_serializing_if = "Option::is_none")]
    pub kv: Option<KVTxnOp>,
}

/// A KV operation inside a transaction. `Verb` is one of Consul's KV verbs (`set`, `cas`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct KVTxnOp {
    pub verb: String,
    pub key: String,
    #[serde(with = "base64_opt", default)]
    pub value: Option<Vec<u8>>,
    #[serde(default)]
    pub flags: u64,
    #[serde(default)]
    pub index: u64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub session: String,
}

/// One element of `Results`: `{"KV": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TxnResult {
    #[serde(rename = "KV", default, skip_serializing_if = "Option::is_none")]
    pub kv: Option<KVPair>,
}

/// One element of `Errors`: which operation failed and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TxnError {
    pub op_index: usize,
    pub what: String,
}

/// The response body: 200 with `Results` when applied, 409 with `Errors` when rolled back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct TxnResponse {
    pub results: Option<Vec<TxnResult>>,
    pub errors: Option<Vec<TxnError>>,
}
