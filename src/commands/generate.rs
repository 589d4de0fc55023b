//! `sd generate completions|man|all --dir DIR` (hidden): writes the completion scripts and man
//! pages generated from the clap tree, for packagers and for refreshing the checked-in copies.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Arg, ArgMatches, Command};

use crate::cli::{generate, output};
use crate::commands::CmdResult;

pub fn cli() -> Command {
    Command::new("generate")
        .about("Writes shell completions and man pages generated from the command definitions")
        .hide(true)
        .arg(
            Arg::new("what")
                .value_parser(["completions", "man", "all"])
                .default_value("all")
                .help("What to generate"),
        )
        .arg(
            crate::goflag::opt(
                "dir",
                "DIR",
                "Directory to write into (completions/ and man/ are created in it)",
            )
            .default_value("."),
        )
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let dir = PathBuf::from(
        m.get_one::<String>("dir")
            .map(String::as_str)
            .unwrap_or("."),
    );
    let what = m
        .get_one::<String>("what")
        .map(String::as_str)
        .unwrap_or("all");
    let root = crate::command();
    let files = generate::all(&root).context("rendering man pages")?;
    let mut written = 0;
    for (rel, bytes) in files {
        let wanted = what == "all"
            || rel.starts_with(&format!("{what}/"))
            || (what == "man" && rel.starts_with("man/"));
        if !wanted {
            continue;
        }
        let path = dir.join(&rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
        written += 1;
    }
    output::println(&format!("Wrote {written} files under {}", dir.display()));
    Ok(ExitCode::SUCCESS)
}
