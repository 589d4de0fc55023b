//! The render budget for Tera's loops and macros. Tera has no hook that counts passes, so
//! three nested loops over one 4,000-element list made 64 billion passes with no output and no
//! end (the output cap cannot stop what prints nothing), a loop of 300 `{% set %}`s took 40 s
//! within the pass budget, and a macro that calls itself twice ran 2^26 times. Before parsing,
//! the source is rewritten so that each loop's body and each macro's body begins with a call
//! that counts: a loop's pass toward the same cap as the Go engine's `range`
//! (`MAX_RANGE_ITERATIONS` passes per render, all loops together), and either body's weight, two
//! steps per tag in it, toward the render's steps (`budget::MAX_STEPS`, shared with the Go
//! engine and the function calls). The call prints nothing and keeps the tag's whitespace
//! control: `{% for x in xs -%}` becomes `{% for x in xs -%}{{ __sd_pass(steps=4) -}}`.
//! Comments and `{% raw %}` blocks are left as they are; only columns after a loop or macro tag
//! move in messages.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use serde_json::Value;

use super::budget::{Spent, CALL_STEPS, MAX_RANGE_ITERATIONS, PASS_STEPS};

/// The function each loop body calls.
const PASS: &str = "__sd_pass";

/// The function each macro body calls.
const STEPS: &str = "__sd_steps";

/// Steps per tag (`{{ }}` or `{% %}`) in a body: a Tera tag took about twice a Go step's time.
const TAG_STEPS: u64 = 2;

/// Registers the counting functions on `tera`, counting into `spent`.
pub(super) fn register(tera: &mut tera::Tera, spent: &Arc<Spent>) {
    let loops = spent.clone();
    tera.register_function(PASS, move |args: &HashMap<String, Value>| {
        if loops.passes.fetch_add(1, Ordering::Relaxed) >= MAX_RANGE_ITERATIONS {
            return Err(tera::Error::msg(format!(
                "more than {MAX_RANGE_ITERATIONS} passes of for loops in one render"
            )));
        }
        loops
            .steps(steps(args) + PASS_STEPS)
            .map_err(tera::Error::msg)?;
        Ok(Value::String(String::new()))
    });
    let macros = spent.clone();
    tera.register_function(STEPS, move |args: &HashMap<String, Value>| {
        macros
            .steps(steps(args) + CALL_STEPS)
            .map_err(tera::Error::msg)?;
        Ok(Value::String(String::new()))
    });
}

fn steps(args: &HashMap<String, Value>) -> u64 {
    args.get("steps").and_then(Value::as_u64).unwrap_or(0)
}

/// What a tag does to the bodies this rewrite counts.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// `for` or `macro`: a counted body starts after it.
    Opens(&'static str),
    /// `endfor` or `endmacro`.
    Closes,
    Other,
}

/// One `{{ }}` or `{% %}` tag: where its text ends (its closer's first byte, past a `-`),
/// whether the closer trims, and what it does.
struct Tag {
    end: usize,
    trims: bool,
    kind: Kind,
}

impl Tag {
    /// Where the tag's body starts: past its closer.
    fn body(&self) -> usize {
        self.end + if self.trims { 3 } else { 2 }
    }
}

/// `src` with each `{% for %}` and `{% macro %}` body counted at its start.
pub(super) fn count_bodies(src: &str) -> Cow<'_, str> {
    let tags = tags(src);
    if !tags.iter().any(|t| matches!(t.kind, Kind::Opens(_))) {
        return Cow::Borrowed(src);
    }
    let mut out = String::with_capacity(src.len() + 64);
    let mut copied = 0;
    for (i, tag) in tags.iter().enumerate() {
        let Kind::Opens(function) = tag.kind else {
            continue;
        };
        let body = tag.body();
        out.push_str(&src[copied..body]);
        let weight = TAG_STEPS * body_tags(&tags[i + 1..]);
        let trim = if tag.trims { "-" } else { "" };
        out.push_str(&format!("{{{{ {function}(steps={weight}) {trim}}}}}"));
        copied = body;
    }
    out.push_str(&src[copied..]);
    Cow::Owned(out)
}

/// The tags of the body that starts before `rest`, up to the tag that closes it (all of them
/// when none does); nested bodies' tags are counted too.
fn body_tags(rest: &[Tag]) -> u64 {
    let mut depth = 0usize;
    let mut n = 0;
    for tag in rest {
        match tag.kind {
            Kind::Opens(_) => depth += 1,
            Kind::Closes if depth == 0 => break,
            Kind::Closes => depth -= 1,
            Kind::Other => {}
        }
        n += 1;
    }
    n
}

