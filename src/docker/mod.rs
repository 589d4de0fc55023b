//! `sd register-docker`: registrator in the binary. A client of the Docker engine and of an
//! agent's HTTP API (through `client` and `api` only, never `agent`), that registers the
//! services of running containers and deregisters them when the containers go.
//!
//! Layout:
//! - `uri`: the registry URI (`consul://HOST:PORT`, ...);
//! - `engine`: the Docker engine (bollard): connection, version negotiation, inspect, events;
//! - `container`: the part of `docker inspect` registration reads;
//! - `metadata`: the `SERVICE_*` keys of a container's environment and labels;
//! - `host_ip`: the host's address for published ports without `-ip`;
//! - `health`: Docker's `HEALTHCHECK` as a TTL check on the container's services;
//! - `reconcile`: the two-way plan between what runs and what the agent holds;
//! - `tags`: `-tags`, a list or registrator's Go template over the inspect object;
//! - `runner`: the event loop (ordered events, reconcile on reconnect, resync, retries);
//! - `service`, `check`: a container's services and their checks, by registrator's rules with
//!   its users' complaints fixed.
//!
//! May import: `api`, `client`, `gotemplate` (checked by tests/architecture.rs).

pub mod check;
pub mod container;
pub mod engine;
pub mod health;
pub mod host_ip;
pub mod metadata;
pub mod reconcile;
pub mod runner;
pub mod service;
pub mod tags;
pub mod uri;
