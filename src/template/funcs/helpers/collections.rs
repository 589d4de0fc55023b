//! Grouping (`byTag`, `byKey`, `byPort`, `byMeta`), membership (`in`, `contains`,
//! `containsAll`, `containsAny`, `containsNone`, `containsNotAll`) and maps (`explode`,
//! `explodeMap`, `mergeMap`, `mergeMapWithOverride`).

use std::collections::BTreeMap;
use std::sync::Arc;

use gotmpl::Value;

use super::{arity, fail, list, map_value, string, text, value_fn};

pub(super) fn register(map: &mut gotmpl::FuncMap) {
    value_fn(map, "byTag", |a| {
        arity("byTag", a, 1)?;
        group("byTag", &a[0], |s| {
            let tags = s.field("Tags").map(|t| list("byTag", t)).transpose()?;
            Ok(tags
                .unwrap_or_default()
                .iter()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect())
        })
    });
    value_fn(map, "byPort", |a| {
        arity("byPort", a, 1)?;
        // Go's map[int]; template maps are string-keyed, so the ports range in string order.
        let mut by_port: BTreeMap<i64, Vec<Value>> = BTreeMap::new();
        for s in list("byPort", &a[0])? {
            let port = s.field("Port").and_then(Value::as_int).unwrap_or(0);
            by_port.entry(port).or_default().push(s.clone());
        }
        Ok(map_value(
            by_port
                .into_iter()
                .map(|(p, v)| (Arc::from(p.to_string()), Value::List(v.into())))
                .collect(),
        ))
    });
    value_fn(map, "byMeta", |a| {
        arity("byMeta", a, 2)?;
        let keys: Vec<&str> = text("byMeta", a, 0)?.split(',').collect();
        group("byMeta", &a[1], |s| {
            let meta = s.field("ServiceMeta");
            let mut parts = Vec::new();
            for key in &keys {
                parts.push(meta_part(meta, key)?);
            }
            Ok(vec![parts.join("_")])
        })
    });
    value_fn(map, "byKey", |a| {
        arity("byKey", a, 1)?;
        let mut out: BTreeMap<Arc<str>, BTreeMap<Arc<str>, Value>> = BTreeMap::new();
        for pair in list("byKey", &a[0])? {
            let key = pair.field("Key").and_then(Value::as_str).unwrap_or("");
            let Some((top, rest)) = key.split_once('/') else {
                continue;
            };
            if rest.is_empty() {
                continue;
            }
            let mut renamed = match pair {
                Value::Map(m) => (**m).clone(),
                _ => BTreeMap::new(),
            };
            renamed.insert("Key".into(), string(rest));
            out.entry(top.into())
                .or_default()
                .insert(rest.into(), map_value(renamed));
        }
        Ok(map_value(
            out.into_iter().map(|(k, v)| (k, map_value(v))).collect(),
        ))
    });
    value_fn(map, "in", |a| {
        arity("in", a, 2)?;
        Ok(Value::Bool(member(&a[0], &a[1])))
    });
    value_fn(map, "contains", |a| {
        arity("contains", a, 2)?;
        Ok(Value::Bool(member(&a[1], &a[0])))
    });
    // containsX (values, list): every / some value is (not) in the list.
    value_fn(map, "containsAll", |a| some("containsAll", a, true, false));
    value_fn(map, "containsAny", |a| some("containsAny", a, false, false));
    value_fn(map, "containsNone", |a| some("containsNone", a, true, true));
    value_fn(map, "containsNotAll", |a| {
        some("containsNotAll", a, false, true)
    });
    value_fn(map, "explode", |a| {
        arity("explode", a, 1)?;
        let mut root = BTreeMap::new();
        for pair in list("explode", &a[0])? {
            let key = pair.field("Key").and_then(Value::as_str).unwrap_or("");
            let value = pair.field("Value").cloned().unwrap_or(Value::Nil);
            insert_path(&mut root, key, value).map_err(|e| fail("explode", e))?;
        }
        Ok(map_value(root))
    });
    value_fn(map, "explodeMap", |a| {
        arity("explodeMap", a, 1)?;
        let mut root = BTreeMap::new();
        if let Value::Map(m) = &a[0] {
            for (k, v) in m.iter() {
                insert_path(&mut root, k, v.clone()).map_err(|e| fail("explodeMap", e))?;
            }
        }
        Ok(map_value(root))
    });
    value_fn(map, "mergeMap", |a| merge("mergeMap", a, false));
    value_fn(map, "mergeMapWithOverride", |a| {
        merge("mergeMapWithOverride", a, true)
    });
}

