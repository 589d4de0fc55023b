//! `/v1/snapshot`: save (the archive's bytes and the index it was taken at) and restore.

use reqwest::Method;

use crate::client::{
    read_bytes, require_ok, Client, ClientError, QueryMeta, QueryOptions, WriteOptions,
};

/// The snapshot endpoints of one client.
#[derive(Debug, Clone, Copy)]
pub struct Snapshot<'a> {
    pub(crate) c: &'a Client,
}

impl Snapshot<'_> {
    /// The whole state as an archive (verify it with `crate::snapshot::read`).
    pub async fn save(&self, q: &QueryOptions) -> Result<(Vec<u8>, QueryMeta), ClientError> {
        let mut req = self.c.request(Method::GET, "/v1/snapshot");
        req.query_options(q);
        let resp = require_ok(self.c.send(req).await?).await?;
        let meta = QueryMeta::from_headers(resp.headers());
        Ok((read_bytes(resp).await?, meta))
    }

    /// Replaces the cluster's state with the archive's.
    pub async fn restore(&self, archive: Vec<u8>, w: &WriteOptions) -> Result<(), ClientError> {
        let mut req = self.c.request(Method::PUT, "/v1/snapshot");
        req.raw_body(archive);
        self.c.write(req, w).await.map(drop)
    }
}
