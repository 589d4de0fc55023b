//! The checked-in completions and man pages must equal what the binary generates.
//! Refresh them with `SNAPSHOTS=overwrite cargo test --test generated` (or `sd generate --dir .`).

// A test (or build script) reads its own environment directly; `config::process_env` is the
// rule for the library.
#![allow(clippy::disallowed_methods)]

use std::collections::BTreeSet;
use std::path::Path;

#[test]
fn completions_and_man_pages_are_fresh() {
    let root_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = sd::cli::generate::all(&sd::command()).expect("render docs");
    if std::env::var("SNAPSHOTS").as_deref() == Ok("overwrite") {
        for dir in ["completions", "man"] {
            let _ = std::fs::remove_dir_all(root_dir.join(dir));
        }
        sd::cli::generate::write_all(&sd::command(), root_dir).expect("write docs");
        return;
    }
    let mut stale = Vec::new();
    for (rel, bytes) in &files {
        match std::fs::read(root_dir.join(rel)) {
            Ok(on_disk) if &on_disk == bytes => {}
            Ok(_) => stale.push(format!("{rel} differs")),
            Err(_) => stale.push(format!("{rel} is missing")),
        }
    }
    let generated: BTreeSet<String> = files.iter().map(|(rel, _)| rel.clone()).collect();
    for dir in ["completions", "man"] {
        for entry in std::fs::read_dir(root_dir.join(dir))
            .into_iter()
            .flatten()
            .flatten()
        {
            let rel = format!("{dir}/{}", entry.file_name().to_string_lossy());
            if !generated.contains(&rel) {
                stale.push(format!("{rel} is no longer generated"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "generated docs are stale:\n  {}\nrun: SNAPSHOTS=overwrite cargo test --test generated",
        stale.join("\n  ")
    );
}
