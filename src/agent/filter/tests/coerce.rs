//! Values convert to the selector's type as Go's `strconv` converts them.

use crate::agent::filter::coerce::{parse_bool, parse_float, parse_int, parse_uint};

#[test]
fn integers_take_go_prefixes_and_underscores() {
    for (text, want) in [
        ("0", 0),
        ("8080", 8080),
        ("-1", -1),
        ("+7", 7),
        ("0x1F90", 8080),
        ("0X1f90", 8080),
        ("0o17", 15),
        ("017", 15),
        ("0b101", 5),
        ("1_000", 1000),
        ("0x_1F", 31),
        ("-9223372036854775808", i64::MIN),
        ("9223372036854775807", i64::MAX),
    ] {
        assert_eq!(parse_int(text), Ok(want), "{text}");
    }
    for text in [
        "", "-", "abc", "1.5", "1e3", "0x", "08", "1__0", "_1", "1_", " 1",
    ] {
        assert_eq!(
            parse_int(text),
            Err(format!(
                "strconv.ParseInt: parsing {text:?}: invalid syntax"
            )),
            "{text}"
        );
    }
    for text in [
        "9223372036854775808",
        "-9223372036854775809",
        "0xFFFFFFFFFFFFFFFFF",
    ] {
        assert_eq!(
            parse_int(text),
            Err(format!(
                "strconv.ParseInt: parsing {text:?}: value out of range"
            ))
        );
    }
}

#[test]
fn unsigned_integers_have_no_sign() {
    assert_eq!(parse_uint("18446744073709551615"), Ok(u64::MAX));
    assert_eq!(parse_uint("0x10"), Ok(16));
    assert!(parse_uint("-1").is_err());
    assert!(parse_uint("+1").is_err());
    assert_eq!(
        parse_uint("18446744073709551616"),
        Err(r#"strconv.ParseUint: parsing "18446744073709551616": value out of range"#.into())
    );
}

#[test]
fn floats_and_bools() {
    assert_eq!(parse_float("1.5"), Ok(1.5));
    assert_eq!(parse_float("-2"), Ok(-2.0));
    assert_eq!(parse_float("1e3"), Ok(1000.0));
    assert_eq!(parse_float("inf"), Ok(f64::INFINITY));
    assert!(parse_float("1e400").is_err_and(|e| e.ends_with("value out of range")));
    assert!(parse_float("x").is_err_and(|e| e.ends_with("invalid syntax")));
    for t in ["1", "t", "T", "TRUE", "true", "True"] {
        assert_eq!(parse_bool(t), Ok(true));
    }
    for f in ["0", "f", "F", "FALSE", "false", "False"] {
        assert_eq!(parse_bool(f), Ok(false));
    }
    assert_eq!(
        parse_bool("yes"),
        Err(r#"strconv.ParseBool: parsing "yes": invalid syntax"#.into())
    );
}