/// Groups the services of `v` under the keys `keys_of` gives each.
fn group(
    function: &str,
    v: &Value,
    keys_of: impl Fn(&Value) -> gotmpl::Result<Vec<String>>,
) -> gotmpl::Result<Value> {
    let mut out: BTreeMap<Arc<str>, Vec<Value>> = BTreeMap::new();
    for s in list(function, v)? {
        for k in keys_of(s)? {
            out.entry(k.into()).or_default().push(s.clone());
        }
    }
    Ok(map_value(
        out.into_iter()
            .map(|(k, v)| (k, Value::List(v.into())))
            .collect(),
    ))
}

/// One part of a `byMeta` group name: the meta value (`_no_<key>_` when unset), or with
/// `key|int` the number zero-padded to five digits; characters outside `[A-Za-z0-9_-]`
/// become `_`.
fn meta_part(meta: Option<&Value>, key: &str) -> gotmpl::Result<String> {
    let (name, as_int) = match key.strip_suffix("|int") {
        Some(n) => (n, true),
        None => (key, false),
    };
    let value = meta
        .and_then(|m| m.field(name))
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty());
    let raw = match (value, as_int) {
        (Some(v), true) => {
            let n: i64 = v
                .parse()
                .map_err(|_| fail("byMeta", format!("cannot parse {v} as number")))?;
            format!("{n:05}")
        }
        (Some(v), false) => v.to_string(),
        (None, true) => "00000".to_string(),
        (None, false) => format!("_no_{name}_"),
    };
    Ok(raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect())
}

/// Whether `v` is in `l`: an element equal in kind and value, or for a string `l` a
/// substring.
fn member(l: &Value, v: &Value) -> bool {
    match l {
        Value::List(items) => items.iter().any(|e| same(e, v)),
        Value::String(s) => matches!(v, Value::String(x) if s.contains(&**x)),
        _ => false,
    }
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Int(_) | Value::Uint(_), Value::Int(_) | Value::Uint(_)) => {
            a.as_int() == b.as_int()
        }
        (Value::Float(x), Value::Float(y)) => x == y,
        _ => false,
    }
}

/// `containsAll`/`Any`/`None`/`NotAll`: `all` = every value must pass (else some value
/// must), `invert` = pass means "not in the list".
fn some(function: &str, a: &[Value], all: bool, invert: bool) -> gotmpl::Result<Value> {
    arity(function, a, 2)?;
    let values = list(function, &a[0])?;
    let mut passes = values.iter().map(|v| member(&a[1], v) != invert);
    Ok(Value::Bool(if all {
        passes.all(|p| p)
    } else {
        passes.any(|p| p)
    }))
}

/// Puts `value` at the `/`-separated `path` of nested maps.
fn insert_path(
    root: &mut BTreeMap<Arc<str>, Value>,
    path: &str,
    value: Value,
) -> Result<(), String> {
    match path.split_once('/') {
        None => {
            if !path.is_empty() {
                root.insert(path.into(), value);
            }
            Ok(())
        }
        Some((top, rest)) => {
            let entry = root
                .entry(top.into())
                .or_insert_with(|| map_value(BTreeMap::new()));
            let Value::Map(m) = entry else {
                return Err(format!("not a map: {path:?}: {top:?} already has a value"));
            };
            insert_path(Arc::make_mut(m), rest, value)
        }
    }
}

/// `mergeMap dst src`: `dst` with the keys of `src` it lacks (recursively); with override,
/// `src` wins.
fn merge(function: &str, a: &[Value], overwrite: bool) -> gotmpl::Result<Value> {
    arity(function, a, 2)?;
    let (Value::Map(dst), Value::Map(src)) = (&a[0], &a[1]) else {
        return Err(fail(function, "both arguments must be maps"));
    };
    Ok(map_value(merge_maps(dst, src, overwrite)))
}

