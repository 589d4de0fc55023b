//! Two jobs: embedding the web UI, and the link settings of the static release binary. It
//! also declares the `fuzzing` cfg that cargo-fuzz builds with (the render budget reads it).
//!
//! **The UI** (`ui/`, served by `agent::ui`): every file is embedded with a gzip copy made
//! here (so the binary carries no compressor) and a strong ETag, listed in
//! `$OUT_DIR/ui_assets.rs`.
//!
//! **Link settings** of the static release binary (`+crt-static`, README: Build), which keep a
//! client agent's resident memory down (README, Benchmarks: idle RSS):
//!
//! * `-z pack-relative-relocs`: the startup relocations as DT_RELR, 13 KB instead of a 1.2 MB
//!   `.rela.dyn` that glibc's static-PIE startup reads, and keeps resident, in full.
//! * `--symbol-ordering-file=link/startup-symbols.txt`: the functions an agent runs while it
//!   starts, joins and idles, placed first in `.text`. The kernel maps a binary's pages 64 KiB
//!   around each one touched (fault-around), so code run once and spread over the whole text
//!   kept most of it resident. A name the build no longer has is skipped; `link/refresh.sh`
//!   writes the list again.
//!
//! Both need rust-lld, the linker of `x86_64-unknown-linux-gnu` since Rust 1.90. Other builds
//! (tests, debug, dynamic) link as before.

// A test (or build script) reads its own environment directly; `config::process_env` is the
// rule for the library.
#![allow(clippy::disallowed_methods)]

use std::hash::Hasher;
use std::io::Write;
use std::path::{Path, PathBuf};

const ORDER_FILE: &str = "link/startup-symbols.txt";
const UI_DIR: &str = "ui";

fn main() {
    println!("cargo:rustc-check-cfg=cfg(fuzzing)");
    embed_ui();
    link_settings();
}

/// Writes `$OUT_DIR/ui_assets.rs`: one `Asset` per file under `ui/` (path relative to it,
/// with `/`), its bytes, a gzip copy and an ETag.
fn embed_ui() {
    println!("cargo:rerun-if-changed={UI_DIR}");
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it"));
    let mut files = Vec::new();
    collect(&dir.join(UI_DIR), &mut files);
    files.sort();
    let mut table = String::from("pub static ASSETS: &[Asset] = &[\n");
    for file in files {
        let rel = file
            .strip_prefix(dir.join(UI_DIR))
            .expect("under ui/")
            .to_string_lossy()
            .replace('\\', "/");
        let body = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&body).expect("in memory");
        let gz = gz.finish().expect("in memory");
        let gz_path = out.join("ui").join(format!("{rel}.gz"));
        std::fs::create_dir_all(gz_path.parent().expect("has a parent")).expect("OUT_DIR");
        std::fs::write(&gz_path, &gz).expect("OUT_DIR");
        let mut h = fnv::FnvHasher::default();
        h.write(&body);
        // Relative to the crate being compiled, not this checkout: two checkouts that share a
        // target directory (a fuzzing worktree) share this file, and a path baked in here
        // outlived the worktree it named.
        let source = format!("/{UI_DIR}/{rel}");
        table.push_str(&format!(
            "    Asset {{ path: {rel:?}, body: include_bytes!(concat!(env!(\"CARGO_MANIFEST_DIR\"), {source:?})), gzip: include_bytes!({gz_path:?}), etag: \"\\\"{:016x}\\\"\" }},\n",
            h.finish()
        ));
    }
    table.push_str("];\n");
    std::fs::write(out.join("ui_assets.rs"), table).expect("OUT_DIR");
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("readable ui/ entry").path();
        if path.is_dir() {
            collect(&path, files);
        } else {
            files.push(path);
        }
    }
}

fn link_settings() {
    println!("cargo:rerun-if-changed={ORDER_FILE}");
    let features = std::env::var("CARGO_CFG_TARGET_FEATURE").unwrap_or_default();
    let target = std::env::var("TARGET").unwrap_or_default();
    let static_release = features.split(',').any(|f| f == "crt-static")
        && target == "x86_64-unknown-linux-gnu"
        && std::env::var("PROFILE").as_deref() == Ok("release");
    if !static_release {
        return;
    }
    println!("cargo:rustc-link-arg-bin=sd=-Wl,-z,pack-relative-relocs");
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let order = Path::new(&dir).join(ORDER_FILE);
    if order.exists() {
        println!(
            "cargo:rustc-link-arg-bin=sd=-Wl,--symbol-ordering-file={}",
            order.display()
        );
        println!("cargo:rustc-link-arg-bin=sd=-Wl,--no-warn-symbol-ordering");
    }
}
