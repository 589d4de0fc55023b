//! Where consul-template's configuration comes from and in which order it is layered:
//! `CT_LOCAL_CONFIG` first, then each `-config` path (a file, or a directory walked recursively
//! in lexical order without following symlinks), then the command-line flags, later layers
//! winning. Files are HCL (HCL 1 or 2) or JSON whatever their name, as in consul-template.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::decode::decode;
use super::Config;
use crate::config::file::{parse_text, Format};

/// The inputs of one load; kept by the run so the reload signal can read the files again.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// `CT_LOCAL_CONFIG`'s text, if set.
    pub local_config: Option<String>,
    /// `-config` paths, in command-line order.
    pub paths: Vec<PathBuf>,
    /// The flags, already in the configuration's shape.
    pub flags: Value,
}

/// Reads and layers every source and decodes the result.
pub fn load(sources: &Sources) -> Result<Config, String> {
    let mut merged = Value::Object(Map::new());
    if let Some(text) = &sources.local_config {
        if let Some(v) = parse("CT_LOCAL_CONFIG", text)? {
            layer(&mut merged, v, "CT_LOCAL_CONFIG")?;
        }
    }
    for path in &sources.paths {
        for file in files_of(path)? {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| format!("config file {}: {e}", file.display()))?;
            let name = format!("config file {}", file.display());
            if let Some(v) = parse(&name, &text)? {
                layer(&mut merged, v, &name)?;
            }
        }
    }
    layer(&mut merged, sources.flags.clone(), "the command line")?;
    let mut config = decode(merged)?;
    // As in consul-template, `-template-error-fatal` on the command line overrides every
    // template's own `error_fatal`.
    if let Some(fatal) = sources
        .flags
        .get("template_error_fatal")
        .and_then(Value::as_bool)
    {
        for t in &mut config.templates {
            t.error_fatal = Some(fatal);
        }
    }
    Ok(config)
}

fn parse(name: &str, text: &str) -> Result<Option<Value>, String> {
    parse_text(name, text, Format::Hcl).map_err(|e| e.to_string())
}

/// The files of `path`: itself, or every regular file under it in lexical order (symlinks are
/// neither followed nor read, as Go's `filepath.Walk` does).
fn files_of(path: &Path) -> Result<Vec<PathBuf>, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("-config {}: {e}", path.display()))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    walk(path, &mut out)?;
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("-config {}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for entry in entries {
        let meta = std::fs::symlink_metadata(&entry)
            .map_err(|e| format!("-config {}: {e}", entry.display()))?;
        if meta.is_dir() {
            walk(&entry, out)?;
        } else if meta.is_file() {
            out.push(entry);
        }
    }
    Ok(())
}

/// Keys whose value is one block: a list of one object (HCL 1 blocks, repeated blocks) becomes
/// that object.
const BLOCKS: &[&str] = &[
    "consul",
    "consul.auth",
    "consul.retry",
    "consul.ssl",
    "consul.transport",
    "deduplicate",
    "default_delimiters",
    "exec",
    "exec.env",
    "log_file",
    "syslog",
    "wait",
];

/// The same inside each `template {}`.
const TEMPLATE_BLOCKS: &[&str] = &["exec", "exec.env", "wait"];

/// Shapes one source (blocks as objects, `template` as a list) and merges it into `into`:
/// objects merge key by key, `template` lists append, anything else is replaced.
fn layer(into: &mut Value, mut source: Value, name: &str) -> Result<(), String> {
    let Value::Object(map) = &mut source else {
        return Err(format!("{name}: expected a set of keys at the top level"));
    };
    flatten(map, BLOCKS, name)?;
    if let Some(t) = map.get_mut("template") {
        if t.is_object() {
            *t = Value::Array(vec![t.take()]);
        }
        if let Value::Array(list) = t {
            for (i, item) in list.iter_mut().enumerate() {
                let Value::Object(tmap) = item else {
                    return Err(format!("{name}: template[{i}] is not a block"));
                };
                flatten(tmap, TEMPLATE_BLOCKS, name)?;
            }
        }
    }
    super::decode::check(&source).map_err(|e| format!("{name}: {e}"))?;
    merge(into, source);
    Ok(())
}

fn flatten(map: &mut Map<String, Value>, keys: &[&str], name: &str) -> Result<(), String> {
    for key in keys {
        let mut steps = key.split('.').peekable();
        let mut cur = &mut *map;
        while let Some(step) = steps.next() {
            let Some(v) = cur.get_mut(step) else { break };
            if let Value::Array(list) = v {
                match list.len() {
                    1 if list[0].is_object() => *v = list.remove(0),
                    _ if list.iter().all(Value::is_object) => {
                        return Err(format!("{name}: {key} is given more than once"))
                    }
                    _ => break,
                }
            }
            if steps.peek().is_none() {
                break;
            }
            let Value::Object(next) = v else { break };
            cur = next;
        }
    }
    Ok(())
}

fn merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (key, value) in o {
                match (key.as_str(), b.get_mut(&key)) {
                    ("template", Some(Value::Array(existing))) => {
                        if let Value::Array(more) = value {
                            existing.extend(more);
                        }
                    }
                    (_, Some(existing)) => merge(existing, value),
                    (_, None) => {
                        b.insert(key, value);
                    }
                }
            }
        }
        (b, o) => *b = o,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn layers_merge_in_order_and_templates_add_up() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("b")).unwrap();
        std::fs::write(
            dir.path().join("a.hcl"),
            "consul { address = \"10.0.0.1:8500\" }\nmax_stale = \"10m\"\n\
             template {\n  source = \"one.ctmpl\"\n  wait { min = \"2s\" }\n}\n\
             template {\n  contents = \"x\"\n}\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("b/c.json"),
            r#"{"consul": {"token": "t"}, "template": {"source": "three.ctmpl"}}"#,
        )
        .unwrap();
        std::os::unix::fs::symlink("/etc/passwd", dir.path().join("z.hcl")).unwrap();
        let sources = Sources {
            local_config: Some("log_level = \"debug\"\nmax_stale = \"1s\"".into()),
            paths: vec![dir.path().to_path_buf()],
            flags: json!({"consul": {"address": "127.0.0.9:8500"}, "template": [{"source": "four"}]}),
        };
        let c = load(&sources).unwrap();
        assert_eq!(c.consul.address.as_deref(), Some("127.0.0.9:8500"));
        assert_eq!(c.consul.token.as_deref(), Some("t"));
        assert_eq!(c.log_level, "debug");
        assert_eq!(c.max_stale, std::time::Duration::from_secs(600));
        let names: Vec<_> = c.templates.iter().map(|t| t.source.clone()).collect();
        assert_eq!(names.len(), 4, "{names:?}");
        assert_eq!(
            c.templates[0].wait.unwrap().min,
            std::time::Duration::from_secs(2)
        );
        assert_eq!(
            c.templates[2].source.as_deref(),
            Some(Path::new("three.ctmpl"))
        );
    }

    #[test]
    fn errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("bad.hcl");
        std::fs::write(&f, "template {\n  source = \n}\n").unwrap();
        let e = load(&Sources {
            paths: vec![f.clone()],
            flags: json!({}),
            ..Default::default()
        })
        .unwrap_err();
        assert!(e.contains("bad.hcl"), "{e}");
        let e = load(&Sources {
            paths: vec![dir.path().join("missing.hcl")],
            flags: json!({}),
            ..Default::default()
        })
        .unwrap_err();
        assert!(
            e.starts_with("-config ") && e.contains("missing.hcl"),
            "{e}"
        );
    }
}
