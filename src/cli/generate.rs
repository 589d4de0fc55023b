//! Generates shell completions (bash, zsh, fish) and man pages from the one clap tree, so the
//! checked-in `completions/` and `man/` can never drift from the binary (a test compares them).

use std::path::Path;

use clap::Command;
use clap_complete::Shell;

/// The shells completions are generated and checked in for, with their file names.
pub const SHELLS: [(Shell, &str); 3] = [
    (Shell::Bash, "sd.bash"),
    (Shell::Zsh, "_sd"),
    (Shell::Fish, "sd.fish"),
];

/// Renders the completion script for `shell`.
pub fn completion(root: &Command, shell: Shell) -> Vec<u8> {
    let mut cmd = root.clone();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "sd", &mut out);
    out
}

/// Renders one man page per visible command: `sd.1`, `sd-kv.1`, `sd-kv-get.1`, ...
/// Pages carry no date, so they only change when the commands do.
pub fn man_pages(root: &Command) -> Result<Vec<(String, Vec<u8>)>, std::io::Error> {
    let mut root = root.clone();
    root.build();
    let mut pages = Vec::new();
    collect(&root, "sd", &mut pages)?;
    Ok(pages)
}

fn collect(
    cmd: &Command,
    name: &str,
    pages: &mut Vec<(String, Vec<u8>)>,
) -> Result<(), std::io::Error> {
    let page_cmd = cmd
        .clone()
        .name(name.to_string())
        .bin_name(name.replace('-', " "));
    let mut out = Vec::new();
    clap_mangen::Man::new(page_cmd)
        .source(format!("sd {}", crate::VERSION))
        .render(&mut out)?;
    pages.push((format!("{name}.1"), out));
    for sub in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        collect(sub, &format!("{name}-{}", sub.get_name()), pages)?;
    }
    Ok(())
}

/// Every generated file, as (path relative to the repository root, contents).
pub fn all(root: &Command) -> Result<Vec<(String, Vec<u8>)>, std::io::Error> {
    let mut files: Vec<(String, Vec<u8>)> = SHELLS
        .iter()
        .map(|(shell, file)| (format!("completions/{file}"), completion(root, *shell)))
        .collect();
    files.extend(
        man_pages(root)?
            .into_iter()
            .map(|(name, page)| (format!("man/{name}"), page)),
    );
    Ok(files)
}

/// Writes every generated file under `dir`.
pub fn write_all(root: &Command, dir: &Path) -> Result<usize, std::io::Error> {
    let files = all(root)?;
    for (rel, bytes) in &files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, bytes)?;
    }
    Ok(files.len())
}
