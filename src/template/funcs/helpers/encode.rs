//! Parsing and encoding: `parseBool`, `parseInt`, `parseUint`, `parseFloat`, `parseJSON`,
//! `toJSON`, `toJSONPretty`, `toUnescapedJSON`, `toUnescapedJSONPretty`, `base64Encode`,
//! `base64Decode`, `base64URLEncode`, `base64URLDecode`, `sha256Hex`, `hmacSHA256Hex`, `md5sum`.
//!
//! JSON follows Go's `encoding/json`: numbers parse as floats (`float64`), maps encode with
//! sorted keys, and `toJSON` escapes `<`, `>` and `&` as Go does for HTML safety.

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::Engine as _;
use gotmpl::Value;

use super::{arity, fail, string, string_fn, value_fn};

pub(super) fn register(map: &mut gotmpl::FuncMap) {
    string_fn(map, "parseBool", |[s]| {
        parse_bool(s)
            .map(Value::Bool)
            .ok_or_else(|| fail("parseBool", format!("invalid syntax: {s:?}")))
    });
    string_fn(map, "parseInt", |[s]| {
        s.parse::<i64>()
            .map(Value::Int)
            .map_err(|e| fail("parseInt", format!("{s:?}: {e}")))
    });
    string_fn(map, "parseUint", |[s]| {
        s.parse::<u64>()
            .map(Value::Uint)
            .map_err(|e| fail("parseUint", format!("{s:?}: {e}")))
    });
    string_fn(map, "parseFloat", |[s]| {
        s.parse::<f64>()
            .map(Value::Float)
            .map_err(|e| fail("parseFloat", format!("{s:?}: {e}")))
    });
    string_fn(map, "parseJSON", |[s]| {
        if s.is_empty() {
            return Ok(Value::Map(Arc::new(BTreeMap::new())));
        }
        let json: serde_json::Value = serde_json::from_str(s).map_err(|e| fail("parseJSON", e))?;
        Ok(from_go_json(&json))
    });
    for (name, pretty, escape) in [
        ("toJSON", false, true),
        ("toJSONPretty", true, true),
        ("toUnescapedJSON", false, false),
        ("toUnescapedJSONPretty", true, false),
    ] {
        value_fn(map, name, move |a| {
            arity(name, a, 1)?;
            let json = to_go_json(&a[0]);
            let text = if pretty {
                serde_json::to_string_pretty(&json)
            } else {
                serde_json::to_string(&json)
            }
            .map_err(|e| fail(name, e))?;
            Ok(string(if escape { html_escape(&text) } else { text }))
        });
    }
    use base64::engine::general_purpose::{STANDARD, URL_SAFE};
    string_fn(map, "base64Encode", |[s]| Ok(string(STANDARD.encode(s))));
    string_fn(map, "base64URLEncode", |[s]| Ok(string(URL_SAFE.encode(s))));
    string_fn(map, "base64Decode", |[s]| {
        decode("base64Decode", &STANDARD, s)
    });
    string_fn(map, "base64URLDecode", |[s]| {
        decode("base64URLDecode", &URL_SAFE, s)
    });
    string_fn(map, "sha256Hex", |[s]| {
        Ok(string(hex(ring::digest::digest(
            &ring::digest::SHA256,
            s.as_bytes(),
        )
        .as_ref())))
    });
    string_fn(map, "md5sum", |[s]| Ok(string(md5_hex(s.as_bytes()))));
    string_fn(map, "hmacSHA256Hex", |[message, key]| {
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key.as_bytes());
        Ok(string(hex(
            ring::hmac::sign(&key, message.as_bytes()).as_ref()
        )))
    });
}

/// Go's `strconv.ParseBool`.
fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

fn decode(
    function: &str,
    engine: &base64::engine::GeneralPurpose,
    s: &str,
) -> gotmpl::Result<Value> {
    let bytes = engine.decode(s).map_err(|e| fail(function, e))?;
    String::from_utf8(bytes)
        .map(string)
        .map_err(|_| fail(function, "the decoded bytes are not UTF-8"))
}

