//! The syntax tree the parser builds: every operator, precedence, whitespace, quoting,
//! selectors with brackets, and bare values.

use crate::agent::filter::ast::{Expr, MatchExpr, MatchOp, Selector};
use crate::agent::filter::parser::parse;

fn m(sel: &[&str], op: MatchOp, value: Option<&str>) -> Expr {
    Expr::Match(MatchExpr {
        selector: Selector(sel.iter().map(|s| s.to_string()).collect()),
        op,
        value: value.map(str::to_string),
    })
}

fn p(src: &str) -> Expr {
    match parse(src) {
        Ok(e) => e,
        Err(e) => panic!("{src:?}: {e}"),
    }
}

#[test]
fn every_operator() {
    use MatchOp::*;
    let cases = [
        ("foo == 3", m(&["foo"], Equal, Some("3"))),
        ("foo != xyz", m(&["foo"], NotEqual, Some("xyz"))),
        ("list is empty", m(&["list"], IsEmpty, None)),
        ("list is not empty", m(&["list"], IsNotEmpty, None)),
        ("foo in bar", m(&["bar"], In, Some("foo"))),
        ("foo not in bar", m(&["bar"], NotIn, Some("foo"))),
        ("bar contains foo", m(&["bar"], In, Some("foo"))),
        ("bar not contains foo", m(&["bar"], NotIn, Some("foo"))),
        ("foo matches bar", m(&["foo"], Matches, Some("bar"))),
        ("foo not matches bar", m(&["foo"], NotMatches, Some("bar"))),
        (r#""foo" in bar"#, m(&["bar"], In, Some("foo"))),
        ("`foo` not in bar", m(&["bar"], NotIn, Some("foo"))),
        ("foo==3", m(&["foo"], Equal, Some("3"))),
        ("foo!=`x`", m(&["foo"], NotEqual, Some("x"))),
    ];
    for (src, want) in cases {
        assert_eq!(p(src), want, "{src}");
    }
}

#[test]
fn precedence_not_and_or() {
    let a = || m(&["a"], MatchOp::Equal, Some("1"));
    let b = || m(&["b"], MatchOp::Equal, Some("2"));
    let c = || m(&["c"], MatchOp::Equal, Some("3"));
    let not = |e| Expr::Not(Box::new(e));
    assert_eq!(
        p("a == 1 or b == 2 and c == 3"),
        Expr::Or(vec![a(), Expr::And(vec![b(), c()])])
    );
    assert_eq!(
        p("a == 1 and b == 2 or c == 3"),
        Expr::Or(vec![Expr::And(vec![a(), b()]), c()])
    );
    assert_eq!(p("not a == 1 and b == 2"), Expr::And(vec![not(a()), b()]));
    assert_eq!(p("not (a == 1 and b == 2)"), not(Expr::And(vec![a(), b()])));
    assert_eq!(
        p("(a == 1 or b == 2) and c == 3"),
        Expr::And(vec![Expr::Or(vec![a(), b()]), c()])
    );
    // Chains stay flat.
    assert_eq!(
        p("a == 1 or b == 2 or c == 3"),
        Expr::Or(vec![a(), b(), c()])
    );
    // `not not X` is X, as in go-bexpr.
    assert_eq!(p("not not a == 1"), a());
    assert_eq!(p("not not not a == 1"), not(a()));
    // go-bexpr's own example: "not prod in tags".
    assert_eq!(
        p("not prod in tags"),
        not(m(&["tags"], MatchOp::In, Some("prod")))
    );
}

#[test]
fn whitespace_anywhere_between_pieces() {
    let ws = "\t\r\n ";
    let src = format!("{ws}not{ws}({ws}foo{ws}=={ws}x{ws}and{ws}y{ws}is{ws}not{ws}empty{ws}){ws}");
    assert_eq!(
        p(&src),
        Expr::Not(Box::new(Expr::And(vec![
            m(&["foo"], MatchOp::Equal, Some("x")),
            m(&["y"], MatchOp::IsNotEmpty, None),
        ])))
    );
    // Keywords need only be whole words, so parentheses may touch them.
    assert_eq!(
        p("not(a == 1)and(b == 2)"),
        Expr::And(vec![
            Expr::Not(Box::new(m(&["a"], MatchOp::Equal, Some("1")))),
            m(&["b"], MatchOp::Equal, Some("2")),
        ])
    );
}

#[test]
fn keywords_are_whole_words() {
    // "android" is not "and", "notes" is not "not", "island" is not "is".
    assert_eq!(
        p("x == 1 or android in Tags"),
        Expr::Or(vec![
            m(&["x"], MatchOp::Equal, Some("1")),
            m(&["Tags"], MatchOp::In, Some("android")),
        ])
    );
    assert_eq!(p("notes == 1"), m(&["notes"], MatchOp::Equal, Some("1")));
    assert_eq!(p("island is empty"), m(&["island"], MatchOp::IsEmpty, None));
    // A selector may be named like a keyword where no keyword fits.
    assert_eq!(p("not == x"), m(&["not"], MatchOp::Equal, Some("x")));
    assert_eq!(
        p("Meta.in == x"),
        m(&["Meta", "in"], MatchOp::Equal, Some("x"))
    );
}

#[test]
fn selectors_dotted_and_bracketed() {
    assert_eq!(
        p(r#"Service.Meta["k-1"] == "v""#),
        m(&["Service", "Meta", "k-1"], MatchOp::Equal, Some("v"))
    );
    assert_eq!(
        p(r#"NodeMeta["a.b"] == c"#),
        m(&["NodeMeta", "a.b"], MatchOp::Equal, Some("c"))
    );
    assert_eq!(
        p("`environment` in foo.bar[\"meta\"].tags[\t`ENV` ]"),
        m(
            &["foo", "bar", "meta", "tags", "ENV"],
            MatchOp::In,
            Some("environment")
        )
    );
    assert_eq!(
        p(r#"environment in foo["bar"]["meta"]["tags"]["ENV"]"#),
        m(
            &["foo", "bar", "meta", "tags", "ENV"],
            MatchOp::In,
            Some("environment")
        )
    );
    assert_eq!(
        p(r#"x in foo["abc-def ghi åß∂ƒ"]"#),
        m(&["foo", "abc-def ghi åß∂ƒ"], MatchOp::In, Some("x"))
    );
    assert_eq!(
        p("ServiceTaggedAddresses.lan_ipv4.Port == 80"),
        m(
            &["ServiceTaggedAddresses", "lan_ipv4", "Port"],
            MatchOp::Equal,
            Some("80")
        )
    );
}

#[test]
fn values_strings_numbers_and_bare_words() {
    let value = |src: &str| match p(src) {
        Expr::Match(MatchExpr { value, .. }) => value.unwrap_or_default(),
        other => panic!("{other:?}"),
    };
    assert_eq!(value("foo == -0.2"), "-0.2");
    assert_eq!(value("foo == 11.11"), "11.11");
    assert_eq!(value("foo == 0"), "0");
    assert_eq!(value("foo == true"), "true");
    // A bare selector as a value stands for its text, parts joined by dots.
    assert_eq!(value("foo == bar.baz"), "bar.baz");
    assert_eq!(value(r#"foo == bar["x y"]"#), "bar.x y");
    assert_eq!(value("a.b in foo"), "a.b");
    // Go escapes in double quotes; raw backticks keep backslashes and drop \r.
    assert_eq!(value(r#"foo == "a\tb\n""#), "a\tb\n");
    assert_eq!(value(r#"foo == "say \"hi\"""#), "say \"hi\"");
    assert_eq!(value(r#"foo == "\\d+""#), "\\d+");
    assert_eq!(value(r#"foo == "\x41\101\u00e9\U0001F600""#), "AAé😀");
    assert_eq!(value(r#"foo == "\a\b\f\v""#), "\u{7}\u{8}\u{c}\u{b}");
    assert_eq!(value(r#"foo == "\xc3\xa9""#), "é");
    assert_eq!(value("foo == `\\d+\"x\"`"), "\\d+\"x\"");
    assert_eq!(value("foo == `a\r\nb`"), "a\nb");
    assert_eq!(value("foo == \"\""), "");
    assert_eq!(value("foo == ``"), "");
    assert_eq!(value("foo == \"日本\""), "日本");
}
