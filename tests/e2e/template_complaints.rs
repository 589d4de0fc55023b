//! consul-template's users' complaints (reference companions.md §E), each fixed in
//! `sd template` and each shown here through the real binary against a dev agent: a check before
//! the swap, a failed command that does not end the daemon, a blocked template that says what it
//! waits for, a bad template that does not stop the others, an edited template rendered again
//! without a restart, destination directories, and a bind-mounted destination.

use crate::common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::sd_template::{read, wait_until, SdTemplate};
use common::{stderr, AgentBuilder};

const WAIT: Duration = Duration::from_secs(15);

fn config(dir: &Path, hcl: &str) -> String {
    let path = dir.join("sd.hcl");
    std::fs::write(&path, hcl).unwrap();
    format!("-config={}", path.display())
}

#[test]
fn check_command_keeps_the_old_file_when_the_check_fails() {
    let agent = AgentBuilder::dev().start();
    agent.put_ok("/v1/kv/app/port", "80");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (out, ran) = (d.join("site.conf"), d.join("ran"));
    let conf = config(
        d,
        &format!(
            r#"template {{
  contents      = "listen {{{{key \"app/port\"}}}};\n"
  destination   = "{out}"
  check_command = "grep -qE '^listen [0-9]+;$' {{{{.src}}}}"
  command       = "echo reload >> {ran}"
}}
"#,
            out = out.display(),
            ran = ran.display()
        ),
    );
    let addr = format!("-consul-addr={}", agent.http_addr());
    let mut sd = SdTemplate::start(&[&conf, &addr, "-log-level=info"], &[], d);
    wait_until("the first render", WAIT, || read(&ran) == "reload\n");
    assert_eq!(read(&out), "listen 80;\n");
    // Content the check refuses: the old file stays and nothing is reloaded.
    agent.put_ok("/v1/kv/app/port", "eighty");
    wait_until("the refusal to be logged", WAIT, || {
        sd.log().contains("check_command")
    });
    assert_eq!(read(&out), "listen 80;\n");
    assert_eq!(read(&ran), "reload\n");
    assert!(sd.running());
    // Good content again: swapped and reloaded.
    agent.put_ok("/v1/kv/app/port", "81");
    wait_until("the good content", WAIT, || read(&out) == "listen 81;\n");
    wait_until("the reload", WAIT, || read(&ran) == "reload\nreload\n");
    let leftovers: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') || n.contains("tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn a_failed_command_is_logged_and_the_daemon_goes_on() {
    let agent = AgentBuilder::dev().start();
    agent.put_ok("/v1/kv/k", "one");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = d.join("out");
    std::fs::write(d.join("t.ctmpl"), "{{key \"k\"}}").unwrap();
    let spec = format!(
        "{}:{}:sh -c 'exit 3'",
        d.join("t.ctmpl").display(),
        out.display()
    );
    let addr = format!("-consul-addr={}", agent.http_addr());
    let mut sd = SdTemplate::start(&[&addr, "-template", &spec], &[], d);
    wait_until("the first render", WAIT, || read(&out) == "one");
    wait_until("the failure to be logged", WAIT, || {
        sd.log().contains("exit status: 3")
    });
    agent.put_ok("/v1/kv/k", "two");
    wait_until("the next render", WAIT, || read(&out) == "two");
    assert!(sd.running(), "sd template exited after a failed command");
    drop(sd);

    // on_command_error = "exit" is consul-template's behaviour: exit 11.
    let fresh = spec.replace(
        &out.display().to_string(),
        &d.join("out2").display().to_string(),
    );
    let mut strict = SdTemplate::start(
        &[&addr, "-template", &fresh, "-on-command-error=exit"],
        &[],
        d,
    );
    let status = strict.wait_exit(WAIT);
    assert_eq!(status.code(), Some(11), "{}", strict.log());
}

#[test]
fn a_blocked_template_says_what_it_waits_for() {
    let agent = AgentBuilder::dev().start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = d.join("out");
    std::fs::write(d.join("t.ctmpl"), "{{key \"config/not/there/yet\"}}").unwrap();
    let spec = format!("{}:{}", d.join("t.ctmpl").display(), out.display());
    let addr = format!("-consul-addr={}", agent.http_addr());
    let sd = SdTemplate::start(
        &[
            &addr,
            "-template",
            &spec,
            "-block-warn=1s",
            "-log-level=info",
        ],
        &[],
        d,
    );
    wait_until("the INFO line naming the key", WAIT, || {
        let log = sd.log();
        log.contains("INFO") && log.contains("config/not/there/yet")
    });
    assert!(!out.exists(), "a blocked template was written");
    agent.put_ok("/v1/kv/config/not/there/yet", "here");
    wait_until("the render once the key exists", WAIT, || {
        read(&out) == "here"
    });
}

