//! `/v1/coordinate/...`: the network coordinates the servers keep.

use reqwest::Method;

use crate::api::coordinate::{CoordinateEntry, DatacenterMap};
use crate::client::{Client, ClientError, QueryMeta, QueryOptions};

/// The coordinate endpoints of one client.
#[derive(Debug, Clone, Copy)]
pub struct Coordinates<'a> {
    pub(crate) c: &'a Client,
}

impl Coordinates<'_> {
    /// Every node's LAN coordinate (`/v1/coordinate/nodes`).
    pub async fn nodes(
        &self,
        q: &QueryOptions,
    ) -> Result<(Vec<CoordinateEntry>, QueryMeta), ClientError> {
        let req = self.c.request(Method::GET, "/v1/coordinate/nodes");
        self.c.query(req, q).await
    }

    /// Each datacenter's servers with their WAN coordinates (`/v1/coordinate/datacenters`).
    pub async fn datacenters(&self) -> Result<Vec<DatacenterMap>, ClientError> {
        let req = self.c.request(Method::GET, "/v1/coordinate/datacenters");
        Ok(self.c.query(req, &QueryOptions::default()).await?.0)
    }
}
