//! Malformed expressions (with their positions) and expressions a schema refuses, with the
//! messages Consul gives.

use super::error;
use crate::agent::filter::schemas;
use crate::agent::filter::{Filter, FilterError};

/// The offset and message of the syntax error `src` gives.
fn syntax(src: &str) -> (usize, String) {
    match error(schemas::catalog_service(), src) {
        FilterError::Syntax {
            offset, message, ..
        } => (offset, message),
        other => panic!("{src:?}: not a syntax error: {other}"),
    }
}

#[test]
fn syntax_errors_match_go_bexpr_positions() {
    // Inputs and positions from go-bexpr's grammar tests.
    let cases: &[(&str, usize, &str)] = &[
        ("foo == \"12x", 11, "Unterminated string literal"),
        ("foo == `12x", 11, "Unterminated string literal"),
        ("foo == 3x", 8, "Invalid number literal"),
        ("foo[3] == abc", 4, "Invalid index"),
        ("x in foo[\"abc\"", 14, "Unclosed index expression"),
        ("foo[\"abc\" == 3", 10, "Unclosed index expression"),
        ("x in 32", 5, "Invalid selector"),
        ("32 == 32", 3, r#"expected: "in" or "not in""#),
        ("32 is empty", 3, r#"expected: "in" or "not in""#),
        (
            "x in foo abc",
            9,
            r#"expected: "and", "or" or end of input; found "abc""#,
        ),
        ("x in foo and ", 13, "found end of input"),
        ("x in foo or ", 12, "found end of input"),
        ("x in foo or not ", 16, "found end of input"),
        ("(foo == 4", 9, "Unmatched parentheses"),
    ];
    for (src, offset, message) in cases {
        let (at, msg) = syntax(src);
        assert_eq!(at, *offset, "{src:?}: {msg}");
        assert!(msg.contains(message), "{src:?}: {msg:?} lacks {message:?}");
    }
}

#[test]
fn syntax_errors_say_what_was_expected() {
    let cases: &[(&str, usize, &str)] = &[
        // An unquoted value stops at the hyphen (Consul issue #6467).
        ("Node==host-name", 10, r#"found '-'"#),
        ("", 0, ""),
        (
            "   ",
            3,
            r#"expected: "(", "not", a selector, a string or a number"#,
        ),
        (
            "ServiceName",
            11,
            r#""!=", "==", "contains", "in", "is", "matches" or "not""#,
        ),
        ("ServiceName ==", 14, "expected: a value"),
        ("ServiceTags is", 14, r#"expected: "empty" or "not empty""#),
        ("ServiceTags is not full", 19, r#"found "full""#),
        (
            "ServiceName not equal x",
            16,
            r#""contains", "in" or "matches""#,
        ),
        ("ServiceName = x", 12, r#"found '='"#),
        ("(", 1, "a selector"),
        (")", 0, r#"found ')'"#),
        ("Node == a )", 10, r#"found ')'"#),
        ("(Node == a b)", 11, r#"expected: "and", "or" or ")""#),
        ("Node. == 1", 5, r#"a name after ".""#),
        ("NodeMeta.1x == 1", 9, r#"a name after ".""#),
        ("Node == \"a\nb\"", 10, "Newline in string literal"),
        (r#"Node == "\q""#, 9, "Invalid escape sequence"),
        (r#"Node == "\x4""#, 9, "Invalid escape sequence"),
        (r#"Node == "\777""#, 9, "Invalid escape sequence"),
        (r#"Node == "\ud800""#, 9, "Invalid escape sequence"),
        (r#"Node == "\xff""#, 8, "not valid UTF-8"),
        ("Node == -", 9, "Invalid number literal"),
        ("Node == 01", 9, "Invalid number literal"),
        ("Node == 1.", 9, "Invalid number literal"),
        ("Node == 1.2.3", 11, "Invalid number literal"),
        ("Node == @", 8, "found '@'"),
    ];
    for (src, offset, message) in cases {
        if src.is_empty() {
            assert!(Filter::parse(src, schemas::catalog_service()).is_ok());
            continue;
        }
        let (at, msg) = syntax(src);
        assert_eq!(at, *offset, "{src:?}: {msg}");
        assert!(msg.contains(message), "{src:?}: {msg:?} lacks {message:?}");
    }
}

#[test]
fn positions_count_lines_and_characters() {
    let e = error(schemas::node(), "Node == \"x\" and\n  Meta.é == 1");
    assert_eq!(
        e.to_string(),
        "Failed to create boolean expression evaluator: 2:8 (23): no match found, expected: \
         a name after \".\"; found 'é'"
    );
    assert_eq!(e.offset(), Some(23));
    let e = error(schemas::node(), "Meta[\"ü\"] == 1 x");
    assert_eq!(
        e.to_string(),
        "Failed to create boolean expression evaluator: 1:16 (16): no match found, expected: \
         \"and\", \"or\" or end of input; found \"x\""
    );
}

#[test]
fn full_messages_read_like_consuls() {
    let s = schemas::catalog_service();
    let cases = [
        ("foo == \"12x", "1:12 (11): Unterminated string literal"),
        ("Foo == 1", r#"Selector "Foo" is not valid"#),
        (
            "ServiceMeta.a.b == x",
            r#"Selector "ServiceMeta.a.b" is not valid"#,
        ),
        (
            "ServiceTags.x == 1",
            r#"Selector "ServiceTags.x" is not valid"#,
        ),
        (
            "ServiceWeights.Passing.X == 1",
            r#"Selector "ServiceWeights.Passing.X" is not valid"#,
        ),
        (
            "ServiceProxy.Config is empty",
            r#"Selector "ServiceProxy.Config" is not valid"#,
        ),
        ("CreateIndex == 1", r#"Selector "CreateIndex" is not valid"#),
        ("servicename == x", r#"Selector "servicename" is not valid"#),
        (
            r#"ServiceMeta["a"]["b"] == x"#,
            r#"Selector "ServiceMeta.a.b" is not valid"#,
        ),
        (
            "ServicePort matches `8`",
            r#"Invalid match operator "Matches" for selector "ServicePort""#,
        ),
        (
            "ServiceTags == x",
            r#"Invalid match operator "Equal" for selector "ServiceTags""#,
        ),
        (
            "ServiceAddress is empty",
            r#"Invalid match operator "Is Empty" for selector "ServiceAddress""#,
        ),
        (
            "ServiceMeta.env is not empty",
            r#"Invalid match operator "Is Not Empty" for selector "ServiceMeta.env""#,
        ),
        (
            "ServiceWeights == 1",
            r#"Invalid match operator "Equal" for selector "ServiceWeights""#,
        ),
        (
            "ServiceMeta matches x",
            r#"Invalid match operator "Matches" for selector "ServiceMeta""#,
        ),
        (
            "x in ServicePort",
            r#"Invalid match operator "In" for selector "ServicePort""#,
        ),
        (
            "ServiceEnableTagOverride contains t",
            r#"Invalid match operator "In" for selector "ServiceEnableTagOverride""#,
        ),
        (
            "ServicePort == abc",
            r#"Failed to coerce value "abc" for selector "ServicePort": strconv.ParseInt: parsing "abc": invalid syntax"#,
        ),
        (
            "ServicePort == 99999999999999999999",
            r#"Failed to coerce value "99999999999999999999" for selector "ServicePort": strconv.ParseInt: parsing "99999999999999999999": value out of range"#,
        ),
        (
            "ServicePort == 1.5",
            r#"Failed to coerce value "1.5" for selector "ServicePort": strconv.ParseInt: parsing "1.5": invalid syntax"#,
        ),
        (
            "ServiceEnableTagOverride == yes",
            r#"Failed to coerce value "yes" for selector "ServiceEnableTagOverride": strconv.ParseBool: parsing "yes": invalid syntax"#,
        ),
        (
            "ServiceName matches \"(\"",
            r#"Failed to compile regular expression "(": unclosed group"#,
        ),
    ];
    for (src, detail) in cases {
        let got = error(s, src).to_string();
        assert_eq!(
            got,
            format!("Failed to create boolean expression evaluator: {detail}"),
            "{src}"
        );
    }
    let e = error(schemas::agent_member(), "Port == -1").to_string();
    assert!(
        e.ends_with(r#"strconv.ParseUint: parsing "-1": invalid syntax"#),
        "{e}"
    );
}

#[test]
fn unknown_selectors_fail_even_before_any_data() {
    // Checked against the schema at parse time, as Consul does for an empty result.
    for (schema, src, sel) in [
        (schemas::service_entry(), "Checks.Foo == x", "Checks.Foo"),
        (
            schemas::service_entry(),
            "Service.Meta.a.b == x",
            "Service.Meta.a.b",
        ),
        (schemas::service_entry(), "ServiceName == x", "ServiceName"),
        (schemas::health_check(), "Service == x", "Service"),
        (schemas::node(), "NodeMeta.x == y", "NodeMeta"),
        (
            schemas::agent_service(),
            "ServiceTags is empty",
            "ServiceTags",
        ),
        (schemas::agent_member(), "Tags.role.x == y", "Tags.role.x"),
    ] {
        assert_eq!(
            error(schema, src),
            FilterError::InvalidSelector {
                selector: sel.to_string()
            },
            "{src}"
        );
    }
}
