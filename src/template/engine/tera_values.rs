//! The render budget for what Tera's expressions do with values. The step budget bounds how
//! often a template's parts run, not what each costs: `{% set x = x ~ x %}` forty times in an
//! 800-byte template asks for 8 TB (bug 19 in docs/reliability.md), `x | replace(from="", to=x)`
//! grows with the square of `x`, and `x == y` on two 100 MB strings in a loop of a million
//! passes compares for hours. So, as the Go engine's `go_bytes.rs` does on its parse trees:
//!
//! - After parsing, each template's tree (Tera makes it public, unstable between versions; the
//!   lock file pins it) is rewritten. A `~` concatenation gets a first part that sizes the
//!   others (through a filter, which borrows the value instead of copying it) and counts the
//!   result toward [`MAX_MADE_BYTES`] before Tera builds it. A comparison or `in` whose side is
//!   a variable is preceded by a call that counts the sides' bytes as steps.
//! - An array literal copies the variables in it (`{% set x = [x, x] %}` doubles too): each
//!   such element passes through a filter that counts it toward the bytes made as it copies.
//! - A `{% filter %}` section renders its body into a string of Tera's before filtering it, so
//!   what the body prints escapes the output cap: inside such a section, and inside macros
//!   (which may be called from one), text and printed values count as bytes made.
//! - Tera's own filters and tests are wrapped: each call counts its input's and arguments'
//!   shallow size as steps and its result toward the bytes made, and the four whose result
//!   can outgrow their input (`replace`, `indent`, `join`, `split`) size it first.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;
use tera::ast::{Expr, ExprVal, FunctionCall, LogicExpr, LogicOperator, Node, WS};

#[cfg(doc)]
use super::budget::MAX_MADE_BYTES;
use super::budget::{Spent, ARG_BYTES_PER_STEP, CALL_STEPS, ELEMENT_BYTES, ENTRY_BYTES};
use crate::template::funcs::helpers::{MAX_LOOP, MAX_RESULT_BYTES};

/// The filter that sizes a value where it is, without copying it.
const SIZE: &str = "__sd_size";

/// The function a concatenation starts with: counts the sizes it is given as bytes made
/// (and printed text, in a filter section's body).
const CONCAT: &str = "__sd_concat";

/// The filter that copies a value, counting it toward the bytes made first.
const COPY: &str = "__sd_copy";

/// The function a comparison starts with: counts the sizes it is given as steps.
const COMPARE: &str = "__sd_compare";

/// Registers the counting filter and functions and wraps Tera's own filters and tests; call
/// before sd's filters are registered (they count themselves).
pub(super) fn register(tera: &mut tera::Tera, spent: &Arc<Spent>) {
    for (name, inner) in tera.filters.clone() {
        let (spent, key) = (spent.clone(), name.clone());
        tera.register_filter(&key, move |value: &Value, args: &HashMap<String, Value>| {
            let input = shallow(value) + args.values().map(shallow).sum::<u64>();
            spent
                .steps(CALL_STEPS + input / ARG_BYTES_PER_STEP)
                .map_err(tera::Error::msg)?;
            sized(&name, value, args)?;
            let out = inner.filter(value, args)?;
            spent.made(json_bytes(&out)).map_err(tera::Error::msg)?;
            Ok(out)
        });
    }
    for (name, inner) in tera.testers.clone() {
        let spent = spent.clone();
        tera.register_tester(&name, move |value: Option<&Value>, args: &[Value]| {
            let input = value.map_or(0, shallow) + args.iter().map(shallow).sum::<u64>();
            spent
                .steps(CALL_STEPS + input / ARG_BYTES_PER_STEP)
                .map_err(tera::Error::msg)?;
            inner.test(value, args)
        });
    }
    tera.register_filter(SIZE, |value: &Value, _: &HashMap<String, Value>| {
        Ok(Value::from(json_bytes(value)))
    });
    let copies = spent.clone();
    tera.register_filter(COPY, move |value: &Value, _: &HashMap<String, Value>| {
        copies.made(json_bytes(value)).map_err(tera::Error::msg)?;
        Ok(value.clone())
    });
    let made = spent.clone();
    tera.register_function(CONCAT, move |args: &HashMap<String, Value>| {
        made.steps(CALL_STEPS).map_err(tera::Error::msg)?;
        made.made(total(args)).map_err(tera::Error::msg)?;
        Ok(Value::String(String::new()))
    });
    let steps = spent.clone();
    tera.register_function(COMPARE, move |args: &HashMap<String, Value>| {
        steps
            .steps(CALL_STEPS + total(args) / ARG_BYTES_PER_STEP)
            .map_err(tera::Error::msg)?;
        Ok(Value::Bool(true))
    });
}

