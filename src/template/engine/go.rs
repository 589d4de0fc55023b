//! The Go `text/template` engine (gotmpl): parses a template with the data functions and
//! helpers registered, checks every called function exists (as Go does), and renders it for one
//! [`Pass`].
//!
//! Functions are registered before parsing and reach the current pass through a shared cell,
//! set for the duration of each render, so a template is parsed once and rendered many times.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use gotmpl::{FuncMap, MissingKey, TemplateError, Value};

use crate::gotemplate::{check as go_check, from_json};
use crate::template::engine::budget::{self, CappedOutput, Spent};
use crate::template::engine::{
    go_bytes, go_execute, go_rewrite, go_scratch, go_steps, go_trees, EngineError, ParseOptions,
};
use crate::template::funcs::data::{self, Data, DataError, Pass};
use crate::template::funcs::{helpers, unsupported};

type Cell = Arc<Mutex<Option<Arc<Pass>>>>;

/// A parsed Go template, ready to render.
pub(crate) struct GoTemplate {
    tmpl: Arc<gotmpl::Template>,
    cell: Cell,
    name: String,
    scratch: go_scratch::Store,
    calls: Arc<go_execute::Calls>,
    spent: Arc<Spent>,
}

impl std::fmt::Debug for GoTemplate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GoTemplate")
            .field("name", &self.name)
            .finish()
    }
}

impl GoTemplate {
    /// Parses `src`; `opts.name` (the source file) prefixes every error.
    pub fn parse(src: &str, opts: &ParseOptions<'_>) -> Result<GoTemplate, EngineError> {
        let cell: Cell = Arc::new(Mutex::new(None));
        let calls = Arc::new(go_execute::Calls::default());
        let mut map = FuncMap::new();
        register_data(&mut map, &cell);
        helpers::register(&mut map, opts.helpers);
        go_execute::register(&mut map, &calls);
        let scratch = go_scratch::Store::default();
        go_scratch::register(&mut map, &scratch);
        let src = &go_rewrite::rewrite(src, opts.left, opts.right);
        unsupported::register(&mut map);
        for name in opts.denylist {
            let denied = name.clone();
            map.insert(
                name.clone(),
                Arc::new(move |_: &[Value]| {
                    Err(TemplateError::Exec(format!(
                        "function {denied:?} is denied by function_denylist"
                    )))
                }),
            );
        }
        let defined: BTreeSet<String> = map.keys().cloned().collect();
        let spent = Arc::new(Spent::default());
        count_calls(&mut map, &spent);
        go_steps::register(&mut map, &spent);
        go_bytes::register(&mut map, &spent);
        let tmpl = gotmpl::Template::new(opts.name)
            .max_range_iters(budget::MAX_RANGE_ITERATIONS)
            .delims(opts.left, opts.right)
            .missing_key(if opts.error_on_missing_key {
                MissingKey::Error
            } else {
                MissingKey::Invalid
            })
            .funcs(map)
            .parse(src)
            .map_err(|e| EngineError::Parse(e.to_string()))?;
        if let Some(u) = go_check::first_unknown_function(src, opts.left, opts.right, &defined) {
            return Err(EngineError::Parse(format!(
                "template: {}:{}:{}: function {:?} not defined",
                opts.name, u.line, u.col, u.name
            )));
        }
        let tmpl = Arc::new(go_trees::rewrite(tmpl, |body| {
            go_steps::counted(go_bytes::counted(body))
        }));
        calls.set_template(&tmpl);
        Ok(GoTemplate {
            tmpl,
            cell,
            name: opts.name.to_string(),
            scratch,
            calls,
            spent,
        })
    }

    /// Renders the template against `pass` (nil dot, as consul-template executes it).
    pub fn render(&self, pass: &Arc<Pass>) -> Result<String, EngineError> {
        self.scratch
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        self.calls.reset();
        self.spent.reset();
        set_cell(&self.cell, Some(pass.clone()));
        let mut out = CappedOutput::new(budget::MAX_OUTPUT_BYTES).counted(&self.spent);
        // The template's own body runs as the define of its name (Go's `t.Lookup(t.Name())`,
        // which `go_trees::rewrite` counted); an empty body is no define and counts nothing.
        let done = if self.tmpl.lookup(&self.name).is_some() {
            self.tmpl
                .execute_template_fmt(&mut out, &self.name, &Value::Nil)
        } else {
            self.tmpl.execute_fmt(&mut out, &Value::Nil)
        };
        set_cell(&self.cell, None);
        let why = match done {
            Ok(()) => return Ok(out.into_text()),
            Err(_) if out.full => return Err(EngineError::Exec(out.full_message(&self.name))),
            // gotmpl wraps a counting function's error in its own words, naming the function.
            Err(e) => self.spent.exhausted().unwrap_or_else(|| match e {
                TemplateError::RangeIterLimit => format!(
                    "more than {} range iterations in one render",
                    budget::MAX_RANGE_ITERATIONS
                ),
                e => e.to_string(),
            }),
        };
        Err(EngineError::Exec(format!("template: {}: {why}", self.name)))
    }
}

