//! YAML and TOML: `toYAML`, `parseYAML`, `toTOML`. Values are encoded the way `toJSON`
//! encodes them (maps with sorted keys, whole floats as integers) and the output is trimmed,
//! as consul-template trims it; `parseYAML ""` is an empty map.

use std::collections::BTreeMap;
use std::sync::Arc;

use gotmpl::Value;

use super::encode::to_go_json;
use super::{arity, fail, string, string_fn, value_fn};

pub(super) fn register(map: &mut gotmpl::FuncMap) {
    value_fn(map, "toYAML", |a| {
        arity("toYAML", a, 1)?;
        let text = serde_yaml_ng::to_string(&to_go_json(&a[0])).map_err(|e| fail("toYAML", e))?;
        Ok(string(text.trim()))
    });
    value_fn(map, "toTOML", |a| {
        arity("toTOML", a, 1)?;
        let json = to_go_json(&a[0]);
        if !json.is_object() {
            return Err(fail(
                "toTOML",
                "only a map can be encoded as a TOML document",
            ));
        }
        let text = toml::to_string(&json).map_err(|e| fail("toTOML", e))?;
        Ok(string(text.trim()))
    });
    string_fn(map, "parseYAML", |[s]| {
        if s.is_empty() {
            return Ok(Value::Map(Arc::new(BTreeMap::new())));
        }
        let yaml: serde_yaml_ng::Value =
            serde_yaml_ng::from_str(s).map_err(|e| fail("parseYAML", e))?;
        Ok(from_yaml(&yaml))
    });
}

/// YAML as Go's yaml.v2 decodes it into `interface{}`: integers stay integers.
fn from_yaml(v: &serde_yaml_ng::Value) -> Value {
    use serde_yaml_ng::Value as Y;
    match v {
        Y::Null => Value::Nil,
        Y::Bool(b) => Value::Bool(*b),
        Y::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Value::Int(i),
            (None, Some(u)) => Value::Uint(u),
            _ => Value::Float(n.as_f64().unwrap_or(0.0)),
        },
        Y::String(s) => string(s.as_str()),
        Y::Sequence(items) => Value::List(items.iter().map(from_yaml).collect()),
        Y::Mapping(m) => Value::Map(Arc::new(
            m.iter()
                .map(|(k, v)| (Arc::from(key_text(k).as_str()), from_yaml(v)))
                .collect(),
        )),
        Y::Tagged(t) => from_yaml(&t.value),
    }
}

fn key_text(k: &serde_yaml_ng::Value) -> String {
    match k {
        serde_yaml_ng::Value::String(s) => s.clone(),
        other => serde_yaml_ng::to_string(other)
            .map(|s| s.trim().to_string())
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{ok, render};

    #[test]
    fn yaml_round_trip() {
        let src = r#"{{ $m := parseYAML "name: web\nport: 80\ntags: [a, b]\nratio: 0.5" }}{{ $m.port }} {{ index $m.tags 1 }} {{ $m.ratio }}
{{ toYAML $m }}"#;
        assert_eq!(
            ok(src),
            "80 b 0.5\nname: web\nport: 80\nratio: 0.5\ntags:\n- a\n- b"
        );
        assert_eq!(ok(r#"{{ len (parseYAML "") }}"#), "0");
        assert!(render(r#"{{ parseYAML "a: [" }}"#, &[]).is_err());
    }

    #[test]
    fn toml_documents() {
        let src =
            r#"{{ toTOML (parseJSON "{\"name\":\"web\",\"port\":80,\"db\":{\"host\":\"x\"}}") }}"#;
        assert_eq!(ok(src), "name = \"web\"\nport = 80\n\n[db]\nhost = \"x\"");
        assert!(render(r#"{{ toTOML "text" }}"#, &[]).is_err());
    }

    #[test]
    fn md5() {
        assert_eq!(
            ok(r#"{{ md5sum "hello" }}"#),
            "5d41402abc4b2a76b9719d911017c592"
        );
    }
}
