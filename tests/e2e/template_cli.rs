//! `sd template`'s command line and configuration through the real binary: usage errors exit 2
//! naming what is wrong; `-parse-only`; `CT_LOCAL_CONFIG`, `-config` files and directories (HCL
//! and JSON) and flags layered as consul-template layers them; `CONSUL_HTTP_ADDR` for the
//! agent and for commands; exec mode; the pid file, the reload and kill signals; a command past
//! its timeout killed with everything it started.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::sd_template::{alive, child_pid, read, wait_until, SdTemplate};
use common::{fails, run_sd_env, stderr, AgentBuilder};

fn template(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut all = vec!["template"];
    all.extend_from_slice(args);
    run_sd_env(&all, env, None)
}

#[test]
fn usage_errors_exit_2_and_name_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let bad_key = dir.path().join("bad.hcl");
    std::fs::write(
        &bad_key,
        "template {\n  source = \"a.ctmpl\"\n  perm = \"0644\"\n}\n",
    )
    .unwrap();
    let bad_syntax = dir.path().join("broken.hcl");
    std::fs::write(&bad_syntax, "template {\n  source = \n").unwrap();
    let bad_key_arg = format!("-config={}", bad_key.display());
    let bad_syntax_arg = format!("-config={}", bad_syntax.display());
    let cases: &[(&[&str], &[&str])] = &[
        (&[], &["no templates"]),
        (
            &["-template", "a::b"],
            &["-template \"a::b\"", "destination"],
        ),
        (&["-template", ":out"], &["-template \":out\"", "source"]),
        (
            &[&bad_key_arg],
            &["bad.hcl", "template[0].perm", "unknown field"],
        ),
        (&[&bad_syntax_arg], &["broken.hcl"]),
        (
            &["-template", "a:b", "-wait=5s:1s"],
            &["wait", "less than min"],
        ),
        (
            &["-template", "a:b", "-consul-retry-attempts=many"],
            &["-consul-retry-attempts", "many"],
        ),
        (
            &["-template", "a:b", "-exec=app", "-exec-kill-signal=SIGNOPE"],
            &["exec.kill_signal", "SIGNOPE"],
        ),
        (
            &["-template", "a:b", "-log-file=/nonexistent/dir/x.log"],
            &["/nonexistent/dir"],
        ),
        (
            &["-template", "a:b", "-syslog", "-syslog-facility=LOCAL9"],
            &["LOCAL9"],
        ),
        (
            &["-template", "a:b", "-vault-addr=http://v:8200"],
            &["vault-addr"],
        ),
        (&["-template", "a:b", "-once=maybe"], &["maybe"]),
        (&["-template", "a:b", "-log-level=loud"], &["loud"]),
    ];
    for (args, needles) in cases {
        let out = template(args, &[]);
        let err = fails(&out, 2);
        for needle in *needles {
            assert!(
                err.contains(needle),
                "sd template {args:?}: {err:?} lacks {needle:?}"
            );
        }
    }
    // A bad CT_LOCAL_CONFIG is named too.
    let out = template(
        &["-template", "a:b"],
        &[("CT_LOCAL_CONFIG", "max_stale = \"soon\"")],
    );
    let err = fails(&out, 2);
    assert!(
        err.contains("CT_LOCAL_CONFIG") && err.contains("max_stale"),
        "{err}"
    );
}

#[test]
fn parse_only_checks_templates_without_an_agent() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.ctmpl");
    std::fs::write(&good, "{{range service \"web\"}}{{.Address}}\n{{end}}").unwrap();
    let bad = dir.path().join("bad.ctmpl");
    std::fs::write(
        &bad,
        "line one\n{{range service \"web\"}}\n  {{.Address}\n{{end}}\n",
    )
    .unwrap();
    let nowhere = [("CONSUL_HTTP_ADDR", "127.0.0.1:1")];
    let good_arg = format!("{}:{}/out", good.display(), dir.path().display());
    let out = template(&["-parse-only", "-template", &good_arg], &nowhere);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!dir.path().join("out").exists(), "-parse-only wrote a file");
    let bad_arg = format!("{}:{}/out", bad.display(), dir.path().display());
    let out = template(&["-parse-only", "-template", &bad_arg], &nowhere);
    assert_eq!(out.status.code(), Some(15), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("bad.ctmpl:3:"),
        "no file:line:column in {err:?}"
    );
}

