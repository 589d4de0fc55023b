//! Access control: Consul's rule language (`rules`), what a token may do once its policies
//! are merged (`authorizer`), what Consul builds in (`builtin`), logins through a `jwt` auth
//! method (`jwt`, `login`), and finding the caller's
//! token and its [`Authorizer`] for each request, cached (`resolve`). The tokens, policies and
//! roles themselves are replicated state (`state::acl`); the `/v1/acl/*` endpoints are
//! `http::acl`, and every other endpoint asks [`Caller`] before it answers.

pub mod authorizer;
pub mod builtin;
pub mod jwt;
pub mod login;
mod resolve;
pub mod rules;
pub mod stamp;

pub use authorizer::Authorizer;
pub use resolve::{effective_rules, Acls, Caller, Resolved};
pub use rules::{Access, Resource, Scope};
