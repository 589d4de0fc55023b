//! The end-to-end tests, in one binary (as ripgrep and cargo keep theirs): each module runs the
//! real `sd` binary (agents, CLI commands, `sd template`, `sd register-docker`) against real
//! parts (Docker, nginx, dig, network namespaces) through the harness in `common`. One binary
//! links the crate once instead of once per file.
//!
//! Run one module with `cargo test --test e2e <module>::`, e.g. `cargo test --test e2e dns::`.

mod common;

mod acl;
mod acl_cluster;
mod agent_checks;
mod agent_durability;
mod agent_host;
mod agent_metrics;
mod agent_persistence;
mod agent_service_hash;
mod agent_start;
mod agent_sync;
mod catalog_http;
mod cli_catalog;
mod cli_cluster_info;
mod cli_kv;
mod cli_maint;
mod cli_monitor;
mod cli_services;
mod cluster;
mod cluster_autopilot;
mod cluster_membership;
mod cluster_operator;
mod config_entries;
mod config_files;
mod connect_disabled;
mod coordinates;
mod disk_faults;
mod dns;
mod dns_cluster;
mod dns_stale;
mod docker_engine;
mod event_cluster;
mod gossip_encryption;
mod grpc_checks;
mod http_unix_socket;
mod kv_http;
mod lock_cluster;
mod multi_dc;
mod multicall;
mod partition;
mod prepared_query;
mod real_clients;
mod register_docker;
mod seed_scenario;
mod server_rpc;
mod session_http;
mod snapshot;
mod template_cli;
mod template_complaints;
mod template_dedup;
mod template_golden;
mod template_nginx;
mod tls;
mod ui_browser;
mod ui_http;
mod watch;
