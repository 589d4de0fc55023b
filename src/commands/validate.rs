//! `sd validate [-config-format=json|hcl] [-quiet] FILE_OR_DIR...`: loads config files and
//! directories exactly as `sd agent -config-file ...` would (same parsing, merging, environment
//! and validation, including Consul's requirement that `data_dir` be set) and reports the
//! first problem. Prints `Configuration is valid!` and exits 0, or prints
//! `Config validation failed: ...` to stderr and exits 1.

use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::cli::output;
use crate::commands::CmdResult;
use crate::config::{self, FlagValues, LoadInput, RuntimeConfig};
use crate::goflag::{flag, get_all, get_flag, get_str, opt};

pub fn cli() -> Command {
    Command::new("validate")
        .about("Check agent configuration files without starting an agent")
        .long_about(
            "Loads every FILE_OR_DIR the way `sd agent -config-file` would, with the same \
             parsing, merging, SD_* environment variables and checks, and reports the first \
             error.\n\n\
             Checks that look at the configuration as a whole apply too (data_dir must be set, \
             for example), so pass all the files the agent will load rather than one \
             fragment.\n\n\
             Exit status: 0 when the configuration loads, 1 when it does not.",
        )
        .arg(opt(
            "config-format",
            "json|hcl",
            "Parse every file as json or hcl, whatever its extension.",
        ))
        .arg(flag(
            "quiet",
            "Print nothing when the configuration is valid, warnings included.",
        ))
        .arg(
            Arg::new("paths")
                .value_name("FILE_OR_DIR")
                .help("Configuration files, or directories of them, to check")
                .num_args(1..)
                .action(ArgAction::Append),
        )
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let paths = get_all(m, "paths");
    let quiet = get_flag(m, "quiet");
    match check(&paths, get_str(m, "config-format"), &config::process_env) {
        Ok(rt) => {
            if !quiet {
                for warning in &rt.warnings {
                    output::eprintln(&format!("==> {warning}"));
                }
                for item in &rt.not_yet_supported {
                    output::eprintln(&format!(
                        "==> accepted, but not supported by sd yet: {item}"
                    ));
                }
                output::println("Configuration is valid!");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(message) => {
            output::eprintln(&message);
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Loads `paths` the way the agent would; the error is the message to print.
fn check(
    paths: &[String],
    format: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<RuntimeConfig, String> {
    if paths.is_empty() {
        return Err("Must specify at least one config file or directory".into());
    }
    if let Some(f) = format {
        if f != "json" && f != "hcl" {
            return Err("-config-format must be either 'hcl' or 'json'".into());
        }
    }
    let mut flags = FlagValues::new();
    if let Some(f) = format {
        flags.push("config-format", f);
    }
    for path in paths {
        // The agent's -config-file loads a directory the same way -config-dir does.
        flags.push("config-file", path.as_str());
    }
    config::load(&LoadInput::new(flags, env)).map_err(|e| format!("Config validation failed: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::no_env;
    use std::path::Path;

    fn write(dir: &Path, name: &str, text: &str) -> String {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    }

    fn minimal(dir: &Path) -> String {
        format!(
            r#"{{"bind_addr": "10.0.0.1", "data_dir": "{}"}}"#,
            dir.display()
        )
    }

    #[test]
    fn minimal_file_and_dir_pass() {
        let td = tempfile::tempdir().unwrap();
        let f = write(td.path(), "config.json", &minimal(td.path()));
        assert!(check(&[f], None, &no_env).is_ok());
        let dir = td.path().display().to_string();
        assert!(check(&[dir], None, &no_env).is_ok());
    }

    #[test]
    fn forced_formats() {
        let td = tempfile::tempdir().unwrap();
        let json = write(td.path(), "json.conf", &minimal(td.path()));
        assert!(check(std::slice::from_ref(&json), Some("json"), &no_env).is_ok());
        // JSON is valid HCL.
        assert!(check(std::slice::from_ref(&json), Some("hcl"), &no_env).is_ok());
        let hcl = write(
            td.path(),
            "hcl.conf",
            &format!(
                "bind_addr = \"10.0.0.1\"\ndata_dir = \"{}\"\n",
                td.path().display()
            ),
        );
        assert!(check(std::slice::from_ref(&hcl), Some("hcl"), &no_env).is_ok());
        assert!(check(&[hcl], Some("json"), &no_env).is_err());
        let err = check(&[json], Some("yaml"), &no_env).unwrap_err();
        assert_eq!(err, "-config-format must be either 'hcl' or 'json'");
    }

    #[test]
    fn failures() {
        let td = tempfile::tempdir().unwrap();
        let empty = write(td.path(), "empty.json", "");
        let err = check(&[empty], None, &no_env).unwrap_err();
        assert!(
            err.starts_with("Config validation failed: data_dir"),
            "{err}"
        );
        assert_eq!(
            check(&[], None, &no_env).unwrap_err(),
            "Must specify at least one config file or directory"
        );
        let bad = write(
            td.path(),
            "bad.json",
            r#"{"data_dir": "/x", "ports": {"http": "x"}}"#,
        );
        let err = check(std::slice::from_ref(&bad), None, &no_env).unwrap_err();
        assert!(err.contains(&bad) && err.contains("ports.http"), "{err}");
    }

    #[test]
    fn parses_like_consul() {
        let mut root = crate::command();
        let argv = [
            "sd",
            "validate",
            "-quiet",
            "-config-format=hcl",
            "a.hcl",
            "b",
        ]
        .map(std::ffi::OsString::from)
        .to_vec();
        let argv = crate::goflag::normalize::go_style(&mut root, argv);
        let m = root.try_get_matches_from(argv).unwrap();
        let (_, m) = m.subcommand().unwrap();
        assert!(get_flag(m, "quiet"));
        assert_eq!(get_str(m, "config-format"), Some("hcl"));
        assert_eq!(get_all(m, "paths"), ["a.hcl", "b"]);
    }
}
