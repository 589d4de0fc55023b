//! The one HTTP client for Consul's API (reqwest, async): KV, status, agent, catalog, operator;
//! blocking queries through [`QueryOptions::index`]/[`QueryOptions::wait`] and [`QueryMeta`].
//!
//! Depends only on `api` (wire types) and `config::client_env` (settings). Sync callers (the CLI
//! commands) wrap calls in [`block_on`]. Errors are [`ClientError`], worded like Consul's Go
//! client so commands can print them verbatim.
//!
//! May import: `api`, `config` (checked by tests/architecture.rs).

pub mod acl;
pub mod agent;
pub mod catalog;
pub mod config_entry;
pub mod coordinate;
mod error;
pub mod event;
pub mod health;
mod http;
pub mod kv;
pub mod lock;
pub mod operator;
mod query;
pub mod session;
pub mod snapshot;
pub mod status;

use std::future::Future;

use reqwest::{Method, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::config::client_env::BasicAuth;
pub use crate::config::client_env::ClientSettings;
pub use error::ClientError;
pub use query::{QueryMeta, QueryOptions, WriteOptions};

/// A connection to one agent's HTTP API. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
    auth: Option<BasicAuth>,
    datacenter: Option<String>,
    /// The unix socket requests go over (`unix:///path`), if any.
    unix_socket: Option<std::path::PathBuf>,
}

/// Runs `fut` to completion for a sync caller (the CLI commands). Every call on a thread uses
/// the same current-thread runtime, so a [`Client`]'s pooled connections stay usable from one
/// call to the next. Must not be called from inside an async context.
pub fn block_on<T>(fut: impl Future<Output = Result<T, ClientError>>) -> Result<T, ClientError> {
    thread_local! {
        static RUNTIME: std::cell::OnceCell<tokio::runtime::Runtime> =
            const { std::cell::OnceCell::new() };
    }
    RUNTIME.with(|cell| {
        if cell.get().is_none() {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| ClientError::Setup(format!("cannot start the async runtime: {e}")))?;
            let _ = cell.set(rt);
        }
        match cell.get() {
            Some(rt) => rt.block_on(fut),
            None => Err(ClientError::Setup("cannot start the async runtime".into())),
        }
    })
}

impl Client {
    /// A client for the agent described by `settings`; fails on unreadable TLS material.
    pub fn new(settings: ClientSettings) -> Result<Client, ClientError> {
        let (http, base) = http::build(&settings)?;
        Ok(Client {
            http,
            base,
            token: settings.token,
            auth: settings.http_auth,
            datacenter: settings.datacenter,
            unix_socket: settings.unix_socket,
        })
    }

    /// `scheme://host:port[/prefix]` this client talks to.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The KV endpoints (`/v1/kv`, `/v1/txn`).
    pub fn kv(&self) -> kv::Kv<'_> {
        kv::Kv { c: self }
    }

    /// The status endpoints (`/v1/status`).
    pub fn status(&self) -> status::Status<'_> {
        status::Status { c: self }
    }

    /// The ACL endpoints (`/v1/acl/*`, `/v1/agent/token/*`).
    pub fn acl(&self) -> acl::Acl<'_> {
        acl::Acl { c: self }
    }

    /// The config entry endpoints (`/v1/config`).
    pub fn config_entries(&self) -> config_entry::ConfigEntries<'_> {
        config_entry::ConfigEntries { c: self }
    }

    /// The network coordinate endpoints (`/v1/coordinate`).
    pub fn coordinate(&self) -> coordinate::Coordinates<'_> {
        coordinate::Coordinates { c: self }
    }

    /// The local agent endpoints (`/v1/agent`).
    pub fn agent(&self) -> agent::Agent<'_> {
        agent::Agent { c: self }
    }

    /// The catalog endpoints (`/v1/catalog`).
    pub fn catalog(&self) -> catalog::Catalog<'_> {
        catalog::Catalog { c: self }
    }

    /// The health endpoints (`/v1/health`).
    pub fn health(&self) -> health::Health<'_> {
        health::Health { c: self }
    }

    /// The session endpoints (`/v1/session`).
    pub fn session(&self) -> session::Session<'_> {
        session::Session { c: self }
    }

    /// The snapshot endpoint (`/v1/snapshot`).
    pub fn snapshot(&self) -> snapshot::Snapshot<'_> {
        snapshot::Snapshot { c: self }
    }

    /// The user event endpoints (`/v1/event`).
    pub fn event(&self) -> event::Event<'_> {
        event::Event { c: self }
    }

    /// The operator endpoints (`/v1/operator`).
    pub fn operator(&self) -> operator::Operator<'_> {
        operator::Operator { c: self }
    }

    /// A request to `path` (unescaped, e.g. `/v1/kv/a b`) carrying the client's datacenter.
    pub(crate) fn request(&self, method: Method, path: &str) -> Request {
        let mut req = Request {
            method,
            path: path.to_string(),
            params: Vec::new(),
            token: None,
            body: None,
        };
        if let Some(dc) = &self.datacenter {
            req.set("dc", dc);
        }
        req
    }

    /// Sends `req`; any HTTP status counts as a response.
    pub(crate) async fn send(&self, req: Request) -> Result<Response, ClientError> {
        let url = self.url_for(&req)?;
        let mut builder = self.http.request(req.method.clone(), url.clone());
        if let Some(token) = req.token.as_ref().or(self.token.as_ref()) {
            builder = builder.header("X-Consul-Token", token);
        }
        if let Some(auth) = &self.auth {
            builder = builder.basic_auth(&auth.username, Some(&auth.password));
        }
        if let Some((bytes, content_type)) = req.body {
            if let Some(ct) = content_type {
                builder = builder.header(reqwest::header::CONTENT_TYPE, ct);
            }
            builder = builder.body(bytes);
        }
        builder.send().await.map_err(|e| {
            ClientError::transport(&req.method, url.as_str(), self.unix_socket.as_deref(), &e)
        })
    }

    fn url_for(&self, req: &Request) -> Result<reqwest::Url, ClientError> {
        let text = format!("{}{}", self.base, escape_path(&req.path));
        let mut url = reqwest::Url::parse(&text)
            .map_err(|e| ClientError::Invalid(format!("parse {text:?}: {e}")))?;
        if !req.params.is_empty() {
            url.query_pairs_mut().extend_pairs(&req.params);
        }
        Ok(url)
    }

    /// GET `path` expecting 200 and a JSON body.
    pub(crate) async fn query<T: DeserializeOwned>(
        &self,
        mut req: Request,
        q: &QueryOptions,
    ) -> Result<(T, QueryMeta), ClientError> {
        req.query_options(q);
        let resp = require_ok(self.send(req).await?).await?;
        let meta = QueryMeta::from_headers(resp.headers());
        Ok((decode(resp).await?, meta))
    }

    /// GET `path` expecting 200 and JSON whose `null` members (Go's nil maps and slices) are
    /// read as unset, so they decode to empty collections.
    pub(crate) async fn query_lenient<T: DeserializeOwned>(
        &self,
        req: Request,
        q: &QueryOptions,
    ) -> Result<(T, QueryMeta), ClientError> {
        let (mut value, meta) = self.query::<serde_json::Value>(req, q).await?;
        crate::api::keys::strip_nulls(&mut value);
        let decoded =
            serde_json::from_value(value).map_err(|e| ClientError::Decode(e.to_string()))?;
        Ok((decoded, meta))
    }

    /// Sends a write expecting 200 and returns the response body as text.
    pub(crate) async fn write(
        &self,
        mut req: Request,
        w: &WriteOptions,
    ) -> Result<String, ClientError> {
        req.write_options(w);
        let resp = require_ok(self.send(req).await?).await?;
        read_text(resp).await
    }
}

