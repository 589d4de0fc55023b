//! `/v1/catalog/...` reads: datacenters, nodes, services, the instances of one service and
//! the services of one node, with the semantics of Consul's Go client (an unknown node is
//! `None`, an empty list is empty rather than `null`, and so is a `null` map or list inside an
//! entry, as Consul writes Go's nil ones).

use std::collections::BTreeMap;

use crate::api::catalog::{CatalogNode, CatalogService, Node};
use crate::client::{Client, ClientError, QueryMeta, QueryOptions};
use reqwest::Method;

/// The catalog endpoints of one client.
#[derive(Debug, Clone, Copy)]
pub struct Catalog<'a> {
    pub(crate) c: &'a Client,
}

impl Catalog<'_> {
    /// `GET /v1/catalog/datacenters`: every known datacenter, nearest first.
    pub async fn datacenters(&self) -> Result<Vec<String>, ClientError> {
        let req = self.c.request(Method::GET, "/v1/catalog/datacenters");
        let (dcs, _) = self
            .c
            .query_lenient::<Option<Vec<String>>>(req, &QueryOptions::default())
            .await?;
        Ok(dcs.unwrap_or_default())
    }

    /// `GET /v1/catalog/nodes`.
    pub async fn nodes(&self, q: &QueryOptions) -> Result<(Vec<Node>, QueryMeta), ClientError> {
        let req = self.c.request(Method::GET, "/v1/catalog/nodes");
        let (nodes, meta) = self.c.query_lenient::<Option<Vec<Node>>>(req, q).await?;
        Ok((nodes.unwrap_or_default(), meta))
    }

    /// `GET /v1/catalog/services`: service name -> the union of its instances' tags.
    pub async fn services(
        &self,
        q: &QueryOptions,
    ) -> Result<(BTreeMap<String, Vec<String>>, QueryMeta), ClientError> {
        let req = self.c.request(Method::GET, "/v1/catalog/services");
        let (services, meta) = self
            .c
            .query_lenient::<Option<BTreeMap<String, Vec<String>>>>(req, q)
            .await?;
        Ok((services.unwrap_or_default(), meta))
    }

    /// `GET /v1/catalog/service/<name>[?tag=]`: the instances of one service with their nodes.
    pub async fn service(
        &self,
        name: &str,
        tag: Option<&str>,
        q: &QueryOptions,
    ) -> Result<(Vec<CatalogService>, QueryMeta), ClientError> {
        let mut req = self
            .c
            .request(Method::GET, &format!("/v1/catalog/service/{name}"));
        if let Some(tag) = tag.filter(|t| !t.is_empty()) {
            req.set("tag", tag);
        }
        let (list, meta) = self
            .c
            .query_lenient::<Option<Vec<CatalogService>>>(req, q)
            .await?;
        Ok((list.unwrap_or_default(), meta))
    }

    /// `GET /v1/catalog/node/<node>`: the node and its services; `None` when it is unknown.
    pub async fn node(
        &self,
        node: &str,
        q: &QueryOptions,
    ) -> Result<(Option<CatalogNode>, QueryMeta), ClientError> {
        let req = self
            .c
            .request(Method::GET, &format!("/v1/catalog/node/{node}"));
        self.c.query_lenient(req, q).await
    }
}