fn total(args: &HashMap<String, Value>) -> u64 {
    args.values().filter_map(Value::as_u64).sum()
}

/// Rewrites template `name` of `tera` (its body, its macros and its blocks) as the module
/// header says.
pub(super) fn rewrite(tera: &mut tera::Tera, name: &str) {
    let Some(template) = tera.templates.get_mut(name) else {
        return;
    };
    nodes(&mut template.ast, false);
    for definition in template.macros.values_mut() {
        nodes(&mut definition.body, true);
    }
    // A block may sit inside a filter section.
    for (_, block) in template.blocks_definitions.values_mut().flatten() {
        nodes(&mut block.body, true);
    }
}

/// Rewrites `list`; `printing` when what it prints goes to a string of Tera's (a filter
/// section's body, or a macro's, which may be called from one) instead of the capped output.
fn nodes(list: &mut Vec<Node>, printing: bool) {
    for mut n in std::mem::take(list) {
        node(&mut n, printing);
        match &mut n {
            Node::Text(text) if printing => {
                let size = Expr::new(ExprVal::Int(text.len() as i64));
                let count = FunctionCall {
                    name: CONCAT.into(),
                    args: HashMap::from([("text".to_string(), size)]),
                };
                list.push(Node::VariableBlock(
                    WS::default(),
                    Expr::new(ExprVal::FunctionCall(count)),
                ));
            }
            Node::VariableBlock(_, e) if printing => e.filters.push(filter(COPY)),
            _ => {}
        }
        list.push(n);
    }
}

fn node(n: &mut Node, printing: bool) {
    match n {
        Node::VariableBlock(_, e) => expr(e),
        Node::MacroDefinition(_, m, _) => {
            m.args.values_mut().flatten().for_each(expr);
            nodes(&mut m.body, true);
        }
        Node::Set(_, s) => expr(&mut s.value),
        Node::FilterSection(_, f, _) => {
            call(&mut f.filter);
            nodes(&mut f.body, true);
        }
        Node::Block(_, b, _) => nodes(&mut b.body, printing),
        Node::Forloop(_, f, _) => {
            expr(&mut f.container);
            nodes(&mut f.body, printing);
            if let Some(empty) = &mut f.empty_body {
                nodes(empty, printing);
            }
        }
        Node::If(i, _) => {
            for (_, condition, body) in &mut i.conditions {
                expr(condition);
                nodes(body, printing);
            }
            if let Some((_, body)) = &mut i.otherwise {
                nodes(body, printing);
            }
        }
        Node::Super
        | Node::Text(_)
        | Node::Extends(..)
        | Node::Include(..)
        | Node::ImportMacro(..)
        | Node::Raw(..)
        | Node::Break(_)
        | Node::Continue(_)
        | Node::Comment(..) => {}
    }
}

fn call(c: &mut FunctionCall) {
    c.args.values_mut().for_each(expr);
}

