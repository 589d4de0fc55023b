//! Go-style flags on top of clap.
//!
//! Consul's CLI uses Go's `flag` package: `-flag`, `-flag=value`, `-flag value` and `--flag` all
//! work, and flag parsing stops at the first positional argument (`consul kv get foo -recurse` is
//! "too many arguments"). clap wants `--flag`, so this rewrites argv before clap sees it: a word
//! naming a known long flag of the command being parsed gets two dashes, and a `--` is inserted
//! before the first positional of a leaf command so later words stay positional.

use std::ffi::OsString;

use clap::{Arg, Command};

/// Rewrites `args` (argv with argv[0]) into clap's syntax for `root`, which it builds (clap's
/// `Command::build`) in place: parsing with it afterwards does not build it again, and no second
/// copy of the whole command tree is made at every start.
pub fn go_style(root: &mut Command, args: Vec<OsString>) -> Vec<OsString> {
    root.build();
    let mut out = Vec::with_capacity(args.len() + 1);
    let mut iter = args.into_iter();
    if let Some(argv0) = iter.next() {
        out.push(argv0);
    }
    let mut cmd: &Command = root;
    while let Some(word) = iter.next() {
        let Some(text) = word.to_str() else {
            out.push(word);
            continue;
        };
        if text == "--" {
            out.push(word);
            out.extend(iter);
            return out;
        }
        if let Some(body) = flag_body(text) {
            let (name, has_value) = match body.split_once('=') {
                Some((n, _)) => (n, true),
                None => (body, false),
            };
            match find_long(cmd, name) {
                Some(arg) => {
                    out.push(format!("--{body}").into());
                    let takes_next =
                        arg.get_action().takes_values() && !arg.is_require_equals_set();
                    if takes_next && !has_value {
                        if let Some(value) = iter.next() {
                            out.push(value);
                        }
                    }
                }
                // `-h`, `-v` and friends, or an unknown flag that clap will report.
                None if name.chars().count() == 1 && !text.starts_with("--") => out.push(word),
                None => out.push(format!("--{body}").into()),
            }
            continue;
        }
        if let Some(sub) = cmd.find_subcommand(text) {
            cmd = sub;
            out.push(word);
            continue;
        }
        if cmd.has_subcommands() {
            // An unknown subcommand: clap reports it.
            out.push(word);
            continue;
        }
        // The first positional of a leaf command: everything after it is positional too.
        out.push("--".into());
        out.push(word);
        out.extend(iter);
        return out;
    }
    out
}

/// The flag name (and `=value`) of a word that looks like a flag: `-x`, `-name`, `--name=v`.
/// A lone `-` (stdin) is not a flag.
fn flag_body(text: &str) -> Option<&str> {
    let body = text.strip_prefix("--").or_else(|| text.strip_prefix('-'))?;
    if body.is_empty() || body.starts_with('-') {
        return None;
    }
    Some(body)
}

fn find_long<'a>(cmd: &'a Command, name: &str) -> Option<&'a Arg> {
    cmd.get_arguments().find(|a| {
        a.get_long() == Some(name) || a.get_all_aliases().is_some_and(|al| al.contains(&name))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::goflag::{flag, opt};

    fn tree() -> Command {
        Command::new("sd")
            .subcommand(
                Command::new("agent")
                    .arg(flag("server", ""))
                    .arg(opt("data-dir", "PATH", ""))
                    .arg(opt("node", "NAME", "")),
            )
            .subcommand(
                Command::new("kv").subcommand(
                    Command::new("get")
                        .arg(flag("recurse", ""))
                        .arg(opt("separator", "SEP", ""))
                        .arg(Arg::new("key")),
                ),
            )
    }

    fn norm(v: &[&str]) -> Vec<String> {
        let args = v.iter().map(OsString::from).collect();
        go_style(&mut tree(), args)
            .into_iter()
            .map(|s| s.into_string().unwrap())
            .collect()
    }

    #[test]
    fn single_dash_long_flags() {
        assert_eq!(
            norm(&["sd", "agent", "-server", "-data-dir=/tmp/x", "-node", "n1"]),
            [
                "sd",
                "agent",
                "--server",
                "--data-dir=/tmp/x",
                "--node",
                "n1"
            ]
        );
    }

    #[test]
    fn double_dash_kept() {
        assert_eq!(
            norm(&["sd", "agent", "--server=false", "--node=a"]),
            ["sd", "agent", "--server=false", "--node=a"]
        );
    }

    #[test]
    fn bool_flag_does_not_eat_next_word() {
        assert_eq!(
            norm(&["sd", "kv", "get", "-recurse", "foo"]),
            ["sd", "kv", "get", "--recurse", "--", "foo"]
        );
    }

    #[test]
    fn flags_stop_at_first_positional() {
        assert_eq!(
            norm(&["sd", "kv", "get", "foo", "-recurse"]),
            ["sd", "kv", "get", "--", "foo", "-recurse"]
        );
    }

    #[test]
    fn value_may_look_like_a_flag() {
        assert_eq!(
            norm(&["sd", "kv", "get", "-separator", "-", "k"]),
            ["sd", "kv", "get", "--separator", "-", "--", "k"]
        );
    }

    #[test]
    fn unknown_flag_reaches_clap_as_long() {
        assert_eq!(norm(&["sd", "agent", "-bogus"]), ["sd", "agent", "--bogus"]);
        assert_eq!(norm(&["sd", "agent", "-h"]), ["sd", "agent", "-h"]);
    }

    #[test]
    fn stdin_dash_is_positional() {
        assert_eq!(
            norm(&["sd", "kv", "get", "-"]),
            ["sd", "kv", "get", "--", "-"]
        );
    }
}
