//! Handlers that take what they need from the request's head before their future is made.
//!
//! axum's wrapper around an `async fn` handler keeps the whole head (`Parts`, 224 bytes) in its
//! future for as long as the handler runs, even after the extractors have consumed it, and an
//! `async fn` keeps each of its arguments twice. A blocking query parks for minutes, one per
//! watcher: routes that serve them are registered as `get(Direct(handler))`, where `handler`
//! is a plain function of the agent and a [`Head`] that returns its future, so that a parked
//! query holds only the few values it reads.

use std::future::Future;
use std::sync::Arc;

use axum::extract::{Path, Request};
use axum::handler::Handler;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::{Extension, RequestPartsExt};
use futures::future::{ready, Either, FutureExt, Map, Ready};

use super::error::HttpError;
use crate::agent::acl::Caller;
use crate::agent::rpc::OriginNode;
use crate::agent::Agent;

/// What the read handlers take from a request's head.
pub struct Head {
    /// Who asks (set by the ACL step of the API layer).
    pub caller: Arc<Caller>,
    /// The route's one path parameter, percent-decoded; empty for a route without one.
    pub param: String,
    /// The raw query string.
    pub query: Option<String>,
    /// The node a forwarded request came from, for `?near=_agent`.
    pub origin: Option<Extension<OriginNode>>,
}

impl Head {
    /// Reads the head. The path's rejection (invalid percent-encoding, say) is axum's own
    /// answer, as with the `Path` extractor.
    #[allow(clippy::result_large_err)] // one call per request, the refusal is the answer itself
    fn take(mut parts: Parts) -> Result<Head, Response> {
        let caller = parts
            .extensions
            .get::<Arc<Caller>>()
            .cloned()
            .ok_or_else(|| HttpError::internal("no caller for this request").into_response())?;
        // Path extraction never waits: it reads the parameters the router stored.
        let param = match parts.extract::<Option<Path<String>>>().now_or_never() {
            Some(Ok(param)) => param.map(|Path(p)| p).unwrap_or_default(),
            Some(Err(rejection)) => return Err(rejection.into_response()),
            None => return Err(HttpError::internal("path not ready").into_response()),
        };
        Ok(Head {
            caller,
            param,
            query: parts.uri.query().map(str::to_string),
            origin: parts.extensions.remove::<OriginNode>().map(Extension),
        })
    }
}

/// A handler `fn(Arc<Agent>, Head) -> impl Future` registered without axum's wrapper.
#[derive(Clone, Copy)]
pub struct Direct<F>(pub F);

/// [`Direct`]'s marker for axum's `Handler` trait.
pub struct ByHead;

type Answered<Fut> = Map<Fut, fn(Result<Response, HttpError>) -> Response>;

impl<F, Fut> Handler<ByHead, Arc<Agent>> for Direct<F>
where
    F: FnOnce(Arc<Agent>, Head) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<Response, HttpError>> + Send + 'static,
{
    type Future = Either<Ready<Response>, Answered<Fut>>;

    fn call(self, req: Request, agent: Arc<Agent>) -> Self::Future {
        // The body is dropped here: these are reads.
        let (parts, _body) = req.into_parts();
        match Head::take(parts) {
            Ok(head) => Either::Right((self.0)(agent, head).map(IntoResponse::into_response as _)),
            Err(refused) => Either::Left(ready(refused)),
        }
    }
}