fn merge_maps(
    dst: &BTreeMap<Arc<str>, Value>,
    src: &BTreeMap<Arc<str>, Value>,
    overwrite: bool,
) -> BTreeMap<Arc<str>, Value> {
    let mut out = dst.clone();
    for (k, v) in src {
        let merged = match (out.get(k), v) {
            (Some(Value::Map(d)), Value::Map(s)) => map_value(merge_maps(d, s, overwrite)),
            (Some(existing), _) if !overwrite && existing.is_truthy() => existing.clone(),
            _ => v.clone(),
        };
        out.insert(k.clone(), merged);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::test_support::ok;

    const SERVICES: &str = r#"{{ $s := parseJSON "[{\"ID\":\"a\",\"Port\":80,\"Tags\":[\"x\",\"y\"],\"ServiceMeta\":{\"v\":\"1.2\",\"n\":\"7\"}},{\"ID\":\"b\",\"Port\":8080,\"Tags\":[\"y\"],\"ServiceMeta\":{}}]" }}"#;

    #[test]
    fn grouping() {
        assert_eq!(
            ok(&format!(
                "{SERVICES}{{{{ range $t, $l := byTag $s }}}}{{{{ $t }}}}:{{{{ range $l }}}}{{{{ .ID }}}}{{{{ end }}}} {{{{ end }}}}"
            )),
            "x:a y:ab "
        );
        assert_eq!(
            ok(&format!("{SERVICES}{{{{ range $p, $l := byPort $s }}}}{{{{ $p }}}}={{{{ len $l }}}} {{{{ end }}}}")),
            "80=1 8080=1 "
        );
        assert_eq!(
            ok(&format!("{SERVICES}{{{{ range $k, $l := byMeta \"v,n|int\" $s }}}}{{{{ $k }}}} {{{{ end }}}}")),
            "1_2_00007 _no_v__00000 "
        );
        let kv = r#"{{ $p := parseJSON "[{\"Key\":\"db/host\",\"Value\":\"h\"},{\"Key\":\"db/port\",\"Value\":\"1\"},{\"Key\":\"top\",\"Value\":\"t\"}]" }}"#;
        assert_eq!(
            ok(&format!("{kv}{{{{ range $d, $ps := byKey $p }}}}{{{{ $d }}}}:{{{{ range $k, $v := $ps }}}}{{{{ $k }}}}={{{{ $v.Value }}}},{{{{ end }}}}{{{{ end }}}}")),
            "db:host=h,port=1,"
        );
        assert_eq!(
            ok(&format!("{kv}{{{{ explode $p }}}}")),
            "map[db:map[host:h port:1] top:t]"
        );
    }

    #[test]
    fn membership() {
        assert_eq!(
            ok(
                r#"{{ in (split "," "a,b") "b" }} {{ "abc" | contains "bc" }} {{ contains "z" (split "," "a") }}"#
            ),
            "true true false"
        );
        assert_eq!(
            ok(
                r#"{{ $l := split "," "a,b" }}{{ containsAll (split "," "a,b") $l }} {{ containsAll (split "," "a,x") $l }} {{ containsAny (split "," "x,b") $l }} {{ containsNone (split "," "x") $l }} {{ containsNotAll (split "," "a,b") $l }}"#
            ),
            "true false true true false"
        );
        assert_eq!(ok("{{ in (loop 3) 2 }} {{ in (loop 3) 5 }}"), "true false");
    }

    #[test]
    fn merging_maps() {
        assert_eq!(
            ok(
                r#"{{ $a := parseJSON "{\"x\":1,\"n\":{\"p\":1}}" }}{{ $b := parseJSON "{\"x\":2,\"y\":3,\"n\":{\"p\":2,\"q\":4}}" }}{{ mergeMap $b $a }} {{ mergeMapWithOverride $b $a }}"#
            ),
            "map[n:map[p:2 q:4] x:2 y:3] map[n:map[p:1 q:4] x:1 y:3]"
        );
    }
}
