//! consul-template's `executeTemplate "name" [data]`: runs a `define`d template of the same
//! file and returns its output as a string.
//!
//! gotmpl starts a fresh execution for each call, with its own depth limit and `range`
//! budget, so a call inside a loop or inside another call would escape the render's budget
//! (`template/engine/budget.rs`), and a define that calls itself recursed until the stack
//! overflowed and aborted the process (consul-template's Go runtime dies the same way, at its
//! 1 GB stack limit). Here the calls of one render share a record:
//! - calls nest at most [`MAX_DEPTH`] deep;
//! - one render makes at most [`MAX_CALLS`] calls;
//! - the k-th call may make `MAX_RANGE_ITERATIONS / k` passes of `range`, so all calls
//!   together make at most about ln(MAX_CALLS) + 1 = 10 times the render's own budget, however
//!   they loop and nest. The hundredth call still gets 10,000 passes;
//! - their outputs add up to at most `MAX_OUTPUT_BYTES`, the render's own output cap (a call's
//!   output need not be printed: `{{ $x := executeTemplate "t" }}`).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, Weak};

use gotmpl::{FuncMap, TemplateError, Value};

use crate::template::engine::budget::{self, CappedOutput};

/// How deep `executeTemplate` calls may nest. Each holds a gotmpl execution of its own, which
/// may nest 200 levels: four such at their deepest take about 1.5 MB of a debug build's stack
/// (a test thread has 2 MB; eight overflowed it).
pub(crate) const MAX_DEPTH: usize = 4;

/// `executeTemplate` calls in one render.
pub(crate) const MAX_CALLS: u64 = 10_000;

/// The parsed template the calls run in (set once it is built) and the current render's
/// record of calls.
#[derive(Default)]
pub(crate) struct Calls {
    template: OnceLock<Weak<gotmpl::Template>>,
    depth: AtomicUsize,
    made: AtomicU64,
    bytes: AtomicUsize,
}

impl Calls {
    /// Names the template calls run in.
    pub fn set_template(&self, template: &Arc<gotmpl::Template>) {
        let _ = self.template.set(Arc::downgrade(template));
    }

    /// Forgets the last render's calls.
    pub fn reset(&self) {
        self.depth.store(0, Ordering::Relaxed);
        self.made.store(0, Ordering::Relaxed);
        self.bytes.store(0, Ordering::Relaxed);
    }
}

/// Undoes one level of nesting when a call returns, error or not.
struct Level<'a>(&'a AtomicUsize);

impl Drop for Level<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Registers `executeTemplate` over `calls`.
pub(crate) fn register(map: &mut FuncMap, calls: &Arc<Calls>) {
    let calls = calls.clone();
    map.insert(
        "executeTemplate".into(),
        Arc::new(move |args: &[Value]| execute(&calls, args)),
    );
}

fn execute(calls: &Calls, args: &[Value]) -> gotmpl::Result<Value> {
    let (name, dot) = match args {
        [Value::String(n)] => (n.clone(), Value::Nil),
        [Value::String(n), d] => (n.clone(), d.clone()),
        _ => {
            return Err(TemplateError::Exec(format!(
                "executeTemplate: wrong number of arguments, expected 1 or 2, but got {}",
                args.len()
            )))
        }
    };
    let template = calls
        .template
        .get()
        .and_then(Weak::upgrade)
        .ok_or_else(|| TemplateError::Exec("executeTemplate: called outside a render".into()))?;
    let _level = Level(&calls.depth);
    if calls.depth.fetch_add(1, Ordering::Relaxed) >= MAX_DEPTH {
        return Err(TemplateError::Exec(format!(
            "executeTemplate {name:?}: calls nested more than {MAX_DEPTH} deep"
        )));
    }
    let k = calls.made.fetch_add(1, Ordering::Relaxed) + 1;
    if k > MAX_CALLS {
        return Err(TemplateError::Exec(format!(
            "executeTemplate {name:?}: more than {MAX_CALLS} calls in one render"
        )));
    }
    let passes = (budget::MAX_RANGE_ITERATIONS / k).max(1);
    let bounded = gotmpl::Template::clone(&template).max_range_iters(passes);
    let used = calls.bytes.load(Ordering::Relaxed);
    let mut out = CappedOutput::new(budget::MAX_OUTPUT_BYTES.saturating_sub(used));
    match bounded.execute_template_fmt(&mut out, &name, &dot) {
        Ok(()) => {
            let text = out.into_text();
            calls.bytes.fetch_add(text.len(), Ordering::Relaxed);
            Ok(Value::String(text.into()))
        }
        Err(_) if out.full => Err(TemplateError::Exec(format!(
            "executeTemplate {name:?}: the outputs of this render's calls would exceed {} MiB",
            budget::MAX_OUTPUT_BYTES / (1024 * 1024)
        ))),
        Err(TemplateError::RangeIterLimit) => Err(TemplateError::Exec(format!(
            "executeTemplate {name:?}: call {k} of this render may make {passes} range passes \
             and needs more"
        ))),
        Err(e) => Err(e),
    }
}
