//! `/v1/status/leader` and `/v1/status/peers`.

use reqwest::Method;

use crate::client::{Client, ClientError, QueryOptions};

/// The status endpoints of one client.
#[derive(Debug, Clone, Copy)]
pub struct Status<'a> {
    pub(crate) c: &'a Client,
}

impl Status<'_> {
    /// The leader's Raft address (`10.0.0.1:8300`), empty when there is none.
    pub async fn leader(&self) -> Result<String, ClientError> {
        let req = self.c.request(Method::GET, "/v1/status/leader");
        Ok(self.c.query(req, &QueryOptions::default()).await?.0)
    }

    /// The Raft addresses of the voting servers.
    pub async fn peers(&self) -> Result<Vec<String>, ClientError> {
        let req = self.c.request(Method::GET, "/v1/status/peers");
        Ok(self.c.query(req, &QueryOptions::default()).await?.0)
    }
}
