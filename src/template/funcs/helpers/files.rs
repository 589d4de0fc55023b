//! Helpers with effects outside the template: `writeToFile` (write or append a file, with
//! owner and mode) and `plugin` (run a program and use its output).
//!
//! `writeToFile` refuses what the destination writer refuses (a symlink among the parent
//! directories, a symlink as the file itself) and stays inside `sandbox_path` when one is set;
//! `plugin` runs in a process group of its own, killed with everything it started after 30 s,
//! as consul-template's own limit.

use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt as _;
use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::time::{Duration, Instant};

use super::{fail, string, text, value_fn, HelperContext};
use crate::template::writer;

/// consul-template's limit on a plugin's run time.
const PLUGIN_TIMEOUT: Duration = Duration::from_secs(30);

pub(super) fn register(map: &mut gotmpl::FuncMap, ctx: &HelperContext) {
    let sandbox = ctx.sandbox.clone();
    value_fn(map, "writeToFile", move |a| {
        const F: &str = "writeToFile";
        if !(5..=6).contains(&a.len()) {
            return Err(fail(F, format!("want 5 or 6 arguments, got {}", a.len())));
        }
        let strs: Vec<&str> = (0..a.len())
            .map(|i| text(F, a, i))
            .collect::<gotmpl::Result<_>>()?;
        let (path, user, group, perms) = (strs[0], strs[1], strs[2], strs[3]);
        let (flags, content) = match strs[4..] {
            [flags, content] => (flags, content),
            [content] => ("", content),
            _ => ("", ""),
        };
        if let Some(sandbox) = &sandbox {
            if !crate::template::funcs::data::in_sandbox(sandbox, Path::new(path)) {
                return Err(fail(
                    F,
                    format!("{path:?} is outside the sandbox {}", sandbox.display()),
                ));
            }
        }
        write_to_file(path, user, group, perms, flags, content).map_err(|e| fail(F, e))?;
        Ok(string(""))
    });
    value_fn(map, "plugin", |a| {
        let args: Vec<&str> = (0..a.len())
            .map(|i| text("plugin", a, i))
            .collect::<gotmpl::Result<_>>()?;
        match args.split_first() {
            None | Some((&"", _)) => Ok(string("")),
            Some((name, rest)) => run_plugin(name, rest)
                .map(string)
                .map_err(|e| fail("plugin", e)),
        }
    });
}

fn write_to_file(
    path: &str,
    user: &str,
    group: &str,
    perms: &str,
    flags: &str,
    content: &str,
) -> Result<(), String> {
    let mode = u32::from_str_radix(perms, 8)
        .ok()
        .filter(|m| *m <= 0o7777)
        .ok_or_else(|| format!("invalid permissions {perms:?}: expected octal like \"0644\""))?;
    let path = Path::new(path);
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    writer::check_parents(dir, true).map_err(|e| e.to_string())?;
    let append = flags.contains("append");
    let mut options = std::fs::OpenOptions::new();
    options
        .write(true)
        .create(true)
        .mode(mode)
        .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32);
    if append {
        options.append(true);
    } else {
        options.truncate(true);
    }
    let mut file = options.open(path).map_err(|e| match e.raw_os_error() {
        Some(code) if code == rustix::io::Errno::LOOP.raw_os_error() => {
            format!("refusing to write to symlink {}", path.display())
        }
        _ => format!("{}: {e}", path.display()),
    })?;
    file.write_all(content.as_bytes())
        .and_then(|()| {
            if flags.contains("newline") {
                file.write_all(b"\n")
            } else {
                Ok(())
            }
        })
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let owner = writer::owner::resolve(
        Some(user).filter(|u| !u.is_empty()),
        Some(group).filter(|g| !g.is_empty()),
    )?;
    if owner.uid.is_some() || owner.gid.is_some() {
        std::os::unix::fs::fchown(&file, owner.uid, owner.gid)
            .map_err(|e| format!("chown {}: {e}", path.display()))?;
    }
    use std::os::unix::fs::PermissionsExt as _;
    file.set_permissions(std::fs::Permissions::from_mode(mode))
        .map_err(|e| format!("chmod {}: {e}", path.display()))
}

/// Runs `name` with the non-empty, trimmed `args` and returns its trimmed stdout.
fn run_plugin(name: &str, args: &[&str]) -> Result<String, String> {
    let args: Vec<&str> = args
        .iter()
        .map(|a| a.trim())
        .filter(|a| !a.is_empty())
        .collect();
    let mut child = std::process::Command::new(name)
        .args(&args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("exec {name:?}: {e}"))?;
    // Drain the pipes on threads so a chatty plugin cannot fill them and stall.
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            buf
        })
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let deadline = Instant::now() + PLUGIN_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) if Instant::now() >= deadline => break Err(()),
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("exec {name:?}: {e}")),
        }
    };
    let Ok(status) = status else {
        let _ = crate::process::signal_group(child.id(), rustix::process::Signal::KILL);
        let _ = child.wait();
        return Err(format!("exec {name:?}: did not finish in 30s"));
    };
    let stdout = String::from_utf8_lossy(&out.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned();
    if !status.success() {
        return Err(format!(
            "exec {name:?}: {status}\n\nstdout:\n\n{stdout}\n\nstderr:\n\n{stderr}"
        ));
    }
    Ok(stdout.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{ok, render};

    #[test]
    fn write_to_file_writes_appends_and_refuses_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("sub/out.txt");
        let p = f.display();
        assert_eq!(
            ok(&format!(
                r#"{{{{ writeToFile "{p}" "" "" "0600" "one" }}}}"#
            )),
            ""
        );
        ok(&format!(
            r#"{{{{ writeToFile "{p}" "" "" "0600" "append,newline" "two" }}}}"#
        ));
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "onetwo\n");
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&f).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&f, &link).unwrap();
        let e = render(
            &format!(
                r#"{{{{ writeToFile "{}" "" "" "0644" "x" }}}}"#,
                link.display()
            ),
            &[],
        )
        .unwrap_err();
        assert!(e.contains("symlink"), "{e}");
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "onetwo\n");
        let e = render(r#"{{ writeToFile "/tmp/x" "" "" "999" "x" }}"#, &[]).unwrap_err();
        assert!(e.contains("permissions"), "{e}");
    }

    #[test]
    fn plugins_run_and_fail_loudly() {
        assert_eq!(
            ok(r#"{{ plugin "echo" " hello " "" "world" }}"#),
            "hello world"
        );
        let e = render(r#"{{ plugin "sh" "-c" "echo oops >&2; exit 3" }}"#, &[]).unwrap_err();
        assert!(e.contains("oops") && e.contains("exit status: 3"), "{e}");
        assert!(render(r#"{{ plugin "/nonexistent/plugin" }}"#, &[]).is_err());
    }
}
