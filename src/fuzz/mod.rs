//! Fuzz targets: one entry point per parser that takes input from outside the process. Each
//! takes raw bytes, feeds them to the real code path (an in-process agent's HTTP API, DNS and
//! gossip sockets and server RPC, or the parser itself) and panics only on a bug: a panic
//! anywhere in the process, an answer that never comes (a hang past the target's limit), or an
//! answer that breaks the protocol.
//!
//! Two drivers run them. `fuzz/` holds the cargo-fuzz (libFuzzer) binaries, one per target,
//! for the long runs (`fuzz/README.md`); `tests/fuzz.rs` replays the checked-in corpus and every
//! input that once failed, then mutates them for a few seconds, in `cargo test`. Nothing in the
//! `sd` binary calls this module, so it adds nothing to it.
//!
//! May import: `agent`, `api`, `config`, `docker`, `snapshot`, `template`, `crate` (the root's
//! `VERSION`) (checked by tests/architecture.rs).

mod companions;
mod config;
mod dns;
mod gossip;
mod http;
mod lab;
mod parsers;
mod rpc;
mod wal;
mod wire;

/// A target's entry point: it takes any bytes and panics only on a bug.
pub type Target = fn(&[u8]);

/// Every target: its name (the cargo-fuzz binary and corpus folder) and its entry point.
pub const TARGETS: &[(&str, Target)] = &[
    ("http", http::request),
    ("http_wire", wire::bytes),
    ("dns", dns::datagram),
    ("gossip", gossip::packet),
    ("rpc", rpc::message),
    ("config", config::agent_config),
    ("filter", parsers::filter),
    ("duration", parsers::duration),
    ("acl_rules", parsers::acl_rules),
    ("template", parsers::template),
    ("snapshot", parsers::snapshot),
    ("wal", wal::segment),
    ("docker", companions::container),
    ("template_config", companions::template_config),
];

/// Runs target `name` on `data`; `false` when no target has that name.
pub fn run(name: &str, data: &[u8]) -> bool {
    match TARGETS.iter().find(|(n, _)| *n == name) {
        Some((_, target)) => {
            target(data);
            true
        }
        None => false,
    }
}

/// The status the `http` target's agent answers `data` with (`None`: not a request it sends):
/// lets a test see that the target reaches the API.
pub fn http_status(data: &[u8]) -> Option<u16> {
    http::status(data).map(|s| s.as_u16())
}

/// Well-formed binary inputs of target `name`, made by sd's own encoders: the seeds of the
/// targets whose inputs cannot be written by hand (the text targets' seeds are the files in
/// `fuzz/seeds/`).
pub fn examples(name: &str) -> Vec<Vec<u8>> {
    match name {
        "dns" => dns::examples(),
        "gossip" => crate::agent::gossip::fuzzing::examples(),
        "rpc" => rpc::examples(),
        "snapshot" => parsers::snapshot_examples(),
        "wal" => crate::agent::raft::fuzz_wal_examples(),
        _ => Vec::new(),
    }
}

/// The input as text, or `None` when it is not UTF-8 (the parsers behind `&str` entry points
/// never see anything else: the HTTP layer and the file readers refuse it first).
fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}
