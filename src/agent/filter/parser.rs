//! A recursive-descent parser for go-bexpr's grammar (the version Consul uses, v0.1.2):
//!
//! ```text
//! or    = and ("or" and)*
//! and   = not ("and" not)*
//! not   = "not" not | group
//! group = "(" or ")" | match
//! match = Selector ("==" | "!=" | "contains" | "not contains" | "matches" | "not matches") Value
//!       | Selector "is" ["not"] "empty"
//!       | Value ("in" | "not in") Selector
//! Selector = Ident ("." Ident | "[" String "]")*     Ident = [a-zA-Z][a-zA-Z0-9_]*
//! Value    = Selector (its text) | Number | String
//! ```
//!
//! Keywords are lower case. Whitespace may separate any two pieces except inside a selector.
//! Where go-bexpr demands whitespace around a keyword (`not(`, `)and(`), this parser only
//! demands that the keyword is a whole word: it accepts a superset of Consul's syntax.
//! Nesting (parentheses and `not`) is bounded by [`MAX_DEPTH`]; `and`/`or` chains are built
//! iteratively, so no input can exhaust the stack.

use super::ast::{Expr, MatchExpr, MatchOp, Selector};
use super::error::FilterError;
use super::literal::{is_space, scan_ident, scan_number, scan_string};

/// How deeply parentheses and `not` may nest.
pub const MAX_DEPTH: usize = 64;

