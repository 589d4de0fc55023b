//! Counts the work a Go template does, so that one render costs a bounded amount of CPU.
//!
//! The budgets of passes and function calls bound how often a `range` body runs and how often
//! sd's functions are called, not what each pass does between them: 20 nested `range`s over two
//! instances run their innermost body a million times, and 300 variable assignments in it are
//! 300 million steps, 35 s of the fuzzer's build (bug 18 in docs/reliability.md).
//!
//! After parsing, every body that runs more than once per render is given a first action that
//! counts the body's weight: each `range` body (once per pass) and each template's own body (once
//! per `{{template}}` or `executeTemplate` call, and once for the render itself). The weight of a
//! body is one step per node, command and argument in it, `if` and `with` branches included, the
//! bodies of nested `range`s left to their own count, and a `range` pass adds
//! [`PASS_STEPS`]. A render that passes [`MAX_STEPS`] stops with an error naming the limit.
//!
//! The counting action calls [`STEPS`], a function that prints nothing and that templates
//! cannot call themselves (it is registered after the check for unknown functions).

use std::sync::Arc;

use gotmpl::parse::{ActionNode, BranchNode, Expr, ListNode, Node, Number, PipeNode, Pos};
use gotmpl::{FuncMap, TemplateError, Value};

#[cfg(doc)]
use crate::template::engine::budget::MAX_STEPS;
use crate::template::engine::budget::{Spent, PASS_STEPS};
use crate::template::engine::go_trees;

/// The counting function's name.
const STEPS: &str = "__sd_steps";

/// Registers the counting function over `spent`.
pub(crate) fn register(map: &mut FuncMap, spent: &Arc<Spent>) {
    let spent = spent.clone();
    map.insert(
        STEPS.into(),
        Arc::new(move |args: &[Value]| {
            let weight = match args {
                [Value::Int(n)] => n.unsigned_abs(),
                _ => 1,
            };
            spent.steps(weight).map_err(TemplateError::Exec)?;
            Ok(Value::String("".into()))
        }),
    );
}

/// `body`, a template's, counting its weight when it starts and each `range` body in it on
/// each pass.
pub(crate) fn counted(body: ListNode) -> ListNode {
    counted_with(body, 0)
}

/// `list` with its counting action first, `extra` steps more than its weight (none when it is
/// empty: an empty pass is only a pass, which gotmpl's own budget counts), and every `range`
/// body inside it counted the same way.
fn counted_with(mut list: ListNode, extra: u64) -> ListNode {
    for node in &mut list.nodes {
        count_ranges(node);
    }
    let weight = list_weight(&list);
    if weight > 0 {
        list.nodes.insert(0, count_action(list.pos, weight + extra));
    }
    list
}

/// Gives every `range` body under `node` its counting action.
fn count_ranges(node: &mut Node) {
    match node {
        Node::List(list) => list.nodes.iter_mut().for_each(count_ranges),
        Node::If(b) | Node::With(b) => {
            b.body.nodes.iter_mut().for_each(count_ranges);
            if let Some(e) = &mut b.else_body {
                e.nodes.iter_mut().for_each(count_ranges);
            }
        }
        Node::Range(b) => {
            let empty = ListNode {
                pos: b.body.pos,
                nodes: Vec::new(),
            };
            b.body = counted_with(std::mem::replace(&mut b.body, empty), PASS_STEPS);
            if let Some(e) = &mut b.else_body {
                e.nodes.iter_mut().for_each(count_ranges);
            }
        }
        _ => {}
    }
}

fn count_action(pos: Pos, weight: u64) -> Node {
    let weight = i64::try_from(weight).unwrap_or(i64::MAX);
    let pipe = go_trees::call(STEPS, vec![Expr::Number(pos, Number::Int(weight))], pos);
    Node::Action(ActionNode { pos, pipe })
}

/// The steps one run of `list` takes, not counting the passes of the `range`s in it.
fn list_weight(list: &ListNode) -> u64 {
    list.nodes.iter().map(node_weight).sum()
}

fn node_weight(node: &Node) -> u64 {
    1 + match node {
        Node::List(list) => list_weight(list),
        Node::Action(a) => pipe_weight(&a.pipe),
        Node::If(b) | Node::With(b) => branch_weight(b, true),
        // The body counts itself on each pass.
        Node::Range(b) => branch_weight(b, false),
        Node::Template(t) => t.pipe.as_ref().map_or(0, pipe_weight),
        Node::Text(_) | Node::Define(_) | Node::Break(_) | Node::Continue(_) => 0,
    }
}

fn branch_weight(b: &BranchNode, with_body: bool) -> u64 {
    let body = if with_body { list_weight(&b.body) } else { 0 };
    pipe_weight(&b.pipe) + body + b.else_body.as_ref().map_or(0, list_weight)
}

fn pipe_weight(pipe: &PipeNode) -> u64 {
    pipe.commands
        .iter()
        .map(|c| 1 + c.args.iter().map(expr_weight).sum::<u64>())
        .sum()
}

fn expr_weight(expr: &Expr) -> u64 {
    match expr {
        Expr::Pipe(_, pipe) => 1 + pipe_weight(pipe),
        Expr::Chain(_, inner, fields) => expr_weight(inner) + fields.len() as u64,
        Expr::Field(_, fields) | Expr::Variable(_, _, fields) => 1 + fields.len() as u64,
        _ => 1,
    }
}
