//! `/v1/kv` (get, list, keys, put/cas/acquire/release, delete/cas/tree) and `/v1/txn`,
//! with the semantics of Consul's Go client: a missing key is `None`, not an error.

use reqwest::{Method, Response};

use crate::api::{KVPair, TxnOp, TxnResponse};
use crate::client::{
    decode, read_text, status_error, Client, ClientError, QueryMeta, QueryOptions, WriteOptions,
};

/// The KV endpoints of one client.
#[derive(Debug, Clone, Copy)]
pub struct Kv<'a> {
    pub(crate) c: &'a Client,
}

impl Kv<'_> {
    /// One key; `None` when it does not exist.
    pub async fn get(
        &self,
        key: &str,
        q: &QueryOptions,
    ) -> Result<(Option<KVPair>, QueryMeta), ClientError> {
        let (resp, meta) = self.get_internal(key, &[], q).await?;
        let Some(resp) = resp else {
            return Ok((None, meta));
        };
        let entries: Vec<KVPair> = decode(resp).await?;
        Ok((entries.into_iter().next(), meta))
    }

    /// Every key under `prefix` (empty when there are none).
    pub async fn list(
        &self,
        prefix: &str,
        q: &QueryOptions,
    ) -> Result<(Vec<KVPair>, QueryMeta), ClientError> {
        let (resp, meta) = self.get_internal(prefix, &[("recurse", "")], q).await?;
        match resp {
            Some(resp) => Ok((
                decode::<Option<Vec<KVPair>>>(resp)
                    .await?
                    .unwrap_or_default(),
                meta,
            )),
            None => Ok((Vec::new(), meta)),
        }
    }

    /// Key names under `prefix`, grouped up to `separator` when it is not empty.
    pub async fn keys(
        &self,
        prefix: &str,
        separator: &str,
        q: &QueryOptions,
    ) -> Result<(Vec<String>, QueryMeta), ClientError> {
        let mut params = vec![("keys", "")];
        if !separator.is_empty() {
            params.push(("separator", separator));
        }
        let (resp, meta) = self.get_internal(prefix, &params, q).await?;
        match resp {
            Some(resp) => Ok((
                decode::<Option<Vec<String>>>(resp)
                    .await?
                    .unwrap_or_default(),
                meta,
            )),
            None => Ok((Vec::new(), meta)),
        }
    }

    async fn get_internal(
        &self,
        key: &str,
        params: &[(&str, &str)],
        q: &QueryOptions,
    ) -> Result<(Option<Response>, QueryMeta), ClientError> {
        let mut req = self.c.request(Method::GET, &format!("/v1/kv/{key}"));
        req.query_options(q);
        for (name, value) in params {
            req.set(name, value);
        }
        let resp = self.c.send(req).await?;
        let meta = QueryMeta::from_headers(resp.headers());
        match resp.status().as_u16() {
            200 => Ok((Some(resp), meta)),
            404 => Ok((None, meta)),
            _ => Err(status_error(resp).await),
        }
    }

    /// Writes `value` (and `flags` when not 0) unconditionally.
    pub async fn put(
        &self,
        key: &str,
        value: &[u8],
        flags: u64,
        w: &WriteOptions,
    ) -> Result<bool, ClientError> {
        self.put_internal(key, flags, None, value, w).await
    }

    /// Writes only if the key's ModifyIndex is `index` (0: only if the key does not exist).
    pub async fn cas(
        &self,
        key: &str,
        value: &[u8],
        flags: u64,
        index: u64,
        w: &WriteOptions,
    ) -> Result<bool, ClientError> {
        let index = index.to_string();
        self.put_internal(key, flags, Some(("cas", &index)), value, w)
            .await
    }

    /// Writes and takes the lock for `session`; false when someone else holds it.
    pub async fn acquire(
        &self,
        key: &str,
        value: &[u8],
        flags: u64,
        session: &str,
        w: &WriteOptions,
    ) -> Result<bool, ClientError> {
        self.put_internal(key, flags, Some(("acquire", session)), value, w)
            .await
    }

    /// Writes and releases the lock held by `session`.
    pub async fn release(
        &self,
        key: &str,
        value: &[u8],
        flags: u64,
        session: &str,
        w: &WriteOptions,
    ) -> Result<bool, ClientError> {
        self.put_internal(key, flags, Some(("release", session)), value, w)
            .await
    }

    async fn put_internal(
        &self,
        key: &str,
        flags: u64,
        mode: Option<(&str, &str)>,
        value: &[u8],
        w: &WriteOptions,
    ) -> Result<bool, ClientError> {
        if key.starts_with('/') {
            return Err(ClientError::Invalid(format!(
                "Invalid key. Key must not begin with a '/': {key}"
            )));
        }
        let mut req = self.c.request(Method::PUT, &format!("/v1/kv/{key}"));
        if flags != 0 {
            req.set("flags", &flags.to_string());
        }
        if let Some((name, v)) = mode {
            req.set(name, v);
        }
        req.raw_body(value.to_vec());
        Ok(self.c.write(req, w).await?.contains("true"))
    }

    /// Deletes one key.
    pub async fn delete(&self, key: &str, w: &WriteOptions) -> Result<bool, ClientError> {
        self.delete_internal(key, None, w).await
    }

    /// Deletes one key only if its ModifyIndex is `index`.
    pub async fn delete_cas(
        &self,
        key: &str,
        index: u64,
        w: &WriteOptions,
    ) -> Result<bool, ClientError> {
        let index = index.to_string();
        self.delete_internal(key, Some(("cas", &index)), w).await
    }

    /// Deletes every key under `prefix`.
    pub async fn delete_tree(&self, prefix: &str, w: &WriteOptions) -> Result<bool, ClientError> {
        self.delete_internal(prefix, Some(("recurse", "")), w).await
    }

    async fn delete_internal(
        &self,
        key: &str,
        param: Option<(&str, &str)>,
        w: &WriteOptions,
    ) -> Result<bool, ClientError> {
        let mut req = self.c.request(Method::DELETE, &format!("/v1/kv/{key}"));
        if let Some((name, v)) = param {
            req.set(name, v);
        }
        Ok(self.c.write(req, w).await?.contains("true"))
    }

    /// Applies `ops` atomically. `Ok((true, ..))` when applied, `Ok((false, ..))` with `Errors`
    /// when rolled back (HTTP 409).
    pub async fn txn(
        &self,
        ops: &[TxnOp],
        q: &QueryOptions,
    ) -> Result<(bool, TxnResponse, QueryMeta), ClientError> {
        let mut req = self.c.request(Method::PUT, "/v1/txn");
        req.query_options(q);
        req.json_body(&ops)?;
        let resp = self.c.send(req).await?;
        let meta = QueryMeta::from_headers(resp.headers());
        match resp.status().as_u16() {
            code @ (200 | 409) => Ok((code == 200, decode(resp).await?, meta)),
            _ => Err(ClientError::Decode(format!(
                "Failed request: {}",
                read_text(resp).await?
            ))),
        }
    }
}
