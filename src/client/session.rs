//! `/v1/session` (create, destroy, renew, info, node, list) with the semantics of Consul's Go
//! client: a renew of a session that is gone is `None`, and a renewal loop ends by destroying
//! its session.

use std::time::Duration;

use reqwest::Method;

use crate::api::session::{SessionCreated, SessionEntry, SessionRequest};
use crate::client::{
    read_text, status_error, Client, ClientError, QueryMeta, QueryOptions, WriteOptions,
};

/// The session endpoints of one client.
#[derive(Debug, Clone, Copy)]
pub struct Session<'a> {
    pub(crate) c: &'a Client,
}

impl Session<'_> {
    /// Creates a session and returns its ID.
    pub async fn create(
        &self,
        req: &SessionRequest,
        w: &WriteOptions,
    ) -> Result<String, ClientError> {
        let mut r = self.c.request(Method::PUT, "/v1/session/create");
        r.json_body(req)?;
        let text = self.c.write(r, w).await?;
        let created: SessionCreated =
            serde_json::from_str(&text).map_err(|e| ClientError::Decode(e.to_string()))?;
        Ok(created.id)
    }

    /// Invalidates a session (its locks are released or its keys deleted).
    pub async fn destroy(&self, id: &str, w: &WriteOptions) -> Result<(), ClientError> {
        let r = self
            .c
            .request(Method::PUT, &format!("/v1/session/destroy/{id}"));
        self.c.write(r, w).await.map(drop)
    }

    /// Restarts a TTL session's timer; `None` when the session no longer exists.
    pub async fn renew(
        &self,
        id: &str,
        w: &WriteOptions,
    ) -> Result<Option<SessionEntry>, ClientError> {
        let mut r = self
            .c
            .request(Method::PUT, &format!("/v1/session/renew/{id}"));
        r.write_options(w);
        let resp = self.c.send(r).await?;
        match resp.status().as_u16() {
            200 => {
                let text = read_text(resp).await?;
                let entries: Vec<SessionEntry> =
                    serde_json::from_str(&text).map_err(|e| ClientError::Decode(e.to_string()))?;
                Ok(entries.into_iter().next())
            }
            404 => Ok(None),
            _ => Err(status_error(resp).await),
        }
    }

    /// One session; `None` when it does not exist.
    pub async fn info(
        &self,
        id: &str,
        q: &QueryOptions,
    ) -> Result<(Option<SessionEntry>, QueryMeta), ClientError> {
        let r = self
            .c
            .request(Method::GET, &format!("/v1/session/info/{id}"));
        let (list, meta) = self.c.query_lenient::<Vec<SessionEntry>>(r, q).await?;
        Ok((list.into_iter().next(), meta))
    }

    /// The sessions of one node.
    pub async fn node(
        &self,
        node: &str,
        q: &QueryOptions,
    ) -> Result<(Vec<SessionEntry>, QueryMeta), ClientError> {
        let r = self
            .c
            .request(Method::GET, &format!("/v1/session/node/{node}"));
        self.c.query_lenient(r, q).await
    }

    /// Every session.
    pub async fn list(
        &self,
        q: &QueryOptions,
    ) -> Result<(Vec<SessionEntry>, QueryMeta), ClientError> {
        let r = self.c.request(Method::GET, "/v1/session/list");
        self.c.query_lenient(r, q).await
    }

    /// Renews session `id` every half `ttl` until `stop` resolves or the session is gone;
    /// then destroys it (as Consul's `RenewPeriodic`). Transient errors are retried until the
    /// TTL would have run out. Returns why it ended.
    pub async fn renew_periodic(
        &self,
        id: &str,
        ttl: Duration,
        stop: impl std::future::Future<Output = ()>,
    ) -> Result<(), ClientError> {
        tokio::pin!(stop);
        let w = WriteOptions::default();
        let mut wait = ttl / 2;
        let mut failing_since: Option<tokio::time::Instant> = None;
        loop {
            tokio::select! {
                () = &mut stop => {
                    return self.destroy(id, &w).await;
                }
                () = tokio::time::sleep(wait) => {}
            }
            match self.renew(id, &w).await {
                Ok(Some(_)) => {
                    failing_since = None;
                    wait = ttl / 2;
                }
                Ok(None) => return Err(ClientError::Invalid(format!("session {id} expired"))),
                Err(e) => {
                    let since = *failing_since.get_or_insert_with(tokio::time::Instant::now);
                    if since.elapsed() >= ttl {
                        return Err(e);
                    }
                    wait = Duration::from_secs(1).min(ttl / 2);
                }
            }
        }
    }
}
