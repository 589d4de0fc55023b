//! A bound on how deeply a Tera template nests brackets inside its tags, checked before Tera
//! parses it. Tera's parser (pest) backtracks on nested calls with keyword arguments: each
//! level of `f(x=` multiplies the time by about 3.5, so 8 levels took 1.2 s, 10 took 20 s and
//! 12 took almost 5 minutes, closed or not (found by fuzzing the `template` target). Real
//! templates nest calls two or three deep; five levels of `(` and `[` together parse in well
//! under 0.1 s.

/// How deeply `(` and `[` may nest inside one `{{ }}` or `{% %}` tag.
pub(crate) const MAX_NESTING: usize = 5;

/// Refuses `src` when a tag nests brackets deeper than [`MAX_NESTING`], naming the line.
pub(crate) fn check(src: &str) -> Result<(), String> {
    let bytes = src.as_bytes();
    let mut i = 0;
    let mut line = 1;
    // Inside a tag: its bracket depth and the quote of the string literal the cursor is in.
    let mut tag: Option<(usize, Option<u8>)> = None;
    while i < bytes.len() {
        let b = bytes[i];
        let next = bytes.get(i + 1).copied();
        if b == b'\n' {
            line += 1;
        }
        match &mut tag {
            None => {
                if b == b'{' && matches!(next, Some(b'{' | b'%')) {
                    tag = Some((0, None));
                    i += 1;
                } else if b == b'{' && next == Some(b'#') {
                    // A comment: skipped whole.
                    match src[i + 2..].find("#}") {
                        Some(end) => {
                            line += src[i..i + 2 + end].matches('\n').count();
                            i += 2 + end + 1;
                        }
                        None => return Ok(()),
                    }
                }
            }
            Some((_, Some(quote))) => {
                if b == b'\\' {
                    i += 1;
                } else if b == *quote {
                    tag = tag.map(|(d, _)| (d, None));
                }
            }
            Some((depth, None)) => match b {
                b'"' | b'\'' | b'`' => tag = Some((*depth, Some(b))),
                b'(' | b'[' => {
                    *depth += 1;
                    if *depth > MAX_NESTING {
                        return Err(format!(
                            "line {line}: a tag nests calls and lists more than {MAX_NESTING} \
                             deep (Tera's parser takes exponential time on deeper nesting)"
                        ));
                    }
                }
                b')' | b']' => *depth = depth.saturating_sub(1),
                b'}' | b'%' if next == Some(b'}') => {
                    tag = None;
                    i += 1;
                }
                _ => {}
            },
        }
        i += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_nesting_in_tags_is_refused() {
        let calls = |n: usize| format!("{{{{ {}1{} }}}}", "f(x=".repeat(n), ")".repeat(n));
        assert!(check(&calls(MAX_NESTING)).is_ok());
        let e = check(&format!("a\nb\n{}", calls(MAX_NESTING + 1))).unwrap_err();
        assert!(e.starts_with("line 3: "), "{e}");
        // Unclosed, in a statement, mixed with lists.
        assert!(check(&format!("{{% if {}", "f(x=[".repeat(3))).is_err());
        // Each tag counts on its own; text, strings and comments do not count.
        let many = calls(MAX_NESTING).repeat(20);
        assert!(check(&many).is_ok());
        assert!(check(&format!("(((((((((( {} ))))))))))", calls(2))).is_ok());
        assert!(check(&format!("{{{{ \"{}\" }}}}", "(".repeat(50))).is_ok());
        assert!(check(&format!("{{# {} #}}{}", "(".repeat(50), calls(2))).is_ok());
        assert!(check(
            "{{ service(name=\"web\") | map(attribute=\"Address\") | join(sep=\",\") }}"
        )
        .is_ok());
    }
}
