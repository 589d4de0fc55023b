//! `/v1/acl/*` and `/v1/agent/token/*`: the bootstrap, tokens, policies, roles, auth methods,
//! binding rules, login and logout.

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::api::acl::{
    AclPolicy, AclPolicyListEntry, AclRole, AclToken, AclTokenListEntry, AgentTokenUpdate,
};
use crate::client::{Client, ClientError, QueryOptions, WriteOptions};

/// The ACL endpoints of one client.
#[derive(Debug, Clone, Copy)]
pub struct Acl<'a> {
    pub(crate) c: &'a Client,
}

/// Which kind of ACL object a call is about (its path segment).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Token,
    Policy,
    Role,
    AuthMethod,
    BindingRule,
    TemplatedPolicy,
}

impl Kind {
    fn one(self) -> &'static str {
        match self {
            Kind::Token => "token",
            Kind::Policy => "policy",
            Kind::Role => "role",
            Kind::AuthMethod => "auth-method",
            Kind::BindingRule => "binding-rule",
            Kind::TemplatedPolicy => "templated-policy",
        }
    }

    fn many(self) -> &'static str {
        match self {
            Kind::Token => "tokens",
            Kind::Policy => "policies",
            Kind::Role => "roles",
            Kind::AuthMethod => "auth-methods",
            Kind::BindingRule => "binding-rules",
            Kind::TemplatedPolicy => "templated-policies",
        }
    }
}

