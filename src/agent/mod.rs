//! The agent: a server (Raft + replicated state) or, later, a client agent, with its HTTP API.
//!
//! Nothing outside imports its internals: `commands::agent` calls [`run`]. It may use `api` and
//! `config`, never `client`, `commands`, `docker` or `template`.

pub mod raft;
pub mod state;
