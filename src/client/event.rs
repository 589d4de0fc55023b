//! `/v1/event` (fire, list) as Consul's Go client uses it.

use reqwest::Method;

use crate::api::event::UserEvent;
use crate::client::{
    decode, require_ok, Client, ClientError, QueryMeta, QueryOptions, WriteOptions,
};

/// The event endpoints of one client.
#[derive(Debug, Clone, Copy)]
pub struct Event<'a> {
    pub(crate) c: &'a Client,
}

impl Event<'_> {
    /// Fires `event` (its name, payload and filters) and returns its ID.
    pub async fn fire(&self, event: &UserEvent, w: &WriteOptions) -> Result<String, ClientError> {
        let mut req = self
            .c
            .request(Method::PUT, &format!("/v1/event/fire/{}", event.name));
        for (name, value) in [
            ("node", &event.node_filter),
            ("service", &event.service_filter),
            ("tag", &event.tag_filter),
        ] {
            if !value.is_empty() {
                req.set(name, value);
            }
        }
        req.write_options(w);
        if let Some(p) = &event.payload {
            req.raw_body(p.clone());
        }
        let resp = require_ok(self.c.send(req).await?).await?;
        let fired: UserEvent = decode(resp).await?;
        Ok(fired.id)
    }

    /// The events the agent holds (named `name`, when not empty), oldest first.
    pub async fn list(
        &self,
        name: &str,
        q: &QueryOptions,
    ) -> Result<(Vec<UserEvent>, QueryMeta), ClientError> {
        let mut req = self.c.request(Method::GET, "/v1/event/list");
        if !name.is_empty() {
            req.set("name", name);
        }
        self.c.query_lenient(req, q).await
    }
}
