//! Go's parse-time check that every function a template calls exists. gotmpl resolves
//! functions only when an action runs, so an unknown name in a branch not taken would go
//! unnoticed; Go (and consul-template) refuse the template at parse time, naming the function
//! and its position, and so does sd.

use std::collections::BTreeSet;

use gotmpl::parse::{Expr, ListNode, Node, Parser, PipeNode};

/// A call of a function that is not defined: its name, 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UnknownFunction {
    pub name: String,
    pub line: usize,
    pub col: usize,
}

/// Go's builtins, always defined.
const BUILTINS: &[&str] = &[
    "and", "call", "eq", "ge", "gt", "html", "index", "js", "le", "len", "lt", "ne", "not", "or",
    "print", "printf", "println", "slice", "urlquery",
];

/// The first call in `src` of a function that is neither a builtin nor in `defined`. `src` must
/// already have parsed (the caller parsed it with gotmpl first); a parse error here yields none.
pub(crate) fn first_unknown_function(
    src: &str,
    left: &str,
    right: &str,
    defined: &BTreeSet<String>,
) -> Option<UnknownFunction> {
    let (tree, defines) = Parser::new(src, left, right).ok()?.parse().ok()?;
    let mut found: Vec<(usize, usize, String)> = Vec::new();
    let mut visit = |name: &str, offset: usize, line: usize| {
        if !BUILTINS.contains(&name) && !defined.contains(name) {
            found.push((offset, line, name.to_string()));
        }
    };
    walk_list(&tree, &mut visit);
    for d in &defines {
        walk_list(&d.body, &mut visit);
    }
    let (offset, line, name) = found.into_iter().min()?;
    let line_start = src[..offset.min(src.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let col = src[line_start..offset.min(src.len())].chars().count() + 1;
    Some(UnknownFunction { name, line, col })
}

fn walk_list(list: &ListNode, visit: &mut impl FnMut(&str, usize, usize)) {
    for node in &list.nodes {
        match node {
            Node::List(l) => walk_list(l, visit),
            Node::Action(a) => walk_pipe(&a.pipe, visit),
            Node::If(b) | Node::Range(b) | Node::With(b) => {
                walk_pipe(&b.pipe, visit);
                walk_list(&b.body, visit);
                if let Some(e) = &b.else_body {
                    walk_list(e, visit);
                }
            }
            Node::Template(t) => {
                if let Some(p) = &t.pipe {
                    walk_pipe(p, visit);
                }
            }
            Node::Define(d) => walk_list(&d.body, visit),
            Node::Text(_) | Node::Break(_) | Node::Continue(_) => {}
        }
    }
}

fn walk_pipe(pipe: &PipeNode, visit: &mut impl FnMut(&str, usize, usize)) {
    for cmd in &pipe.commands {
        for arg in &cmd.args {
            walk_expr(arg, visit);
        }
    }
}

fn walk_expr(expr: &Expr, visit: &mut impl FnMut(&str, usize, usize)) {
    match expr {
        Expr::Identifier(pos, name) => visit(name, pos.offset, pos.line),
        Expr::Pipe(_, p) => walk_pipe(p, visit),
        Expr::Chain(_, inner, _) => walk_expr(inner, visit),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defined(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn finds_unknown_calls_in_untaken_branches_and_defines() {
        let src =
            "a\n{{ if false }}\n  {{ bogus 1 }}{{ end }}{{ define \"x\" }}{{ nope }}{{ end }}";
        let u = first_unknown_function(src, "{{", "}}", &defined(&["service"])).unwrap();
        assert_eq!(u.name, "bogus");
        assert_eq!((u.line, u.col), (3, 6));
    }

    #[test]
    fn known_functions_and_builtins_pass() {
        let src = "{{ range service \"web\" }}{{ printf \"%s\" .Name | len }}{{ end }}";
        assert_eq!(
            first_unknown_function(src, "{{", "}}", &defined(&["service"])),
            None
        );
    }
}
