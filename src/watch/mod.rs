//! Watches, as Consul's `watch` package runs them for `consul watch` and the agent's
//! `watches`: a view of the cluster (`key`, `keyprefix`, `services`, `nodes`, `service`,
//! `checks`, `event`) followed with blocking queries, and a handler run each time it changes:
//! a command (JSON of the view on stdin, `CONSUL_INDEX` in the environment) or an HTTP
//! request (JSON body, `X-Consul-Index` header). Like the tools it stands in for, it reaches
//! agents only through `client`.
//!
//! Files: `params` (the parameters and their checks, with Consul's words), `fetch` (one
//! blocking read per type), `handler` (commands and HTTP), `plan` (the loop: change
//! detection, backoff on errors).
//!
//! May import: `api`, `client`, `config`, `process` (checked by tests/architecture.rs).

mod fetch;
mod handler;
mod params;
mod plan;

pub use fetch::View;
pub use handler::{for_agent, Handler};
pub use params::{HttpHandlerConfig, Kind, Params, ParamsError};
pub use plan::Plan;