/// The MD5 of `bytes` in lower-case hex (`md5sum`, and the name of a template under `-dedup`).
pub(crate) fn md5_hex(bytes: &[u8]) -> String {
    use md5::Digest as _;
    hex(&md5::Md5::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// JSON as Go's `json.Unmarshal` into `interface{}` gives it: every number a float64.
pub(super) fn from_go_json(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or(0.0)),
        serde_json::Value::Array(a) => Value::List(a.iter().map(from_go_json).collect()),
        serde_json::Value::Object(o) => Value::Map(Arc::new(
            o.iter()
                .map(|(k, v)| (Arc::from(k.as_str()), from_go_json(v)))
                .collect(),
        )),
        other => crate::gotemplate::from_json(other),
    }
}

/// A template value as Go's `json.Marshal` writes it: a float with no fraction (below 1e21)
/// without a decimal point.
pub(super) fn to_go_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Nil => serde_json::Value::Null,
        Value::Bool(b) => (*b).into(),
        Value::Int(i) => (*i).into(),
        Value::Uint(u) => (*u).into(),
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => (*f as i64).into(),
        Value::Float(f) => serde_json::Number::from_f64(*f)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        Value::String(s) => s.to_string().into(),
        Value::List(l) => l.iter().map(to_go_json).collect(),
        Value::Map(m) => serde_json::Value::Object(
            m.iter()
                .map(|(k, v)| (k.to_string(), to_go_json(v)))
                .collect(),
        ),
        Value::Function(_) => serde_json::Value::Null,
    }
}

/// Go's HTML-safe JSON: `<`, `>`, `&`, U+2028 and U+2029 as `\u` escapes (they only occur
/// inside strings, so replacing them in the text is exact).
fn html_escape(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{ok, render};

    #[test]
    fn parse_and_encode_as_go_does() {
        let cases = [
            (
                r#"{{ parseBool "T" }} {{ parseInt "-3" }} {{ parseUint "7" }} {{ parseFloat "1.5" }}"#,
                "true -3 7 1.5",
            ),
            (
                r#"{{ $j := parseJSON "{\"n\":3,\"f\":1.5,\"l\":[1]}" }}{{ $j.n }} {{ $j.f }} {{ printf "%.1f" $j.n }}"#,
                "3 1.5 3.0",
            ),
            (r#"{{ parseJSON "" }}"#, "map[]"),
            (
                r#"{{ parseJSON "{\"b\":1,\"a\":\"<x>\"}" | toJSON }}"#,
                r#"{"a":"\u003cx\u003e","b":1}"#,
            ),
            (
                r#"{{ parseJSON "{\"a\":\"<x>\"}" | toUnescapedJSON }}"#,
                r#"{"a":"<x>"}"#,
            ),
            (
                "{{ parseJSON \"{\\\"a\\\":[1,2]}\" | toJSONPretty }}",
                "{\n  \"a\": [\n    1,\n    2\n  ]\n}",
            ),
            (
                r#"{{ base64Encode "hi?" }} {{ base64URLEncode "hi?" }} {{ base64Decode "aGk/" }}"#,
                "aGk/ aGk_ hi?",
            ),
            (
                r#"{{ sha256Hex "abc" }}"#,
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            ),
            (
                r#"{{ hmacSHA256Hex "msg" "key" }}"#,
                "2d93cbc1be167bcb1637a4a23cbff01a7878f0c50ee833954ea5221bb1b8c628",
            ),
        ];
        for (src, want) in cases {
            assert_eq!(ok(src), want, "{src}");
        }
    }

    #[test]
    fn bad_input_names_the_function() {
        for (src, name) in [
            (r#"{{ parseInt "x" }}"#, "parseInt"),
            (r#"{{ parseBool "yes" }}"#, "parseBool"),
            (r#"{{ parseJSON "{" }}"#, "parseJSON"),
            (r#"{{ base64Decode "!!" }}"#, "base64Decode"),
        ] {
            let err = render(src, &[]).unwrap_err();
            assert!(err.contains(name), "{src}: {err}");
        }
    }
}
