//! A reader for HCL 1, the dialect Consul's own config files are written in, used when hcl-rs
//! (HCL 2) rejects a file. HCL 1 allows what HCL 2 does not: commas between top-level items
//! (`cache = { ... },`), quoted keys in blocks (`node_meta { "rack-1" = "a" }`) and blocks
//! inside object values (`authorization = { static { ... } }`).
//!
//! Grammar: a body is items separated by optional commas; an item is one or more keys
//! (identifiers or strings) followed by `= value` (one key) or `{ body }` (a block; extra keys
//! are labels). Values: strings (escapes, `${...}` kept as text, heredocs `<<EOF`), numbers,
//! booleans, lists `[ ... ]` and objects `{ body }`. A key given several object values becomes
//! a list of objects (repeated `service { }` blocks); a repeated scalar keeps the last value.
//!
//! Part of `config`, the only module that reads environment variables.

use serde_json::{Map, Number, Value};

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(Number),
    Bool(bool),
    LBrace,
    RBrace,
    LBrack,
    RBrack,
    Eq,
    Comma,
    Eof,
}

struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
    line: usize,
    col: usize,
}

/// Parses HCL 1 text into a JSON object; errors carry `line L, column C`.
pub(crate) fn parse(text: &str) -> Result<Value, String> {
    let tokens = Lexer {
        src: text.as_bytes(),
        pos: 0,
        line: 1,
        col: 1,
    }
    .tokens()?;
    let mut p = Parser { tokens, at: 0 };
    let body = p.body(false)?;
    Ok(Value::Object(body))
}

