//! The watch loop: read the view with a blocking query, and when its index moved and its
//! content changed, hand it to the handler (which runs before the next read, so a slow
//! handler sees the latest view next). Read errors back off as Consul's watches do: 5 s
//! times the square of the failures in a row, at most 180 s.

use std::time::Duration;

use super::fetch::{fetch, View};
use super::params::Params;
use crate::client::{Client, QueryOptions};

const RETRY: Duration = Duration::from_secs(5);
const MAX_BACKOFF: Duration = Duration::from_secs(180);

/// A watch being run.
pub struct Plan {
    pub params: Params,
    client: Client,
    last_index: Option<u64>,
    last_view: Option<View>,
}

impl Plan {
    pub fn new(params: Params, client: Client) -> Plan {
        Plan {
            params,
            client,
            last_index: None,
            last_view: None,
        }
    }

    /// The next view that differs from the last one handed out (the first view always
    /// does). Errors are retried with backoff; `on_error` hears each.
    pub async fn next(&mut self, mut on_error: impl FnMut(&str, Duration)) -> (u64, View) {
        let mut failures: u32 = 0;
        loop {
            let q = QueryOptions {
                datacenter: self.params.datacenter.clone(),
                token: self.params.token.clone(),
                stale: self.params.stale,
                index: self.last_index.unwrap_or(0),
                ..Default::default()
            };
            let (index, view) = match fetch(&self.client, &self.params.kind, &q).await {
                Ok(r) => r,
                Err(e) => {
                    failures += 1;
                    let retry = (RETRY * failures.saturating_mul(failures)).min(MAX_BACKOFF);
                    on_error(&e.to_string(), retry);
                    tokio::time::sleep(retry).await;
                    continue;
                }
            };
            failures = 0;
            if self.last_index == Some(index) {
                continue;
            }
            // Event lists are indexed by their newest event's ID, not a counter: any other
            // index is a change, bigger or not.
            let previous = self.last_index.replace(index);
            if previous.is_some() && self.last_view.as_ref() == Some(&view) {
                continue;
            }
            self.last_view = Some(view.clone());
            return (index, view);
        }
    }
}