fn expr(e: &mut Expr) {
    e.filters.iter_mut().for_each(call);
    match &mut e.val {
        ExprVal::Math(m) => {
            expr(&mut m.lhs);
            expr(&mut m.rhs);
        }
        ExprVal::Logic(l) => {
            expr(&mut l.lhs);
            expr(&mut l.rhs);
        }
        ExprVal::Test(t) => t.args.iter_mut().for_each(expr),
        ExprVal::MacroCall(c) => c.args.values_mut().for_each(expr),
        ExprVal::FunctionCall(c) => call(c),
        ExprVal::Array(items) => {
            for item in items.iter_mut() {
                expr(item);
                if matches!(item.val, ExprVal::Ident(_)) {
                    item.filters.push(filter(COPY));
                }
            }
        }
        ExprVal::In(i) => {
            expr(&mut i.lhs);
            expr(&mut i.rhs);
        }
        ExprVal::StringConcat(c) => {
            let mut sizes = HashMap::new();
            for (i, part) in c.values.iter_mut().enumerate() {
                let size = match part {
                    ExprVal::Ident(name) => sized_ident(name),
                    ExprVal::String(s) => Expr::new(ExprVal::Int(s.len() as i64)),
                    ExprVal::FunctionCall(f) => {
                        call(f);
                        continue;
                    }
                    _ => continue,
                };
                sizes.insert(format!("p{i}"), size);
            }
            let counter = ExprVal::FunctionCall(FunctionCall {
                name: CONCAT.into(),
                args: sizes,
            });
            c.values.insert(0, counter);
        }
        ExprVal::String(_)
        | ExprVal::Int(_)
        | ExprVal::Float(_)
        | ExprVal::Bool(_)
        | ExprVal::Ident(_) => {}
    }
    let sides = match &e.val {
        ExprVal::Logic(l) if !matches!(l.operator, LogicOperator::And | LogicOperator::Or) => {
            [&l.lhs, &l.rhs]
        }
        ExprVal::In(i) => [&i.lhs, &i.rhs],
        _ => return,
    };
    let sizes: HashMap<String, Expr> = sides
        .iter()
        .enumerate()
        .filter_map(|(i, side)| match &side.val {
            ExprVal::Ident(name) if side.filters.is_empty() => {
                Some((format!("s{i}"), sized_ident(name)))
            }
            _ => None,
        })
        .collect();
    if sizes.is_empty() {
        return;
    }
    let counter = Expr::new(ExprVal::FunctionCall(FunctionCall {
        name: COMPARE.into(),
        args: sizes,
    }));
    let compared = std::mem::replace(&mut e.val, ExprVal::Bool(true));
    e.val = ExprVal::Logic(LogicExpr {
        lhs: Box::new(counter),
        rhs: Box::new(Expr::new(compared)),
        operator: LogicOperator::And,
    });
}

/// `name | __sd_size`.
fn sized_ident(name: &str) -> Expr {
    Expr::with_filters(ExprVal::Ident(name.into()), vec![filter(SIZE)])
}

/// The filter `name` without arguments.
fn filter(name: &str) -> FunctionCall {
    FunctionCall {
        name: name.into(),
        args: HashMap::new(),
    }
}

/// About the bytes `value` holds, as `budget::value_bytes` counts a Go value.
fn json_bytes(value: &Value) -> u64 {
    match value {
        Value::String(s) => s.len() as u64,
        Value::Array(items) => items.iter().map(|v| ELEMENT_BYTES + json_bytes(v)).sum(),
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| ENTRY_BYTES + k.len() as u64 + json_bytes(v))
            .sum(),
        _ => ELEMENT_BYTES,
    }
}

/// `value`'s size without looking inside its elements: what a filter is charged for reading it.
fn shallow(value: &Value) -> u64 {
    match value {
        Value::String(s) => s.len() as u64,
        Value::Array(items) => ELEMENT_BYTES * items.len() as u64,
        Value::Object(m) => ENTRY_BYTES * m.len() as u64,
        _ => ELEMENT_BYTES,
    }
}

