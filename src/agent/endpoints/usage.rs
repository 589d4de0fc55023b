//! The usage of another datacenter (`/v1/operator/usage?global` adds every datacenter's), asked
//! of its servers with the caller's token.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::catalog::{decode_from, request};
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
        let mut message = request(
            self,
            "GET",
            format!("/v1/operator/usage?dc={dc}{stale}"),
            Vec::new(),
        );
        if let Some(t) = token {
            message.headers = vec![(
                "x-consul-token".to_string(),
                serde_bytes::ByteBuf::from(t.as_bytes().to_vec()),
            )];
        }
        let answer = self.send_to_datacenter(dc, &message).await?;
        decode_from::<Answer>(dc, answer, Consistency::Default).map(|(a, _)| a.usage)
    }
}