#[test]
fn one_bad_template_does_not_stop_the_others() {
    let agent = AgentBuilder::dev().start();
    agent.put_ok("/v1/kv/n", "x");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (bad, good) = (d.join("bad"), d.join("good"));
    let conf = config(
        d,
        &format!(
            "template {{\n  contents = \"{{{{ parseInt (key \\\"n\\\") }}}}\"\n  destination = \"{}\"\n}}\n\
             template {{\n  contents = \"n={{{{ key \\\"n\\\" }}}}\"\n  destination = \"{}\"\n}}\n",
            bad.display(),
            good.display()
        ),
    );
    let addr = format!("-consul-addr={}", agent.http_addr());
    let mut sd = SdTemplate::start(&[&conf, &addr], &[], d);
    wait_until("the good template", WAIT, || read(&good) == "n=x");
    wait_until("the bad one's error", WAIT, || {
        sd.log().contains("parseInt")
    });
    agent.put_ok("/v1/kv/n", "y");
    wait_until("the good template again", WAIT, || read(&good) == "n=y");
    assert!(!bad.exists());
    // Fixed data: the bad one renders too.
    agent.put_ok("/v1/kv/n", "42");
    wait_until("the formerly bad template", WAIT, || read(&bad) == "42");
    assert!(sd.running());

    // Under -once the same error is an exit code, not a hang.
    agent.put_ok("/v1/kv/n", "x");
    let out = common::run_sd_env(&["template", "-once", &conf, &addr], &[], None);
    assert_eq!(out.status.code(), Some(11), "{}", stderr(&out));
    assert!(stderr(&out).contains("parseInt"), "{}", stderr(&out));
}

#[test]
fn an_edited_template_is_rendered_again_without_a_restart() {
    let agent = AgentBuilder::dev().start();
    agent.put_ok("/v1/kv/k", "v");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (src, out) = (d.join("t.ctmpl"), d.join("out"));
    std::fs::write(&src, "first {{key \"k\"}}").unwrap();
    let spec = format!("{}:{}", src.display(), out.display());
    let addr = format!("-consul-addr={}", agent.http_addr());
    let sd = SdTemplate::start(&[&addr, "-template", &spec], &[], d);
    wait_until("the first render", WAIT, || read(&out) == "first v");
    // An editor's save: write a new file and rename it over the old one.
    std::fs::write(d.join("t.ctmpl.new"), "second {{key \"k\"}}").unwrap();
    std::fs::rename(d.join("t.ctmpl.new"), &src).unwrap();
    wait_until("the edited template", WAIT, || read(&out) == "second v");
    // A broken edit keeps the previous version rendering.
    // (Written by rename as well: a truncating write would first show an empty template.)
    std::fs::write(d.join("t.ctmpl.new"), "third {{key \"k\"").unwrap();
    std::fs::rename(d.join("t.ctmpl.new"), &src).unwrap();
    wait_until("the parse error", WAIT, || sd.log().contains("t.ctmpl"));
    agent.put_ok("/v1/kv/k", "w");
    wait_until("the previous version", WAIT, || read(&out) == "second w");
}

#[test]
fn destination_directories_are_created_only_when_allowed() {
    let agent = AgentBuilder::dev().start();
    agent.put_ok("/v1/kv/k", "v");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let addr = format!("-consul-addr={}", agent.http_addr());
    let deep = d.join("a/b/out");
    let conf = config(
        d,
        &format!(
            "template {{\n  contents = \"{{{{key \\\"k\\\"}}}}\"\n  destination = \"{}\"\n  create_dest_dirs = false\n}}\n",
            deep.display()
        ),
    );
    let out = common::run_sd_env(&["template", "-once", &conf, &addr], &[], None);
    assert_ne!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(
        err.contains("create_dest_dirs") && err.contains("a/b"),
        "{err}"
    );
    assert!(!d.join("a").exists());
    // The default creates them.
    std::fs::write(d.join("t.ctmpl"), "{{key \"k\"}}").unwrap();
    let spec = format!("{}:{}", d.join("t.ctmpl").display(), deep.display());
    let out = common::run_sd_env(&["template", "-once", &addr, "-template", &spec], &[], None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(read(&deep), "v");
}

#[test]
fn a_bind_mounted_destination_is_written_in_place() {
    let agent = AgentBuilder::dev().start();
    agent.put_ok("/v1/kv/k", "new content");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (real, mounted) = (d.join("real.conf"), d.join("mounted.conf"));
    std::fs::write(&real, "old").unwrap();
    std::fs::write(&mounted, "").unwrap();
    std::fs::write(d.join("t.ctmpl"), "{{key \"k\"}}").unwrap();
    // As Docker mounts one file into a container: rename(2) over it fails with EBUSY.
    let script = format!(
        "mount --bind {real} {mounted} && exec {sd} template -once -consul-addr={addr} -template {src}:{mounted}",
        real = real.display(),
        mounted = mounted.display(),
        sd = common::sd_bin().display(),
        addr = agent.http_addr(),
        src = d.join("t.ctmpl").display()
    );
    let out = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "sh", "-c", &script])
        .output()
        .expect("unshare");
    assert!(out.status.success(), "{}", stderr(&out));
    // The bind mount is gone with the namespace; the file behind it holds the new content.
    assert_eq!(read(&real), "new content");
}
