//! The Tera engine, sd's native syntax for `*.tera` templates (or `engine = "tera"`): Jinja-like
//! `{% for s in service(name="web") %}{{ s.Address }}:{{ s.Port }}{% endfor %}`, no autoescape.
//!
//! The data functions take named arguments: `service(query="tag.web@dc1|passing")` or the parts
//! (`name`, `tag`, `dc`, `near`, `filter`); `services(dc=)`, `nodes(dc=, near=)`,
//! `node(name=, dc=)`, `key(path=)`, `keyExists(path=)`, `keyOrDefault(path=, default=)`,
//! `ls(prefix=)`, `safeLs`, `tree`, `safeTree`, `datacenters()`, `file(path=)`. consul-template's
//! helpers are filters and functions of the same name whose extra arguments go in `args=[...]`
//! (or one `arg=`): `{{ s.Tags | contains(arg="primary") }}`, `{{ timestamp(arg="unix") }}`;
//! a helper whose name Tera already uses (`split`, `join`, `indent`, ...) keeps Tera's meaning.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::template::engine::budget::{self, CappedOutput, Spent};
use crate::template::engine::{tera_loops, tera_range, tera_values, EngineError, ParseOptions};
use crate::template::funcs::data::{Data, Pass};
use crate::template::funcs::{helpers, unsupported};

type Cell = Arc<Mutex<Option<Arc<Pass>>>>;

/// Tera's own filters and functions; helpers of these names are not registered over them.
const TERA_NAMES: &[&str] = &[
    "upper",
    "lower",
    "trim",
    "trim_start",
    "trim_end",
    "trim_start_matches",
    "trim_end_matches",
    "truncate",
    "wordcount",
    "replace",
    "capitalize",
    "title",
    "linebreaksbr",
    "indent",
    "striptags",
    "spaceless",
    "urlencode",
    "urlencode_strict",
    "escape",
    "escape_xml",
    "slugify",
    "addslashes",
    "split",
    "int",
    "float",
    "first",
    "last",
    "nth",
    "join",
    "sort",
    "unique",
    "slice",
    "group_by",
    "filter",
    "map",
    "concat",
    "abs",
    "pluralize",
    "round",
    "filesizeformat",
    "length",
    "reverse",
    "date",
    "json_encode",
    "as_str",
    "get",
    "range",
    "now",
    "throw",
    "get_random",
    "get_env",
    "echo",
];

/// A parsed Tera template.
pub(crate) struct TeraTemplate {
    tera: tera::Tera,
    cell: Cell,
    spent: Arc<Spent>,
    name: String,
}

impl std::fmt::Debug for TeraTemplate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TeraTemplate")
            .field("name", &self.name)
            .finish()
    }
}

