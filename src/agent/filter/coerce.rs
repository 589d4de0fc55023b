//! Converting a value's text to a selector's scalar type, accepting what Go's `strconv`
//! accepts (go-bexpr coerces with `ParseInt(s, 0, 64)`, `ParseUint`, `ParseFloat`,
//! `ParseBool`) and failing with the same messages, e.g.
//! `strconv.ParseInt: parsing "abc": invalid syntax`.

/// `strconv.ParseBool`: 1, t, T, TRUE, true, True and their false counterparts.
pub fn parse_bool(s: &str) -> Result<bool, String> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        _ => Err(invalid("ParseBool", s)),
    }
}

/// `strconv.ParseInt(s, 0, 64)`: an optional sign, then a decimal, `0x`, `0o`, `0b` or
/// leading-`0` octal integer, `_` allowed between digits.
pub fn parse_int(s: &str) -> Result<i64, String> {
    let (negative, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let magnitude = parse_magnitude(body).map_err(|e| e.message("ParseInt", s))?;
    let value = if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    };
    value.ok_or_else(|| out_of_range("ParseInt", s))
}

/// `strconv.ParseUint(s, 0, 64)`: as [`parse_int`] without a sign.
pub fn parse_uint(s: &str) -> Result<u64, String> {
    parse_magnitude(s).map_err(|e| e.message("ParseUint", s))
}

/// `strconv.ParseFloat(s, 64)`: decimal with an optional exponent, `inf`, `infinity`, `nan`.
pub fn parse_float(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| invalid("ParseFloat", s))?;
    if v.is_infinite() && !s.to_ascii_lowercase().contains("inf") {
        return Err(out_of_range("ParseFloat", s));
    }
    Ok(v)
}

enum IntError {
    Syntax,
    Range,
}

impl IntError {
    fn message(&self, func: &str, s: &str) -> String {
        match self {
            IntError::Syntax => invalid(func, s),
            IntError::Range => out_of_range(func, s),
        }
    }
}

/// The unsigned value of `body`, whose base Go infers from its prefix.
fn parse_magnitude(body: &str) -> Result<u64, IntError> {
    let lower = body.to_ascii_lowercase();
    let (radix, digits, prefixed) = if let Some(rest) = lower.strip_prefix("0x") {
        (16, rest, true)
    } else if let Some(rest) = lower.strip_prefix("0o") {
        (8, rest, true)
    } else if let Some(rest) = lower.strip_prefix("0b") {
        (2, rest, true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        // Leading-zero octal: the zero counts as a digit for the underscore rule.
        (8, &lower[1..], true)
    } else {
        (10, lower.as_str(), false)
    };
    if !underscores_ok(digits, prefixed) {
        return Err(IntError::Syntax);
    }
    let mut value: u64 = 0;
    let mut any = false;
    for c in digits.chars().filter(|c| *c != '_') {
        let d = c.to_digit(radix).ok_or(IntError::Syntax)?;
        any = true;
        value = value
            .checked_mul(u64::from(radix))
            .and_then(|v| v.checked_add(u64::from(d)))
            .ok_or(IntError::Range)?;
    }
    if !any {
        return Err(IntError::Syntax);
    }
    Ok(value)
}

/// Go's rule for `_` in number literals: only between digits (a base prefix counts as one).
fn underscores_ok(digits: &str, prefixed: bool) -> bool {
    let mut after_digit = prefixed;
    let mut after_underscore = false;
    for c in digits.chars() {
        if c == '_' {
            if !after_digit {
                return false;
            }
            after_digit = false;
            after_underscore = true;
        } else {
            after_digit = true;
            after_underscore = false;
        }
    }
    !after_underscore
}

fn invalid(func: &str, s: &str) -> String {
    format!("strconv.{func}: parsing {s:?}: invalid syntax")
}

fn out_of_range(func: &str, s: &str) -> String {
    format!("strconv.{func}: parsing {s:?}: value out of range")
}
