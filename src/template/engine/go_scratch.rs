//! consul-template's `scratch`: a per-render key/value store a template fills and reads
//! (`{{ scratch.Set "k" 1 }}`, `{{ scratch.Get "k" }}`, `Key`, `SetX`, `MapSet`, `MapSetX`,
//! `MapValues`). Go calls methods on the value `scratch` returns; gotmpl has no methods, so
//! `go_rewrite` renames `scratch.Set` to the function `scratch_Set` before parsing. A `scratch`
//! stored in a variable (`$s := scratch`) is not supported.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use gotmpl::{FuncMap, TemplateError, Value};

/// One template's store, emptied before each render (as consul-template makes a new one).
pub(crate) type Store = Arc<Mutex<BTreeMap<String, Value>>>;

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