impl Acl<'_> {
    /// `PUT /v1/acl/bootstrap`.
    pub async fn bootstrap(&self, w: &WriteOptions) -> Result<AclToken, ClientError> {
        let req = self.c.request(Method::PUT, "/v1/acl/bootstrap");
        decode(&self.c.write(req, w).await?)
    }

    /// `GET /v1/acl/<kind>/<id>` (or `name/<name>` for policies and roles).
    pub async fn read<T: DeserializeOwned>(
        &self,
        kind: Kind,
        id: &str,
        by_name: bool,
        q: &QueryOptions,
    ) -> Result<T, ClientError> {
        let path = match by_name {
            true => format!("/v1/acl/{}/name/{}", kind.one(), escape_name(id)),
            false => format!("/v1/acl/{}/{}", kind.one(), escape(id)),
        };
        let req = self.c.request(Method::GET, &path);
        Ok(self.c.query(req, q).await?.0)
    }

    /// `GET /v1/acl/token/self`.
    pub async fn token_self(&self, q: &QueryOptions) -> Result<AclToken, ClientError> {
        let req = self.c.request(Method::GET, "/v1/acl/token/self");
        Ok(self.c.query(req, q).await?.0)
    }

    /// `PUT /v1/acl/<kind>` (create) or `PUT /v1/acl/<kind>/<id>` (update).
    pub async fn write<T: Serialize + DeserializeOwned>(
        &self,
        kind: Kind,
        id: Option<&str>,
        body: &T,
        w: &WriteOptions,
    ) -> Result<T, ClientError> {
        let path = match id {
            Some(id) => format!("/v1/acl/{}/{}", kind.one(), escape(id)),
            None => format!("/v1/acl/{}", kind.one()),
        };
        let mut req = self.c.request(Method::PUT, &path);
        req.json_body(body)?;
        decode(&self.c.write(req, w).await?)
    }

    /// `PUT /v1/acl/token/<id>/clone`.
    pub async fn token_clone(
        &self,
        id: &str,
        description: &str,
        w: &WriteOptions,
    ) -> Result<AclToken, ClientError> {
        let mut req = self
            .c
            .request(Method::PUT, &format!("/v1/acl/token/{}/clone", escape(id)));
        req.json_body(&serde_json::json!({ "Description": description }))?;
        decode(&self.c.write(req, w).await?)
    }

    /// `DELETE /v1/acl/<kind>/<id>`.
    pub async fn delete(&self, kind: Kind, id: &str, w: &WriteOptions) -> Result<(), ClientError> {
        let req = self.c.request(
            Method::DELETE,
            &format!("/v1/acl/{}/{}", kind.one(), escape(id)),
        );
        self.c.write(req, w).await.map(|_| ())
    }

    /// `GET /v1/acl/tokens`.
    pub async fn tokens(&self, q: &QueryOptions) -> Result<Vec<AclTokenListEntry>, ClientError> {
        self.list(Kind::Token, q).await
    }

    /// `GET /v1/acl/policies`.
    pub async fn policies(&self, q: &QueryOptions) -> Result<Vec<AclPolicyListEntry>, ClientError> {
        self.list(Kind::Policy, q).await
    }

    /// `GET /v1/acl/roles`.
    pub async fn roles(&self, q: &QueryOptions) -> Result<Vec<AclRole>, ClientError> {
        self.list(Kind::Role, q).await
    }

    /// `GET /v1/acl/auth-methods` or `/v1/acl/binding-rules` (any listing, as JSON values).
    pub async fn list_values(
        &self,
        kind: Kind,
        q: &QueryOptions,
    ) -> Result<Vec<serde_json::Value>, ClientError> {
        self.list(kind, q).await
    }

    /// `GET /v1/acl/templated-policies`: name → template.
    pub async fn templated_policies(
        &self,
        q: &QueryOptions,
    ) -> Result<std::collections::BTreeMap<String, serde_json::Value>, ClientError> {
        self.list(Kind::TemplatedPolicy, q).await
    }

    /// `POST /v1/acl/templated-policy/preview/:name`: the policy the template gives with `Name`.
    pub async fn preview_template(
        &self,
        template: &str,
        name: &str,
        w: &WriteOptions,
    ) -> Result<AclPolicy, ClientError> {
        let mut req = self.c.request(
            Method::POST,
            &format!("/v1/acl/templated-policy/preview/{}", escape_name(template)),
        );
        req.json_body(&serde_json::json!({ "Name": name }))?;
        decode(&self.c.write(req, w).await?)
    }

    /// `POST /v1/acl/login`.
    pub async fn login(
        &self,
        request: &crate::api::acl::AclLoginRequest,
        w: &WriteOptions,
    ) -> Result<AclToken, ClientError> {
        let mut req = self.c.request(Method::POST, "/v1/acl/login");
        req.json_body(request)?;
        decode(&self.c.write(req, w).await?)
    }

    /// `POST /v1/acl/logout` (the token of the client's settings logs out).
    pub async fn logout(&self, w: &WriteOptions) -> Result<(), ClientError> {
        let req = self.c.request(Method::POST, "/v1/acl/logout");
        self.c.write(req, w).await.map(|_| ())
    }

    async fn list<T: DeserializeOwned>(
        &self,
        kind: Kind,
        q: &QueryOptions,
    ) -> Result<T, ClientError> {
        let req = self
            .c
            .request(Method::GET, &format!("/v1/acl/{}", kind.many()));
        Ok(self.c.query(req, q).await?.0)
    }

    /// A policy by ID, else by name (as `-id` and `-name` of the CLI find it).
    pub async fn find_policy(
        &self,
        id_or_name: &str,
        q: &QueryOptions,
    ) -> Result<AclPolicy, ClientError> {
        match self.read(Kind::Policy, id_or_name, false, q).await {
            Ok(p) => Ok(p),
            Err(_) => self.read(Kind::Policy, id_or_name, true, q).await,
        }
    }

    /// `PUT /v1/agent/token/<kind>`.
    pub async fn set_agent_token(
        &self,
        kind: &str,
        token: &str,
        w: &WriteOptions,
    ) -> Result<(), ClientError> {
        let mut req = self
            .c
            .request(Method::PUT, &format!("/v1/agent/token/{}", escape(kind)));
        req.json_body(&AgentTokenUpdate {
            token: token.to_string(),
        })?;
        self.c.write(req, w).await.map(|_| ())
    }
}

fn decode<T: DeserializeOwned>(body: &str) -> Result<T, ClientError> {
    serde_json::from_str(body).map_err(|e| ClientError::Decode(e.to_string()))
}

fn escape(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A name escaped with its slashes kept (`builtin/service` is two path segments in Consul's
/// routes).
fn escape_name(s: &str) -> String {
    s.split('/').map(escape).collect::<Vec<_>>().join("/")
}
