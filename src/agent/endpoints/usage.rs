//! The usage of another datacenter (`/v1/operator/usage?global` adds every datacenter's), asked
//! of its servers with the caller's token.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::catalog::{decode_from, request_as};
use super::{Consistency, EndpointError};
use crate::agent::Agent;
use crate::api::operator::ServiceUsage;

#[derive(Deserialize)]
struct Answer {
    #[serde(rename = "Usage")]
    usage: BTreeMap<String, ServiceUsage>,
}

impl Agent {
    /// `/v1/operator/usage` of datacenter `dc`, by datacenter name.
    pub async fn usage_of(
        &self,
        dc: &str,
        token: Option<&str>,
        stale: bool,
    ) -> Result<BTreeMap<String, ServiceUsage>, EndpointError> {
        let stale = if stale { "&stale" } else { "" };
        let uri = format!("/v1/operator/usage?dc={dc}{stale}");
        let message = request_as(token, "GET", uri, Vec::new());
        let answer = self.send_to_datacenter(dc, &message).await?;
        decode_from::<Answer>(dc, answer, Consistency::Default).map(|(a, _)| a.usage)
    }
}
