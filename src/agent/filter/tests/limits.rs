//! Absurd input is refused with an error, never a panic or a stack overflow.

use super::error;
use crate::agent::filter::schemas;
use crate::agent::filter::{Filter, FilterError, MAX_DEPTH, MAX_LEN, MAX_REGEXES};

#[test]
fn too_long() {
    let src = format!("Node == \"{}\"", "x".repeat(MAX_LEN));
    assert_eq!(
        error(schemas::node(), &src),
        FilterError::TooLong {
            len: src.len(),
            max: MAX_LEN
        }
    );
}

#[test]
fn nesting_is_bounded() {
    let nested = |n: usize| format!("{}Node == x{}", "(".repeat(n), ")".repeat(n));
    assert!(Filter::parse(&nested(MAX_DEPTH), schemas::node()).is_ok());
    let e = error(schemas::node(), &nested(MAX_DEPTH + 1));
    assert_eq!(e.offset(), Some(MAX_DEPTH));
    assert!(e.to_string().contains("nests deeper than 64 levels"), "{e}");
    // As deep as the length limit allows: still an error, not a stack overflow.
    let e = error(schemas::node(), &"(".repeat(MAX_LEN));
    assert_eq!(e.offset(), Some(MAX_DEPTH));
    let e = error(schemas::node(), &"not ".repeat(MAX_LEN / 4));
    assert!(e.to_string().contains("nests deeper"), "{e}");
    let mixed = format!("{}Node == x", "not (".repeat(MAX_DEPTH));
    assert!(error(schemas::node(), &mixed)
        .to_string()
        .contains("nests deeper"));
}

#[test]
fn long_chains_are_flat() {
    // About 700 terms: parsed and evaluated iteratively.
    let terms: Vec<String> = (0..700).map(|i| format!("Node == n{i}")).collect();
    let src = terms.join(" or ");
    assert!(src.len() < MAX_LEN);
    let f = match Filter::parse(&src, schemas::node()) {
        Ok(f) => f,
        Err(e) => panic!("{e}"),
    };
    assert!(f.matches(&serde_json::json!({"Node": "n699"})));
    assert!(!f.matches(&serde_json::json!({"Node": "n700"})));
    let src = terms.join(" and ");
    assert!(Filter::parse(&src, schemas::node()).is_ok());
}

#[test]
fn regular_expressions_are_bounded() {
    let many: Vec<String> = (0..=MAX_REGEXES)
        .map(|i| format!("Node matches \"n{i}\""))
        .collect();
    assert_eq!(
        error(schemas::node(), &many.join(" or ")),
        FilterError::TooManyRegexes { max: MAX_REGEXES }
    );
    assert!(Filter::parse(&many[..MAX_REGEXES].join(" or "), schemas::node()).is_ok());
    let e = error(schemas::node(), r#"Node matches "(a{1000}){1000}""#);
    assert!(
        matches!(&e, FilterError::Regex { .. }),
        "a huge regex must be refused: {e}"
    );
}

/// A small deterministic generator (xorshift), so the test needs no extra crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % 1_000_003) as usize
    }
}

#[test]
fn random_input_never_panics() {
    const PIECES: &[&str] = &[
        "Node",
        "Meta",
        ".",
        "[",
        "]",
        "(",
        ")",
        "\"",
        "`",
        "\\",
        "==",
        "!=",
        "=",
        "!",
        " ",
        "\t",
        "\n",
        "and",
        "or",
        "not",
        "in",
        "is",
        "empty",
        "contains",
        "matches",
        "\"x\"",
        "`y`",
        "1",
        "-",
        "0.5",
        "x",
        "é",
        "\"\\u12\"",
        "\"\\x",
        "TaggedAddresses",
        "lan",
        "ID",
        "Address",
        "\"[\"",
        "*",
        "+",
        "{",
        "}",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..20_000 {
        let len = rng.next() % 16;
        let src: String = (0..len)
            .map(|_| PIECES[rng.next() % PIECES.len()])
            .collect();
        // Only the absence of a panic matters; both outcomes are fine.
        if let Ok(f) = Filter::parse(&src, schemas::node()) {
            f.matches(&serde_json::json!({"Node": "x", "Meta": {"x": "1"}}));
        }
    }
    // Every prefix of a valid expression, including cuts inside multi-byte characters'
    // neighbourhood and escapes.
    let full = r#"(Node == "é\u00e9" or not Meta["k-1"] matches `^a.*`) and "x" not in Meta"#;
    for (i, _) in full.char_indices() {
        let _ = Filter::parse(&full[..i], schemas::node());
    }
}

#[test]
fn regex_nesting_is_bounded() {
    // The regex crate compiles a pattern recursively; 250 stacked repetitions (its own nesting
    // limit) overflowed this thread's 2 MiB in a debug build. Patterns get the nesting limit of
    // `api::regexp`, the same as the filter's own: every shape below is refused past it and
    // compiles and runs, without exhausting the stack, within it.
    let shapes: [fn(usize) -> String; 7] = [
        |n| format!("a{}", "*".repeat(n)),
        |n| format!("a{}", "+?".repeat(n)),
        |n| format!("[a{}{}", "&&[a".repeat(n), "]".repeat(n + 1)),
        |n| format!("{}a{}", "(".repeat(n), ")".repeat(n)),
        |n| format!("{}a{}", "(?:b|".repeat(n), ")*".repeat(n)),
        |n| format!("{}a{}", "(a{2}|".repeat(n), ")?".repeat(n)),
        |n| format!("{}a{}", "[[".repeat(n), "]]".repeat(n)),
    ];
    for (i, shape) in shapes.iter().enumerate() {
        for n in [MAX_DEPTH, 120, 250, 1000, 2000] {
            let src = format!("Node matches \"{}\"", shape(n));
            assert!(src.len() <= MAX_LEN);
            match Filter::parse(&src, schemas::node()) {
                Ok(f) => {
                    assert!(n <= MAX_DEPTH, "shape {i}: {n} levels accepted");
                    f.matches(&serde_json::json!({"Node": "a"}));
                    f.matches(&serde_json::json!({"Node": "b".repeat(100)}));
                }
                Err(FilterError::Regex { reason, .. }) => {
                    // Shapes that nest two levels per repeat reach the limit at half of it.
                    assert!(n >= MAX_DEPTH, "shape {i}, {n} levels: {reason}")
                }
                Err(e) => panic!("shape {i}, {n} levels: {}", e.to_string().len()),
            }
        }
    }
}
