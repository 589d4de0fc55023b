//! The layering, enforced rather than remembered: every top-level module of `src/` says in its
//! `//!` header which of the crate's other top-level modules it may use (`May import: ...`,
//! or `nothing`), and a module header may also name paths it must never use
//! (`Must not import: ...`). This test reads those lines and fails on any `crate::` path in a
//! module's non-test code that breaks them. `crate::X` where X is not a module (`VERSION`,
//! `command()`) counts as the crate root, listed as `crate`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");

#[test]
fn every_module_imports_only_what_its_header_allows() {
    let modules = top_level_modules();
    assert!(modules.len() >= 10, "found only {modules:?}");
    let mut problems = Vec::new();
    for module in &modules {
        let header_file = module_file(module);
        let header = header(&read(&header_file));
        let Some(allowed) = allowed_imports(&header) else {
            problems.push(format!(
                "{}: the header has no `May import:` line",
                header_file.display()
            ));
            continue;
        };
        for file in rust_files(module) {
            let code = non_test_code(&read(&file));
            for used in crate_paths(&code) {
                let first = used.split("::").next().unwrap_or_default();
                let target = if modules.contains(first) {
                    first
                } else {
                    "crate"
                };
                if target != module && !allowed.contains(target) {
                    problems.push(format!(
                        "{}: uses crate::{used}, but `{module}` may import only {allowed:?}",
                        rel(&file)
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn no_module_imports_what_its_header_forbids() {
    let mut problems = Vec::new();
    let mut rules = 0;
    for file in rust_files_under(Path::new(SRC)) {
        let forbidden = forbidden_paths(&header(&read(&file)));
        if forbidden.is_empty() {
            continue;
        }
        rules += forbidden.len();
        // A header in `x/mod.rs` speaks for the whole directory; one in `x.rs` for the file.
        let scope: Vec<PathBuf> = if file.file_name().is_some_and(|n| n == "mod.rs") {
            rust_files_under(file.parent().unwrap_or(Path::new(SRC)))
        } else {
            vec![file.clone()]
        };
        for f in scope {
            let code = non_test_code(&read(&f));
            for used in crate_paths(&code) {
                for bad in &forbidden {
                    if used == *bad || used.starts_with(&format!("{bad}::")) {
                        problems.push(format!(
                            "{}: uses crate::{used}, which {} forbids",
                            rel(&f),
                            rel(&file)
                        ));
                    }
                }
            }
        }
    }
    // The rules this test exists for: the RPC transport never reaches into Raft, DNS never
    // into the HTTP handlers.
    assert!(
        rules >= 2,
        "expected `Must not import:` lines, found {rules}"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_checker_sees_imports_in_all_their_forms() {
    let code = "use crate::api::Foo;\nuse crate::{client::Client, config::{self, x}};\n\
                let v = crate::VERSION; // crate::agent in a comment\n\
                #[cfg(test)]\nmod tests { use crate::commands::x; }";
    let found = crate_paths(&non_test_code(code));
    assert_eq!(
        found,
        BTreeSet::from([
            "api::Foo".to_string(),
            "client::Client".to_string(),
            "config".to_string(),
            "VERSION".to_string(),
        ])
    );
    let h = header(
        "//! Text.\n//! May import: `api`, `config`.\n//! Must not import: `agent::http`.\nuse x;",
    );
    assert_eq!(
        allowed_imports(&h),
        Some(BTreeSet::from(["api".to_string(), "config".to_string()]))
    );
    assert_eq!(forbidden_paths(&h), vec!["agent::http".to_string()]);
    assert_eq!(
        allowed_imports("//! May import: nothing."),
        Some(BTreeSet::new())
    );
    assert_eq!(
        allowed_imports("//! May import: `a`,\n//! `b` (and why).\n//! Not `c`."),
        Some(BTreeSet::from(["a".to_string(), "b".to_string()]))
    );
}

/// `src/x.rs` and `src/x/mod.rs` modules, by name (`lib.rs` and `main.rs` are the root).
fn top_level_modules() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for entry in std::fs::read_dir(SRC).expect("read src/") {
        let path = entry.expect("entry").path();
        let name = path
            .file_stem()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let is_module_dir = path.is_dir() && path.join("mod.rs").exists();
        let is_module_file =
            path.extension().is_some_and(|e| e == "rs") && name != "lib" && name != "main";
        if is_module_dir || is_module_file {
            out.insert(name);
        }
    }
    out
}

fn module_file(module: &str) -> PathBuf {
    let dir = Path::new(SRC).join(module);
    if dir.is_dir() {
        dir.join("mod.rs")
    } else {
        Path::new(SRC).join(format!("{module}.rs"))
    }
}

fn rust_files(module: &str) -> Vec<PathBuf> {
    let dir = Path::new(SRC).join(module);
    if dir.is_dir() {
        rust_files_under(&dir)
    } else {
        vec![module_file(module)]
    }
}

/// Every `.rs` file under `dir` except test-only ones (`tests.rs`, `*_tests.rs`, `tests/`).
fn rust_files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if path.is_dir() {
                if name != "tests" {
                    todo.push(path);
                }
            } else if name.ends_with(".rs") && name != "tests.rs" && !name.ends_with("_tests.rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn rel(path: &Path) -> String {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The leading `//!` lines, without their markers, joined.
fn header(text: &str) -> String {
    text.lines()
        .take_while(|l| l.starts_with("//!"))
        .map(|l| l.trim_start_matches("//!").trim())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The backticked names after `May import:` (to the end of its sentence), or None without
/// such a line.
fn allowed_imports(header: &str) -> Option<BTreeSet<String>> {
    let mut lines = header.lines().map(|l| l.trim_start_matches("//!").trim());
    let mut text = lines
        .find_map(|l| l.strip_prefix("May import:"))?
        .to_string();
    while !text.trim_end().ends_with('.') {
        match lines.next() {
            Some(next) => text = format!("{text} {next}"),
            None => break,
        }
    }
    Some(backticked(&text).into_iter().collect())
}

fn forbidden_paths(header: &str) -> Vec<String> {
    header
        .lines()
        .map(|l| l.trim_start_matches("//!").trim())
        .filter_map(|l| l.strip_prefix("Must not import:"))
        .flat_map(backticked)
        .collect()
}

fn backticked(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// The code up to the first `#[cfg(test)]`, comments removed.
fn non_test_code(text: &str) -> String {
    let code = text.split("#[cfg(test)]").next().unwrap_or_default();
    code.lines()
        .map(|l| l.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every path after `crate::` (to the end of its identifiers), groups like
/// `crate::{a::b, c}` expanded to their first level.
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().last();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // `sd_crate::`, not this crate
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = matching_brace(group);
            for item in split_top_level(&group[..end]) {
                let path = path_prefix(item.trim());
                if !path.is_empty() {
                    out.insert(path);
                }
            }
            continue;
        }
        let path = path_prefix(rest);
        if !path.is_empty() {
            out.insert(path);
        }
    }
    out
}

/// Identifiers joined by `::` at the start of `text` (`a::b::C` of `a::b::C::new()`).
fn path_prefix(text: &str) -> String {
    let mut parts = Vec::new();
    let mut rest = text;
    loop {
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if len == 0 {
            break;
        }
        parts.push(&rest[..len]);
        match rest[len..].strip_prefix("::") {
            Some(next) if next.starts_with(|c: char| c.is_alphanumeric() || c == '_') => {
                rest = next
            }
            _ => break,
        }
    }
    parts.join("::")
}

fn matching_brace(text: &str) -> usize {
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return i,
            '}' => depth -= 1,
            _ => {}
        }
    }
    text.len()
}

fn split_top_level(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&text[start..]);
    out
}
