//! `/v1/operator/raft/...`: the Raft configuration, removing a peer, transferring leadership;
//! `/v1/operator/autopilot/...`: autopilot's configuration (read, check-and-set) and state;
//! `/v1/operator/keyring`: the gossip keys (list, install, use, remove).

use reqwest::Method;

use crate::api::autopilot::{AutopilotConfiguration, AutopilotState};
use crate::api::keyring::{KeyringRequest, KeyringResponse};
use crate::api::operator::Usage;
use crate::api::RaftConfiguration;
use crate::client::{Client, ClientError, QueryOptions, WriteOptions};

/// The operator endpoints of one client.
#[derive(Debug, Clone, Copy)]
pub struct Operator<'a> {
    pub(crate) c: &'a Client,
}

impl Operator<'_> {
    /// `GET /v1/operator/raft/configuration`.
    pub async fn raft_get_configuration(
        &self,
        q: &QueryOptions,
    ) -> Result<RaftConfiguration, ClientError> {
        let req = self
            .c
            .request(Method::GET, "/v1/operator/raft/configuration");
        Ok(self.c.query(req, q).await?.0)
    }

    /// `DELETE /v1/operator/raft/peer?address=`.
    pub async fn raft_remove_peer_by_address(
        &self,
        address: &str,
        w: &WriteOptions,
    ) -> Result<(), ClientError> {
        self.remove_peer("address", address, w).await
    }

    /// `DELETE /v1/operator/raft/peer?id=`.
    pub async fn raft_remove_peer_by_id(
        &self,
        id: &str,
        w: &WriteOptions,
    ) -> Result<(), ClientError> {
        self.remove_peer("id", id, w).await
    }

    async fn remove_peer(
        &self,
        by: &str,
        value: &str,
        w: &WriteOptions,
    ) -> Result<(), ClientError> {
        let mut req = self.c.request(Method::DELETE, "/v1/operator/raft/peer");
        req.set(by, value);
        self.c.write(req, w).await.map(drop)
    }

    /// `POST /v1/operator/raft/transfer-leader[?id=]`; true when the agent reports success.
    pub async fn raft_transfer_leader(
        &self,
        id: Option<&str>,
        w: &WriteOptions,
    ) -> Result<bool, ClientError> {
        let mut req = self
            .c
            .request(Method::POST, "/v1/operator/raft/transfer-leader");
        if let Some(id) = id.filter(|i| !i.is_empty()) {
            req.set("id", id);
        }
        let body = self.c.write(req, w).await?;
        let reply: serde_json::Value =
            serde_json::from_str(&body).map_err(|e| ClientError::Decode(e.to_string()))?;
        Ok(reply
            .get("Success")
            .and_then(|v| v.as_bool())
            .unwrap_or(false))
    }

    /// `GET /v1/operator/autopilot/configuration`.
    pub async fn autopilot_get_configuration(
        &self,
        q: &QueryOptions,
    ) -> Result<AutopilotConfiguration, ClientError> {
        let req = self
            .c
            .request(Method::GET, "/v1/operator/autopilot/configuration");
        Ok(self.c.query(req, q).await?.0)
    }

    /// `PUT /v1/operator/autopilot/configuration?cas=<its ModifyIndex>`: false when the
    /// configuration changed since `config` was read.
    pub async fn autopilot_cas_configuration(
        &self,
        config: &AutopilotConfiguration,
        w: &WriteOptions,
    ) -> Result<bool, ClientError> {
        let mut req = self
            .c
            .request(Method::PUT, "/v1/operator/autopilot/configuration");
        req.set("cas", &config.modify_index.to_string());
        req.json_body(config)?;
        let body = self.c.write(req, w).await?;
        serde_json::from_str(&body).map_err(|e| ClientError::Decode(e.to_string()))
    }

    /// `GET /v1/operator/autopilot/state`.
    pub async fn autopilot_state(&self, q: &QueryOptions) -> Result<AutopilotState, ClientError> {
        let req = self.c.request(Method::GET, "/v1/operator/autopilot/state");
        Ok(self.c.query(req, q).await?.0)
    }

    /// `GET /v1/operator/usage`: per datacenter, its service and node counts (`global`:
    /// every datacenter's, else this one's).
    pub async fn usage(&self, q: &QueryOptions, global: bool) -> Result<Usage, ClientError> {
        let mut req = self.c.request(Method::GET, "/v1/operator/usage");
        if global {
            req.set("global", "true");
        }
        Ok(self.c.query(req, q).await?.0)
    }

    /// `GET /v1/operator/keyring`: each pool's keys and on how many members each is.
    pub async fn keyring_list(
        &self,
        relay_factor: u8,
        local_only: bool,
        q: &QueryOptions,
    ) -> Result<Vec<KeyringResponse>, ClientError> {
        let mut req = self.c.request(Method::GET, "/v1/operator/keyring");
        if relay_factor > 0 {
            req.set("relay-factor", &relay_factor.to_string());
        }
        if local_only {
            req.set("local-only", "true");
        }
        Ok(self.c.query(req, q).await?.0)
    }

    /// `POST` (install), `PUT` (use) or `DELETE` (remove) `/v1/operator/keyring`.
    pub async fn keyring_change(
        &self,
        method: Method,
        key: &str,
        relay_factor: u8,
        w: &WriteOptions,
    ) -> Result<(), ClientError> {
        let mut req = self.c.request(method, "/v1/operator/keyring");
        if relay_factor > 0 {
            req.set("relay-factor", &relay_factor.to_string());
        }
        req.json_body(&KeyringRequest {
            key: key.to_string(),
        })?;
        self.c.write(req, w).await.map(drop)
    }
}
