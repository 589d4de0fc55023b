//! The lexical pieces of go-bexpr's grammar: identifiers, string literals (double-quoted with
//! Go's escapes, or raw between backticks) and number literals. Each scanner starts at a byte
//! offset and returns where the piece ends, or the offset and text of what is wrong.

/// A scanning error: the byte offset it points at and what is wrong there.
pub type ScanError = (usize, String);

/// Whitespace as go-bexpr defines it.
pub fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// The end of the identifier (`[a-zA-Z][a-zA-Z0-9_]*`) starting at `pos`, or `pos` if none does.
pub fn scan_ident(src: &str, pos: usize) -> usize {
    let bytes = src.as_bytes();
    if !bytes.get(pos).is_some_and(u8::is_ascii_alphabetic) {
        return pos;
    }
    let mut end = pos + 1;
    while bytes
        .get(end)
        .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
    {
        end += 1;
    }
    end
}

/// A number literal at `pos`: `-?(0|[1-9][0-9]*)(\.[0-9]+)?`, which must be followed by
/// whitespace, `)` or the end. Returns its text and end.
pub fn scan_number(src: &str, pos: usize) -> Result<(String, usize), ScanError> {
    let bytes = src.as_bytes();
    let digit = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
    let invalid = |at: usize| (at, "Invalid number literal".to_string());
    let mut end = pos;
    if bytes.get(end) == Some(&b'-') {
        end += 1;
    }
    match bytes.get(end) {
        Some(b'0') => end += 1,
        Some(b'1'..=b'9') => {
            while digit(end) {
                end += 1;
            }
        }
        _ => return Err(invalid(end)),
    }
    if bytes.get(end) == Some(&b'.') && digit(end + 1) {
        end += 1;
        while digit(end) {
            end += 1;
        }
    }
    match bytes.get(end) {
        None | Some(b')') => {}
        Some(b) if is_space(*b) => {}
        Some(_) => return Err(invalid(end)),
    }
    Ok((src[pos..end].to_string(), end))
}

/// A string literal at `pos` (which holds `"` or a backtick). Returns its value and end.
/// Double-quoted strings take Go's escapes (`\n`, `\t`, `\"`, `\\`, `\x41`, `\101`, `\u00e9`,
/// `\U0001F600`, ...) and may not span lines; raw strings take everything up to the next
/// backtick, carriage returns dropped, as Go's `strconv.Unquote` does.
pub fn scan_string(src: &str, pos: usize) -> Result<(String, usize), ScanError> {
    let unterminated = || (src.len(), "Unterminated string literal".to_string());
    let body_start = pos + 1;
    if src.as_bytes().get(pos) == Some(&b'`') {
        let len = src[body_start..].find('`').ok_or_else(unterminated)?;
        let raw = &src[body_start..body_start + len];
        return Ok((raw.replace('\r', ""), body_start + len + 1));
    }
    let bytes = src.as_bytes();
    let mut out: Vec<u8> = Vec::new();
    let mut i = body_start;
    loop {
        match bytes.get(i) {
            None => return Err(unterminated()),
            Some(b'"') => break,
            Some(b'\n') => return Err((i, "Newline in string literal".to_string())),
            Some(b'\\') => i = escape(src, i, &mut out)?,
            Some(b) => {
                out.push(*b);
                i += 1;
            }
        }
    }
    let value = String::from_utf8(out)
        .map_err(|_| (pos, "String literal is not valid UTF-8".to_string()))?;
    Ok((value, i + 1))
}

/// Decodes the escape sequence at `at` (a backslash) into `out`; returns the offset after it.
fn escape(src: &str, at: usize, out: &mut Vec<u8>) -> Result<usize, ScanError> {
    let bytes = src.as_bytes();
    let bad = || (at, "Invalid escape sequence in string literal".to_string());
    let simple = match bytes.get(at + 1) {
        Some(b'a') => Some(0x07),
        Some(b'b') => Some(0x08),
        Some(b'f') => Some(0x0c),
        Some(b'n') => Some(b'\n'),
        Some(b'r') => Some(b'\r'),
        Some(b't') => Some(b'\t'),
        Some(b'v') => Some(0x0b),
        Some(b'\\') => Some(b'\\'),
        Some(b'"') => Some(b'"'),
        _ => None,
    };
    if let Some(b) = simple {
        out.push(b);
        return Ok(at + 2);
    }
    let digits = |start: usize, n: usize, radix: u32| -> Result<u32, ScanError> {
        let text = src.get(start..start + n).ok_or_else(bad)?;
        if !text.chars().all(|c| c.is_digit(radix)) {
            return Err(bad());
        }
        u32::from_str_radix(text, radix).map_err(|_| bad())
    };
    match bytes.get(at + 1) {
        Some(b'x') => {
            out.push(u8::try_from(digits(at + 2, 2, 16)?).map_err(|_| bad())?);
            Ok(at + 4)
        }
        Some(b'0'..=b'7') => {
            out.push(u8::try_from(digits(at + 1, 3, 8)?).map_err(|_| bad())?);
            Ok(at + 4)
        }
        Some(b'u') | Some(b'U') => {
            let n = if bytes.get(at + 1) == Some(&b'u') {
                4
            } else {
                8
            };
            let c = char::from_u32(digits(at + 2, n, 16)?).ok_or_else(bad)?;
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            Ok(at + 2 + n)
        }
        _ => Err(bad()),
    }
}
