//! The render budget for Tera's `{% for %}` loops. Tera has no hook that counts passes, so
//! three nested loops over one 4,000-element list made 64 billion passes with no output and no
//! end (the output cap cannot stop what prints nothing). Before parsing, the source is
//! rewritten so that each loop's body begins with a call that counts one pass, toward the same
//! cap as the Go engine's `range` (`MAX_RANGE_ITERATIONS` passes per render, all loops
//! together). The call prints nothing and keeps the loop tag's whitespace control:
//! `{% for x in xs -%}` becomes `{% for x in xs -%}{{ __sd_pass() -}}`. Comments and
//! `{% raw %}` blocks are left as they are; only columns after a loop tag move in messages.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use serde_json::Value;

use super::budget::{Spent, MAX_RANGE_ITERATIONS};

/// The function each loop body calls.
const PASS: &str = "__sd_pass";

/// Registers the counting function on `tera`, counting into `spent.passes`.
pub(super) fn register(tera: &mut tera::Tera, spent: &Arc<Spent>) {
    let spent = spent.clone();
    tera.register_function(PASS, move |_: &HashMap<String, Value>| {
        if spent.passes.fetch_add(1, Ordering::Relaxed) >= MAX_RANGE_ITERATIONS {
            return Err(tera::Error::msg(format!(
                "more than {MAX_RANGE_ITERATIONS} passes of for loops in one render"
            )));
        }
        Ok(Value::String(String::new()))
    });
}

/// `src` with a pass counted at the start of every `{% for %}` body.
pub(super) fn count_passes(src: &str) -> Cow<'_, str> {
    let mut out = String::new();
    let mut copied = 0;
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
        let mut words = words.split_whitespace();
        match (after.starts_with('%'), words.next()) {
            (true, Some("raw")) => match raw_end(src, end) {
                Some(after_raw) => rest = after_raw,
                None => break,
            },
            (true, Some("for")) => {
                let body = end + if trims { 3 } else { 2 };
                out.push_str(&src[copied..body]);
                out.push_str(if trims {
                    "{{ __sd_pass() -}}"
                } else {
                    "{{ __sd_pass() }}"
                });
                copied = body;
                rest = body;
            }
            _ => rest = end + 2,
        }
    }
    if copied == 0 {
        return Cow::Borrowed(src);
    }
    out.push_str(&src[copied..]);
    Cow::Owned(out)
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
            count_passes("{% for x in xs %}{{ x }}{% endfor %}"),
            "{% for x in xs %}{{ __sd_pass() }}{{ x }}{% endfor %}"
        );
        assert_eq!(
            count_passes("{%- for k, v in m -%}\n a{%- endfor %}"),
            "{%- for k, v in m -%}{{ __sd_pass() -}}\n a{%- endfor %}"
        );
        let quoted = r#"{% for x in ["%}", '-%}'] %}{% endfor %}"#;
        assert_eq!(
            count_passes(quoted),
            r#"{% for x in ["%}", '-%}'] %}{{ __sd_pass() }}{% endfor %}"#
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
            assert_eq!(count_passes(src), src, "{src}");
        }
        assert_eq!(
            count_passes("{% raw -%}{% for %}{%- endraw %}{% for y in ys %}"),
            "{% raw -%}{% for %}{%- endraw %}{% for y in ys %}{{ __sd_pass() }}"
        );
    }
}
