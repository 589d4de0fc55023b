//! `link/startup-symbols.txt` (the order of `.text` in the static release binary, `build.rs`)
//! lists mangled names, and a mangled name carries a hash of its crate's build settings: a
//! dependency added or upgraded, a feature switched on, a profile changed or another rustc, and
//! most names in the list no longer exist. Nothing fails at link time (a missing name is
//! skipped), but the idle RSS of every agent nearly doubles (docs/benchmarks.md, "Idle memory").
//! This test keeps the list and its inputs together: `link/startup-symbols.for` holds a digest
//! of `Cargo.toml`, `Cargo.lock` and `rustc -V` as they were when `link/refresh.sh` last wrote
//! the list, and the test fails when they have changed since.

// A test reads its own environment directly; `config::process_env` is the rule for the library.
#![allow(clippy::disallowed_methods)]

use std::hash::Hasher;
use std::path::Path;
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const DIGEST_FILE: &str = "link/startup-symbols.for";

/// FNV-1a over `Cargo.toml`, `Cargo.lock` and the compiler's version line, in hex.
fn digest() -> String {
    let mut h = fnv::FnvHasher::default();
    for file in ["Cargo.toml", "Cargo.lock"] {
        let bytes = std::fs::read(Path::new(ROOT).join(file))
            .unwrap_or_else(|e| panic!("reading {file}: {e}"));
        h.write(&bytes);
        h.write(b"\0");
    }
    h.write(rustc_version().as_bytes());
    format!("{:016x}", h.finish())
}

fn rustc_version() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let out = Command::new(&rustc)
        .arg("-V")
        .output()
        .unwrap_or_else(|e| panic!("running {rustc} -V: {e}"));
    assert!(out.status.success(), "{rustc} -V failed");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn the_startup_symbol_list_was_written_for_these_dependencies() {
    let recorded = std::fs::read_to_string(Path::new(ROOT).join(DIGEST_FILE))
        .unwrap_or_else(|e| panic!("reading {DIGEST_FILE}: {e}"));
    let recorded = recorded.split_whitespace().next().unwrap_or_default();
    assert_eq!(
        recorded,
        digest(),
        "Cargo.toml, Cargo.lock or rustc changed since link/refresh.sh last wrote \
         link/startup-symbols.txt, so most of its names no longer match the linked symbols and \
         every agent's idle RSS nearly doubles. Run link/refresh.sh (a release build \
         and about three minutes of agents), then build again."
    );
}

/// Writes the digest; `link/refresh.sh` runs it after writing the list.
#[test]
#[ignore = "run by link/refresh.sh"]
fn write_digest() {
    let line = format!(
        "{}  Cargo.toml Cargo.lock ({})\n",
        digest(),
        rustc_version()
    );
    std::fs::write(Path::new(ROOT).join(DIGEST_FILE), line).expect("writing the digest");
}