/// A Tera error with its causes (Tera puts the line and column in a cause).
fn chain(e: &tera::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

impl TeraTemplate {
    pub fn parse(src: &str, opts: &ParseOptions<'_>) -> Result<TeraTemplate, EngineError> {
        super::tera_nesting::check(src).map_err(EngineError::Parse)?;
        let cell: Cell = Arc::new(Mutex::new(None));
        let mut tera = tera::Tera::default();
        tera.autoescape_on(vec![]);
        let spent = Arc::new(Spent::default());
        tera_values::register(&mut tera, &spent);
        register_data(&mut tera, &cell, &spent);
        register_helpers(&mut tera, opts, &spent);
        tera_range::register(&mut tera, &spent);
        tera_loops::register(&mut tera, &spent);
        for (name, product) in unsupported::UNSUPPORTED {
            let text = unsupported::message(name, product);
            tera.register_function(name, move |_: &HashMap<String, Value>| {
                Err(tera::Error::msg(text.clone()))
            });
        }
        for name in opts.denylist {
            let text = format!("function {name:?} is denied by function_denylist");
            tera.register_function(name, move |_: &HashMap<String, Value>| {
                Err(tera::Error::msg(text.clone()))
            });
        }
        tera.add_raw_template(opts.name, &tera_loops::count_bodies(src))
            .map_err(|e| EngineError::Parse(chain(&e)))?;
        tera_values::rewrite(&mut tera, opts.name);
        Ok(TeraTemplate {
            tera,
            cell,
            spent,
            name: opts.name.to_string(),
        })
    }

    pub fn render(&self, pass: &Arc<Pass>) -> Result<String, EngineError> {
        set_cell(&self.cell, Some(pass.clone()));
        self.spent.reset();
        let mut out = CappedOutput::new(budget::MAX_OUTPUT_BYTES).counted(&self.spent);
        let done = self
            .tera
            .render_to(&self.name, &tera::Context::new(), &mut out);
        set_cell(&self.cell, None);
        match done {
            Ok(()) => Ok(out.into_text()),
            Err(_) if out.full => Err(EngineError::Exec(out.full_message(&self.name))),
            // Tera names the counting function that failed; the budget is what the user set off.
            Err(e) => Err(EngineError::Exec(match self.spent.exhausted() {
                Some(why) => format!("Failed to render '{}': {why}", self.name),
                None => chain(&e),
            })),
        }
    }
}

fn set_cell(cell: &Cell, pass: Option<Arc<Pass>>) {
    match cell.lock() {
        Ok(mut c) => *c = pass,
        Err(poisoned) => *poisoned.into_inner() = pass,
    }
}

fn current(cell: &Cell, function: &str) -> tera::Result<Arc<Pass>> {
    let pass = match cell.lock() {
        Ok(c) => c.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    };
    pass.ok_or_else(|| tera::Error::msg(format!("{function}: called outside a render")))
}

fn text_arg(args: &HashMap<String, Value>, name: &str) -> Option<String> {
    args.get(name).map(|v| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

fn data_value(data: Data) -> Value {
    match data {
        Data::Shared(entry) => entry.json.clone(),
        Data::Owned(v) => v,
    }
}

/// The consul-template query a `service(...)` call names.
fn service_query(args: &HashMap<String, Value>) -> Result<String, String> {
    if let Some(q) = text_arg(args, "query") {
        return Ok(match text_arg(args, "filter") {
            Some(f) => format!("{q}|{f}"),
            None => q,
        });
    }
    let name = text_arg(args, "name").ok_or("expected query= or name=")?;
    let mut q = String::new();
    if let Some(tag) = text_arg(args, "tag") {
        q.push_str(&tag);
        q.push('.');
    }
    q.push_str(&name);
    if let Some(dc) = text_arg(args, "dc") {
        q.push('@');
        q.push_str(&dc);
    }
    if let Some(near) = text_arg(args, "near") {
        q.push('~');
        q.push_str(&near);
    }
    if let Some(filter) = text_arg(args, "filter") {
        q.push('|');
        q.push_str(&filter);
    }
    Ok(q)
}

/// `@dc` / `~near` suffixes for the catalog list functions.
fn catalog_query(args: &HashMap<String, Value>) -> String {
    let mut q = String::new();
    if let Some(name) = text_arg(args, "name") {
        q.push_str(&name);
    }
    if let Some(dc) = text_arg(args, "dc") {
        q.push('@');
        q.push_str(&dc);
    }
    if let Some(near) = text_arg(args, "near") {
        q.push('~');
        q.push_str(&near);
    }
    q
}

fn register_data(tera: &mut tera::Tera, cell: &Cell, spent: &Arc<Spent>) {
    type DataFn = fn(&Pass, &HashMap<String, Value>) -> Result<Value, String>;
    let fns: &[(&'static str, DataFn)] = &[
        ("service", |p, a| {
            let q = service_query(a)?;
            p.service(&[q]).map(data_value).map_err(|e| e.to_string())
        }),
        ("services", |p, a| {
            p.services(&[catalog_query(a)])
                .map(data_value)
                .map_err(|e| e.to_string())
        }),
        ("nodes", |p, a| {
            p.nodes(&[catalog_query(a)])
                .map(data_value)
                .map_err(|e| e.to_string())
        }),
        ("node", |p, a| {
            p.node(&[catalog_query(a)])
                .map(data_value)
                .map_err(|e| e.to_string())
        }),
        ("datacenters", |p, _| {
            p.datacenters(0).map(data_value).map_err(|e| e.to_string())
        }),
        ("key", |p, a| {
            let path = text_arg(a, "path").ok_or("expected path=")?;
            p.key(&path).map(data_value).map_err(|e| e.to_string())
        }),
        ("keyExists", |p, a| {
            let path = text_arg(a, "path").ok_or("expected path=")?;
            p.key_exists(&path)
                .map(Value::Bool)
                .map_err(|e| e.to_string())
        }),
        ("keyOrDefault", |p, a| {
            let path = text_arg(a, "path").ok_or("expected path=")?;
            let default = text_arg(a, "default").unwrap_or_default();
            p.key_or_default(&path, &default)
                .map(Value::String)
                .map_err(|e| e.to_string())
        }),
        ("ls", |p, a| list(p, a, false, false)),
        ("safeLs", |p, a| list(p, a, false, true)),
        ("tree", |p, a| list(p, a, true, false)),
        ("safeTree", |p, a| list(p, a, true, true)),
        ("file", |p, a| {
            let path = text_arg(a, "path").ok_or("expected path=")?;
            p.file(&path).map(data_value).map_err(|e| e.to_string())
        }),
    ];
    for (name, f) in fns {
        let (cell, spent) = (cell.clone(), spent.clone());
        let name = *name;
        let f = *f;
        tera.register_function(name, move |args: &HashMap<String, Value>| {
            spent.call().map_err(tera::Error::msg)?;
            let pass = current(&cell, name)?;
            f(&pass, args).map_err(|e| tera::Error::msg(format!("{name}: {e}")))
        });
    }
}

fn list(p: &Pass, a: &HashMap<String, Value>, tree: bool, safe: bool) -> Result<Value, String> {
    let prefix = text_arg(a, "prefix")
        .or_else(|| text_arg(a, "path"))
        .ok_or("expected prefix=")?;
    p.list(&prefix, tree, safe)
        .map(data_value)
        .map_err(|e| e.to_string())
}

/// The extra arguments of a helper called from Tera: `args=[...]` or `arg=`.
fn helper_args(args: &HashMap<String, Value>) -> Vec<gotmpl::Value> {
    match (args.get("args"), args.get("arg")) {
        (Some(Value::Array(list)), _) => list.iter().map(crate::gotemplate::from_json).collect(),
        (Some(one), _) | (None, Some(one)) => vec![crate::gotemplate::from_json(one)],
        (None, None) => Vec::new(),
    }
}

/// consul-template's helpers as Tera filters (the filtered value goes last, as a Go pipeline
/// passes it) and functions, through the Go-template implementations.
fn register_helpers(tera: &mut tera::Tera, opts: &ParseOptions<'_>, spent: &Arc<Spent>) {
    let mut map = gotmpl::FuncMap::new();
    helpers::register(&mut map, opts.helpers);
    for (name, f) in map {
        if TERA_NAMES.contains(&name.as_str()) || opts.denylist.contains(&name) {
            continue;
        }
        let (filter, filter_spent, filter_name) = (f.clone(), spent.clone(), name.clone());
        tera.register_filter(
            &name,
            move |value: &Value, args: &HashMap<String, Value>| {
                let mut call = helper_args(args);
                call.push(crate::gotemplate::from_json(value));
                call_helper(&filter_name, &filter, &filter_spent, &call)
            },
        );
        let (function_name, spent) = (name.clone(), spent.clone());
        tera.register_function(&name, move |args: &HashMap<String, Value>| {
            call_helper(&function_name, &f, &spent, &helper_args(args))
        });
    }
}

/// Calls helper `name` with `call`, counted toward the render's steps, its result as JSON.
fn call_helper(
    name: &str,
    f: &gotmpl::ValueFunc,
    spent: &Spent,
    call: &[gotmpl::Value],
) -> tera::Result<Value> {
    spent.call_with(call).map_err(tera::Error::msg)?;
    let made = f(call).map_err(|e| tera::Error::msg(format!("{name}: {e}")))?;
    spent.made_value(&made).map_err(tera::Error::msg)?;
    Ok(to_json(&made))
}

/// A Go-template value back as JSON for Tera.
pub(crate) fn to_json(v: &gotmpl::Value) -> Value {
    use gotmpl::Value as G;
    match v {
        G::Nil => Value::Null,
        G::Bool(b) => Value::Bool(*b),
        G::Int(i) => Value::from(*i),
        G::Uint(u) => Value::from(*u),
        G::Float(f) => Value::from(*f),
        G::String(s) => Value::String(s.to_string()),
        G::List(l) => Value::Array(l.iter().map(to_json).collect()),
        G::Map(m) => {
            let obj: serde_json::Map<String, Value> =
                m.iter().map(|(k, v)| (k.to_string(), to_json(v))).collect();
            Value::Object(obj)
        }
        G::Function(_) => Value::String("<func>".into()),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::template::brain::Brain;
    use crate::template::dependency::Dependency;
    use crate::template::funcs::helpers::HelperContext;
    use crate::template::query;

    fn opts<'a>(helpers: &'a HelperContext) -> ParseOptions<'a> {
        ParseOptions {
            name: "t.tera",
            left: "{{",
            right: "}}",
            error_on_missing_key: false,
            denylist: &[],
            helpers,
        }
    }

    #[test]
    fn renders_services_and_records_dependencies() {
        let helpers = HelperContext::default();
        let t = TeraTemplate::parse(
            "{% for s in service(name=\"web\", tag=\"v1\") %}{{ s.Address }}:{{ s.Port }} {% endfor %}<{{ '<' }}>",
            &opts(&helpers),
        )
        .unwrap();
        let brain = Brain::default();
        let dep = Dependency::Service(query::service("v1.web").unwrap());
        brain.remember(
            dep.clone(),
            serde_json::json!([{"Address": "10.0.0.1", "Port": 80}]),
        );
        let pass = Arc::new(Pass::new(brain, None, false));
        assert_eq!(t.render(&pass).unwrap(), "10.0.0.1:80 <<>");
        let (used, missing) = Arc::try_unwrap(pass).unwrap().finish();
        assert!(used.contains(&dep));
        assert!(missing.is_empty());
    }

    #[test]
    fn syntax_errors_name_the_file_and_position() {
        let helpers = HelperContext::default();
        let err = TeraTemplate::parse("{% for x in %}", &opts(&helpers)).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("t.tera") && text.contains("1:13"), "{text}");
    }

    #[test]
    fn unsupported_functions_name_themselves() {
        let helpers = HelperContext::default();
        let t = TeraTemplate::parse("{{ secret(path=\"a\") }}", &opts(&helpers)).unwrap();
        let pass = Arc::new(Pass::new(Brain::default(), None, false));
        let err = t.render(&pass).unwrap_err().to_string();
        assert!(err.contains("\"secret\" needs Vault"), "{err}");
    }

    #[test]
    fn service_query_from_parts() {
        let mut a = HashMap::new();
        a.insert("name".to_string(), Value::from("web"));
        a.insert("dc".to_string(), Value::from("dc2"));
        a.insert("filter".to_string(), Value::from("any"));
        assert_eq!(service_query(&a).unwrap(), "web@dc2|any");
    }

    /// What a render of `src` with no data gives.
    pub(in crate::template::engine) fn render(src: &str) -> Result<String, EngineError> {
        let helpers = HelperContext::default();
        let pass = Arc::new(Pass::new(Brain::default(), None, false));
        let t = TeraTemplate::parse(src, &opts(&helpers)).unwrap();
        t.render(&pass)
    }

    /// The error a render of `src` stops with.
    pub(in crate::template::engine) fn render_error(src: &str) -> String {
        render(src).unwrap_err().to_string()
    }

    #[test]
    fn loop_bodies_and_macros_spend_steps() {
        // 1,000,000 passes within the pass budget, 300 `set`s in each: 40 s before steps.
        let sets = "{% set x = 1 %}".repeat(300);
        let err = render_error(&format!(
            "{{% for a in range(end=1000) %}}{{% for b in range(end=999) %}}{sets}{{% endfor %}}{{% endfor %}}"
        ));
        assert!(
            err.contains("more than 10000000 steps in one render"),
            "{err}"
        );
        // A macro that calls itself twice, 2^26 times.
        let err = render_error(
            "{% macro m(n) %}{% if n > 0 %}{{ self::m(n=n-1) }}{{ self::m(n=n-1) }}{% endif %}\
             {% endmacro m %}{{ self::m(n=26) }}",
        );
        assert!(
            err.contains("more than 10000000 steps in one render"),
            "{err}"
        );
    }

    #[test]
    fn huge_ranges_and_outputs_stop_the_render_with_a_message() {
        // Tera's own `range` asked for 96 GB here and the process aborted.
        let err = render_error("{% for i in range(end=3000000000) %}{% endfor %}");
        assert!(
            err.contains("more than 1000000 numbers in one render"),
            "{err}"
        );
        // Nested loops count together.
        render_error(
            "{% for i in range(end=1000) %}{% for j in range(end=1001) %}{% endfor %}{% endfor %}",
        );
        // 100 passes of 1 MiB: over the 64 MiB output cap.
        let page = "y".repeat(1024 * 1024);
        let err = render_error(&format!(
            "{{% for i in range(end=100) %}}{page}{{% endfor %}}"
        ));
        assert!(
            err.contains("t.tera: the output would exceed 64 MiB"),
            "{err}"
        );
        // Loops over a list count their passes too: 200^3 = 8 million, printing nothing.
        let list = (0..200)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let err = render_error(&format!("{{% set xs = [{list}] %}}{{% for a in xs %}}{{% for b in xs -%}}\n{{%- for c in xs %}}{{% endfor %}}{{% endfor %}}{{% endfor %}}"));
        assert!(
            err.contains("more than 1000000 passes of for loops"),
            "{err}"
        );
        // Function calls count: 600,000 passes (within the pass budget), two calls each.
        let err = render_error(
            "{% for i in range(end=600000) %}{{ \"a\" | toUpper }}{{ toLower(arg=\"B\") }}{% endfor %}",
        );
        assert!(
            err.contains("more than 10000000 steps in one render"),
            "{err}"
        );
        // And a render within both renders, every time (the count starts again).
        let helpers = HelperContext::default();
        let pass = Arc::new(Pass::new(Brain::default(), None, false));
        let t = TeraTemplate::parse(
            "{% for i in range(end=600000) %}{% endfor %}ok",
            &opts(&helpers),
        )
        .unwrap();
        assert_eq!(t.render(&pass).unwrap(), "ok");
        assert_eq!(t.render(&pass).unwrap(), "ok");
    }
}
