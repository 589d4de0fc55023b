//! Checking a syntax tree against an endpoint's schema, as go-bexpr validates an expression
//! against the Go type before running it: every selector must exist, its type must allow the
//! operator, and the value must convert to the selector's type. The result is a tree of
//! matchers whose paths and values are ready for evaluation, so a bad filter is refused even
//! when there is nothing to filter.

use regex::Regex;

use super::ast::{Expr, MatchExpr, MatchOp};
use super::coerce;
use super::error::FilterError;
use super::schema::{Scalar, Schema, Type};

/// How many regular expressions one filter may hold, and how large each may grow compiled
/// (the regex crate's own limits are 10 MB per expression).
pub const MAX_REGEXES: usize = 32;
const REGEX_SIZE_LIMIT: usize = 256 * 1024;

/// A checked expression.
#[derive(Debug, Clone)]
pub enum Node {
    Or(Vec<Node>),
    And(Vec<Node>),
    Not(Box<Node>),
    Match(Matcher),
}

/// One step along a selector's path through a JSON value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A field of an object.
    Field(&'static str),
    /// A key of a map; a missing key decides the match by [`MatchOp::when_key_missing`].
    Key(String),
    /// Every element of a list: the rest of the path matches if it matches any element.
    Each,
}

/// The value a selector is compared with, converted to the selector's type.
#[derive(Debug, Clone)]
pub enum Operand {
    None,
    Str(String),
    Int(i64),
    Uint(u64),
    Float(f64),
    Bool(bool),
    Regex(Regex),
}

/// A checked match expression.
#[derive(Debug, Clone)]
pub struct Matcher {
    pub steps: Vec<Step>,
    /// The type the path ends at.
    pub leaf: Type,
    pub op: MatchOp,
    pub operand: Operand,
}

/// Checks `expr` against `schema`.
pub fn compile(expr: &Expr, schema: &Schema) -> Result<Node, FilterError> {
    let mut regexes = 0;
    compile_node(expr, schema, &mut regexes)
}

fn compile_node(expr: &Expr, schema: &Schema, regexes: &mut usize) -> Result<Node, FilterError> {
    let all = |terms: &[Expr], regexes: &mut usize| -> Result<Vec<Node>, FilterError> {
        terms
            .iter()
            .map(|t| compile_node(t, schema, regexes))
            .collect()
    };
    Ok(match expr {
        Expr::Or(terms) => Node::Or(all(terms, regexes)?),
        Expr::And(terms) => Node::And(all(terms, regexes)?),
        Expr::Not(inner) => Node::Not(Box::new(compile_node(inner, schema, regexes)?)),
        Expr::Match(m) => Node::Match(compile_match(m, schema, regexes)?),
    })
}

fn compile_match(
    m: &MatchExpr,
    schema: &Schema,
    regexes: &mut usize,
) -> Result<Matcher, FilterError> {
    let (steps, leaf) = resolve(&m.selector.0, schema)?;
    let selector = m.selector.display();
    if !allows(leaf, m.op) {
        return Err(FilterError::InvalidOperator {
            operator: m.op.name(),
            selector,
        });
    }
    let operand = match (&m.value, value_type(leaf)) {
        (None, _) | (Some(_), None) => Operand::None,
        (Some(_), Some(_)) if matches!(m.op, MatchOp::Matches | MatchOp::NotMatches) => {
            *regexes += 1;
            if *regexes > MAX_REGEXES {
                return Err(FilterError::TooManyRegexes { max: MAX_REGEXES });
            }
            Operand::Regex(regex(m.value.as_deref().unwrap_or_default())?)
        }
        (Some(raw), Some(scalar)) => {
            coerce_value(raw, scalar).map_err(|reason| FilterError::Coerce {
                value: raw.clone(),
                selector,
                reason,
            })?
        }
    };
    Ok(Matcher {
        steps,
        leaf,
        op: m.op,
        operand,
    })
}

/// The path of `parts` through `schema`, and the type it ends at.
fn resolve(parts: &[String], schema: &Schema) -> Result<(Vec<Step>, Type), FilterError> {
    let mut steps = Vec::new();
    // `None` while at the top-level object, whose schema is borrowed rather than `'static`.
    let mut ty: Option<Type> = None;
    for (i, part) in parts.iter().enumerate() {
        let invalid = || FilterError::InvalidSelector {
            selector: parts[..=i].join("."),
        };
        let next = match ty {
            None => {
                let f = schema.field(part).ok_or_else(invalid)?;
                steps.push(Step::Field(f.name));
                f.ty
            }
            Some(Type::Struct(s)) => {
                let f = s.field(part).ok_or_else(invalid)?;
                steps.push(Step::Field(f.name));
                f.ty
            }
            Some(Type::ListOf(s)) => {
                let f = s.field(part).ok_or_else(invalid)?;
                steps.push(Step::Each);
                steps.push(Step::Field(f.name));
                f.ty
            }
            Some(Type::Map(value)) => {
                steps.push(Step::Key(part.clone()));
                *value
            }
            Some(Type::Scalar(_) | Type::List(_)) => return Err(invalid()),
        };
        ty = Some(next);
    }
    // The parser never yields an empty selector; an empty one would name the object itself.
    ty.map(|t| (steps, t)).ok_or(FilterError::InvalidSelector {
        selector: String::new(),
    })
}

/// Whether a selector of type `ty` supports `op` (go-bexpr's field configurations).
fn allows(ty: Type, op: MatchOp) -> bool {
    use MatchOp::*;
    match ty {
        Type::Scalar(Scalar::String) => {
            matches!(op, Equal | NotEqual | In | NotIn | Matches | NotMatches)
        }
        Type::Scalar(_) => matches!(op, Equal | NotEqual),
        Type::List(_) => matches!(op, In | NotIn | IsEmpty | IsNotEmpty),
        Type::ListOf(_) => matches!(op, IsEmpty | IsNotEmpty),
        Type::Map(_) => matches!(op, In | NotIn | IsEmpty | IsNotEmpty),
        Type::Struct(_) => false,
    }
}

/// The type a value compared with a selector of type `ty` converts to: the scalar itself, a
/// list's element, or a map's key.
fn value_type(ty: Type) -> Option<Scalar> {
    match ty {
        Type::Scalar(s) | Type::List(s) => Some(s),
        Type::Map(_) => Some(Scalar::String),
        Type::ListOf(_) | Type::Struct(_) => None,
    }
}

fn coerce_value(raw: &str, scalar: Scalar) -> Result<Operand, String> {
    Ok(match scalar {
        Scalar::String => Operand::Str(raw.to_string()),
        Scalar::Int => Operand::Int(coerce::parse_int(raw)?),
        Scalar::Uint => Operand::Uint(coerce::parse_uint(raw)?),
        Scalar::Float => Operand::Float(coerce::parse_float(raw)?),
        Scalar::Bool => Operand::Bool(coerce::parse_bool(raw)?),
    })
}

fn regex(pattern: &str) -> Result<Regex, FilterError> {
    crate::api::regexp::builder(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| FilterError::Regex {
            pattern: pattern.to_string(),
            reason: regex_reason(&e),
        })
}

/// The regex crate's message on one line: its last line (`error: unclosed group`), without
/// the drawing of the pattern above it.
fn regex_reason(e: &regex::Error) -> String {
    let text = e.to_string();
    let last = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    last.trim().trim_start_matches("error: ").to_string()
}
