//! String helpers: `split`, `splitToMap`, `join`, `trim`, `trimPrefix`, `trimSuffix`,
//! `trimSpace`, `replaceAll`, `regexReplaceAll`, `regexMatch`, `toLower`, `toUpper`, `toTitle`,
//! `indent`.

use std::collections::BTreeMap;
use std::sync::Arc;

use gotmpl::Value;

use super::{arity, fail, list, map_value, sized, string, string_fn, text, value_fn, MAX_LOOP};

pub(super) fn register(map: &mut gotmpl::FuncMap) {
    string_fn(map, "split", |[sep, s]| {
        let s = s.trim();
        if s.is_empty() {
            return Ok(Value::List(Arc::from([])));
        }
        // A list of a million strings takes tens of MB; `split ""` makes one per character.
        let most = MAX_LOOP.unsigned_abs() as usize;
        let parts: Vec<Value> = s.split(sep).take(most + 1).map(string).collect();
        if parts.len() > most {
            return Err(fail("split", format!("more than {MAX_LOOP} parts")));
        }
        Ok(Value::List(parts.into()))
    });
    string_fn(map, "splitToMap", |[sep1, sep2, s]| {
        let mut m = BTreeMap::new();
        let s = s.trim();
        if !s.is_empty() {
            for item in s.split(sep1) {
                if let Some((k, v)) = item.split_once(sep2) {
                    m.insert(Arc::from(k), string(v));
                }
            }
        }
        Ok(map_value(m))
    });
    value_fn(map, "join", |a| {
        arity("join", a, 2)?;
        let sep = text("join", a, 0)?;
        let parts = list("join", &a[1])?
            .iter()
            .map(|v| {
                v.as_str()
                    .ok_or_else(|| fail("join", "expected a list of strings"))
            })
            .collect::<gotmpl::Result<Vec<&str>>>()?;
        let seps = sep.len().saturating_mul(parts.len().saturating_sub(1));
        sized(
            "join",
            parts.iter().fold(seps, |n, p| n.saturating_add(p.len())),
        )?;
        Ok(string(parts.join(sep)))
    });
    string_fn(map, "trim", |[cutset, s]| {
        Ok(string(s.trim_matches(|c| cutset.contains(c))))
    });
    string_fn(map, "trimPrefix", |[p, s]| {
        Ok(string(s.strip_prefix(p).unwrap_or(s)))
    });
    string_fn(map, "trimSuffix", |[p, s]| {
        Ok(string(s.strip_suffix(p).unwrap_or(s)))
    });
    string_fn(map, "trimSpace", |[s]| Ok(string(s.trim())));
    string_fn(map, "replaceAll", |[from, to, s]| {
        // An empty `from` matches before every character and at the end, as in Go.
        let matches = if from.is_empty() {
            s.chars().count() + 1
        } else {
            s.matches(from).count()
        };
        let kept = s.len() - matches * from.len();
        sized(
            "replaceAll",
            kept.saturating_add(matches.saturating_mul(to.len())),
        )?;
        Ok(string(s.replace(from, to)))
    });
    string_fn(map, "regexReplaceAll", |[re, repl, s]| {
        let re = crate::api::regexp::compile(re).map_err(|e| fail("regexReplaceAll", e))?;
        // Every group a replacement names lies within its match, so one match's replacement
        // is at most the replacement's text and the match once per `$` in it: the result is
        // sized before each replacement is expanded into it (as `replace_all` would build it).
        let refs = repl.matches('$').count();
        let (mut out, mut last) = (String::new(), 0);
        for caps in re.captures_iter(s) {
            let Some(m) = caps.get(0) else {
                continue;
            };
            out.push_str(&s[last..m.start()]);
            let most = repl.len().saturating_add(refs.saturating_mul(m.len()));
            sized(
                "regexReplaceAll",
                (out.len() + s.len() - m.end()).saturating_add(most),
            )?;
            caps.expand(repl, &mut out);
            last = m.end();
        }
        out.push_str(&s[last..]);
        Ok(string(out))
    });
    string_fn(map, "regexMatch", |[re, s]| {
        let re = crate::api::regexp::compile(re).map_err(|e| fail("regexMatch", e))?;
        Ok(Value::Bool(re.is_match(s)))
    });
    string_fn(map, "toLower", |[s]| Ok(string(s.to_lowercase())));
    string_fn(map, "toUpper", |[s]| Ok(string(s.to_uppercase())));
    string_fn(map, "toTitle", |[s]| Ok(string(title(s))));
    value_fn(map, "indent", |a| {
        arity("indent", a, 2)?;
        let n = a[0]
            .as_int()
            .filter(|n| *n >= 0)
            .ok_or_else(|| fail("indent", "indent value must be a positive integer"))?;
        let s = text("indent", a, 1)?;
        let n = usize::try_from(n).unwrap_or(usize::MAX);
        match padded_lines(s) {
            0 => Ok(string(s)),
            lines => {
                sized("indent", s.len().saturating_add(n.saturating_mul(lines)))?;
                Ok(string(indent(n, s)))
            }
        }
    });
}

