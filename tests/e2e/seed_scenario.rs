//! The source guide's whole scenario as one test, through `examples/seed/run.sh` (the script a
//! user runs): a server agent, `sd register-docker`, real `nginx:latest` containers on the real
//! Docker engine, `sd template` rendering the guide's nginx.ctmpl into Debian's nginx on 8000,
//! containers joining and leaving, and a kill -9 of register-docker healed on restart. It runs
//! in a private mount and pid namespace (`tests/seed/in_namespace.sh`) with `sd` on PATH.

// A test (or build script) reads its own environment directly; `config::process_env` is the
// rule for the library.
#![allow(clippy::disallowed_methods)]

use crate::common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::docker::require_engine;

#[test]
fn the_guides_whole_scenario() {
    require_engine();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bin = tempfile::tempdir().expect("tempdir");
    std::os::unix::fs::symlink(common::sd_bin(), bin.path().join("sd")).expect("sd on PATH");
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("unshare")
        .args(["--mount", "--pid", "--fork", "--mount-proc"])
        .arg(root.join("tests/seed/in_namespace.sh"))
        .arg(root.join("examples/seed/run.sh"))
        .env("PATH", path)
        .stdin(Stdio::null())
        .output()
        .expect("run unshare (util-linux)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(text.contains("seed scenario ok"), "{text}");
    for step in ["v3 joins", "v1 leaves", "register-docker back"] {
        assert!(text.contains(step), "step {step:?} not reached: {text}");
    }
}