/// Every tag of `src` in order, comments and raw blocks skipped.
fn tags(src: &str) -> Vec<Tag> {
    let mut found = Vec::new();
    let mut rest = 0;
    while let Some(open) = src[rest..].find('{').map(|p| rest + p) {
        let after = &src[open + 1..];
        if after.starts_with('#') {
            // A comment, skipped whole (an unclosed one is Tera's error to report).
            match after.find("#}") {
                Some(end) => rest = open + 1 + end + 2,
                None => break,
            }
            continue;
        }
        if !after.starts_with('%') && !after.starts_with('{') {
            rest = open + 1;
            continue;
        }
        let Some((end, trims)) = tag_end(src, open + 2) else {
            break;
        };
        let words = src[open + 2..end].trim_start_matches('-');
        let statement = after.starts_with('%');
        let kind = match (statement, words.split_whitespace().next()) {
            (true, Some("raw")) => match raw_end(src, end) {
                Some(after_raw) => {
                    rest = after_raw;
                    continue;
                }
                None => break,
            },
            (true, Some("for")) => Kind::Opens(PASS),
            (true, Some("macro")) => Kind::Opens(STEPS),
            (true, Some("endfor" | "endmacro")) => Kind::Closes,
            _ => Kind::Other,
        };
        let tag = Tag { end, trims, kind };
        rest = tag.body();
        found.push(tag);
    }
    found
}

/// The end of the tag whose text starts at `from`: the index of its `-%}`/`%}` (`-}}`/`}}`)
/// closer's first byte past the `-`, and whether the closer trims (`-`). String literals are
/// skipped.
fn tag_end(src: &str, from: usize) -> Option<(usize, bool)> {
    let b = src.as_bytes();
    let mut quote = None;
    let mut i = from;
    while i < b.len() {
        let c = b[i];
        match quote {
            Some(_) if c == b'\\' => i += 1,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if matches!(c, b'"' | b'\'' | b'`') => quote = Some(c),
            None if matches!(c, b'%' | b'}') && b.get(i + 1) == Some(&b'}') => {
                let trims = i > from && b[i - 1] == b'-';
                return Some((if trims { i - 1 } else { i }, trims));
            }
            None => {}
        }
        i += 1;
    }
    None
}

/// Past the `{% endraw %}` closing a raw block whose opening tag ends at `from`.
fn raw_end(src: &str, from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(open) = src[at..].find("{%").map(|p| at + p) {
        let (end, trims) = tag_end(src, open + 2)?;
        let closer = end + if trims { 3 } else { 2 };
        if src[open + 2..end].trim_matches(|c: char| c == '-' || c.is_whitespace()) == "endraw" {
            return Some(closer);
        }
        at = closer;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_loop_body_counts_a_pass_and_keeps_its_whitespace_control() {
        assert_eq!(
            count_bodies("{% for x in xs %}{{ x }}{% endfor %}"),
            "{% for x in xs %}{{ __sd_pass(steps=2) }}{{ x }}{% endfor %}"
        );
        assert_eq!(
            count_bodies("{%- for k, v in m -%}\n a{%- endfor %}"),
            "{%- for k, v in m -%}{{ __sd_pass(steps=0) -}}\n a{%- endfor %}"
        );
        let quoted = r#"{% for x in ["%}", '-%}'] %}{% endfor %}"#;
        assert_eq!(
            count_bodies(quoted),
            r#"{% for x in ["%}", '-%}'] %}{{ __sd_pass(steps=0) }}{% endfor %}"#
        );
    }

    #[test]
    fn a_body_weighs_its_tags_nested_ones_included_and_macros_count_too() {
        // The outer body, up to its own `endfor`: its `set` and the inner loop's three tags.
        // The inner body: one tag.
        assert_eq!(
            count_bodies(
                "{% for a in xs %}{% set y = a %}{% for b in xs %}{{ b }}{% endfor %}{% endfor %}"
            ),
            "{% for a in xs %}{{ __sd_pass(steps=8) }}{% set y = a %}{% for b in xs %}\
             {{ __sd_pass(steps=2) }}{{ b }}{% endfor %}{% endfor %}"
        );
        assert_eq!(
            count_bodies("{% macro m(n) -%}{{ n }}{% if n %}x{% endif %}{%- endmacro m %}"),
            "{% macro m(n) -%}{{ __sd_steps(steps=6) -}}{{ n }}{% if n %}x{% endif %}\
             {%- endmacro m %}"
        );
        // A body left open weighs every tag after it.
        assert_eq!(
            count_bodies("{% for a in xs %}{{ a }}{{ a }}"),
            "{% for a in xs %}{{ __sd_pass(steps=4) }}{{ a }}{{ a }}"
        );
    }

    #[test]
    fn comments_raw_blocks_and_other_tags_are_left_alone() {
        for src in [
            "plain { text } {{ for }}",
            "{# {% for x in xs %} #}",
            "{% raw %}{% for x in xs %}{% endraw %}",
            "{% if for %}{% endif %}{% set forx = 1 %}",
            "{% for x in xs",
        ] {
            assert_eq!(count_bodies(src), src, "{src}");
        }
        assert_eq!(
            count_bodies("{% raw -%}{% for %}{%- endraw %}{% for y in ys %}"),
            "{% raw -%}{% for %}{%- endraw %}{% for y in ys %}{{ __sd_pass(steps=0) }}"
        );
    }
}
