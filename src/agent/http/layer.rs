//! The one layer around every routed request, in order: timing (`agent_metrics`, outermost,
//! forwarded requests included), forwarding (`forward`: to the leader, a server or another
//! datacenter), then ACLs (`acl_guard`, checked where the request is served), then the route.
//!
//! A tower layer of its own instead of three `axum::middleware::from_fn` layers: each of those
//! boxes a future that holds the request several times over (about 1.3 KB each for as long as a
//! blocking query is parked) plus a boxed clone of the service below it. Here forwarding and ACLs
//! decide before the route runs, in a future freed once they have; while the route runs (a
//! blocking query parked) the request's future holds the route's future and the timer.

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
        let timer = agent_metrics::Timer::start(&req);
        // Boxed before the future is made: it keeps 8 bytes for the request, not 240.
        let req = Box::new(req);
        Box::pin(async move {
            // Boxed: forwarding and resolving a token are done before the route runs, and a
            // parked blocking query need not keep their room.
            let req = match Box::pin(admit(&agent, req)).await {
                Ok(req) => req,
                Err(resp) => {
                    timer.stop(&agent);
                    return Ok(resp);
                }
            };
            let mut resp = match inner.oneshot(unbox(req)).await {
                Ok(resp) => resp,
                Err(never) => match never {},
            };
            acl_guard::stamp(&agent, &mut resp);
            timer.stop(&agent);
            Ok(resp)
        })
    }
}

/// Where and whether a request is served here: forwarding first, then the caller's ACLs.
async fn admit(agent: &Agent, req: Box<Request>) -> Result<Box<Request>, Response> {
    match forward::route(agent, req).await {
        forward::Routed::Here(req) => acl_guard::admit(agent, req).await,
        forward::Routed::Answered(resp) => Err(resp),
    }
}

/// The request out of its box, the box freed (moved out of in place, it would stay allocated
/// until the end of the route's future).
fn unbox(req: Box<Request>) -> Request {
    *req
}
