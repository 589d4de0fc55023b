//! Unit tests of the filter language, one file per concern: parsing, syntax errors and
//! limits, schema checks, evaluation, the endpoint schemas against Consul's selector tables,
//! and examples from Consul's and go-bexpr's documentation.

mod coerce;
mod docs;
mod errors;
mod eval;
mod limits;
mod parse;
mod schemas;

use serde_json::Value;

use super::{Filter, FilterError, Schema};

/// Whether `expr`, checked against `schema`, matches `value`; panics on a parse error.
pub(super) fn check(schema: &Schema, expr: &str, value: &Value) -> bool {
    match Filter::parse(expr, schema) {
        Ok(f) => f.matches(value),
        Err(e) => panic!("{expr:?} should parse: {e}"),
    }
}

/// The error `expr` gives against `schema`; panics if it parses.
pub(super) fn error(schema: &Schema, expr: &str) -> FilterError {
    match Filter::parse(expr, schema) {
        Ok(f) => panic!("{expr:?} should be refused, got {f:?}"),
        Err(e) => e,
    }
}
