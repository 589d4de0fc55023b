//! What one render may cost. Loops multiply: `{{range 88}}` inside `{{range 73}}` inside two
//! more is 40 million passes, and a page of text in the innermost one is gigabytes of output.
//! consul-template renders such a template until memory runs out; sd stops it with an error
//! naming the limit, and the file on disk stays as it was.

use std::sync::atomic::{AtomicU64, Ordering};
use std::{fmt, io};

use gotmpl::Value;

use crate::template::funcs::helpers::{MAX_LOOP, MAX_RESULT_BYTES};

/// `{{range}}` passes per render, all loops together: the `loop` helper's own cap.
pub(crate) const MAX_RANGE_ITERATIONS: u64 = MAX_LOOP.unsigned_abs();

/// Steps of one render, both engines. The pass budget bounds the passes, not the work in each:
/// `{{range}}` 20 deep over two instances, each pass calling `service` again, made a million
/// calls (bug 17 in docs/reliability.md), and 300 assignments in each pass 300 million steps
/// (bug 18). So every template body that runs more than once per render counts its weight
/// each time it starts (`go_steps.rs`, `tera_loops.rs`), a pass of a loop [`PASS_STEPS`] more,
/// and each call of an sd function (data functions and helpers) [`CALL_STEPS`]. About 0.05 us
/// a step in the fuzzer's build; the static release binary (built for size) renders the
/// fuzzer's worst inputs to the budget in 0.27-0.63 s. The fuzzer's build (cargo-fuzz compiles
/// with `--cfg fuzzing`) gets half: its instrumentation makes some steps twice the calibrated
/// time (a function looked up by name traces every byte it compares), and one input took
/// 1.1 s there, past libFuzzer's one-second timeout, which needs a margin besides.
pub(crate) const MAX_STEPS: u64 = if cfg!(fuzzing) { 5_000_000 } else { 10_000_000 };

/// What a loop's pass costs beyond its body: about a call's time in the fuzzer's build.
pub(crate) const PASS_STEPS: u64 = 8;

/// What one call of an sd function costs (a `service` lookup through gotmpl's function table
/// took as long as 8 assignments' steps), besides its arguments.
pub(crate) const CALL_STEPS: u64 = 8;

/// What each value a function makes costs: `split ""` makes a value per character, and making,
/// printing and dropping one took about 4 steps' time in the fuzzer's build (bug 22 in
/// docs/reliability.md).
pub(crate) const VALUE_STEPS: u64 = 4;

/// A function's arguments cost a step per this many of their bytes ([`value_bytes`]): most
/// helpers take time in proportion to what they are given (a `timestamp` layout of 120
/// bytes, called half a million times, took 10 s in the fuzzer's build).
pub(crate) const ARG_BYTES_PER_STEP: u64 = 4;

/// What a list's element (and any value that is not text) counts besides its contents.
pub(crate) const ELEMENT_BYTES: u64 = 16;

/// What a map's entry counts besides its key's and value's contents.
pub(crate) const ENTRY_BYTES: u64 = 32;

/// About the bytes `value` holds: its text, and [`ELEMENT_BYTES`] per element of a list and
/// [`ENTRY_BYTES`] per entry of a map besides their contents (Tera's values are counted by the
/// same rule in `tera_values.rs`).
pub(crate) fn value_bytes(value: &Value) -> u64 {
    match value {
        Value::String(s) => s.len() as u64,
        Value::List(items) => items.iter().map(|v| ELEMENT_BYTES + value_bytes(v)).sum(),
        Value::Map(m) => m
            .iter()
            .map(|(k, v)| ENTRY_BYTES + k.len() as u64 + value_bytes(v))
            .sum(),
        _ => ELEMENT_BYTES,
    }
}

/// The values `value` is made of, itself included.
pub(crate) fn value_parts(value: &Value) -> u64 {
    match value {
        Value::List(items) => 1 + items.iter().map(value_parts).sum::<u64>(),
        Value::Map(m) => 1 + m.values().map(value_parts).sum::<u64>(),
        _ => 1,
    }
}

/// Bytes of values one render may build (strings, lists and maps made by functions; the
/// output is capped on its own): four times the output cap. `go_bytes.rs` counts them.
pub(crate) const MAX_MADE_BYTES: u64 = 4 * MAX_OUTPUT_BYTES as u64;

/// What the current render has spent, counted by the guards that need it (Tera's `range`
/// numbers and `for` passes, either engine's steps, the Go engine's bytes made); emptied
/// before each render.
#[derive(Default)]
pub(crate) struct Spent {
    pub numbers: AtomicU64,
    pub passes: AtomicU64,
    pub steps: AtomicU64,
    pub made: AtomicU64,
}

impl Spent {
    /// Forgets the last render.
    pub fn reset(&self) {
        for counter in [&self.numbers, &self.passes, &self.steps, &self.made] {
            counter.store(0, Ordering::Relaxed);
        }
    }

    /// Counts one function call with small arguments; the error once the render's budget is
    /// spent.
    pub fn call(&self) -> Result<(), String> {
        self.steps(CALL_STEPS)
    }

