//! Debian's nginx for end-to-end tests: a master process with its own prefix, configuration,
//! pid and logs in a temporary directory, including one rendered file; and small real HTTP
//! backends that answer with their own name.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Debian's nginx binary; a test that needs it fails (never skips) without it.
pub const NGINX: &str = "/usr/sbin/nginx";

/// An nginx master process whose `http {}` block includes `include`.
pub struct Nginx {
    child: Child,
    pub dir: tempfile::TempDir,
    pub conf: PathBuf,
}

impl Nginx {
    /// Writes `nginx.conf` (including `include`) and starts nginx in the foreground.
    pub fn start(include: &Path) -> Nginx {
        assert!(
            Path::new(NGINX).exists(),
            "{NGINX} is missing: install Debian's nginx (.ci/run does)"
        );
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path().display();
        let conf = dir.path().join("nginx.conf");
        let text = format!(
            "user root;\nworker_processes 1;\ndaemon off;\npid {d}/nginx.pid;\nerror_log {d}/error.log info;\n\
             events {{ worker_connections 64; }}\n\
             http {{\n  access_log {d}/access.log;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
             fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
             include {};\n}}\n",
            include.display()
        );
        std::fs::write(&conf, text).expect("nginx.conf");
        let child = Command::new(NGINX)
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nginx");
        Nginx { child, dir, conf }
    }

    /// The reload command `sd template` runs.
    pub fn reload_command(&self) -> String {
        format!(
            "{NGINX} -p {} -c {} -s reload",
            self.dir.path().display(),
            self.conf.display()
        )
    }

    /// nginx's error log (it records each reload).
    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("--- nginx error log ---\n{}", self.error_log());
        }
    }
}

/// A real HTTP server answering every request with its name; stops on drop.
pub struct Backend {
    pub name: String,
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
}

impl Backend {
    /// Listens on `ip` (any free port).
    pub fn start(name: &str, ip: &str) -> Backend {
        let listener = TcpListener::bind((ip, 0)).expect("bind backend");
        let addr = listener.local_addr().expect("addr");
        listener.set_nonblocking(true).expect("nonblocking");
        let stop = Arc::new(AtomicBool::new(false));
        let (flag, body) = (stop.clone(), name.to_string());
        std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => answer(stream, &body),
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Backend {
            name: name.to_string(),
            addr,
            stop,
        }
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn answer(mut stream: TcpStream, body: &str) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut buf = [0u8; 4096];
    let mut seen = Vec::new();
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// One GET through `addr`: the body, or None when nothing answered.
pub fn get(addr: &str) -> Option<String> {
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .ok()?;
    let resp = client.get(format!("http://{addr}/")).send().ok()?;
    if !resp.status().is_success() {
        return None;
    }
    resp.text().ok()
}

/// Polls `addr` until the set of backends answering over `rounds` requests is exactly
/// `want`; panics with what answered after `timeout`.
pub fn wait_for_backends(addr: &str, want: &[&str], timeout: Duration) {
    let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
    want.sort();
    let deadline = Instant::now() + timeout;
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        seen = (0..want.len() * 4).filter_map(|_| get(addr)).collect();
        seen.sort();
        seen.dedup();
        if seen == want {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("through {addr}: wanted {want:?}, answering: {seen:?}");
}
