//! Link settings of the static release binary (`+crt-static`, README: Build), which keep a
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

use std::path::Path;

const ORDER_FILE: &str = "link/startup-symbols.txt";

fn main() {
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
