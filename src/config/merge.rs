//! Merging config sources the way Consul does (objects merge key by key, recursively; lists
//! append; anything else is replaced by the later source) and small helpers to read and write
//! dot-separated key paths (`ports.http`) in a JSON value.
//!
//! Part of `config`, the only module that reads environment variables.

use serde_json::{Map, Value};

/// Merges `over` into `base`: objects recursively, arrays appended, scalars replaced.
pub(crate) fn merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (key, value) in o {
                match b.get_mut(&key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        b.insert(key, value);
                    }
                }
            }
        }
        (Value::Array(b), Value::Array(o)) => b.extend(o),
        (b, o) => *b = o,
    }
}

/// The value at `path` (`a.b.c`), if every step is an object holding the next key.
pub(crate) fn get_path<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(value, |v, key| v.as_object().and_then(|m| m.get(key)))
}

/// Sets `path` to `new`, creating (or replacing non-object) intermediate objects.
pub(crate) fn set_path(value: &mut Value, path: &str, new: Value) {
    let (parent, last) = parent_mut(value, path);
    parent.insert(last.to_string(), new);
}

/// Appends `items` to the array at `path`, creating it (or replacing a non-array) as needed.
pub(crate) fn append_path(value: &mut Value, path: &str, items: Vec<Value>) {
    let (parent, last) = parent_mut(value, path);
    let slot = parent
        .entry(last.to_string())
        .or_insert_with(|| Value::Array(Vec::new()));
    if !slot.is_array() {
        *slot = Value::Array(Vec::new());
    }
    if let Value::Array(a) = slot {
        a.extend(items);
    }
}

/// Removes and returns the value at `path`.
pub(crate) fn take_path(value: &mut Value, path: &str) -> Option<Value> {
    let (parents, last) = match path.rsplit_once('.') {
        Some((p, l)) => (Some(p), l),
        None => (None, path),
    };
    let parent = match parents {
        Some(p) => p.split('.').try_fold(value, |v, key| {
            v.as_object_mut().and_then(|m| m.get_mut(key))
        })?,
        None => value,
    };
    parent.as_object_mut()?.remove(last)
}

/// The object that holds the last key of `path`, created on the way, and that last key.
fn parent_mut<'a, 'p>(
    value: &'a mut Value,
    path: &'p str,
) -> (&'a mut Map<String, Value>, &'p str) {
    let mut keys: Vec<&str> = path.split('.').collect();
    let last = keys.pop().unwrap_or(path);
    let mut cur = value;
    for key in keys {
        cur = object_mut(cur)
            .entry(key.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    (object_mut(cur), last)
}

/// `v` as an object, turning it into an empty one first if it is anything else.
fn object_mut(v: &mut Value) -> &mut Map<String, Value> {
    if !v.is_object() {
        *v = Value::Object(Map::new());
    }
    match v {
        Value::Object(m) => m,
        _ => unreachable!("just made an object"),
    }
}

/// Removes `null` members from every object, so that `"key": null` means "not set".
pub(crate) use crate::api::keys::strip_nulls;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn objects_merge_lists_append_scalars_replace() {
        let mut base = json!({"a": 1, "m": {"x": 1, "y": 2}, "l": ["a"]});
        merge(
            &mut base,
            json!({"a": 2, "m": {"y": 3, "z": 4}, "l": ["b"], "n": true}),
        );
        assert_eq!(
            base,
            json!({"a": 2, "m": {"x": 1, "y": 3, "z": 4}, "l": ["a", "b"], "n": true})
        );
    }

    #[test]
    fn paths() {
        let mut v = json!({});
        set_path(&mut v, "ports.http", json!(1));
        append_path(&mut v, "retry_join", vec![json!("a")]);
        append_path(&mut v, "retry_join", vec![json!("b")]);
        assert_eq!(get_path(&v, "ports.http"), Some(&json!(1)));
        assert_eq!(take_path(&mut v, "retry_join"), Some(json!(["a", "b"])));
        assert_eq!(v, json!({"ports": {"http": 1}}));
        assert_eq!(take_path(&mut v, "nope.x"), None);
    }

    #[test]
    fn nulls_are_unset() {
        let mut v = json!({"a": null, "b": {"c": null, "d": 1}});
        strip_nulls(&mut v);
        assert_eq!(v, json!({"b": {"d": 1}}));
    }
}