#[test]
fn config_files_flags_and_environment_layer_like_consul_template() {
    let agent = AgentBuilder::dev().start();
    agent.put_ok("/v1/kv/app/greeting", "hello");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("conf.d/more")).unwrap();
    std::fs::write(d.join("b.ctmpl"), "b={{key \"app/greeting\"}}\n").unwrap();
    // A directory of HCL and JSON; its address is wrong on purpose (the flag wins).
    std::fs::write(
        d.join("conf.d/a.hcl"),
        format!(
            r#"consul {{
  address = "127.0.0.1:1"
  retry {{ attempts = 0 }}
}}
template {{
  contents    = "a={{{{key \"app/greeting\"}}}}\n"
  destination = "{dest}"
  perms       = "0600"
  command     = "echo \"$CONSUL_HTTP_ADDR\" > {marker}"
}}
"#,
            dest = d.join("out/a.txt").display(),
            marker = d.join("marker").display()
        ),
    )
    .unwrap();
    std::fs::write(
        d.join("conf.d/more/b.json"),
        serde_json::json!({"template": {
            "source": d.join("b.ctmpl"), "destination": d.join("out/b.txt"),
            "backup": true, "create_dest_dirs": true
        }})
        .to_string(),
    )
    .unwrap();
    let conf = format!("-config={}", d.join("conf.d").display());
    let local = "wait { min = \"1ms\" }\nlog_level = \"info\"";
    let out = template(
        &["-once", &conf, "-consul-addr", &agent.http_addr()],
        &[("CT_LOCAL_CONFIG", local)],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(read(&d.join("out/a.txt")), "a=hello\n");
    assert_eq!(read(&d.join("out/b.txt")), "b=hello\n");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(d.join("out/a.txt"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    // The command saw where the agent is.
    assert_eq!(read(&d.join("marker")).trim(), agent.url());
    // CT_LOCAL_CONFIG's log level took effect (the INFO line of the command).
    assert!(
        stderr(&out).contains("executing command"),
        "{}",
        stderr(&out)
    );

    // With no address anywhere but CONSUL_HTTP_ADDR, that is where sd goes.
    agent.put_ok("/v1/kv/app/greeting", "again");
    let spec = format!(
        "{}:{}",
        d.join("b.ctmpl").display(),
        d.join("c.txt").display()
    );
    let out = template(
        &["-once", "-template", &spec],
        &[("CONSUL_HTTP_ADDR", &agent.http_addr())],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(read(&d.join("c.txt")), "b=again\n");
}

#[test]
fn exec_mode_starts_signals_restarts_and_follows_the_child() {
    let agent = AgentBuilder::dev().start();
    agent.put_ok("/v1/kv/app/v", "1");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("app.ctmpl"), "v={{key \"app/v\"}}\n").unwrap();
    let spec = format!(
        "{}:{}",
        d.join("app.ctmpl").display(),
        d.join("app.conf").display()
    );
    let events = d.join("events");
    let pid_file = d.join("child.pid");
    // The child records its pid, its start (with the file it was started after), HUP and USR1.
    let child = format!(
        "echo $$ > {pid}; echo start $(cat {conf}) >> {ev}; \
         trap 'echo hup $(cat {conf}) >> {ev}' HUP; \
         trap 'echo usr1 >> {ev}' USR1; while true; do sleep 0.05; done",
        pid = pid_file.display(),
        conf = d.join("app.conf").display(),
        ev = events.display()
    );
    let addr = format!("-consul-addr={}", agent.http_addr());
    let exec = format!("-exec={child}");
    let mut sd = SdTemplate::start(
        &[
            &addr,
            "-template",
            &spec,
            &exec,
            "-exec-reload-signal=SIGHUP",
            "-log-level=info",
        ],
        &[],
        d,
    );
    wait_until("the child to start", Duration::from_secs(10), || {
        read(&events) == "start v=1\n"
    });
    agent.put_ok("/v1/kv/app/v", "2");
    wait_until("the reload signal", Duration::from_secs(10), || {
        read(&events) == "start v=1\nhup v=2\n"
    });
    sd.signal("USR1");
    wait_until("a forwarded USR1", Duration::from_secs(10), || {
        read(&events).ends_with("usr1\n")
    });
    // SIGTERM stops sd and, with it, the child (its kill signal, then SIGKILL after the
    // kill timeout): nothing outlives sd.
    let first_child = child_pid(&pid_file);
    sd.signal("TERM");
    sd.wait_exit(Duration::from_secs(40));
    wait_until("the child to be gone", Duration::from_secs(10), || {
        !alive(first_child)
    });
    drop(sd);

    // Without a reload signal the child is restarted.
    std::fs::remove_file(&events).unwrap();
    let mut restart = SdTemplate::start(
        &[&addr, "-template", &spec, &exec, "-exec-kill-timeout=2s"],
        &[],
        d,
    );
    wait_until("the child to start", Duration::from_secs(10), || {
        read(&events) == "start v=2\n"
    });
    agent.put_ok("/v1/kv/app/v", "3");
    wait_until("a restart", Duration::from_secs(10), || {
        read(&events) == "start v=2\nstart v=3\n"
    });
    let second_child = child_pid(&pid_file);
    restart.signal("TERM");
    restart.wait_exit(Duration::from_secs(10));
    wait_until(
        "the restarted child to be gone",
        Duration::from_secs(10),
        || !alive(second_child),
    );
    drop(restart);

    // The child's exit ends sd with the child's status.
    let out = template(&[&addr, "-template", &spec, "-exec=sh -c 'exit 7'"], &[]);
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
}

#[test]
fn pid_file_reload_signal_and_kill_signal() {
    let agent = AgentBuilder::dev().start();
    agent.put_ok("/v1/kv/k", "v1");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let config = d.join("sd.hcl");
    let block = |name: &str| {
        format!(
            "template {{\n  contents = \"{{{{key \\\"k\\\"}}}}\"\n  destination = \"{}\"\n}}\n",
            d.join(name).display()
        )
    };
    std::fs::write(&config, block("one.txt")).unwrap();
    let pid_file = d.join("sd.pid");
    let mut sd = SdTemplate::start(
        &[
            &format!("-config={}", config.display()),
            &format!("-consul-addr={}", agent.http_addr()),
            &format!("-pid-file={}", pid_file.display()),
        ],
        &[],
        d,
    );
    wait_until("one.txt", Duration::from_secs(10), || {
        read(&d.join("one.txt")) == "v1"
    });
    assert_eq!(read(&pid_file).trim(), sd.child.id().to_string());
    // SIGHUP reads the configuration again: the new template renders.
    std::fs::write(&config, block("one.txt") + &block("two.txt")).unwrap();
    sd.signal("HUP");
    wait_until("two.txt after SIGHUP", Duration::from_secs(10), || {
        read(&d.join("two.txt")) == "v1"
    });
    // SIGINT stops it with consul-template's interrupt status, removing the pid file.
    sd.signal("INT");
    let status = sd.wait_exit(Duration::from_secs(10));
    assert_eq!(status.code(), Some(12));
    assert!(!pid_file.exists(), "the pid file was left behind");
}

#[test]
fn a_command_past_its_timeout_is_killed_with_what_it_started() {
    let agent = AgentBuilder::dev().start();
    agent.put_ok("/v1/kv/k", "v1");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let bg = d.join("bg.pid");
    std::fs::write(
        d.join("sd.json"),
        serde_json::json!({"template": [{
            "contents": "{{key \"k\"}}",
            "destination": d.join("out.txt"),
            "command": format!("sleep 60 & echo $! > {}; sleep 60", bg.display()),
            "command_timeout": "1s"
        }]})
        .to_string(),
    )
    .unwrap();
    let sd = SdTemplate::start(
        &[
            &format!("-config={}", d.join("sd.json").display()),
            &format!("-consul-addr={}", agent.http_addr()),
        ],
        &[],
        d,
    );
    wait_until("the timeout to be logged", Duration::from_secs(15), || {
        sd.log().contains("timed out after 1s")
    });
    let pid = read(&bg).trim().to_string();
    assert!(!pid.is_empty());
    wait_until(
        "the background sleep to be gone",
        Duration::from_secs(5),
        || {
            let stat = read(&Path::new("/proc").join(&pid).join("stat"));
            stat.is_empty() || stat.contains(") Z ")
        },
    );
    // The daemon is still serving: a change renders again.
    agent.put_ok("/v1/kv/k", "v2");
    wait_until("v2", Duration::from_secs(10), || {
        read(&d.join("out.txt")) == "v2"
    });
}

#[test]
fn logs_go_to_a_rotating_file_and_to_syslog_too() {
    let agent = AgentBuilder::dev().start();
    agent.put_ok("/v1/kv/k", "v");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("t.ctmpl"), "{{key \"k\"}}").unwrap();
    let spec = format!(
        "{}:{}",
        d.join("t.ctmpl").display(),
        d.join("out").display()
    );
    let addr = format!("-consul-addr={}", agent.http_addr());
    std::fs::create_dir(d.join("logs")).unwrap();
    let log_file = format!("-log-file={}", d.join("logs/ct.log").display());
    let out = template(
        &[
            "-once",
            &addr,
            "-template",
            &spec,
            "-log-level=debug",
            &log_file,
            "-log-rotate-bytes=200",
            "-log-rotate-max-files=1",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let mut files: Vec<PathBuf> = std::fs::read_dir(d.join("logs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let names: Vec<String> = files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    // Rotated past 200 bytes, one old file kept beside the current one.
    assert!(!files.is_empty() && files.len() <= 2, "{names:?}");
    assert!(
        names
            .iter()
            .all(|n| n.starts_with("ct-") && n.ends_with(".log")),
        "{names:?}"
    );
    let last = read(files.last().unwrap());
    assert!(
        stderr(&out).contains(last.lines().last().unwrap_or("-")),
        "{last}"
    );

    // Syslog: the daemon's socket is this test's, bound over /run/syslog in a mount namespace
    // (/var/run/syslog, the second socket sd tries, is /run/syslog on Debian).
    let sock = d.join("syslog.sock");
    let listener = std::os::unix::net::UnixDatagram::bind(&sock).unwrap();
    listener
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let spec = spec.replace("/out", "/out2");
    let script = format!(
        "[ ! -e /dev/log ] && mount -t tmpfs tmpfs /run && touch /run/syslog && \
         mount --bind {sock} /run/syslog && exec {sd} template -once {addr} -template {spec} \
         -log-level=info -syslog -syslog-name=ctest",
        sock = sock.display(),
        sd = common::sd_bin().display(),
    );
    let out = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "sh", "-c", &script])
        .output()
        .expect("unshare");
    assert!(out.status.success(), "{}", stderr(&out));
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = listener.recv(&mut buf) {
        let msg = String::from_utf8_lossy(&buf[..n]).into_owned();
        let done = msg.contains("rendered");
        got.push(msg);
        if done {
            break;
        }
    }
    let line = got
        .iter()
        .find(|m| m.contains("rendered"))
        .unwrap_or_else(|| panic!("no syslog message about the render: {got:?}"));
    // LOCAL0 (16) x 8 + informational (6) = 134.
    assert!(
        line.starts_with("<134>") && line.contains(" ctest["),
        "{line}"
    );
}
