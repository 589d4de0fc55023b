//! The one layer around every routed request, in order: timing (`agent_metrics`, outermost,
//! forwarded requests included), forwarding (`forward`: to the leader, a server or another
//! datacenter), then ACLs (`acl_guard`, checked where the request is served), then the route.
//!
//! A tower layer of its own instead of three `axum::middleware::from_fn` layers: each of those
//! boxes a future that holds the request several times over (about 1.3 KB each for as long as a
//! blocking query is parked) plus a boxed clone of the service below it. Here a request costs one
//! boxed future.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::response::Response;
use tower::{Layer, Service, ServiceExt};

use super::{acl_guard, agent_metrics, forward};
use crate::agent::Agent;

/// The layer: `Router::layer(ApiLayer::new(agent))`.
#[derive(Clone)]
pub struct ApiLayer {
    agent: Arc<Agent>,
}

impl ApiLayer {
    pub fn new(agent: Arc<Agent>) -> Self {
        ApiLayer { agent }
    }
}

impl<S> Layer<S> for ApiLayer {
    type Service = Api<S>;

    fn layer(&self, inner: S) -> Api<S> {
        Api {
            agent: self.agent.clone(),
            inner,
        }
    }
}

/// One route with the layer around it.
#[derive(Clone)]
pub struct Api<S> {
    agent: Arc<Agent>,
    inner: S,
}

impl<S> Service<Request> for Api<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // Readiness is the route's, checked when it is called (`oneshot`).
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let agent = self.agent.clone();
        let inner = self.inner.clone();
        // The request travels boxed: each step below keeps its argument's room for as long as
        // the request is served, 8 bytes instead of 240 for every parked blocking query.
        let req = Box::new(req);
        Box::pin(async move {
            let route = |req: Box<Request>| async move {
                match inner.oneshot(unbox(req)).await {
                    Ok(resp) => resp,
                    Err(never) => match never {},
                }
            };
            let guarded = |req| acl_guard::middleware(&agent, req, route);
            let forwarded = |req| forward::middleware(&agent, req, guarded);
            Ok(agent_metrics::timed(&agent, req, forwarded).await)
        })
    }
}

/// The request out of its box, the box freed (moved out of in place, it would stay allocated
/// until the end of the route's future).
fn unbox(req: Box<Request>) -> Request {
    *req
}
