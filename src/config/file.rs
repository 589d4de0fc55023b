//! Reading config files and directories and parsing JSON or HCL into a JSON value with
//! Consul's key names. A path may name a file (its extension picks the format unless
//! `-config-format` forces one) or a directory (its `*.json` and `*.hcl` files, alphabetically,
//! no subdirectories; other files are skipped with a warning, as Consul does). An empty file
//! contributes nothing. HCL is parsed by hcl-rs (HCL 2 syntax), falling back to sd's HCL 1
//! reader (`hcl1.rs`) for Consul-era syntax HCL 2 rejects; like Consul's parser, a file read as
//! HCL may also be plain JSON.
//!
//! Part of `config`, the only module that reads environment variables.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::error::ConfigError;
use super::hcl_guard;

/// The syntax of a config source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Hcl,
}

impl Format {
    /// Parses a `-config-format` value.
    pub fn parse(s: &str) -> Result<Format, ConfigError> {
        match s {
            "json" => Ok(Format::Json),
            "hcl" => Ok(Format::Hcl),
            other => Err(ConfigError::Value {
                origin: "-config-format".into(),
                value: other.into(),
                message: "must be either 'hcl' or 'json'".into(),
            }),
        }
    }

    fn from_extension(path: &Path) -> Option<Format> {
        match path.extension().and_then(|e| e.to_str()) {
            Some("json") => Some(Format::Json),
            Some("hcl") => Some(Format::Hcl),
            _ => None,
        }
    }
}

/// One config file's content, parsed.
#[derive(Debug, Clone)]
pub(crate) struct FileSource {
    pub path: PathBuf,
    /// `None` for an empty file.
    pub value: Option<Value>,
}

/// How a source is named in messages: `config file /etc/sd/a.json`.
pub(crate) fn file_source_name(path: &Path) -> String {
    format!("config file {}", path.display())
}

/// Loads `path` (a file, or a directory of files) in the given or inferred format.
pub(crate) fn sources_from_path(
    path: &Path,
    format: Option<Format>,
    warnings: &mut Vec<String>,
) -> Result<Vec<FileSource>, ConfigError> {
    let read_err = |source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(read_err)?;
    if !meta.is_dir() {
        let Some(format) = format.or_else(|| Format::from_extension(path)) else {
            return Err(ConfigError::Parse {
                source_name: file_source_name(path),
                message:
                    "unknown extension; name it *.json or *.hcl, or set -config-format=json|hcl"
                        .into(),
            });
        };
        return Ok(vec![read_file(path, format)?]);
    }
    let mut entries: Vec<(String, PathBuf)> = std::fs::read_dir(path)
        .map_err(read_err)?
        .filter_map(Result::ok)
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    entries.sort();
    let mut out = Vec::new();
    for (_, file) in entries {
        // Follows symlinks: a link to a directory is a directory and is skipped.
        match std::fs::metadata(&file) {
            Ok(m) if m.is_dir() => continue,
            Ok(_) => {}
            Err(source) => return Err(ConfigError::Read { path: file, source }),
        }
        match format.or_else(|| Format::from_extension(&file)) {
            Some(f) => out.push(read_file(&file, f)?),
            None => warnings.push(format!(
                "skipping file {}, extension must be .hcl or .json, or config format must be set",
                file.display()
            )),
        }
    }
    Ok(out)
}

fn read_file(path: &Path, format: Format) -> Result<FileSource, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let value = parse_text(&file_source_name(path), &text, format)?;
    Ok(FileSource {
        path: path.to_path_buf(),
        value,
    })
}

/// Parses config text; `None` when it holds nothing but whitespace.
pub(crate) fn parse_text(
    source_name: &str,
    text: &str,
    format: Format,
) -> Result<Option<Value>, ConfigError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let parsed = match format {
        Format::Json => serde_json::from_str::<Value>(text).map_err(|e| e.to_string()),
        // HCL 1 (Consul's parser) accepts JSON; an HCL 2 body never starts with `{`.
        Format::Hcl if text.trim_start().starts_with('{') => {
            serde_json::from_str::<Value>(text).map_err(|e| e.to_string())
        }
        // Consul's files are HCL 1; what HCL 2 rejects gets a second chance as HCL 1. Text
        // that could keep hcl-rs busy for seconds is refused first.
        Format::Hcl => hcl_guard::check(text).and_then(|()| {
            hcl::from_str::<Value>(text)
                .or_else(|e| super::hcl1::parse(text).map_err(|_| one_line(&e.to_string())))
        }),
    };
    parsed.map(Some).map_err(|message| ConfigError::Parse {
        source_name: source_name.to_string(),
        message,
    })
}