/// Refuses a call of Tera's filter `name` whose result would pass the helpers' result cap.
fn sized(name: &str, value: &Value, args: &HashMap<String, Value>) -> tera::Result<()> {
    let text = |key: &str| args.get(key).and_then(Value::as_str).unwrap_or("");
    let input = value.as_str().unwrap_or("");
    // Occurrences of `pat` in the input: an empty pattern matches between every character.
    let count = |pat: &str| match pat {
        "" => input.chars().count() as u64 + 1,
        _ => input.matches(pat).count() as u64,
    };
    let (bytes, parts) = match name {
        "replace" => (
            input.len() as u64 + count(text("from")) * text("to").len() as u64,
            0,
        ),
        "indent" => {
            let prefix = args.get("prefix").and_then(Value::as_str).unwrap_or("    ");
            (
                input.len() as u64 + count("\n").saturating_add(1) * prefix.len() as u64,
                0,
            )
        }
        "join" => match value {
            Value::Array(items) => (
                json_bytes(value) + items.len() as u64 * text("sep").len() as u64,
                0,
            ),
            _ => (0, 0),
        },
        "split" => (0, count(text("pat")) + 1),
        _ => (0, 0),
    };
    if bytes > MAX_RESULT_BYTES as u64 {
        return Err(tera::Error::msg(format!(
            "the result would be more than {} MiB",
            MAX_RESULT_BYTES / (1024 * 1024)
        )));
    }
    if parts > MAX_LOOP.unsigned_abs() {
        return Err(tera::Error::msg(format!(
            "the result would be more than {} parts",
            MAX_LOOP
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tera::tests::{render, render_error};

    #[test]
    fn expressions_keep_their_meaning() {
        let src = "{% set a = \"x\" ~ 1 ~ \"y\" %}{% set b = a ~ a %}{{ b }} \
                   {% if a == \"x1y\" and not a != \"x1y\" %}eq{% endif %} \
                   {% if \"1\" in a %}in{% endif %}{% if \"z\" not in a %} out{% endif %} \
                   {{ [\"a\", b] | join(sep=\",\") }} {{ a | replace(from=\"1\", to=\"2\") }} \
                   {{ \"a,b\" | split(pat=\",\") | length }} {{ a is containing(\"1\") }}";
        assert_eq!(render(src).unwrap(), "x1yx1y eq in out a,x1yx1y x2y 2 true");
    }

    #[test]
    fn doubling_a_string_stops_at_the_bytes_made() {
        // The fuzzer's input (bug 19): 8 bytes doubled forty times, 8 TB.
        let src = format!(
            "{{% set x = \"abcdefgh\" %}}{}{{{{ x | length }}}}",
            "{% set x = x ~ x %}".repeat(40)
        );
        let err = render_error(&src);
        assert!(
            err.contains("more than 256 MiB of values made in one render"),
            "{err}"
        );
    }

    #[test]
    fn arrays_and_filter_sections_count_what_they_copy_and_print() {
        let over = "more than 256 MiB of values made in one render";
        // Nested arrays doubled forty times: 2^40 copies of 8 bytes.
        let src = format!(
            "{{% set x = \"abcdefgh\" %}}{}{{{{ x | length }}}}",
            "{% set x = [x, x] %}".repeat(40)
        );
        let err = render_error(&src);
        assert!(err.contains(over), "{err}");
        // A filter section's body is rendered into a string before the output cap sees it:
        // 100,000 passes printing 64 KiB each, and the same in text.
        let kib = "y".repeat(64 * 1024);
        for body in ["{{ x }}".to_string(), kib.clone()] {
            let err = render_error(&format!(
                "{{% set x = \"{kib}\" %}}{{% filter upper %}}{{% for i in range(end=100000) %}}{body}{{% endfor %}}{{% endfilter %}}"
            ));
            assert!(err.contains(over), "{err}");
        }
        // Macros may be called from a section.
        let err = render_error(&format!(
            "{{% macro m() %}}{kib}{{% endmacro m %}}{{% filter upper %}}{{% for i in range(end=100000) %}}{{{{ self::m() }}}}{{% endfor %}}{{% endfilter %}}"
        ));
        assert!(err.contains(over), "{err}");
        // Within the budget they render as before.
        let src = "{% macro m(a) %}<{{ a }}>{% endmacro m %}{% set x = \"ab\" %}\
                   {% filter upper %}{{ [x, x] | join(sep=\"-\") }} {{ self::m(a=x) }}{% endfilter %}";
        assert_eq!(render(src).unwrap(), "AB-AB <AB>");
    }

    #[test]
    fn filters_that_outgrow_their_input_are_sized_first() {
        let x = "y".repeat(10_000);
        // 10,000 copies of 10,000 bytes.
        let err = render_error(&format!(
            "{{% set x = \"{x}\" %}}{{{{ x | replace(from=\"\", to=x) | length }}}}"
        ));
        assert!(
            err.contains("the result would be more than 64 MiB"),
            "{err}"
        );
        let err = render_error(&format!(
            "{{% set x = \"{x}\" %}}{{{{ x | split(pat=\"\") | length }}}}{}{{{{ x | split(pat=\"\") | length }}}}",
            // 10,000 bytes times 4^4: 2.56 million parts.
            "{% set x = x ~ x ~ x ~ x %}".repeat(4)
        ));
        assert!(err.contains("more than 1000000 parts"), "{err}");
    }

    #[test]
    fn comparing_big_values_costs_steps() {
        // A million passes comparing 1 MiB strings: 100 GB of compares.
        let x = "y".repeat(1024 * 1024);
        let err = render_error(&format!(
            "{{% set x = \"{x}\" %}}{{% for i in range(end=1000000) %}}{{% if x == x %}}{{% endif %}}{{% endfor %}}"
        ));
        assert!(
            err.contains("more than 10000000 steps in one render"),
            "{err}"
        );
        let err = render_error(&format!(
            "{{% set x = \"{x}\" %}}{{% for i in range(end=1000000) %}}{{% if \"z\" in x %}}{{% endif %}}{{% endfor %}}"
        ));
        assert!(
            err.contains("more than 10000000 steps in one render"),
            "{err}"
        );
    }
}
