//! Counts the bytes a Go render builds into values, so that one render holds a bounded amount
//! of memory. A value printed is held to the output cap, but one kept in a variable is not:
//! `{{$x = print $x $x}}` forty times in a 1 KB template asks for 8 TB (bug 19 in
//! docs/reliability.md).
//!
//! What makes values grows them from other values: gotmpl's own `print`, `printf`, `println`,
//! `html`, `js` and `urlquery`, and sd's helpers. After parsing, each argument of those builtins,
//! the piped one included, passes through a function that counts its size before the builtin
//! runs, so the builtin's result (about the size of its arguments; a `printf` width counts as
//! the bytes it pads) is counted before it is made. The helpers' results are counted as they
//! return (`go.rs`); those whose result can outgrow their arguments size it first
//! (`funcs/helpers`). More than [`MAX_MADE_BYTES`] in one render stops it.
//!
//! The comparisons (`eq`, `ne`, `lt`, `le`, `gt`, `ge`) read their arguments through: they
//! get the same rewrite with a function that counts the size as steps instead (a step per
//! [`ARG_BYTES_PER_STEP`] bytes, as sd's helpers are charged), or `eq $x $x` on two 64 MiB
//! strings in a loop of a million passes would compare for hours. `slice` copies a string's
//! part: its result passes through the bytes counter.

use std::sync::Arc;

use gotmpl::parse::{Expr, ListNode, Node, PipeNode};
use gotmpl::{FuncMap, TemplateError, Value};

#[cfg(doc)]
use crate::template::engine::budget::MAX_MADE_BYTES;
use crate::template::engine::budget::{value_bytes, Spent, ARG_BYTES_PER_STEP};
use crate::template::engine::go_trees;

/// gotmpl's builtins whose result is built from their arguments' text.
const BUILDERS: [&str; 6] = ["print", "printf", "println", "html", "js", "urlquery"];

/// gotmpl's builtins that read their arguments through.
const READERS: [&str; 6] = ["eq", "ne", "lt", "le", "gt", "ge"];

/// The counting function: returns its one argument.
const BYTES: &str = "__sd_bytes";

/// The counting function for a reader's argument, as steps: returns its one argument.
const READ: &str = "__sd_read";

/// The counting function for a `printf` format: its widths and precisions count too.
const FORMAT: &str = "__sd_format";

/// Registers the counting functions over `spent`.
pub(crate) fn register(map: &mut FuncMap, spent: &Arc<Spent>) {
    for (name, format) in [(BYTES, false), (FORMAT, true)] {
        let spent = spent.clone();
        map.insert(
            name.into(),
            Arc::new(move |args: &[Value]| {
                let value = args.first().cloned().unwrap_or(Value::Nil);
                let mut bytes = value_bytes(&value);
                if let (true, Value::String(s)) = (format, &value) {
                    bytes = bytes.saturating_add(padding(s));
                }
                spent.made(bytes).map_err(TemplateError::Exec)?;
                Ok(value)
            }),
        );
    }
    let spent = spent.clone();
    map.insert(
        READ.into(),
        Arc::new(move |args: &[Value]| {
            let value = args.first().cloned().unwrap_or(Value::Nil);
            spent
                .steps(value_bytes(&value) / ARG_BYTES_PER_STEP)
                .map_err(TemplateError::Exec)?;
            Ok(value)
        }),
    );
}

/// The bytes a format's widths and precisions may pad: the sum of the numbers after each `%`
/// (gotmpl, like Go, refuses widths past a million, so a `*` counts as one).
fn padding(format: &str) -> u64 {
    let mut total = 0u64;
    for verb in format.split('%').skip(1) {
        let spec = verb.trim_start_matches(['+', '-', '#', ' ', '0']);
        let mut number = 0u64;
        for c in spec.chars() {
            match c {
                '0'..='9' => number = number.saturating_mul(10).saturating_add(u64::from(c) - 48),
                '*' => number = number.saturating_add(1_000_000),
                '.' | '[' | ']' => {
                    total = total.saturating_add(number);
                    number = 0;
                }
                _ => break,
            }
        }
        total = total.saturating_add(number);
    }
    total
}

/// `body`, a template's, with the arguments of every builder in it counted.
pub(crate) fn counted(mut body: ListNode) -> ListNode {
    list(&mut body);
    body
}

fn list(list: &mut ListNode) {
    list.nodes.iter_mut().for_each(node);
}

fn node(node: &mut Node) {
    match node {
        Node::List(l) => list(l),
        Node::Action(a) => pipe(&mut a.pipe),
        Node::If(b) | Node::With(b) | Node::Range(b) => {
            pipe(&mut b.pipe);
            list(&mut b.body);
            if let Some(e) = &mut b.else_body {
                list(e);
            }
        }
        Node::Template(t) => {
            if let Some(p) = &mut t.pipe {
                pipe(p);
            }
        }
        Node::Text(_) | Node::Define(_) | Node::Break(_) | Node::Continue(_) => {}
    }
}

/// Counts the arguments of each builder and comparison in `p` (one that takes the piped value
/// gets a counting command before it) and the result of each `slice`.
fn pipe(p: &mut PipeNode) {
    let mut commands = Vec::with_capacity(p.commands.len());
    for (i, mut command) in std::mem::take(&mut p.commands).into_iter().enumerate() {
        command.args.iter_mut().for_each(expr);
        if let Some(Expr::Identifier(_, name)) = command.args.first() {
            let (format, slice) = (name == "printf", name == "slice");
            let counter = match name.as_str() {
                n if BUILDERS.contains(&n) => Some(BYTES),
                n if READERS.contains(&n) => Some(READ),
                _ => None,
            };
            if let Some(counter) = counter {
                for (j, arg) in command.args.iter_mut().enumerate().skip(1) {
                    let counter = if format && j == 1 { FORMAT } else { counter };
                    let pos = arg.pos();
                    let inner = std::mem::replace(arg, Expr::Nil(pos));
                    *arg = Expr::Pipe(pos, go_trees::call(counter, vec![inner], pos));
                }
                if i > 0 {
                    commands.push(go_trees::command(counter, Vec::new(), command.pos));
                }
            }
            if slice {
                let pos = command.pos;
                commands.push(command);
                commands.push(go_trees::command(BYTES, Vec::new(), pos));
                continue;
            }
        }
        commands.push(command);
    }
    p.commands = commands;
}

fn expr(e: &mut Expr) {
    match e {
        Expr::Pipe(_, p) => pipe(p),
        Expr::Chain(_, inner, _) => expr(inner),
        _ => {}
    }
}
