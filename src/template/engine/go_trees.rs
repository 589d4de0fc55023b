//! Rewrites of gotmpl's parse trees after parsing (gotmpl exposes them): every template's
//! body rewritten by one function, and the one-command pipelines the rewrites insert.

use gotmpl::parse::{CommandNode, Expr, ListNode, PipeNode, Pos};

/// `tmpl` with the body of each of its templates (its own included) replaced by `f(body)`.
pub(crate) fn rewrite(
    tmpl: gotmpl::Template,
    f: impl Fn(ListNode) -> ListNode,
) -> gotmpl::Template {
    let names: Vec<String> = tmpl.templates().into_iter().map(str::to_string).collect();
    names.into_iter().fold(tmpl, |tmpl, name| {
        let Some(body) = tmpl.lookup(&name).cloned() else {
            return tmpl;
        };
        tmpl.add_parse_tree(&name, f(body))
    })
}

/// The command `function args...`.
pub(crate) fn command(function: &str, args: Vec<Expr>, pos: Pos) -> CommandNode {
    let mut all = vec![Expr::Identifier(pos, function.into())];
    all.extend(args);
    CommandNode { pos, args: all }
}

/// A pipeline of the one command `function args...`.
pub(crate) fn call(function: &str, args: Vec<Expr>, pos: Pos) -> PipeNode {
    PipeNode {
        pos,
        decl: Vec::new(),
        commands: vec![command(function, args, pos)],
        is_assign: false,
    }
}