/// A request being built: method, unescaped path, query parameters, token and body.
#[derive(Debug)]
pub(crate) struct Request {
    method: Method,
    path: String,
    params: Vec<(String, String)>,
    token: Option<String>,
    body: Option<(Vec<u8>, Option<&'static str>)>,
}

impl Request {
    /// Sets a query parameter, replacing an earlier value.
    pub(crate) fn set(&mut self, name: &str, value: &str) -> &mut Self {
        self.params.retain(|(n, _)| n != name);
        self.params.push((name.to_string(), value.to_string()));
        self
    }

    /// Applies `q`: each parameter it sets replaces earlier values of that name; a repeated
    /// one (`node-meta`) keeps all its values.
    pub(crate) fn query_options(&mut self, q: &QueryOptions) {
        let params = query::query_params(q);
        self.params
            .retain(|(n, _)| !params.iter().any(|(name, _)| name == n));
        self.params.extend(params);
        if q.token.is_some() {
            self.token.clone_from(&q.token);
        }
    }

    pub(crate) fn write_options(&mut self, w: &WriteOptions) {
        if let Some(dc) = w.datacenter.as_ref().filter(|d| !d.is_empty()) {
            self.set("dc", dc);
        }
        if w.token.is_some() {
            self.token.clone_from(&w.token);
        }
    }

    /// A raw body (a KV value), sent without a content type.
    pub(crate) fn raw_body(&mut self, bytes: Vec<u8>) {
        self.body = Some((bytes, None));
    }

    /// A JSON body.
    pub(crate) fn json_body<B: Serialize>(&mut self, body: &B) -> Result<(), ClientError> {
        let bytes = serde_json::to_vec(body).map_err(|e| ClientError::Invalid(e.to_string()))?;
        self.body = Some((bytes, Some("application/json")));
        Ok(())
    }
}

/// Turns any status but 200 into [`ClientError::Status`] with the trimmed body.
pub(crate) async fn require_ok(resp: Response) -> Result<Response, ClientError> {
    if resp.status().as_u16() == 200 {
        return Ok(resp);
    }
    Err(status_error(resp).await)
}

/// The error for an unexpected status: code plus trimmed plain-text body.
pub(crate) async fn status_error(resp: Response) -> ClientError {
    let code = resp.status().as_u16();
    let body = resp.text().await.unwrap_or_default();
    ClientError::Status {
        code,
        body: body.trim().to_string(),
    }
}

pub(crate) async fn read_text(resp: Response) -> Result<String, ClientError> {
    let bytes = read_bytes(resp).await?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

pub(crate) async fn read_bytes(resp: Response) -> Result<Vec<u8>, ClientError> {
    let url = resp.url().to_string();
    resp.bytes()
        .await
        .map(|b| b.to_vec())
        .map_err(|e| ClientError::transport(&Method::GET, &url, None, &e))
}

pub(crate) async fn decode<T: DeserializeOwned>(resp: Response) -> Result<T, ClientError> {
    let bytes = read_bytes(resp).await?;
    serde_json::from_slice(&bytes).map_err(|e| ClientError::Decode(e.to_string()))
}

/// Percent-encodes a URL path like Go's `url.URL.EscapedPath`: `/` and `$&+,:;=@` stay, as do
/// letters, digits and `-_.~`; everything else (space, `?`, `#`, `%`, non-ASCII) is escaped.
pub(crate) fn escape_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'_'
                    | b'.'
                    | b'~'
                    | b'/'
                    | b'$'
                    | b'&'
                    | b'+'
                    | b','
                    | b':'
                    | b';'
                    | b'='
                    | b'@'
            );
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests;