impl Lexer<'_> {
    fn peek(&self, ahead: usize) -> u8 {
        self.src.get(self.pos + ahead).copied().unwrap_or(0)
    }

    fn bump(&mut self) -> u8 {
        let c = self.peek(0);
        self.pos += 1;
        if c == b'\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        c
    }

    fn err(&self, msg: &str) -> String {
        format!(
            "HCL parse error in line {}, column {}: {msg}",
            self.line, self.col
        )
    }

    fn tokens(mut self) -> Result<Vec<(Tok, usize, usize)>, String> {
        let mut out = Vec::new();
        loop {
            self.skip_space_and_comments()?;
            let (line, col) = (self.line, self.col);
            let c = self.peek(0);
            let tok = match c {
                0 if self.pos >= self.src.len() => {
                    out.push((Tok::Eof, line, col));
                    return Ok(out);
                }
                b'{' | b'}' | b'[' | b']' | b'=' | b',' => {
                    self.bump();
                    match c {
                        b'{' => Tok::LBrace,
                        b'}' => Tok::RBrace,
                        b'[' => Tok::LBrack,
                        b']' => Tok::RBrack,
                        b'=' => Tok::Eq,
                        _ => Tok::Comma,
                    }
                }
                b'"' => Tok::Str(self.string()?),
                b'<' if self.peek(1) == b'<' => Tok::Str(self.heredoc()?),
                b'-' | b'0'..=b'9' => Tok::Num(self.number()?),
                c if c.is_ascii_alphabetic() || c == b'_' => {
                    let start = self.pos;
                    while matches!(self.peek(0), b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'-' | b'.' | b':')
                    {
                        self.bump();
                    }
                    let word = String::from_utf8_lossy(&self.src[start..self.pos]).into_owned();
                    match word.as_str() {
                        "true" => Tok::Bool(true),
                        "false" => Tok::Bool(false),
                        _ => Tok::Ident(word),
                    }
                }
                _ => return Err(self.err(&format!("unexpected character {:?}", c as char))),
            };
            out.push((tok, line, col));
        }
    }

    fn skip_space_and_comments(&mut self) -> Result<(), String> {
        loop {
            match (self.peek(0), self.peek(1)) {
                (b' ' | b'\t' | b'\r' | b'\n', _) => {
                    self.bump();
                }
                (b'#', _) | (b'/', b'/') => {
                    while self.pos < self.src.len() && self.peek(0) != b'\n' {
                        self.bump();
                    }
                }
                (b'/', b'*') => {
                    self.bump();
                    self.bump();
                    while !(self.peek(0) == b'*' && self.peek(1) == b'/') {
                        if self.pos >= self.src.len() {
                            return Err(self.err("unterminated comment"));
                        }
                        self.bump();
                    }
                    self.bump();
                    self.bump();
                }
                _ => return Ok(()),
            }
        }
    }

    fn string(&mut self) -> Result<String, String> {
        self.bump(); // opening quote
        let mut out: Vec<u8> = Vec::new();
        loop {
            if self.pos >= self.src.len() {
                return Err(self.err("unterminated string"));
            }
            match self.bump() {
                b'"' => break,
                b'\\' => {
                    let e = self.bump();
                    match e {
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'r' => out.push(b'\r'),
                        b'u' => {
                            let hex: String = (0..4).map(|_| self.bump() as char).collect();
                            let ch = u32::from_str_radix(&hex, 16)
                                .ok()
                                .and_then(char::from_u32)
                                .ok_or_else(|| self.err("invalid \\u escape"))?;
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        }
                        other => out.push(other),
                    }
                }
                b'$' if self.peek(0) == b'{' => {
                    // Interpolation is kept as text; quotes inside it do not end the string.
                    out.push(b'$');
                    let mut depth = 0usize;
                    loop {
                        if self.pos >= self.src.len() {
                            return Err(self.err("unterminated ${...}"));
                        }
                        let c = self.bump();
                        out.push(c);
                        match c {
                            b'{' => depth += 1,
                            b'}' => {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                    }
                }
                b'\n' => return Err(self.err("newline in string")),
                c => out.push(c),
            }
        }
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    fn heredoc(&mut self) -> Result<String, String> {
        self.bump();
        self.bump();
        let indented = self.peek(0) == b'-';
        if indented {
            self.bump();
        }
        let start = self.pos;
        while self.peek(0).is_ascii_alphanumeric() || self.peek(0) == b'_' {
            self.bump();
        }
        let marker = String::from_utf8_lossy(&self.src[start..self.pos]).into_owned();
        if marker.is_empty() || !matches!(self.peek(0), b'\n' | b'\r') {
            return Err(self.err("heredoc marker must be followed by a newline"));
        }
        while self.pos < self.src.len() && self.peek(0) != b'\n' {
            self.bump();
        }
        self.bump();
        let mut lines: Vec<String> = Vec::new();
        loop {
            if self.pos >= self.src.len() {
                return Err(self.err(&format!("heredoc not terminated by {marker}")));
            }
            let ls = self.pos;
            while self.pos < self.src.len() && self.peek(0) != b'\n' {
                self.bump();
            }
            let line = String::from_utf8_lossy(&self.src[ls..self.pos]).into_owned();
            if line.trim() == marker {
                break;
            }
            self.bump();
            lines.push(line);
        }
        if indented {
            let indent = lines
                .iter()
                .filter(|l| !l.trim().is_empty())
                .map(|l| l.len() - l.trim_start().len())
                .min()
                .unwrap_or(0);
            for l in &mut lines {
                *l = l.get(indent..).unwrap_or("").to_string();
            }
        }
        Ok(lines.iter().map(|l| format!("{l}\n")).collect())
    }

    fn number(&mut self) -> Result<Number, String> {
        let start = self.pos;
        if self.peek(0) == b'-' {
            self.bump();
        }
        if self.peek(0) == b'0' && matches!(self.peek(1), b'x' | b'X') {
            self.bump();
            self.bump();
            let hs = self.pos;
            while self.peek(0).is_ascii_hexdigit() {
                self.bump();
            }
            let hex = String::from_utf8_lossy(&self.src[hs..self.pos]).into_owned();
            let n = i64::from_str_radix(&hex, 16).map_err(|_| self.err("invalid hex number"))?;
            let negative = self.src[start] == b'-';
            return Ok(Number::from(if negative { -n } else { n }));
        }
        while matches!(self.peek(0), b'0'..=b'9' | b'.' | b'e' | b'E' | b'+')
            || (self.peek(0) == b'-' && matches!(self.src[self.pos - 1], b'e' | b'E'))
        {
            self.bump();
        }
        let text = String::from_utf8_lossy(&self.src[start..self.pos]).into_owned();
        if let Ok(i) = text.parse::<i64>() {
            return Ok(Number::from(i));
        }
        text.parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .ok_or_else(|| self.err(&format!("invalid number {text:?}")))
    }
}

struct Parser {
    tokens: Vec<(Tok, usize, usize)>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> &Tok {
        self.tokens.get(self.at).map(|t| &t.0).unwrap_or(&Tok::Eof)
    }

    fn next(&mut self) -> Tok {
        let t = self.peek().clone();
        self.at += 1;
        t
    }

    fn err(&self, msg: &str) -> String {
        let (line, col) = self
            .tokens
            .get(self.at)
            .or(self.tokens.last())
            .map(|t| (t.1, t.2))
            .unwrap_or((1, 1));
        format!("HCL parse error in line {line}, column {col}: {msg}")
    }

    fn body(&mut self, nested: bool) -> Result<Map<String, Value>, String> {
        let mut out = Map::new();
        loop {
            match self.peek() {
                Tok::Eof if !nested => return Ok(out),
                Tok::Eof => return Err(self.err("expected `}`")),
                Tok::RBrace if nested => {
                    self.next();
                    return Ok(out);
                }
                Tok::Comma => {
                    self.next();
                    continue;
                }
                _ => {}
            }
            let mut keys = Vec::new();
            while let Tok::Ident(k) | Tok::Str(k) = self.peek() {
                keys.push(k.clone());
                self.next();
            }
            if keys.is_empty() {
                return Err(self.err("expected a key"));
            }
            let value = match self.next() {
                Tok::Eq if keys.len() == 1 => self.value()?,
                Tok::LBrace => Value::Object(self.body(true)?),
                _ => {
                    self.at -= 1;
                    return Err(self.err("expected `=` or `{` after a key"));
                }
            };
            add(&mut out, &keys, value);
        }
    }

    fn value(&mut self) -> Result<Value, String> {
        match self.next() {
            Tok::Str(s) => Ok(Value::String(s)),
            Tok::Num(n) => Ok(Value::Number(n)),
            Tok::Bool(b) => Ok(Value::Bool(b)),
            Tok::LBrace => Ok(Value::Object(self.body(true)?)),
            Tok::LBrack => {
                let mut items = Vec::new();
                loop {
                    match self.peek() {
                        Tok::RBrack => {
                            self.next();
                            return Ok(Value::Array(items));
                        }
                        Tok::Comma => {
                            self.next();
                        }
                        _ => items.push(self.value()?),
                    }
                }
            }
            _ => {
                self.at -= 1;
                Err(self.err("expected a value"))
            }
        }
    }
}

/// Adds `value` under `keys` (a key and its labels) with HCL 1's repeated-key rule.
fn add(map: &mut Map<String, Value>, keys: &[String], value: Value) {
    let Some((first, labels)) = keys.split_first() else {
        return;
    };
    if !labels.is_empty() {
        let slot = map
            .entry(first.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        if let Value::Object(inner) = slot {
            add(inner, labels, value);
        }
        return;
    }
    match map.get_mut(first) {
        Some(Value::Array(list)) if value.is_object() && list.iter().all(Value::is_object) => {
            list.push(value)
        }
        Some(existing) if existing.is_object() && value.is_object() => {
            let prev = std::mem::take(existing);
            *existing = Value::Array(vec![prev, value]);
        }
        _ => {
            map.insert(first.clone(), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn consul_hcl1_forms() {
        let text = r#"
# comment
cache = {
  entry_fetch_max_burst = 42
},
node_meta {
  "5mg" = "x"
}
auth = {
  enabled = true
  static {
    allow_reuse = true // trailing
  }
}
service { name = "a" }
service { name = "b" }
labelled "x" { port = 1 }
list = [ { a = 1 }, { b = 2 }, ]
n = -1.5
h = 0x10
s = "q\"${foo("bar")}\n"
/* block
comment */
doc = <<EOF
line 1
EOF
"#;
        let v = parse(text).unwrap();
        assert_eq!(
            v,
            json!({
                "cache": {"entry_fetch_max_burst": 42},
                "node_meta": {"5mg": "x"},
                "auth": {"enabled": true, "static": {"allow_reuse": true}},
                "service": [{"name": "a"}, {"name": "b"}],
                "labelled": {"x": {"port": 1}},
                "list": [{"a": 1}, {"b": 2}],
                "n": -1.5,
                "h": 16,
                "s": "q\"${foo(\"bar\")}\n",
                "doc": "line 1\n"
            })
        );
    }

    #[test]
    fn errors_have_positions() {
        let err = parse("a = 1\nb = \n").unwrap_err();
        assert!(err.contains("line 3"), "{err}");
        let err = parse("a {\n b = 1\n").unwrap_err();
        assert!(err.starts_with("HCL parse error in line"), "{err}");
        assert!(parse("a = \"x").is_err());
    }
}
