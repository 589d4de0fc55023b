//! `/v1/agent/...`: the local agent (self, members, join, leave, force-leave, reload, node
//! maintenance), its own services (list, register, deregister, maintenance), its checks and TTL
//! check updates.

use reqwest::Method;

use crate::api::agent_self::AgentSelf;
use crate::api::catalog::{AgentService, AgentServiceRegistration, HealthCheck};
use crate::api::AgentMember;
use crate::client::{Client, ClientError, QueryOptions, WriteOptions};

/// The local agent endpoints of one client.
#[derive(Debug, Clone, Copy)]
pub struct Agent<'a> {
    pub(crate) c: &'a Client,
}

/// Options of `GET /v1/agent/members`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MembersOpts {
    /// List the WAN pool instead of the LAN pool.
    pub wan: bool,
    /// Only this network segment (Enterprise in Consul).
    pub segment: Option<String>,
    /// A go-bexpr filter expression.
    pub filter: Option<String>,
}

impl Agent<'_> {
    /// `GET /v1/agent/self`.
    pub async fn self_info(&self) -> Result<AgentSelf, ClientError> {
        let req = self.c.request(Method::GET, "/v1/agent/self");
        Ok(self.c.query(req, &QueryOptions::default()).await?.0)
    }

    /// `GET /v1/agent/members`.
    pub async fn members(&self, opts: &MembersOpts) -> Result<Vec<AgentMember>, ClientError> {
        let mut req = self.c.request(Method::GET, "/v1/agent/members");
        if opts.wan {
            req.set("wan", "1");
        }
        if let Some(segment) = opts.segment.as_ref().filter(|s| !s.is_empty()) {
            req.set("segment", segment);
        }
        if let Some(filter) = opts.filter.as_ref().filter(|f| !f.is_empty()) {
            req.set("filter", filter);
        }
        let (members, _) = self
            .c
            .query::<Option<Vec<AgentMember>>>(req, &QueryOptions::default())
            .await?;
        Ok(members.unwrap_or_default())
    }

    /// `PUT /v1/agent/join/<address>[?wan=1]`.
    pub async fn join(&self, address: &str, wan: bool) -> Result<(), ClientError> {
        let mut req = self
            .c
            .request(Method::PUT, &format!("/v1/agent/join/{address}"));
        if wan {
            req.set("wan", "1");
        }
        self.c.write(req, &WriteOptions::default()).await.map(drop)
    }

    /// `PUT /v1/agent/leave`: graceful leave and shutdown.
    pub async fn leave(&self) -> Result<(), ClientError> {
        let req = self.c.request(Method::PUT, "/v1/agent/leave");
        self.c.write(req, &WriteOptions::default()).await.map(drop)
    }

    /// `PUT /v1/agent/force-leave/<node>[?prune][&wan]`.
    pub async fn force_leave(&self, node: &str, prune: bool, wan: bool) -> Result<(), ClientError> {
        let mut req = self
            .c
            .request(Method::PUT, &format!("/v1/agent/force-leave/{node}"));
        if prune {
            req.set("prune", "1");
        }
        if wan {
            req.set("wan", "1");
        }
        self.c.write(req, &WriteOptions::default()).await.map(drop)
    }

    /// `GET /v1/agent/services`: the local agent's services by ID.
    pub async fn services(
        &self,
    ) -> Result<std::collections::BTreeMap<String, AgentService>, ClientError> {
        let req = self.c.request(Method::GET, "/v1/agent/services");
        Ok(self.c.query(req, &QueryOptions::default()).await?.0)
    }

    /// `PUT /v1/agent/service/register`: adds (or replaces) a service of the local agent.
    pub async fn service_register(
        &self,
        reg: &AgentServiceRegistration,
    ) -> Result<(), ClientError> {
        let mut req = self.c.request(Method::PUT, "/v1/agent/service/register");
        req.json_body(reg)?;
        self.c.write(req, &WriteOptions::default()).await.map(drop)
    }

    /// `PUT /v1/agent/service/deregister/<id>`: removes a local service and its checks.
    pub async fn service_deregister(&self, id: &str) -> Result<(), ClientError> {
        let req = self
            .c
            .request(Method::PUT, &format!("/v1/agent/service/deregister/{id}"));
        self.c.write(req, &WriteOptions::default()).await.map(drop)
    }

    /// `PUT /v1/agent/service/maintenance/<id>?enable=&reason=`: puts a local service in
    /// maintenance mode (a critical check on it) or takes it out.
    pub async fn service_maintenance(
        &self,
        id: &str,
        enable: bool,
        reason: &str,
    ) -> Result<(), ClientError> {
        let mut req = self
            .c
            .request(Method::PUT, &format!("/v1/agent/service/maintenance/{id}"));
        req.set("enable", if enable { "true" } else { "false" });
        if enable && !reason.is_empty() {
            req.set("reason", reason);
        }
        self.c.write(req, &WriteOptions::default()).await.map(drop)
    }

    /// `PUT /v1/agent/maintenance?enable=&reason=`: puts the whole node in maintenance mode (a
    /// critical `_node_maintenance` check) or takes it out.
    pub async fn node_maintenance(&self, enable: bool, reason: &str) -> Result<(), ClientError> {
        let mut req = self.c.request(Method::PUT, "/v1/agent/maintenance");
        req.set("enable", if enable { "true" } else { "false" });
        if enable && !reason.is_empty() {
            req.set("reason", reason);
        }
        self.c.write(req, &WriteOptions::default()).await.map(drop)
    }

    /// `GET /v1/agent/checks`: the local agent's checks by ID.
    pub async fn checks(
        &self,
    ) -> Result<std::collections::BTreeMap<String, HealthCheck>, ClientError> {
        let req = self.c.request(Method::GET, "/v1/agent/checks");
        Ok(self.c.query(req, &QueryOptions::default()).await?.0)
    }

    /// `PUT /v1/agent/check/update/<id>`: sets a TTL check's status (`passing`, `warning`,
    /// `critical`) and output.
    pub async fn check_update(
        &self,
        id: &str,
        status: &str,
        output: &str,
    ) -> Result<(), ClientError> {
        let mut req = self
            .c
            .request(Method::PUT, &format!("/v1/agent/check/update/{id}"));
        req.json_body(&serde_json::json!({ "Status": status, "Output": output }))?;
        self.c.write(req, &WriteOptions::default()).await.map(drop)
    }

    /// `GET /v1/agent/monitor?loglevel=&logjson`: the agent's log lines as they come; the
    /// response's body is read as it streams.
    pub async fn monitor(&self, level: &str, json: bool) -> Result<reqwest::Response, ClientError> {
        let mut req = self.c.request(Method::GET, "/v1/agent/monitor");
        req.set("loglevel", level);
        if json {
            req.set("logjson", "");
        }
        crate::client::require_ok(self.c.send(req).await?).await
    }

    /// `PUT /v1/agent/reload`.
    pub async fn reload(&self) -> Result<(), ClientError> {
        let req = self.c.request(Method::PUT, "/v1/agent/reload");
        self.c.write(req, &WriteOptions::default()).await.map(drop)
    }
}