/// Wraps every function of `map` so that each call counts toward the render's budget of
/// [`budget::MAX_STEPS`] and fails once it is spent, and what a helper makes toward
/// [`budget::MAX_MADE_BYTES`] (not the data functions' and scratch's answers: they hand out
/// what is already held).
fn count_calls(map: &mut FuncMap, spent: &Arc<Spent>) {
    for (name, f) in map.iter_mut() {
        let (inner, spent) = (f.clone(), spent.clone());
        let makes = !data::NAMES.contains(&name.as_str()) && !name.starts_with("scratch_");
        *f = Arc::new(move |args: &[Value]| {
            spent.call_with(args).map_err(TemplateError::Exec)?;
            let value = inner(args)?;
            if makes {
                spent.made_value(&value).map_err(TemplateError::Exec)?;
            }
            Ok(value)
        });
    }
}

fn set_cell(cell: &Cell, pass: Option<Arc<Pass>>) {
    match cell.lock() {
        Ok(mut c) => *c = pass,
        Err(poisoned) => *poisoned.into_inner() = pass,
    }
}

fn current(cell: &Cell, function: &str) -> gotmpl::Result<Arc<Pass>> {
    let pass = match cell.lock() {
        Ok(c) => c.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    };
    pass.ok_or_else(|| TemplateError::Exec(format!("{function}: called outside a render")))
}

/// The arguments of a data function, which takes strings only.
fn strings(function: &str, args: &[Value]) -> gotmpl::Result<Vec<String>> {
    args.iter()
        .map(|a| match a {
            Value::String(s) => Ok(s.to_string()),
            other => Err(TemplateError::Exec(format!(
                "error calling {function}: expected a string argument, got {}",
                other.type_name()
            ))),
        })
        .collect()
}

fn exec_err(function: &str, e: DataError) -> TemplateError {
    TemplateError::Exec(format!("error calling {function}: {e}"))
}

fn to_go(data: Data) -> Value {
    match data {
        Data::Shared(entry) => entry.go(),
        Data::Owned(json) => from_json(&json),
    }
}

/// Registers `name` as a data function taking string arguments.
fn data_fn(
    map: &mut FuncMap,
    cell: &Cell,
    name: &'static str,
    f: impl Fn(&Pass, &[String]) -> Result<Value, DataError> + Send + Sync + 'static,
) {
    let cell = cell.clone();
    map.insert(
        name.to_string(),
        Arc::new(move |args: &[Value]| {
            let pass = current(&cell, name)?;
            let args = strings(name, args)?;
            f(&pass, &args).map_err(|e| exec_err(name, e))
        }),
    );
}

fn arg<'a>(function: &'static str, args: &'a [String], n: usize) -> Result<&'a str, DataError> {
    if args.len() != n {
        return Err(DataError::Usage {
            function,
            message: format!("expected {n} argument(s), got {}", args.len()),
        });
    }
    Ok(args.first().map(String::as_str).unwrap_or_default())
}