/// hcl-rs renders parse errors as a multi-line excerpt (`--> HCL parse error in line 3,
/// column 15`, the source line, `= expected ...`); keep the position and the reason on one line.
fn one_line(message: &str) -> String {
    let position = message
        .lines()
        .find_map(|l| l.split_once("parse error in ").map(|(_, pos)| pos.trim()));
    let reason = message
        .lines()
        .find_map(|l| l.trim().strip_prefix("= ").map(str::trim));
    match (position, reason) {
        (Some(pos), Some(reason)) => format!("HCL parse error in {pos}: {reason}"),
        _ => message
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_and_hcl_parse_alike() {
        let j = parse_text(
            "j",
            r#"{"ports": {"http": 1}, "server": true}"#,
            Format::Json,
        )
        .unwrap()
        .unwrap();
        let h = parse_text("h", "ports {\n  http = 1\n}\nserver = true\n", Format::Hcl)
            .unwrap()
            .unwrap();
        assert_eq!(j, h);
        assert_eq!(j, json!({"ports": {"http": 1}, "server": true}));
    }

    #[test]
    fn hcl1_syntax_is_accepted() {
        let v = parse_text(
            "h",
            "a = {\n  x = 1\n},\nnode_meta {\n  \"k-1\" = \"v\"\n}\n",
            Format::Hcl,
        )
        .unwrap()
        .unwrap();
        assert_eq!(v, json!({"a": {"x": 1}, "node_meta": {"k-1": "v"}}));
    }

    #[test]
    fn empty_text_is_nothing() {
        assert!(parse_text("x", "  \n", Format::Json).unwrap().is_none());
    }

    #[test]
    fn json_errors_have_line_and_column() {
        let err = parse_text("config file a.json", "{\n  \"a\": 1,\n}", Format::Json)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("config file a.json: "), "{err}");
        assert!(err.contains("line 3 column 1"), "{err}");
    }

    #[test]
    fn hcl_errors_have_a_location() {
        let err = parse_text("config file a.hcl", "server = \n ports {", Format::Hcl)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("config file a.hcl: HCL parse error in line "),
            "{err}"
        );
        assert!(err.contains("column") && !err.contains('\n'), "{err}");
    }

    #[test]
    fn bad_format_name() {
        let err = Format::parse("yaml").unwrap_err().to_string();
        assert!(err.contains("-config-format") && err.contains("'hcl' or 'json'"));
    }

    #[test]
    fn text_nested_too_deep_is_refused_before_the_hcl_parser_sees_it() {
        // Found by fuzzing: hcl-rs took 15 s on these 659 bytes.
        let slow = include_str!("../../fuzz/regressions/acl_rules/hcl-edit-backtracking-14s");
        let err = parse_text("rules", slow, Format::Hcl)
            .unwrap_err()
            .to_string();
        assert!(err.contains("nested more than 12 deep"), "{err}");
        let slower = include_str!("../../fuzz/regressions/acl_rules/hcl-edit-backtracking-19-deep");
        assert!(parse_text("rules", slower, Format::Hcl).is_err());
        let deep = format!("a = {}1{}", "[".repeat(12), "]".repeat(12));
        assert!(parse_text("f", &deep, Format::Hcl).is_ok());
        let deeper = format!("a = {}1{}", "[".repeat(13), "]".repeat(13));
        assert!(parse_text("f", &deeper, Format::Hcl).is_err());
        // Bug 14: 12 levels, each opened after a chain of minus signs, took 3.5 s.
        let chains =
            include_str!("../../fuzz/regressions/config/brackets-12-deep-with-minus-chains-3s");
        let err = parse_text("f", chains, Format::Hcl)
            .unwrap_err()
            .to_string();
        assert!(err.contains("8 deep inside operators' operands"), "{err}");
        // Interpolations are levels too: these took hcl-rs 18 ms at 14 and doubled with each.
        let strings = format!("a = {}1!6", r#""${1-2-"#.repeat(20));
        let err = parse_text("f", &strings, Format::Hcl)
            .unwrap_err()
            .to_string();
        assert!(err.contains("nested more than 12 deep"), "{err}");
    }
}
