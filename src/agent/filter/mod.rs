//! Consul's `?filter=` expressions (the go-bexpr language) over the JSON an endpoint is about
//! to return: `ServiceMeta.env == "prod" and "v2" in ServiceTags`.
//!
//! - [`Filter::parse`] reads an expression and checks it against the [`Schema`] of the
//!   endpoint's elements ([`schemas`] has one per filterable endpoint), so an unknown selector,
//!   an operator its type does not allow, or a value that does not convert is refused up front,
//!   even when the result would be empty. Errors read as Consul's
//!   (`Failed to create boolean expression evaluator: ...`), syntax errors with their
//!   `line:column (offset)`; the HTTP layer answers them with a 400.
//! - [`Filter::matches`] runs it on one element; [`Filter::filter_list`],
//!   [`Filter::filter_map`] (the values of an object such as `/v1/agent/services`),
//!   [`Filter::filter_json`] and [`Filter::retain`] filter collections.
//!
//! The semantics follow go-bexpr v0.1.2, the version Consul builds with (see `eval.rs` and
//! `schema.rs`). The parser is hand-written: no maintained Rust crate implements go-bexpr, and
//! its grammar is small. Input is bounded ([`MAX_LEN`] bytes, [`MAX_DEPTH`] levels of nesting,
//! [`MAX_REGEXES`] regular expressions of bounded size), so no filter can exhaust the stack or
//! memory.
//!
//! Where this knowingly differs from Consul:
//! - `Meta.missing matches "x"` is false (and `not matches` true). go-bexpr v0.1.2 returns true
//!   for both on a missing map key; v0.1.12 fixed it, and this follows the fix.
//! - The syntax is a superset: keywords need not be surrounded by whitespace when a
//!   parenthesis or quote delimits them (`not(...)`), and `\"` works inside double quotes
//!   (v0.1.2 ends a string at the first `"`).
//! - A `null` or absent nested object has zero-valued fields; Consul's reflection fails on a
//!   nil pointer instead (a 500).
//! - `/v1/agent/members`' `Addr` is a string; Consul's is a byte slice that `==` refuses.
//! - Syntax errors use Consul's position format but list expectations in words; regular
//!   expressions are the `regex` crate's (RE2 syntax, as Go's) with its error texts; Consul
//!   sets no size limits.
//!
//! This module owns only the language; it uses `serde_json` and `regex` and imports nothing
//! else from the agent.

mod ast;
mod coerce;
mod compile;
mod error;
mod eval;
mod literal;
mod parser;
pub mod schema;
pub mod schemas;
#[cfg(test)]
mod tests;

use serde::Serialize;
use serde_json::{Map, Value};

pub use compile::MAX_REGEXES;
pub use error::FilterError;
pub use parser::MAX_DEPTH;
pub use schema::{Field, Scalar, Schema, Type};

/// The longest filter accepted, in bytes.
pub const MAX_LEN: usize = 16 * 1024;

/// A checked filter expression, ready to run on an endpoint's elements.
#[derive(Debug, Clone)]
pub struct Filter {
    /// `None` for the empty expression, which keeps everything (as `?filter=` does in Consul).
    root: Option<compile::Node>,
}

impl Filter {
    /// Parses `expr` and checks it against `schema`, the type of the elements it will run on.
    /// The empty string is a filter that keeps everything.
    pub fn parse(expr: &str, schema: &Schema) -> Result<Filter, FilterError> {
        if expr.is_empty() {
            return Ok(Filter::all());
        }
        if expr.len() > MAX_LEN {
            return Err(FilterError::TooLong {
                len: expr.len(),
                max: MAX_LEN,
            });
        }
        let ast = parser::parse(expr)?;
        let root = compile::compile(&ast, schema)?;
        Ok(Filter { root: Some(root) })
    }

    /// The filter that keeps everything.
    pub fn all() -> Filter {
        Filter { root: None }
    }

    /// Whether this filter keeps everything (it was parsed from the empty string).
    pub fn is_all(&self) -> bool {
        self.root.is_none()
    }

    /// Whether `element` (one element of the endpoint's result, as JSON) passes.
    pub fn matches(&self, element: &Value) -> bool {
        self.root.as_ref().is_none_or(|root| root.eval(element))
    }

    /// The elements of a list that pass, in order.
    pub fn filter_list(&self, items: Vec<Value>) -> Vec<Value> {
        if self.is_all() {
            return items;
        }
        items.into_iter().filter(|v| self.matches(v)).collect()
    }

    /// The entries of an object whose values pass (for endpoints returning a map such as
    /// `/v1/agent/services`, id -> service).
    pub fn filter_map(&self, map: Map<String, Value>) -> Map<String, Value> {
        if self.is_all() {
            return map;
        }
        map.into_iter().filter(|(_, v)| self.matches(v)).collect()
    }

    /// A JSON result filtered by its shape: an array's elements, an object's values; any other
    /// value is returned unchanged.
    pub fn filter_json(&self, result: Value) -> Value {
        match result {
            Value::Array(items) => Value::Array(self.filter_list(items)),
            Value::Object(map) => Value::Object(self.filter_map(map)),
            other => other,
        }
    }

    /// Keeps the typed elements whose JSON form passes. An element that does not serialize
    /// to JSON is dropped.
    pub fn retain<T: Serialize>(&self, items: &mut Vec<T>) {
        if self.is_all() {
            return;
        }
        items.retain(|item| {
            serde_json::to_value(item)
                .map(|v| self.matches(&v))
                .unwrap_or(false)
        });
    }
}