fn register_data(map: &mut FuncMap, cell: &Cell) {
    data_fn(map, cell, "service", |p, a| p.service(a).map(to_go));
    data_fn(map, cell, "services", |p, a| p.services(a).map(to_go));
    data_fn(map, cell, "node", |p, a| p.node(a).map(to_go));
    data_fn(map, cell, "nodes", |p, a| p.nodes(a).map(to_go));
    data_fn(map, cell, "key", |p, a| p.key(arg("key", a, 1)?).map(to_go));
    data_fn(map, cell, "keyExists", |p, a| {
        p.key_exists(arg("keyExists", a, 1)?).map(Value::Bool)
    });
    data_fn(map, cell, "keyOrDefault", |p, a| {
        arg("keyOrDefault", a, 2)?;
        p.key_or_default(&a[0], &a[1])
            .map(|s| Value::String(s.into()))
    });
    data_fn(map, cell, "ls", |p, a| {
        p.list(arg("ls", a, 1)?, false, false).map(to_go)
    });
    data_fn(map, cell, "safeLs", |p, a| {
        p.list(arg("safeLs", a, 1)?, false, true).map(to_go)
    });
    data_fn(map, cell, "tree", |p, a| {
        p.list(arg("tree", a, 1)?, true, false).map(to_go)
    });
    data_fn(map, cell, "safeTree", |p, a| {
        p.list(arg("safeTree", a, 1)?, true, true).map(to_go)
    });
    data_fn(map, cell, "file", |p, a| {
        p.file(arg("file", a, 1)?).map(to_go)
    });
    // `datacenters` takes an optional bool, not a string.
    let cell2 = cell.clone();
    map.insert(
        "datacenters".into(),
        Arc::new(move |args: &[Value]| {
            let pass = current(&cell2, "datacenters")?;
            pass.datacenters(args.len())
                .map(to_go)
                .map_err(|e| exec_err("datacenters", e))
        }),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::brain::Brain;
    use crate::template::dependency::Dependency;
    use crate::template::funcs::helpers::HelperContext;
    use crate::template::query;

    fn parse(src: &str, missing_key_error: bool) -> Result<GoTemplate, EngineError> {
        let helpers = HelperContext::default();
        GoTemplate::parse(
            src,
            &ParseOptions {
                name: "t.ctmpl",
                left: "{{",
                right: "}}",
                error_on_missing_key: missing_key_error,
                denylist: &["env".to_string()],
                helpers: &helpers,
            },
        )
    }

    fn render(t: &GoTemplate, brain: Brain) -> Result<String, EngineError> {
        t.render(&Arc::new(Pass::new(brain, None, false)))
    }

    #[test]
    fn seed_template_renders_as_go_does() {
        let src = "upstream http_backend {\n  {{range service \"nginx\"}}\n   server {{.Address}}:{{.Port}};\n   {{end}}\n}\n";
        let t = parse(src, false).unwrap();
        let brain = Brain::default();
        brain.remember(
            Dependency::Service(query::service("nginx").unwrap()),
            serde_json::json!([
                {"Address": "192.168.242.67", "Port": 1314},
                {"Address": "192.168.242.67", "Port": 1315}
            ]),
        );
        assert_eq!(
            render(&t, brain).unwrap(),
            "upstream http_backend {\n  \n   server 192.168.242.67:1314;\n   \n   server 192.168.242.67:1315;\n   \n}\n"
        );
    }

    #[test]
    fn execute_template_and_maps_in_key_order() {
        let t = parse(
            "{{ define \"x\" }}[{{ . }}]{{ end }}{{ executeTemplate \"x\" \"a\" }}{{ range $k, $v := service \"web\" }}{{ $k }}{{ end }}",
            false,
        )
        .unwrap();
        assert_eq!(render(&t, Brain::default()).unwrap(), "[a]");
    }

    #[test]
    fn execute_template_recursion_stops_with_a_message() {
        // It overflowed the stack and aborted the process.
        let t = parse(
            "{{ define \"x\" }}a{{ executeTemplate \"x\" }}{{ end }}{{ executeTemplate \"x\" }}",
            false,
        )
        .unwrap();
        let err = render(&t, Brain::default()).unwrap_err().to_string();
        assert!(err.contains("calls nested more than 4 deep"), "{err}");
        // Four nested calls are allowed.
        let four = "{{ define \"x\" }}{{ if lt (len .) 3 }}{{ executeTemplate \"x\" (printf \"%s.\" .) }}{{ else }}{{ . }}{{ end }}{{ end }}{{ executeTemplate \"x\" \"\" }}";
        assert_eq!(
            render(&parse(four, false).unwrap(), Brain::default()).unwrap(),
            "..."
        );
        // Each at gotmpl's own deepest (200 levels) still fits a test thread's stack.
        let deepest = "{{ define \"r\" }}{{ if lt (len .) 99 }}{{ template \"r\" (printf \"%s.\" .) }}{{ else }}{{ executeTemplate \"r\" \"\" }}{{ end }}{{ end }}{{ executeTemplate \"r\" \"\" }}";
        let err = render(&parse(deepest, false).unwrap(), Brain::default()).unwrap_err();
        assert!(
            err.to_string().contains("calls nested more than 4 deep"),
            "{err}"
        );
    }

    #[test]
    fn execute_template_calls_share_the_render_budget() {
        // 2,000 calls of 1,000 passes each: within gotmpl's budget per call, but 2 million
        // passes in all. The k-th call may make 1,000,000 / k, so call 1,001 stops it.
        let loops = |n: u32| {
            format!("{{{{ define \"x\" }}}}{{{{ range loop 1000 }}}}{{{{ end }}}}{{{{ end }}}}{{{{ range loop {n} }}}}{{{{ executeTemplate \"x\" }}}}{{{{ end }}}}")
        };
        let t = parse(&loops(2000), false).unwrap();
        let err = render(&t, Brain::default()).unwrap_err().to_string();
        assert!(
            err.contains("call 1001 of this render may make 999 range passes"),
            "{err}"
        );
        // The record starts again at each render.
        let t = parse(&loops(900), false).unwrap();
        assert!(render(&t, Brain::default()).is_ok());
        assert!(render(&t, Brain::default()).is_ok());
        let many =
            "{{ define \"y\" }}{{ end }}{{ range loop 10001 }}{{ executeTemplate \"y\" }}{{ end }}";
        let err = render(&parse(many, false).unwrap(), Brain::default()).unwrap_err();
        assert!(err.to_string().contains("more than 10000 calls"), "{err}");
        // Outputs count even when not printed: 70 calls of 1 MiB.
        let text = "x".repeat(16 * 1024);
        let big = format!("{{{{ define \"z\" }}}}{{{{ range loop 64 }}}}{text}{{{{ end }}}}{{{{ end }}}}{{{{ range loop 70 }}}}{{{{ $x := executeTemplate \"z\" }}}}{{{{ end }}}}");
        let err = render(&parse(&big, false).unwrap(), Brain::default()).unwrap_err();
        assert!(
            err.to_string().contains("calls would exceed 64 MiB"),
            "{err}"
        );
    }

    #[test]
    fn function_calls_count_toward_the_step_budget() {
        // 500,001 passes (within the pass budget), two calls each: a million calls and 16
        // million steps.
        let src = "{{ range loop 500001 }}{{ toLower \"A\" }}{{ toUpper \"a\" }}{{ end }}";
        let t = parse(src, false).unwrap();
        let err = render(&t, Brain::default()).unwrap_err().to_string();
        assert!(
            err.contains("more than 10000000 steps in one render"),
            "{err}"
        );
        // Within it, and again on the next render (the count starts again). `loop` makes a
        // value per pass, and each call one more.
        let t = parse(
            "{{ range loop 300000 }}{{ toLower \"A\" }}{{ end }}ok",
            false,
        )
        .unwrap();
        assert!(render(&t, Brain::default()).unwrap().ends_with("ok"));
        assert!(render(&t, Brain::default()).unwrap().ends_with("ok"));
    }

    #[test]
    fn arguments_cost_steps_by_their_size() {
        // 100,000 calls given 1,000 bytes each: 25 million steps from the arguments alone.
        let big = "A".repeat(1000);
        let src = format!("{{{{range loop 100000}}}}{{{{$y := toLower \"{big}\"}}}}{{{{end}}}}");
        let err = render(&parse(&src, false).unwrap(), Brain::default()).unwrap_err();
        assert!(
            err.to_string()
                .contains("more than 10000000 steps in one render"),
            "{err}"
        );
        // The same calls given one byte are within the budget.
        let src = "{{range loop 100000}}{{$y := toLower \"A\"}}{{end}}ok";
        let out = render(&parse(src, false).unwrap(), Brain::default()).unwrap();
        assert_eq!(out, "ok");
        // Comparisons read their arguments through: 100,000 of two 1,000-byte strings, piped
        // or not. `slice` counts the part it copies toward the bytes made.
        for compare in ["eq $x $x", "$x | ne $x", "lt $x $x"] {
            let src = format!(
                "{{{{$x := \"{big}\"}}}}{{{{range loop 100000}}}}{{{{if {compare}}}}}{{{{end}}}}{{{{end}}}}"
            );
            let err = render(&parse(&src, false).unwrap(), Brain::default()).unwrap_err();
            assert!(
                err.to_string()
                    .contains("more than 10000000 steps in one render"),
                "{compare}: {err}"
            );
        }
        let src = format!(
            "{{{{$x := \"{}\"}}}}{{{{range loop 300}}}}{{{{$y := slice $x 1}}}}{{{{end}}}}",
            "A".repeat(1024 * 1024)
        );
        let err = render(&parse(&src, false).unwrap(), Brain::default()).unwrap_err();
        assert!(
            err.to_string().contains("more than 256 MiB of values made"),
            "{err}"
        );
        let src = r#"{{$x := "abc"}}{{if eq $x "abc"}}{{slice $x 1}}{{$x | slice | len}}{{end}}"#;
        let out = render(&parse(src, false).unwrap(), Brain::default()).unwrap();
        assert_eq!(out, "bc3");
    }

    #[test]
    fn missing_key_error_and_denied_functions() {
        let t = parse(
            "{{ with node }}{{ .Nope }}{{ end }}{{ env \"HOME\" }}",
            false,
        )
        .unwrap();
        let err = render(&t, Brain::default()).unwrap_err().to_string();
        assert!(err.contains("denied by function_denylist"), "{err}");
        let brain = Brain::default();
        brain.remember(
            Dependency::Node(query::node("").unwrap()),
            serde_json::json!({"Node": {"Node": "n1"}}),
        );
        let t = parse("{{ with node }}{{ .Nope }}{{ end }}", true).unwrap();
        let err = render(&t, brain.clone()).unwrap_err().to_string();
        assert!(err.contains("Nope"), "{err}");
        let t = parse("{{ with node }}{{ .Nope }}{{ end }}", false).unwrap();
        assert_eq!(render(&t, brain).unwrap(), "<no value>");
    }

    #[test]
    fn scratch_lives_for_one_render() {
        let t = parse(
            "{{ if not (scratch.Key \"a\") }}fresh{{ end }}{{ scratch.Set \"a\" 1 }}{{ scratch.SetX \"a\" 2 }}\
             {{ scratch.MapSet \"m\" \"b\" \"B\" }}{{ scratch.MapSetX \"m\" \"a\" \"A\" }}\
             {{ scratch.MapSetX \"m\" \"a\" \"Z\" }}{{ scratch.Get \"a\" }}{{ range scratch.MapValues \"m\" }}{{ . }}{{ end }}",
            false,
        )
        .unwrap();
        assert_eq!(render(&t, Brain::default()).unwrap(), "fresh1AB");
        assert_eq!(render(&t, Brain::default()).unwrap(), "fresh1AB");
    }

    #[test]
    fn denylist_patterns_are_globs() {
        let helpers = HelperContext::default();
        let denied =
            crate::template::funcs::denied(&["key*".to_string(), "plugin".to_string()], &helpers)
                .unwrap();
        assert_eq!(denied, ["key", "keyExists", "keyOrDefault", "plugin"]);
    }

    #[test]
    fn unknown_functions_are_refused_at_parse_time_with_their_position() {
        let err = parse("ok\n  {{ if false }}{{ nosuch 1 }}{{ end }}", false)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "template: t.ctmpl:2:20: function \"nosuch\" not defined"
        );
    }

    #[test]
    fn nested_ranges_stop_at_the_render_budget_with_a_message() {
        // Every pass counts, the outer loop's too: 1,000 + 1,000 x 1,001 is over the budget.
        let t = parse("{{range 1000}}{{range 1001}}{{end}}{{end}}", false).unwrap();
        let err = render(&t, Brain::default()).unwrap_err().to_string();
        assert!(
            err.contains("more than 1000000 range iterations in one render"),
            "{err}"
        );
        // 999 + 999 x 1,000 is within it.
        let t = parse("{{range 999}}{{range 1000}}{{end}}{{end}}x", false).unwrap();
        assert_eq!(render(&t, Brain::default()).unwrap(), "x");
    }

    #[test]
    fn steps_count_each_body_once_per_run_and_the_output_is_unchanged() {
        use std::sync::atomic::Ordering;
        let t = parse("a{{range 3}}{{$x := 1}}b{{end}}", false).unwrap();
        assert_eq!(render(&t, Brain::default()).unwrap(), "abbb");
        // The render's own body: the text "a" (1), the range node and its pipeline (1 + 2).
        // Each of the three passes: the assignment, its command and its argument (3), "b" (1)
        // and the pass itself.
        assert_eq!(
            t.spent.steps.load(Ordering::Relaxed),
            4 + 3 * (4 + budget::PASS_STEPS)
        );
        // A define counts its body on each call: the range (3) once; per pass the template
        // node (1 + 2) and the define's body, `{{.}}` (1 + 2).
        let t = parse(
            r#"{{define "d"}}{{.}}{{end}}{{range 2}}{{template "d" .}}{{end}}"#,
            false,
        )
        .unwrap();
        assert_eq!(render(&t, Brain::default()).unwrap(), "01");
        assert_eq!(
            t.spent.steps.load(Ordering::Relaxed),
            3 + 2 * (3 + budget::PASS_STEPS + 3)
        );
        // A function call costs its steps as well: per pass the action (1 + 3), the call and
        // the one value it makes.
        let t = parse(r#"{{range 2}}{{toUpper "a"}}{{end}}"#, false).unwrap();
        assert_eq!(render(&t, Brain::default()).unwrap(), "AA");
        assert_eq!(
            t.spent.steps.load(Ordering::Relaxed),
            3 + 2 * (4 + budget::PASS_STEPS + budget::CALL_STEPS + budget::VALUE_STEPS)
        );
        // An empty template renders as before.
        let t = parse("  ", false).unwrap();
        assert_eq!(render(&t, Brain::default()).unwrap(), "  ");
    }

    #[test]
    fn many_steps_in_each_pass_stop_at_the_step_budget() {
        // 10,000 passes of 400 assignments (1,200 steps): 12 million steps, within the pass
        // budget and with no function call.
        let body = "{{$x := 1}}".repeat(400);
        let t = parse(
            &format!("{{{{range 100}}}}{{{{range 100}}}}{body}{{{{end}}}}{{{{end}}}}"),
            false,
        )
        .unwrap();
        let err = render(&t, Brain::default()).unwrap_err().to_string();
        assert_eq!(
            err,
            "template: t.ctmpl: more than 10000000 steps in one render"
        );
    }

    #[test]
    fn values_made_past_the_budget_stop_the_render_before_memory_runs_out() {
        let over = "template: t.ctmpl: more than 256 MiB of values made in one render";
        // Forty doublings of 8 bytes would be 8 TB; each builder's arguments count first.
        for doubling in [
            "{{$x = print $x $x}}",
            "{{$x = printf \"%s%s\" $x $x}}",
            "{{$x = $x | println $x}}",
            "{{$x = html $x | print $x}}",
        ] {
            let src = format!(
                "{{{{$x := \"abcdefgh\"}}}}{}{{{{len $x}}}}",
                doubling.repeat(40)
            );
            let err = render(&parse(&src, false).unwrap(), Brain::default()).unwrap_err();
            assert_eq!(err.to_string(), over, "{doubling}");
        }
        // Widths pad: 300 values of a million bytes each.
        let src = "{{range loop 300}}{{$x := printf \"%999999d.\" 1}}{{end}}";
        let err = render(&parse(src, false).unwrap(), Brain::default()).unwrap_err();
        assert_eq!(err.to_string(), over);
        // A helper's results count as they return.
        let src = "{{range loop 300}}{{$x := indent 1000000 \"x\"}}{{end}}";
        let err = render(&parse(src, false).unwrap(), Brain::default()).unwrap_err();
        assert_eq!(err.to_string(), over);
        // Within the budget the output is as before, and the count starts again each render.
        let t = parse(
            r#"{{$x := "ab"}}{{$x = print $x $x | printf "%3d-%s" 7}}{{$x}}"#,
            false,
        )
        .unwrap();
        assert_eq!(render(&t, Brain::default()).unwrap(), "  7-abab");
        assert_eq!(render(&t, Brain::default()).unwrap(), "  7-abab");
    }

    #[test]
    fn output_past_its_cap_stops_the_render_with_a_message() {
        // 100 passes of 1 MiB: over the 64 MiB cap, within the iteration budget.
        let page = "y".repeat(1024 * 1024);
        let t = parse(&format!("{{{{range 100}}}}{page}{{{{end}}}}"), false).unwrap();
        let err = render(&t, Brain::default()).unwrap_err().to_string();
        assert!(
            err.contains("t.ctmpl: the output would exceed 64 MiB"),
            "{err}"
        );
        // Printing costs steps: 200,000 passes printing 400 bytes each reach the step budget
        // (passes, `loop`'s values and a step per 8 bytes printed) before the output cap.
        let line = "y".repeat(400);
        let t = parse(
            &format!("{{{{range loop 200000}}}}{line}{{{{end}}}}"),
            false,
        )
        .unwrap();
        let err = render(&t, Brain::default()).unwrap_err().to_string();
        assert!(
            err.contains("more than 10000000 steps in one render"),
            "{err}"
        );
    }
}
