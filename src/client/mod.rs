//! The one HTTP client for Consul's API (reqwest): KV, status, agent, operator; blocking queries.
//! Depends only on `api`.
