//! The end-to-end harness: runs the real `sd` binary as an agent on loopback, every port chosen
//! by the kernel (`-free-ports`) and read back from the agent's log, waits for readiness with a
//! deadline (never a fixed sleep), and prints the agent's log when a test fails.

#![allow(dead_code)]

pub mod browser;
pub mod certs;
pub mod cluster;
pub mod dig;
pub mod docker;
pub mod federation;
pub mod netns;
pub mod nginx;
pub mod sd_template;

use std::fs::File;
use std::io::Read;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Path of the binary under test.
pub fn sd_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_sd"))
}

/// A TCP port nothing listens on right now (for addresses a test needs dead, or a port it
/// writes into a config file itself). Picked below Linux's ephemeral range (32768+), so the
/// outgoing connections of other agents cannot take it first; the OS picks one if none is free
/// there.
pub fn free_port() -> u16 {
    for _ in 0..64 {
        let port: u16 = rand::random_range(20_000..32_000);
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free port")
}

/// A running agent process; killed on drop, its log printed if the test is panicking.
pub struct Agent {
    pub child: Option<Child>,
    /// The HTTP API (port 0 when the agent serves none, or exited before it bound one).
    pub http: SocketAddr,
    /// The DNS server, when it runs one.
    pub dns: Option<SocketAddr>,
    /// The server RPC listener, on a server.
    pub rpc: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub log_path: PathBuf,
    _tmp: tempfile::TempDir,
    pub args: Vec<String>,
}

/// Builder for an agent's command line.
pub struct AgentBuilder {
    args: Vec<String>,
    data_dir: Option<PathBuf>,
    env: Vec<(String, String)>,
    /// Run on this loopback address with Consul's default ports (8500, 8600, 8300, 8301, 8302),
    /// like one host of a cluster, instead of 127.0.0.1 with ports the kernel picks.
    host: Option<std::net::Ipv4Addr>,
}

/// A block of loopback addresses (`127.X.Y.1` ...) that no other test in any test process uses,
/// so cluster tests can give every agent Consul's default ports on its own address.
pub fn loopback_block() -> [u8; 3] {
    use std::sync::atomic::{AtomicU8, Ordering};
    static NEXT: AtomicU8 = AtomicU8::new(1);
    let x = 10 + (std::process::id() % 200) as u8;
    [127, x, NEXT.fetch_add(1, Ordering::Relaxed)]
}

/// Host `n` of a block from [`loopback_block`].
pub fn loopback_host(block: [u8; 3], n: u8) -> std::net::Ipv4Addr {
    std::net::Ipv4Addr::new(block[0], block[1], block[2], n)
}

impl AgentBuilder {
    /// A `-dev` agent.
    pub fn dev() -> Self {
        AgentBuilder {
            args: vec!["-dev".into()],
            data_dir: None,
            env: Vec::new(),
            host: None,
        }
    }

    /// An agent with no mode flags: the test adds them all.
    pub fn dev_free() -> Self {
        AgentBuilder {
            args: Vec::new(),
            data_dir: None,
            env: Vec::new(),
            host: None,
        }
    }

    /// A single bootstrapped server keeping its data in `data_dir`, like the seed's first server.
    pub fn server(data_dir: &Path) -> Self {
        AgentBuilder {
            args: vec![
                "-server".into(),
                "-bootstrap".into(),
                format!("-data-dir={}", data_dir.display()),
                "-bind=127.0.0.1".into(),
                "-node=e2e-server".into(),
            ],
            data_dir: Some(data_dir.into()),
            env: Vec::new(),
            host: None,
        }
    }

    /// Runs the agent as host `ip` of a cluster: `-bind` and `-client` set to `ip`, Consul's
    /// default ports. Replaces the `-bind=127.0.0.1` of [`AgentBuilder::server`].
    pub fn at(mut self, ip: std::net::Ipv4Addr) -> Self {
        self.args.retain(|a| !a.starts_with("-bind="));
        self.host = Some(ip);
        self
    }

    pub fn arg(mut self, a: impl Into<String>) -> Self {
        self.args.push(a.into());
        self
    }

    pub fn env(mut self, k: &str, v: &str) -> Self {
        self.env.push((k.into(), v.into()));
        self
    }

    /// Starts the agent and waits until it has a leader. Panics (with the log) on failure.
    pub fn start(self) -> Agent {
        let agent = self.spawn();
        agent.wait_leader(Duration::from_secs(20));
        agent
    }

    /// Starts the agent and waits only until it has bound its ports (or exited: a failed start
    /// is for the test to look at).
    pub fn spawn(self) -> Agent {
        let tmp = tempfile::tempdir().expect("tempdir");
        let log_path = tmp.path().join("agent.log");
        let log = File::create(&log_path).expect("log file");
        let mut args = vec!["agent".to_string()];
        args.extend(self.args);
        match self.host {
            Some(ip) => {
                args.push(format!("-bind={ip}"));
                args.push(format!("-client={ip}"));
            }
            None => {
                args.push("-client=127.0.0.1".into());
                args.push("-free-ports".into());
            }
        }
        let mut cmd = Command::new(sd_bin());
        cmd.args(&args)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .env_remove("CONSUL_HTTP_ADDR")
            .env_remove("SD_HTTP_ADDR")
            // A -dev agent's temporary data dir lands inside this test's own temp dir, so a
            // killed agent leaves nothing behind.
            .env("TMPDIR", tmp.path());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("spawn sd agent");
        let mut agent = Agent {
            child: Some(child),
            http: SocketAddr::from(([127, 0, 0, 1], 0)),
            dns: None,
            rpc: None,
            data_dir: self.data_dir,
            log_path,
            _tmp: tmp,
            args,
        };
        agent.read_ports(Duration::from_secs(20));
        agent
    }
}

/// The address a `Started <what> address=...` line of the agent's log names.
fn started_address(log: &str, what: &str) -> Option<SocketAddr> {
    let marker = format!("Started {what} address=");
    log.lines()
        .find_map(|l| l.split_once(&marker))
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .and_then(|a| a.parse().ok())
}

impl Agent {
    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.http)
    }

    /// The `-http-addr` value for CLI commands.
    pub fn http_addr(&self) -> String {
        self.http.to_string()
    }

    /// `PUT path` with `body`; panics unless the answer is 200.
    pub fn put_ok(&self, path: &str, body: &str) {
        let url = format!("{}{path}", self.url());
        let (status, text) = http("PUT", &url, body.as_bytes()).expect("PUT");
        assert_eq!(status, 200, "PUT {path}: {text}");
    }

    /// The running total of a counter in the agent's Prometheus metrics (0 when unreadable).
    pub fn counter(&self, name: &str) -> f64 {
        let url = format!("{}/v1/agent/metrics?format=prometheus", self.url());
        let Ok((200, text)) = http_get(&url) else {
            return 0.0;
        };
        text.lines()
            .filter(|l| l.starts_with(name))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum()
    }

    /// The agent's log so far.
    pub fn log(&self) -> String {
        let mut s = String::new();
        if let Ok(mut f) = File::open(&self.log_path) {
            let _ = f.read_to_string(&mut s);
        }
        s
    }

    /// Waits until the agent has bound its sockets (its `agent started` line) or exited, then
    /// reads the addresses it logged.
    fn read_ports(&mut self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            let log = self.log();
            let exited = self
                .child
                .as_mut()
                .is_some_and(|c| matches!(c.try_wait(), Ok(Some(_))));
            if log.contains("agent started") || exited {
                break;
            }
            if Instant::now() > deadline {
                panic!("agent did not start within {timeout:?}\n--- agent log ---\n{log}");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let log = self.log();
        if let Some(a) = started_address(&log, "HTTP server") {
            self.http = a;
        }
        self.dns = started_address(&log, "DNS server");
        self.rpc = started_address(&log, "server RPC listener");
    }

    /// Polls `/v1/status/leader` until it names a leader; panics with the log after `timeout`.
    pub fn wait_leader(&self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok((200, body)) = http_get(&format!("{}/v1/status/leader", self.url())) {
                if body.trim() != "\"\"" && !body.trim().is_empty() {
                    return;
                }
            }
            if Instant::now() > deadline {
                panic!(
                    "agent had no leader after {timeout:?}\n--- agent log ---\n{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Runs `sd <args>` against this agent (with `-http-addr` set through the environment).
    pub fn cli(&self, args: &[&str]) -> Output {
        run_sd_env(args, &[("CONSUL_HTTP_ADDR", &self.http_addr())], None)
    }

    /// Like [`Agent::cli`] with bytes on stdin.
    pub fn cli_stdin(&self, args: &[&str], stdin: &[u8]) -> Output {
        run_sd_env(
            args,
            &[("CONSUL_HTTP_ADDR", &self.http_addr())],
            Some(stdin),
        )
    }

    /// The agent's process ID while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Sends SIGKILL and waits for the process to go.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Sends SIGTERM and waits up to `timeout` for a clean exit; returns the exit status.
    pub fn terminate(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let mut c = self.child.take()?;
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(c.id().to_string())
            .status();
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = c.try_wait() {
                return Some(status);
            }
            if Instant::now() > deadline {
                let _ = c.kill();
                let _ = c.wait();
                panic!(
                    "agent did not exit within {timeout:?} of SIGTERM\n{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits for the process to exit by itself (a failed start); returns its status and log.
    pub fn wait_exit(&mut self, timeout: Duration) -> (std::process::ExitStatus, String) {
        let mut c = self.child.take().expect("agent already stopped");
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = c.try_wait() {
                return (status, self.log());
            }
            if Instant::now() > deadline {
                let _ = c.kill();
                let _ = c.wait();
                panic!("agent still running after {timeout:?}\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "--- agent log ({}) ---\n{}",
                self.args.join(" "),
                self.log()
            );
        }
        self.kill9();
    }
}

/// Runs the `sd` binary with `args`, extra environment and optional stdin.
pub fn run_sd_env(args: &[&str], env: &[(&str, &str)], stdin: Option<&[u8]>) -> Output {
    use std::io::Write;
    let mut cmd = Command::new(sd_bin());
    cmd.args(args)
        .env_remove("CONSUL_HTTP_ADDR")
        .env_remove("SD_HTTP_ADDR")
        .env_remove("CONSUL_HTTP_TOKEN");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn sd");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin");
        pipe.write_all(input).expect("write stdin");
    }
    child.wait_with_output().expect("wait sd")
}

/// Runs `sd <args>` with a clean environment.
pub fn run_sd(args: &[&str]) -> Output {
    run_sd_env(args, &[], None)
}

/// Asserts that a command exited 0 and returns its stdout.
pub fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        stdout(o),
        stderr(o)
    );
    stdout(o)
}

/// Asserts that a command exited with `code` and printed nothing on stdout; returns stderr.
pub fn fails(o: &Output, code: i32) -> String {
    assert_eq!(
        o.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        stdout(o),
        stderr(o)
    );
    assert_eq!(stdout(o), "", "stderr: {}", stderr(o));
    stderr(o)
}

/// Stdout of a command as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Stderr of a command as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A blocking HTTP request: (status, body).
pub fn http(method: &str, url: &str, body: &[u8]) -> reqwest::Result<(u16, String)> {
    let (status, _, body) = http_full(method, url, body)?;
    Ok((status, body))
}

/// Response headers as (lower-case name, value) pairs.
pub type Headers = Vec<(String, String)>;

/// Like [`http`], also returning the response headers.
pub fn http_full(method: &str, url: &str, body: &[u8]) -> reqwest::Result<(u16, Headers, String)> {
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(700))
        .build()?;
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("HTTP method");
    let resp = client.request(method, url).body(body.to_vec()).send()?;
    let status = resp.status().as_u16();
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    Ok((status, headers, resp.text()?))
}

pub fn http_get(url: &str) -> reqwest::Result<(u16, String)> {
    http("GET", url, b"")
}

/// The value of header `name` (lower case) in `headers`.
pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}
