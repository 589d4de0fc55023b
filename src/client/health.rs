//! `/v1/health/...` reads: the instances of a service with their node and checks, with the
//! semantics of Consul's Go client (an empty list is empty, not `null`).

use reqwest::Method;

use crate::api::catalog::{HealthCheck, ServiceEntry};
use crate::client::{Client, ClientError, QueryMeta, QueryOptions};

/// The health endpoints of one client.
#[derive(Debug, Clone, Copy)]
pub struct Health<'a> {
    pub(crate) c: &'a Client,
}

impl Health<'_> {
    /// `GET /v1/health/service/<name>[?tag=][&passing]`: every instance of `name` (only those
    /// whose checks, node checks included, all pass when `passing_only`).
    pub async fn service(
        &self,
        name: &str,
        tag: Option<&str>,
        passing_only: bool,
        q: &QueryOptions,
    ) -> Result<(Vec<ServiceEntry>, QueryMeta), ClientError> {
        let mut req = self
            .c
            .request(Method::GET, &format!("/v1/health/service/{name}"));
        if let Some(tag) = tag.filter(|t| !t.is_empty()) {
            req.set("tag", tag);
        }
        if passing_only {
            req.set("passing", "1");
        }
        let (list, meta) = self
            .c
            .query_lenient::<Option<Vec<ServiceEntry>>>(req, q)
            .await?;
        Ok((list.unwrap_or_default(), meta))
    }

    /// `GET /v1/health/checks/<service>`: the checks of every instance of a service.
    pub async fn checks(
        &self,
        service: &str,
        q: &QueryOptions,
    ) -> Result<(Vec<HealthCheck>, QueryMeta), ClientError> {
        let req = self
            .c
            .request(Method::GET, &format!("/v1/health/checks/{service}"));
        let (list, meta) = self
            .c
            .query_lenient::<Option<Vec<HealthCheck>>>(req, q)
            .await?;
        Ok((list.unwrap_or_default(), meta))
    }

    /// `GET /v1/health/state/<state>`: every check in a state (`any` for all).
    pub async fn state(
        &self,
        state: &str,
        q: &QueryOptions,
    ) -> Result<(Vec<HealthCheck>, QueryMeta), ClientError> {
        let req = self
            .c
            .request(Method::GET, &format!("/v1/health/state/{state}"));
        let (list, meta) = self
            .c
            .query_lenient::<Option<Vec<HealthCheck>>>(req, q)
            .await?;
        Ok((list.unwrap_or_default(), meta))
    }
}