/// Parses `src` (already checked for length) into a syntax tree.
pub fn parse(src: &str) -> Result<Expr, FilterError> {
    let mut p = Parser { src, pos: 0 };
    p.skip_ws();
    let expr = p.parse_or(0)?;
    p.skip_ws();
    if p.pos < src.len() {
        return Err(p.expected(r#""and", "or" or end of input"#));
    }
    Ok(expr)
}

/// The left operand of a match: a selector, or a literal (only valid before `in`/`not in`).
enum Operand {
    Selector(Selector),
    Value(String),
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(is_space) {
            self.pos += 1;
        }
    }

    /// The identifier at the cursor ("" if none).
    fn word(&self) -> &str {
        &self.src[self.pos..scan_ident(self.src, self.pos)]
    }

    /// Consumes `keyword` if it is the whole word at the cursor.
    fn eat(&mut self, keyword: &str) -> bool {
        if self.word() == keyword {
            self.pos += keyword.len();
            true
        } else {
            false
        }
    }

    fn error_at(&self, at: usize, message: impl Into<String>) -> FilterError {
        FilterError::syntax(self.src, at, message)
    }

    /// "no match found" at the cursor, saying what was expected and what is there instead.
    fn expected(&self, what: &str) -> FilterError {
        let found = match self.peek() {
            None => "end of input".to_string(),
            Some(_) if !self.word().is_empty() => format!("{:?}", self.word()),
            Some(_) => format!("{:?}", self.src[self.pos..].chars().next().unwrap_or(' ')),
        };
        self.error_at(
            self.pos,
            format!("no match found, expected: {what}; found {found}"),
        )
    }

    fn deeper(&self, depth: usize, at: usize) -> Result<usize, FilterError> {
        if depth >= MAX_DEPTH {
            return Err(self.error_at(
                at,
                format!("expression nests deeper than {MAX_DEPTH} levels"),
            ));
        }
        Ok(depth + 1)
    }

    /// A chain of `sub` joined by `keyword`, flattened into one node.
    fn chain(
        &mut self,
        depth: usize,
        keyword: &str,
        sub: fn(&mut Self, usize) -> Result<Expr, FilterError>,
        join: fn(Vec<Expr>) -> Expr,
    ) -> Result<Expr, FilterError> {
        let mut terms = vec![sub(self, depth)?];
        loop {
            let save = self.pos;
            self.skip_ws();
            if !self.eat(keyword) {
                self.pos = save;
                break;
            }
            self.skip_ws();
            terms.push(sub(self, depth)?);
        }
        Ok(match <[Expr; 1]>::try_from(terms) {
            Ok([single]) => single,
            Err(terms) => join(terms),
        })
    }

    fn parse_or(&mut self, depth: usize) -> Result<Expr, FilterError> {
        self.chain(depth, "or", Self::parse_and, Expr::Or)
    }

    fn parse_and(&mut self, depth: usize) -> Result<Expr, FilterError> {
        self.chain(depth, "and", Self::parse_not, Expr::And)
    }

    fn parse_not(&mut self, depth: usize) -> Result<Expr, FilterError> {
        if self.word() == "not" && self.not_starts_operand() {
            let at = self.pos;
            let depth = self.deeper(depth, at)?;
            self.pos += 3;
            self.skip_ws();
            // `not not X` is X, as go-bexpr folds it.
            return Ok(match self.parse_not(depth)? {
                Expr::Not(inner) => *inner,
                other => Expr::Not(Box::new(other)),
            });
        }
        self.parse_group(depth)
    }

    /// Whether the `not` at the cursor negates what follows (rather than being a selector
    /// named `not`, as in `not == "x"`).
    fn not_starts_operand(&self) -> bool {
        let rest = self.src[self.pos + 3..].trim_start_matches([' ', '\t', '\r', '\n']);
        rest.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'(' | b'"' | b'`' | b'-'))
    }

    fn parse_group(&mut self, depth: usize) -> Result<Expr, FilterError> {
        if self.peek() != Some(b'(') {
            return self.parse_match();
        }
        let depth = self.deeper(depth, self.pos)?;
        self.pos += 1;
        self.skip_ws();
        let expr = self.parse_or(depth)?;
        self.skip_ws();
        match self.peek() {
            Some(b')') => {
                self.pos += 1;
                Ok(expr)
            }
            None => Err(self.error_at(self.pos, "Unmatched parentheses")),
            Some(_) => Err(self.expected(r#""and", "or" or ")""#)),
        }
    }

    fn parse_match(&mut self) -> Result<Expr, FilterError> {
        let operand = self.parse_operand()?;
        self.skip_ws();
        let op_at = self.pos;
        let (op, value_first) = if self.src[self.pos..].starts_with("==") {
            self.pos += 2;
            (MatchOp::Equal, false)
        } else if self.src[self.pos..].starts_with("!=") {
            self.pos += 2;
            (MatchOp::NotEqual, false)
        } else if self.eat("contains") {
            (MatchOp::In, false)
        } else if self.eat("matches") {
            (MatchOp::Matches, false)
        } else if self.eat("in") {
            (MatchOp::In, true)
        } else if self.eat("is") {
            self.skip_ws();
            let op = if self.eat("not") {
                self.skip_ws();
                MatchOp::IsNotEmpty
            } else {
                MatchOp::IsEmpty
            };
            if !self.eat("empty") {
                return Err(self.expected(r#""empty" or "not empty""#));
            }
            (op, false)
        } else if self.eat("not") {
            self.skip_ws();
            if self.eat("in") {
                (MatchOp::NotIn, true)
            } else if self.eat("contains") {
                (MatchOp::NotIn, false)
            } else if self.eat("matches") {
                (MatchOp::NotMatches, false)
            } else {
                return Err(self.expected(r#""contains", "in" or "matches""#));
            }
        } else {
            return Err(match operand {
                Operand::Selector(_) => {
                    self.expected(r#""!=", "==", "contains", "in", "is", "matches" or "not""#)
                }
                Operand::Value(_) => self.expected(r#""in" or "not in""#),
            });
        };
        if value_first {
            let value = match operand {
                Operand::Selector(s) => s.display(),
                Operand::Value(v) => v,
            };
            self.skip_ws();
            if scan_ident(self.src, self.pos) == self.pos {
                return Err(self.error_at(self.pos, "Invalid selector"));
            }
            let selector = self.parse_selector()?;
            return Ok(Expr::Match(MatchExpr {
                selector,
                op,
                value: Some(value),
            }));
        }
        let Operand::Selector(selector) = operand else {
            self.pos = op_at;
            return Err(self.expected(r#""in" or "not in""#));
        };
        let value = if matches!(op, MatchOp::IsEmpty | MatchOp::IsNotEmpty) {
            None
        } else {
            self.skip_ws();
            Some(self.parse_value()?)
        };
        Ok(Expr::Match(MatchExpr {
            selector,
            op,
            value,
        }))
    }

    fn parse_operand(&mut self) -> Result<Operand, FilterError> {
        match self.peek() {
            Some(b) if b.is_ascii_alphabetic() => Ok(Operand::Selector(self.parse_selector()?)),
            Some(b'"' | b'`' | b'-' | b'0'..=b'9') => Ok(Operand::Value(self.parse_value()?)),
            _ => Err(self.expected(r#""(", "not", a selector, a string or a number"#)),
        }
    }

    /// A value: a string, a number, or a bare selector standing for its own text.
    fn parse_value(&mut self) -> Result<String, FilterError> {
        match self.peek() {
            Some(b) if b.is_ascii_alphabetic() => Ok(self.parse_selector()?.display()),
            Some(b'"' | b'`') => self.string(),
            Some(b'-' | b'0'..=b'9') => {
                let (text, end) =
                    scan_number(self.src, self.pos).map_err(|(at, m)| self.error_at(at, m))?;
                self.pos = end;
                Ok(text)
            }
            _ => Err(self.expected("a value (a string, a number or a bare word)")),
        }
    }

    fn string(&mut self) -> Result<String, FilterError> {
        let (value, end) =
            scan_string(self.src, self.pos).map_err(|(at, m)| self.error_at(at, m))?;
        self.pos = end;
        Ok(value)
    }

    /// `Ident ("." Ident | "[" String "]")*`, with no whitespace between the parts.
    fn parse_selector(&mut self) -> Result<Selector, FilterError> {
        let mut parts = Vec::new();
        let end = scan_ident(self.src, self.pos);
        parts.push(self.src[self.pos..end].to_string());
        self.pos = end;
        loop {
            match self.peek() {
                Some(b'.') => {
                    self.pos += 1;
                    let end = scan_ident(self.src, self.pos);
                    if end == self.pos {
                        return Err(self.expected(r#"a name after ".""#));
                    }
                    parts.push(self.src[self.pos..end].to_string());
                    self.pos = end;
                }
                Some(b'[') => {
                    self.pos += 1;
                    self.skip_ws();
                    if !matches!(self.peek(), Some(b'"' | b'`')) {
                        return Err(self.error_at(self.pos, "Invalid index"));
                    }
                    parts.push(self.string()?);
                    self.skip_ws();
                    if self.peek() != Some(b']') {
                        return Err(self.error_at(self.pos, "Unclosed index expression"));
                    }
                    self.pos += 1;
                }
                _ => return Ok(Selector(parts)),
            }
        }
    }
}
