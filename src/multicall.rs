//! Drop-in by name: when the binary is invoked as `consul`, `consul-template` or `registrator`
//! (a symlink or a copy), argv is rewritten to the matching `sd` command.
//!
//! May import: nothing (checked by tests/architecture.rs).

use std::ffi::OsString;
use std::path::Path;

/// Maps argv[0]'s file name to the `sd` subcommand it stands for, if any.
fn subcommand_for(program: &str) -> Option<&'static str> {
    match program {
        "consul-template" => Some("template"),
        "registrator" => Some("register-docker"),
        _ => None,
    }
}

/// Returns argv with argv[0] set to `sd` and, for tools that are one `sd` command, that command
/// inserted. `consul` needs only the renaming: `consul kv get x` is `sd kv get x`.
pub fn rewrite(mut args: Vec<OsString>) -> Vec<OsString> {
    let program = args
        .first()
        .and_then(|a| Path::new(a).file_name())
        .and_then(|n| n.to_str())
        .unwrap_or("sd")
        .to_string();
    if args.is_empty() {
        args.push("sd".into());
    } else {
        args[0] = "sd".into();
    }
    if let Some(sub) = subcommand_for(&program) {
        args.insert(1, sub.into());
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    #[test]
    fn consul_is_sd() {
        assert_eq!(
            rewrite(argv(&["/usr/local/bin/consul", "kv", "get", "x"])),
            argv(&["sd", "kv", "get", "x"])
        );
    }

    #[test]
    fn companions_become_subcommands() {
        assert_eq!(
            rewrite(argv(&["consul-template", "-once"])),
            argv(&["sd", "template", "-once"])
        );
        assert_eq!(
            rewrite(argv(&["registrator", "consul://x"])),
            argv(&["sd", "register-docker", "consul://x"])
        );
    }
}
