//! Tera's `range(end=, start=, step_by=)`, registered over Tera's own with the same arguments,
//! results and messages, and two guards Tera lacks: `range(end=3000000000)` made Tera ask for
//! 96 GB at once (the process aborts), and `step_by=0` looped until memory ran out. Here one
//! render may make at most [`MAX_RANGE_ITERATIONS`] numbers in all, so nested loops over
//! ranges stop too, and a zero step is refused.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde_json::Value;

use super::budget::{Spent, MAX_RANGE_ITERATIONS};

/// Registers the guarded `range` on `tera`, counting into `spent.numbers`.
pub(super) fn register(tera: &mut tera::Tera, spent: &Arc<Spent>) {
    let spent = spent.clone();
    tera.register_function("range", move |args: &HashMap<String, Value>| {
        range(args, &spent.numbers)
    });
}

fn number(args: &HashMap<String, Value>, name: &str, what: &str) -> tera::Result<Option<u64>> {
    match args.get(name) {
        None => Ok(None),
        Some(v) => v.as_u64().map(Some).ok_or_else(|| {
            tera::Error::msg(format!(
                "Function `range` received {name}={v} but `{what}` can only be a number"
            ))
        }),
    }
}

fn range(args: &HashMap<String, Value>, made: &AtomicU64) -> tera::Result<Value> {
    let start = number(args, "start", "start")?.unwrap_or(0);
    let step = number(args, "step_by", "step")?.unwrap_or(1);
    let Some(end) = number(args, "end", "end")? else {
        return Err(tera::Error::msg(
            "Function `range` was called without a `end` argument",
        ));
    };
    if start > end {
        return Err(tera::Error::msg(
            "Function `range` was called with a `start` argument greater than the `end` one",
        ));
    }
    if step == 0 {
        return Err(tera::Error::msg(
            "Function `range` was called with step_by=0",
        ));
    }
    let count = (end - start).div_ceil(step);
    let total = made
        .fetch_add(count, Ordering::Relaxed)
        .saturating_add(count);
    if total > MAX_RANGE_ITERATIONS {
        return Err(tera::Error::msg(format!(
            "Function `range` would make more than {MAX_RANGE_ITERATIONS} numbers in one render"
        )));
    }
    Ok(Value::Array(
        (start..end)
            .step_by(step as usize)
            .map(Value::from)
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn call(args: Value, made: &AtomicU64) -> Result<Value, String> {
        let args: HashMap<String, Value> = serde_json::from_value(args).unwrap();
        range(&args, made).map_err(|e| e.to_string())
    }

    #[test]
    fn makes_what_teras_range_makes() {
        let made = AtomicU64::new(0);
        assert_eq!(call(json!({"end": 4}), &made).unwrap(), json!([0, 1, 2, 3]));
        assert_eq!(
            call(json!({"start": 1, "end": 8, "step_by": 3}), &made).unwrap(),
            json!([1, 4, 7])
        );
        assert_eq!(
            call(json!({"start": 5, "end": 5}), &made).unwrap(),
            json!([])
        );
        let err = call(json!({"start": 6, "end": 5}), &made).unwrap_err();
        assert!(err.contains("greater than the `end` one"), "{err}");
        let err = call(json!({"end": "x"}), &made).unwrap_err();
        assert!(err.contains("`end` can only be a number"), "{err}");
    }

    #[test]
    fn refuses_a_zero_step_and_more_than_the_render_budget() {
        let made = AtomicU64::new(0);
        let err = call(json!({"end": 5, "step_by": 0}), &made).unwrap_err();
        assert!(err.contains("step_by=0"), "{err}");
        let err = call(json!({"end": 3_000_000_000u64}), &made).unwrap_err();
        assert!(err.contains("more than 1000000 numbers"), "{err}");
        // The budget is for the whole render: two halves fit, a third call does not.
        let made = AtomicU64::new(0);
        assert!(call(json!({"end": 500_000}), &made).is_ok());
        assert!(call(json!({"end": 500_000}), &made).is_ok());
        assert!(call(json!({"end": 1}), &made).is_err());
    }
}
