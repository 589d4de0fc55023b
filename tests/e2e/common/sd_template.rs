//! `sd template` as a background process for the template tests: stopped on drop, its log
//! printed when the test fails; plus polling with a deadline and reading files that may not
//! exist yet.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Polls `f` every 50 ms until it holds; panics naming `what` after `timeout`.
pub fn wait_until(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A file's content, or "" when it cannot be read (yet).
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// The pid a test's child wrote to `path` (waits for it to be written).
pub fn child_pid(path: &Path) -> u32 {
    wait_until("the child's pid file", Duration::from_secs(10), || {
        read(path).trim().parse::<u32>().is_ok()
    });
    read(path).trim().parse().expect("checked above")
}

/// Whether process `pid` still runs: it has a `/proc` entry and is not a zombie waiting for a
/// parent that may never reap it.
pub fn alive(pid: u32) -> bool {
    let stat = read(Path::new(&format!("/proc/{pid}/stat")));
    // The state follows the command name, which is in parentheses and may hold spaces.
    match stat.rsplit_once(')') {
        Some((_, rest)) => !rest.trim_start().starts_with(['Z', 'X']),
        None => false,
    }
}

/// A running `sd template`.
pub struct SdTemplate {
    pub child: Child,
    pub log: PathBuf,
}

impl SdTemplate {
    /// Starts `sd template <args>` with `env` added (and `CONSUL_HTTP_*` removed), its stderr
    /// in `dir/sd-template.log`.
    pub fn start(args: &[&str], env: &[(&str, &str)], dir: &Path) -> SdTemplate {
        let log = dir.join("sd-template.log");
        let child = Command::new(super::sd_bin())
            .arg("template")
            .args(args)
            .env_remove("CONSUL_HTTP_ADDR")
            .env_remove("CONSUL_HTTP_TOKEN")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("spawn sd template");
        SdTemplate { child, log }
    }

    pub fn log(&self) -> String {
        read(&self.log)
    }

    /// Sends `sig` (`HUP`, `INT`, ...) with kill(1).
    pub fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .args([&format!("-{sig}"), &self.child.id().to_string()])
            .status()
            .expect("kill")
            .success();
        assert!(ok, "kill -{sig}");
    }

    pub fn running(&mut self) -> bool {
        self.child.try_wait().expect("try_wait").is_none()
    }

    /// Waits for the exit, at most `timeout`.
    pub fn wait_exit(&mut self, timeout: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "sd template did not exit");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for SdTemplate {
    /// SIGTERM first, so that sd stops what it started (an exec child leads its own process
    /// group and would outlive a SIGKILLed sd); SIGKILL if it is still there after 5 s.
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = Command::new("kill")
                .args(["-TERM", &self.child.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("--- sd template log ---\n{}", self.log());
        }
    }
}