/// Go's `strings.Title`: the first letter of every word upper-cased, where letters, digits,
/// underscores and apostrophes belong to words.
fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_sep = true;
    for c in s.chars() {
        if prev_sep {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        prev_sep = !(c.is_alphanumeric() || c == '_' || c == '\'');
    }
    out
}

/// Prefixes every non-empty line of `s` with `n` spaces.
/// The lines of `s` that [`indent`] pads: those with something on them.
fn padded_lines(s: &str) -> usize {
    s.split('\n').filter(|line| !line.is_empty()).count()
}

fn indent(n: usize, s: &str) -> String {
    let pad = " ".repeat(n);
    let mut out = String::with_capacity(s.len() + n);
    let mut at_line_start = true;
    for c in s.chars() {
        if at_line_start && c != '\n' {
            out.push_str(&pad);
        }
        out.push(c);
        at_line_start = c == '\n';
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{ok, render};

    #[test]
    fn strings_as_consul_template_gives_them() {
        let cases = [
            (r#"{{ split "," "a,b,,c" }}"#, "[a b  c]"),
            (r#"{{ split "," "  " | len }}"#, "0"),
            (r#"{{ splitToMap "," "=" "a=1,b=2,junk" }}"#, "map[a:1 b:2]"),
            (r#"{{ split "," "a,b" | join "-" }}"#, "a-b"),
            (
                r#"{{ trim "xy" "xyhixy" }}|{{ "  x " | trimSpace }}|"#,
                "hi|x|",
            ),
            (
                r#"{{ "www.a.com" | trimPrefix "www." | trimSuffix ".com" }}"#,
                "a",
            ),
            (r#"{{ "a.b.c" | replaceAll "." "_" }}"#, "a_b_c"),
            (
                r#"{{ "web-1 api-22" | regexReplaceAll "([a-z]+)-([0-9]+)" "$2:$1" }}"#,
                "1:web 22:api",
            ),
            (r#"{{ regexMatch "^w.b$" "web" }}"#, "true"),
            (r#"{{ toUpper "ab" }}{{ toLower "CD" }}"#, "ABcd"),
            (
                r#"{{ toTitle "hello wide-world o'neil" }}"#,
                "Hello Wide-World O'neil",
            ),
            ("{{ indent 2 \"a\\n\\nb\" }}", "  a\n\n  b"),
        ];
        for (src, want) in cases {
            assert_eq!(ok(src), want, "{src}");
        }
    }

    #[test]
    fn bad_input_is_an_error_naming_the_function() {
        let err = render(r#"{{ regexMatch "(" "x" }}"#, &[]).unwrap_err();
        assert!(err.contains("regexMatch"), "{err}");
        let err = render(r#"{{ indent -1 "x" }}"#, &[]).unwrap_err();
        assert!(err.contains("positive integer"), "{err}");
        let err = render(r#"{{ toUpper 1 }}"#, &[]).unwrap_err();
        assert!(err.contains("expected string"), "{err}");
    }

    #[test]
    fn results_that_would_outgrow_the_output_cap_are_refused_before_they_are_made() {
        let over = "the result would be more than 64 MiB";
        // 100 GB of spaces, asked for at once.
        let err = render(r#"{{ indent 100000000000 "x" }}"#, &[]).unwrap_err();
        assert!(
            err.contains(&format!("error calling indent: {over}")),
            "{err}"
        );
        assert_eq!(ok(r#"{{ indent 100000000000 "" }}|"#), "|");
        // 10,001 insertions of 10,000 bytes: 100 MB from 20 KB.
        let (s, to) = ("s".repeat(10_000), "t".repeat(10_000));
        for f in ["replaceAll", "regexReplaceAll"] {
            let err = render(&format!(r#"{{{{ {f} "" "{to}" "{s}" | len }}}}"#), &[]).unwrap_err();
            assert!(err.contains(&format!("error calling {f}: {over}")), "{err}");
        }
        assert_eq!(
            ok(&format!(r#"{{{{ replaceAll "s" "tt" "{s}" | len }}}}"#)),
            "20000"
        );
        assert_eq!(
            ok(&format!(
                r#"{{{{ regexReplaceAll "(s)" "$1$1" "{s}" | len }}}}"#
            )),
            "20000"
        );
        // One match of 2 MB named 40,000 times in its replacement: 80 GB, refused before it is
        // made (expanding it first to size it asked for all of it).
        let (big, refs) = ("s".repeat(2 << 20), "$1".repeat(40_000));
        let err = render(
            &format!(r#"{{{{ regexReplaceAll "(.+)" "{refs}" "{big}" }}}}"#),
            &[],
        )
        .unwrap_err();
        assert!(
            err.contains(&format!("error calling regexReplaceAll: {over}")),
            "{err}"
        );
        let err = render(&format!(r#"{{{{ split "" "{s}" | join "{to}" }}}}"#), &[]).unwrap_err();
        assert!(
            err.contains(&format!("error calling join: {over}")),
            "{err}"
        );
        // A million and one parts.
        let err = render(
            &format!(r#"{{{{ split "," "{}" }}}}"#, ",".repeat(1_000_000)),
            &[],
        )
        .unwrap_err();
        assert!(
            err.contains("error calling split: more than 1000000 parts"),
            "{err}"
        );
    }
}
