//! consul-template's helper functions (grouping, membership, strings, parse/encode, YAML/TOML,
//! maps, math, `env`, `loop`, `timestamp`, `sockaddr`, `writeToFile`, `plugin`) over
//! `gotmpl::Value`, registered on both engines (Tera gets them
//! as filters and functions through `engine::tera`).
//!
//! consul-template's argument order is kept: the piped value is the last argument, so
//! `{{ .Tags | contains "web" }}` is `contains "web" .Tags`, and `{{ 5 | subtract 2 }}` is 3.

mod collections;
mod encode;
pub(crate) use encode::md5_hex;
mod files;
mod formats;
mod math;
mod misc;
pub(crate) use misc::MAX_LOOP;
mod strings;

use std::collections::BTreeMap;
use std::sync::Arc;

use gotmpl::{TemplateError, Value};

/// What the helpers may read of the outside world: the environment, taken once when the run
/// starts (only the config layer reads environment variables).
#[derive(Debug, Clone, Default)]
pub(crate) struct HelperContext {
    pub env: Arc<BTreeMap<String, String>>,
    /// The template's `sandbox_path`: `writeToFile` stays under it.
    pub sandbox: Option<std::path::PathBuf>,
}

/// Adds every helper to `map`.
pub(crate) fn register(map: &mut gotmpl::FuncMap, ctx: &HelperContext) {
    collections::register(map);
    strings::register(map);
    encode::register(map);
    formats::register(map);
    files::register(map, ctx);
    math::register(map);
    misc::register(map, ctx);
}

/// The most bytes one helper's result may hold: a render's whole output cap
/// (`engine/budget.rs`). `indent 100000000000 "x"` asked for 100 GB at once, and `replaceAll ""
/// $x $x` grows with the square of its input; the helpers whose result can outgrow their input
/// work out its size first.
pub(crate) const MAX_RESULT_BYTES: usize = 64 * 1024 * 1024;

/// Refuses a result of `bytes` bytes past [`MAX_RESULT_BYTES`].
pub(super) fn sized(function: &str, bytes: usize) -> gotmpl::Result<()> {
    if bytes <= MAX_RESULT_BYTES {
        return Ok(());
    }
    Err(fail(
        function,
        format!(
            "the result would be more than {} MiB",
            MAX_RESULT_BYTES / (1024 * 1024)
        ),
    ))
}

/// A helper's failure, in the words Go's template engine uses for a function error.
pub(super) fn fail(function: &str, message: impl std::fmt::Display) -> TemplateError {
    TemplateError::Exec(format!("error calling {function}: {message}"))
}

/// Checks that `function` got exactly `n` arguments.
pub(super) fn arity(function: &str, args: &[Value], n: usize) -> gotmpl::Result<()> {
    if args.len() == n {
        return Ok(());
    }
    Err(TemplateError::Exec(format!(
        "wrong number of args for {function}: want {n} got {}",
        args.len()
    )))
}

/// Argument `i` as a string (Go's functions take `string` parameters: anything else is an error).
pub(super) fn text<'a>(function: &str, args: &'a [Value], i: usize) -> gotmpl::Result<&'a str> {
    match args.get(i) {
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(TemplateError::Exec(format!(
            "wrong type for value; expected string; got {} (in {function})",
            other.type_name()
        ))),
        None => Err(TemplateError::Exec(format!(
            "{function}: missing argument {}",
            i + 1
        ))),
    }
}

/// Registers a helper taking exactly `N` string arguments.
pub(super) fn string_fn<const N: usize>(
    map: &mut gotmpl::FuncMap,
    name: &'static str,
    f: impl Fn([&str; N]) -> gotmpl::Result<Value> + Send + Sync + 'static,
) {
    map.insert(
        name.to_string(),
        Arc::new(move |args: &[Value]| {
            arity(name, args, N)?;
            let mut strs = [""; N];
            for (i, slot) in strs.iter_mut().enumerate() {
                *slot = text(name, args, i)?;
            }
            f(strs)
        }),
    );
}

/// Registers a helper over its raw argument list.
pub(super) fn value_fn(
    map: &mut gotmpl::FuncMap,
    name: &'static str,
    f: impl Fn(&[Value]) -> gotmpl::Result<Value> + Send + Sync + 'static,
) {
    map.insert(name.to_string(), Arc::new(f));
}

/// A string value.
pub(super) fn string(s: impl Into<Arc<str>>) -> Value {
    Value::String(s.into())
}

/// A map value from sorted entries.
pub(super) fn map_value(m: BTreeMap<Arc<str>, Value>) -> Value {
    Value::Map(Arc::new(m))
}

/// The elements of a list argument (nil is the empty list, as Go ranges over a nil slice).
pub(super) fn list<'a>(function: &str, v: &'a Value) -> gotmpl::Result<&'a [Value]> {
    match v {
        Value::List(l) => Ok(l),
        Value::Nil => Ok(&[]),
        other => Err(fail(
            function,
            format!("wrong argument type {}", other.type_name()),
        )),
    }
}

#[cfg(test)]
pub(super) mod test_support {
    use super::*;

    /// Renders `src` with the helpers (and `env` as the environment).
    pub fn render(src: &str, env: &[(&str, &str)]) -> Result<String, String> {
        let ctx = HelperContext {
            env: Arc::new(
                env.iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            ),
            sandbox: None,
        };
        let mut map = gotmpl::FuncMap::new();
        register(&mut map, &ctx);
        let t = gotmpl::Template::new("t")
            .funcs(map)
            .parse(src)
            .map_err(|e| e.to_string())?;
        t.execute_to_string(&Value::Nil).map_err(|e| e.to_string())
    }

    pub fn ok(src: &str) -> String {
        render(src, &[]).unwrap_or_else(|e| panic!("{src}: {e}"))
    }
}