    /// Counts one function call with `args`.
    pub fn call_with(&self, args: &[Value]) -> Result<(), String> {
        let bytes: u64 = args.iter().map(value_bytes).sum();
        self.steps(CALL_STEPS + bytes / ARG_BYTES_PER_STEP)
    }

    /// Counts `value`, just made by a function: its bytes toward [`MAX_MADE_BYTES`] and
    /// [`VALUE_STEPS`] per value in it.
    pub fn made_value(&self, value: &Value) -> Result<(), String> {
        self.made(value_bytes(value))?;
        self.steps(VALUE_STEPS * value_parts(value))
    }

    /// Counts `n` steps; the error once the render has taken more than [`MAX_STEPS`].
    pub fn steps(&self, n: u64) -> Result<(), String> {
        if self.steps.fetch_add(n, Ordering::Relaxed).saturating_add(n) > MAX_STEPS {
            return Err(steps_message());
        }
        Ok(())
    }

    /// Counts `n` bytes of values made; the error past [`MAX_MADE_BYTES`].
    pub fn made(&self, n: u64) -> Result<(), String> {
        if self.made.fetch_add(n, Ordering::Relaxed).saturating_add(n) > MAX_MADE_BYTES {
            return Err(made_message());
        }
        Ok(())
    }

    /// Why the render was stopped, when one of these budgets stopped it (an engine may report
    /// the error in words of its own).
    pub fn exhausted(&self) -> Option<String> {
        if self.steps.load(Ordering::Relaxed) > MAX_STEPS {
            return Some(steps_message());
        }
        (self.made.load(Ordering::Relaxed) > MAX_MADE_BYTES).then(made_message)
    }
}

/// The error of a render that made more than [`MAX_MADE_BYTES`].
pub(crate) fn made_message() -> String {
    format!(
        "more than {} MiB of values made in one render",
        MAX_MADE_BYTES / (1024 * 1024)
    )
}

/// The error of a render that took more than [`MAX_STEPS`].
pub(crate) fn steps_message() -> String {
    format!("more than {MAX_STEPS} steps in one render")
}

/// Bytes one render may produce. Real configuration files are far smaller. One helper's result
/// is held to the same.
pub(crate) const MAX_OUTPUT_BYTES: usize = MAX_RESULT_BYTES;

/// What printing costs: a step per this many bytes written to a render's output. Formatting
/// a value takes time in proportion to the text it makes (a service's map printed in each pass
/// of nested ranges took 1.9 s in the fuzzer's build, all within the output cap). At 8 bytes a
/// step, 64 MiB of output is 8 million steps: a render that does little but print meets the
/// output cap first, one that also loops and calls meets the step budget.
pub(crate) const OUTPUT_BYTES_PER_STEP: u64 = 8;

/// A render's output that refuses to grow past `limit` bytes (Go's engine writes it as text,
/// Tera's as bytes), and may count what it is given as steps.
pub(crate) struct CappedOutput {
    bytes: Vec<u8>,
    limit: usize,
    /// Whether a write was refused for the limit (the error the engine then reports is only
    /// `fmt::Error`).
    pub full: bool,
    steps: Option<std::sync::Arc<Spent>>,
}

impl CappedOutput {
    pub fn new(limit: usize) -> CappedOutput {
        CappedOutput {
            bytes: Vec::new(),
            limit,
            full: false,
            steps: None,
        }
    }

    /// The same output, counting a step per [`OUTPUT_BYTES_PER_STEP`] bytes written into
    /// `spent` (a write past the step budget is refused).
    pub fn counted(mut self, spent: &std::sync::Arc<Spent>) -> CappedOutput {
        self.steps = Some(spent.clone());
        self
    }

    /// The text written (both engines write UTF-8; anything else is replaced, never lost
    /// silently: it would show as U+FFFD).
    pub fn into_text(self) -> String {
        String::from_utf8(self.bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }

    fn push(&mut self, more: &[u8]) -> bool {
        let (before, after) = (
            self.bytes.len(),
            self.bytes.len().saturating_add(more.len()),
        );
        if after > self.limit {
            self.full = true;
            return false;
        }
        if let Some(spent) = &self.steps {
            let steps =
                (after as u64 / OUTPUT_BYTES_PER_STEP) - (before as u64 / OUTPUT_BYTES_PER_STEP);
            if spent.steps(steps).is_err() {
                return false;
            }
        }
        self.bytes.extend_from_slice(more);
        true
    }

    /// The error for a render stopped by the limit.
    pub fn full_message(&self, name: &str) -> String {
        format!(
            "template: {name}: the output would exceed {} MiB",
            self.limit / (1024 * 1024)
        )
    }
}

impl fmt::Write for CappedOutput {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push(s.as_bytes()).then_some(()).ok_or(fmt::Error)
    }
}

impl io::Write for CappedOutput {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.push(buf) {
            true => Ok(buf.len()),
            false => Err(io::Error::other("the render's output cap")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write;

    use super::*;

    #[test]
    fn refuses_to_grow_past_its_limit_and_says_so() {
        let mut out = CappedOutput::new(8);
        assert!(out.write_str("12345").is_ok());
        assert!(out.write_str("6789").is_err());
        assert!(out.full);
        assert_eq!(out.into_text(), "12345");
    }
}
