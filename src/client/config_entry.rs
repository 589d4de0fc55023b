//! `/v1/config`: config entries, kept as JSON values (their shape depends on their kind).

use reqwest::Method;
use serde_json::Value;

use crate::client::{Client, ClientError, QueryOptions, WriteOptions};

/// The config entry endpoints of one client.
#[derive(Debug, Clone, Copy)]
pub struct ConfigEntries<'a> {
    pub(crate) c: &'a Client,
}

impl ConfigEntries<'_> {
    /// `GET /v1/config/:kind/:name`.
    pub async fn get(
        &self,
        kind: &str,
        name: &str,
        q: &QueryOptions,
    ) -> Result<Value, ClientError> {
        let req = self
            .c
            .request(Method::GET, &format!("/v1/config/{kind}/{name}"));
        Ok(self.c.query(req, q).await?.0)
    }

    /// `GET /v1/config/:kind`.
    pub async fn list(&self, kind: &str, q: &QueryOptions) -> Result<Vec<Value>, ClientError> {
        let req = self.c.request(Method::GET, &format!("/v1/config/{kind}"));
        Ok(self.c.query(req, q).await?.0)
    }

    /// `PUT /v1/config[?cas=]`: whether the entry was written.
    pub async fn set(
        &self,
        entry: &Value,
        cas: Option<u64>,
        w: &WriteOptions,
    ) -> Result<bool, ClientError> {
        let mut req = self.c.request(Method::PUT, "/v1/config");
        if let Some(cas) = cas {
            req.set("cas", &cas.to_string());
        }
        req.json_body(entry)?;
        let body = self.c.write(req, w).await?;
        serde_json::from_str(&body).map_err(|e| ClientError::Decode(e.to_string()))
    }

    /// `DELETE /v1/config/:kind/:name[?cas=]`: whether it was deleted (always true without
    /// `cas`).
    pub async fn delete(
        &self,
        kind: &str,
        name: &str,
        cas: Option<u64>,
        w: &WriteOptions,
    ) -> Result<bool, ClientError> {
        let mut req = self
            .c
            .request(Method::DELETE, &format!("/v1/config/{kind}/{name}"));
        if let Some(cas) = cas {
            req.set("cas", &cas.to_string());
        }
        let body = self.c.write(req, w).await?;
        match cas {
            Some(_) => serde_json::from_str(&body).map_err(|e| ClientError::Decode(e.to_string())),
            None => Ok(true),
        }
    }
}
