//! consul-template's `scratch`: a per-render key/value store a template fills and reads
//! (`{{ scratch.Set "k" 1 }}`, `{{ scratch.Get "k" }}`, `Key`, `SetX`, `MapSet`, `MapSetX`,
//! `MapValues`). Go calls methods on the value `scratch` returns; gotmpl has no methods, so the
//! source is rewritten before parsing: inside actions `scratch.Set` becomes `scratch_Set`, a
//! function of the same length (error columns stay right). A `scratch` stored in a variable
//! (`$s := scratch`) is not supported.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use gotmpl::{FuncMap, TemplateError, Value};

/// The methods, longest first so `SetX` is not read as `Set`.
const METHODS: &[&str] = &[
    "MapValues",
    "MapSetX",
    "MapSet",
    "SetX",
    "Set",
    "Get",
    "Key",
];

/// One template's store, emptied before each render (as consul-template makes a new one).
pub(crate) type Store = Arc<Mutex<BTreeMap<String, Value>>>;

/// `src` with `scratch.<Method>` inside the `left`..`right` actions renamed `scratch_<Method>`.
pub(crate) fn rewrite(src: &str, left: &str, right: &str) -> String {
    if !src.contains("scratch.") {
        return src.to_string();
    }
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while let Some(start) = rest.find(left) {
        let (text, action) = rest.split_at(start + left.len());
        out.push_str(text);
        let end = action.find(right).map_or(action.len(), |e| e + right.len());
        let (inside, after) = action.split_at(end);
        out.push_str(&rename(inside));
        rest = after;
    }
    out.push_str(rest);
    out
}

fn rename(action: &str) -> String {
    let mut out = action.to_string();
    for m in METHODS {
        let from = format!("scratch.{m}");
        let mut search = 0;
        while let Some(pos) = out[search..].find(&from).map(|p| p + search) {
            let before_ok = out[..pos]
                .chars()
                .next_back()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '.' || c == '$'));
            let after = out[pos + from.len()..].chars().next();
            let after_ok = after.is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
            if before_ok && after_ok {
                out.replace_range(pos..pos + from.len(), &format!("scratch_{m}"));
            }
            search = pos + from.len();
        }
    }
    out
}

fn key(function: &str, args: &[Value], i: usize) -> gotmpl::Result<Arc<str>> {
    match args.get(i) {
        Some(Value::String(s)) => Ok(s.clone()),
        _ => Err(TemplateError::Exec(format!(
            "scratch.{function}: argument {} must be a string",
            i + 1
        ))),
    }
}

fn want(function: &str, args: &[Value], n: usize) -> gotmpl::Result<()> {
    if args.len() == n {
        return Ok(());
    }
    Err(TemplateError::Exec(format!(
        "scratch.{function}: want {n} arguments, got {}",
        args.len()
    )))
}

fn lock(store: &Store) -> std::sync::MutexGuard<'_, BTreeMap<String, Value>> {
    store.lock().unwrap_or_else(|p| p.into_inner())
}

/// Registers the `scratch_*` functions over `store`.
pub(crate) fn register(map: &mut FuncMap, store: &Store) {
    let s = store.clone();
    map.insert(
        "scratch_Key".into(),
        Arc::new(move |a: &[Value]| {
            want("Key", a, 1)?;
            Ok(Value::Bool(lock(&s).contains_key(&*key("Key", a, 0)?)))
        }),
    );
    let s = store.clone();
    map.insert(
        "scratch_Get".into(),
        Arc::new(move |a: &[Value]| {
            want("Get", a, 1)?;
            Ok(lock(&s)
                .get(&*key("Get", a, 0)?)
                .cloned()
                .unwrap_or(Value::Nil))
        }),
    );
    for (name, overwrite) in [("Set", true), ("SetX", false)] {
        let s = store.clone();
        map.insert(
            format!("scratch_{name}"),
            Arc::new(move |a: &[Value]| {
                want(name, a, 2)?;
                let k = key(name, a, 0)?.to_string();
                let mut values = lock(&s);
                if overwrite || !values.contains_key(&k) {
                    values.insert(k, a[1].clone());
                }
                Ok(Value::String("".into()))
            }),
        );
    }
    for (name, overwrite) in [("MapSet", true), ("MapSetX", false)] {
        let s = store.clone();
        map.insert(
            format!("scratch_{name}"),
            Arc::new(move |a: &[Value]| {
                want(name, a, 3)?;
                let k = key(name, a, 0)?.to_string();
                let mk = key(name, a, 1)?;
                let mut values = lock(&s);
                let mut inner = match values.get(&k) {
                    Some(Value::Map(m)) => (**m).clone(),
                    _ => BTreeMap::new(),
                };
                if overwrite || !inner.contains_key(&mk) {
                    inner.insert(mk, a[2].clone());
                }
                values.insert(k, Value::Map(Arc::new(inner)));
                Ok(Value::String("".into()))
            }),
        );
    }
    let s = store.clone();
    map.insert(
        "scratch_MapValues".into(),
        Arc::new(move |a: &[Value]| {
            want("MapValues", a, 1)?;
            Ok(match lock(&s).get(&*key("MapValues", a, 0)?) {
                Some(Value::Map(m)) => Value::List(m.values().cloned().collect()),
                _ => Value::List(Vec::new().into()),
            })
        }),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_only_inside_actions() {
        let src = "scratch.Set stays {{ scratch.Set \"a\" 1 }}{{scratch.SetX \"b\" 2}}{{ $x.scratch.Get }}";
        assert_eq!(
            rewrite(src, "{{", "}}"),
            "scratch.Set stays {{ scratch_Set \"a\" 1 }}{{scratch_SetX \"b\" 2}}{{ $x.scratch.Get }}"
        );
        assert_eq!(
            rewrite("[[ scratch.Get \"a\" ]]", "[[", "]]"),
            "[[ scratch_Get \"a\" ]]"
        );
    }
}
