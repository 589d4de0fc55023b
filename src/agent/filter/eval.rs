//! Running a checked filter on a JSON value, with go-bexpr's semantics:
//!
//! - a path through a list of objects matches if the rest of the path matches for any element
//!   (for every operator, `!=` and `not in` included; an empty list matches nothing);
//! - a missing map key makes `==`, `in`, `is not empty` and `matches` false and `!=`, `not in`,
//!   `is empty` and `not matches` true;
//! - a missing or `null` field has its Go zero value (`""`, `0`, `false`, empty list or map),
//!   as a Go struct always has every field.

use serde_json::Value;

use super::ast::MatchOp;
use super::compile::{Matcher, Node, Operand, Step};
use super::schema::{Scalar, Type};

static NULL: Value = Value::Null;

impl Node {
    pub fn eval(&self, v: &Value) -> bool {
        match self {
            Node::Or(terms) => terms.iter().any(|t| t.eval(v)),
            Node::And(terms) => terms.iter().all(|t| t.eval(v)),
            Node::Not(inner) => !inner.eval(v),
            Node::Match(m) => m.walk(&m.steps, v),
        }
    }
}

impl Matcher {
    fn walk(&self, steps: &[Step], v: &Value) -> bool {
        let Some((step, rest)) = steps.split_first() else {
            return self.leaf(v);
        };
        match step {
            Step::Field(name) => self.walk(rest, field(v, name)),
            Step::Key(key) => match v.as_object().and_then(|o| o.get(key)) {
                None | Some(Value::Null) => self.op.when_key_missing(),
                Some(x) => self.walk(rest, x),
            },
            Step::Each => match v {
                Value::Array(items) => items.iter().any(|item| self.walk(rest, item)),
                _ => false,
            },
        }
    }

    /// The operator applied to the value the path ends at.
    fn leaf(&self, v: &Value) -> bool {
        let positive = match self.op {
            MatchOp::Equal | MatchOp::NotEqual => equals(&self.operand, v),
            MatchOp::In | MatchOp::NotIn => self.contains(v),
            MatchOp::IsEmpty | MatchOp::IsNotEmpty => is_empty(v),
            MatchOp::Matches | MatchOp::NotMatches => match (&self.operand, string_of(v)) {
                (Operand::Regex(re), Some(s)) => re.is_match(s),
                _ => false,
            },
        };
        match self.op {
            MatchOp::Equal | MatchOp::In | MatchOp::IsEmpty | MatchOp::Matches => positive,
            MatchOp::NotEqual | MatchOp::NotIn | MatchOp::IsNotEmpty | MatchOp::NotMatches => {
                !positive
            }
        }
    }

    /// `in`/`contains`: a substring of a string, an element of a list, a key of a map.
    fn contains(&self, v: &Value) -> bool {
        match self.leaf {
            Type::Scalar(Scalar::String) => match (&self.operand, string_of(v)) {
                (Operand::Str(needle), Some(s)) => s.contains(needle.as_str()),
                _ => false,
            },
            Type::List(_) => match v {
                Value::Array(items) => items.iter().any(|item| equals(&self.operand, item)),
                _ => false,
            },
            Type::Map(_) => match (&self.operand, v) {
                (Operand::Str(key), Value::Object(o)) => o.contains_key(key),
                _ => false,
            },
            Type::Scalar(_) | Type::ListOf(_) | Type::Struct(_) => false,
        }
    }
}

/// The field `name` of an object; `null` when absent. Consul's keys are PascalCase like the
/// selectors; a key differing only in case (as some Consul docs print `address`/`port` inside
/// tagged addresses) is accepted too.
fn field<'v>(v: &'v Value, name: &str) -> &'v Value {
    let Some(o) = v.as_object() else {
        return &NULL;
    };
    o.get(name)
        .or_else(|| {
            o.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, x)| x)
        })
        .unwrap_or(&NULL)
}

/// A string value; `null` is Go's zero value `""`.
fn string_of(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s),
        Value::Null => Some(""),
        _ => None,
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::String(s) => s.is_empty(),
        Value::Bool(_) | Value::Number(_) => false,
    }
}

/// Whether `v` equals the operand, by the operand's (the selector's) type; `null` is the
/// type's zero value, and a value of another JSON type is never equal.
fn equals(operand: &Operand, v: &Value) -> bool {
    match (operand, v) {
        (Operand::Str(s), _) => string_of(v) == Some(s.as_str()),
        (Operand::Int(i), Value::Null) => *i == 0,
        (Operand::Uint(u), Value::Null) => *u == 0,
        (Operand::Float(f), Value::Null) => *f == 0.0,
        (Operand::Bool(b), Value::Null) => !*b,
        (Operand::Bool(b), Value::Bool(x)) => b == x,
        (Operand::Int(i), Value::Number(n)) => match (n.as_i64(), n.as_u64()) {
            (Some(x), _) => x == *i,
            (None, Some(_)) => false,
            (None, None) => n.as_f64() == Some(*i as f64),
        },
        (Operand::Uint(u), Value::Number(n)) => match (n.as_u64(), n.as_i64()) {
            (Some(x), _) => x == *u,
            (None, Some(_)) => false,
            (None, None) => n.as_f64() == Some(*u as f64),
        },
        (Operand::Float(f), Value::Number(n)) => n.as_f64() == Some(*f),
        _ => false,
    }
}
