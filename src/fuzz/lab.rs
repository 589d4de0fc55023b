//! The agent the network targets talk to: one `sd agent -dev` server started in this process
//! the way `sd agent` starts one, on 127.0.0.1 with every port chosen by the kernel, its data
//! in a temporary directory (in memory where /dev/shm exists, so Raft's fdatasync costs
//! nothing). It is started once per process, elected, and given a few services, nodes and
//! keys so that reads and DNS questions find something; it serves until the process exits.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;

use crate::agent::{Agent, Options, Shutdown, MEMORY_DIR};
use crate::config::{load, FlagValues, LoadInput};

/// The running agent and ways to reach it.
pub struct Lab {
    runtime: tokio::runtime::Runtime,
    /// The HTTP API, called in-process.
    pub http: Router,
    /// The server RPC routes (port 8300's), called in-process.
    pub rpc: Router,
    /// The DNS interface's UDP address.
    pub dns: SocketAddr,
    _dir: tempfile::TempDir,
}

/// An HTTP answer read whole.
pub struct Answer {
    pub status: StatusCode,
    pub body: Vec<u8>,
}

static LAB: OnceLock<Lab> = OnceLock::new();
static RPC_LAB: OnceLock<Lab> = OnceLock::new();

/// The agent of the HTTP and DNS targets, started on first use.
pub fn lab() -> &'static Lab {
    LAB.get_or_init(|| start().unwrap_or_else(|e| panic!("fuzz: cannot start the agent: {e}")))
}

/// The `rpc` target's own agent: Raft messages may take its leadership away for a while
/// (a vote in a later term), which the other targets must not see.
pub fn rpc_lab() -> &'static Lab {
    RPC_LAB.get_or_init(|| start().unwrap_or_else(|e| panic!("fuzz: cannot start the agent: {e}")))
}

impl Lab {
    /// Runs `fut` on the agent's runtime; `None` when it takes longer than `limit`.
    pub fn within<F: Future>(&self, limit: Duration, fut: F) -> Option<F::Output> {
        self.runtime
            .block_on(async { tokio::time::timeout(limit, fut).await.ok() })
    }

    /// Sends `req` through `router` and reads the whole answer, within `limit`.
    pub fn call(&self, router: &Router, req: Request<Body>, limit: Duration) -> Option<Answer> {
        let router = router.clone();
        self.within(limit, async move {
            let resp = match tower::ServiceExt::oneshot(router, req).await {
                Ok(r) => r,
                Err(never) => match never {},
            };
            let status = resp.status();
            let body = resp
                .into_body()
                .collect()
                .await
                .map(|b| b.to_bytes().to_vec())
                .unwrap_or_default();
            Answer { status, body }
        })
    }
}

const PREFIX: &str = "sd-fuzz-";

fn start() -> Result<Lab, String> {
    sweep_stale();
    let dir = crate::agent::memory_tempdir(PREFIX).map_err(|e| e.to_string())?;
    let flags = FlagValues::new()
        .with("dev", "true")
        .with("node", "fuzz")
        .with("bind", "127.0.0.1")
        .with("client", "127.0.0.1")
        .with("data-dir", dir.path().to_string_lossy());
    let no_env = |_: &str| None;
    let mut input = LoadInput::new(flags, &no_env);
    input.hostname = Some("fuzz".into());
    let mut config = load(&input).map_err(|e| e.to_string())?;
    config.free_ports = true;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let (agent, http) = runtime.block_on(async {
        let options = Options {
            reloader: None,
            log_monitor: None,
            version: crate::VERSION,
        };
        let bound = Agent::bind(config, options)
            .await
            .map_err(|e| e.to_string())?;
        let agent = bound.agent().clone();
        let http = bound.http_router();
        tokio::spawn(bound.serve(std::future::pending::<Shutdown>()));
        Ok::<_, String>((agent, http))
    })?;
    let raft = agent.raft_opt().ok_or("a -dev agent has Raft")?.clone();
    let rpc = crate::agent::rpc::router(raft, Some(http.clone()));
    let port = |p: i32| u16::try_from(p).map_err(|_| format!("port {p} is not bound"));
    let ip = agent.config.bind_addr;
    let lab = Lab {
        dns: SocketAddr::new(ip, port(agent.config.ports.dns)?),
        runtime,
        http,
        rpc,
        _dir: dir,
    };
    lab.wait_for_leader()?;
    lab.seed()?;
    Ok(lab)
}

/// Removes the data directories of earlier fuzzing processes: the agent is never stopped, so
/// its directory outlives the process. One whose lock nobody holds is no longer in use (and
/// one made in the last minute may be another agent of this process, about to take its lock).
fn sweep_stale() {
    let Ok(entries) = std::fs::read_dir(MEMORY_DIR) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let named = entry.file_name().to_string_lossy().starts_with(PREFIX);
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > Duration::from_secs(60));
        let Ok(lock) = std::fs::File::open(path.join("sd.lock")) else {
            continue;
        };
        if named && old && lock.try_lock().is_ok() {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

impl Lab {
    fn send(&self, method: &str, uri: &str, body: &str) -> Option<Answer> {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .body(Body::from(body.to_string()))
            .ok()?;
        self.call(&self.http, req, Duration::from_secs(10))
    }

    fn wait_for_leader(&self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Some(a) = self.send("GET", "/v1/status/leader", "") {
                if a.status.is_success() && a.body.len() > 2 {
                    return Ok(());
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err("no leader after 30 s".into())
    }

    /// What the reads and DNS questions find: services with tags and meta on this node and
    /// another, checks in each state, keys in a small tree, a session.
    fn seed(&self) -> Result<(), String> {
        let writes: &[(&str, &str, &str)] = &[
            (
                "PUT",
                "/v1/agent/service/register",
                r#"{"Name":"web","ID":"web1","Tags":["v1","primary"],"Port":8080,
                    "Address":"127.0.0.10","Meta":{"version":"1"},
                    "Check":{"TTL":"30s","Status":"passing"}}"#,
            ),
            (
                "PUT",
                "/v1/agent/service/register",
                r#"{"Name":"web","ID":"web2","Tags":["v2"],"Port":8081,
                    "Check":{"TTL":"30s","Status":"critical"}}"#,
            ),
            (
                "PUT",
                "/v1/catalog/register",
                r#"{"Node":"db1","Address":"10.0.0.5","NodeMeta":{"rack":"r1"},
                    "Service":{"Service":"db","Tags":["primary"],"Port":5432,
                               "Address":"db1.example.com"},
                    "Check":{"CheckID":"db-alive","Name":"db alive","Status":"warning",
                             "ServiceID":"db"}}"#,
            ),
            ("PUT", "/v1/kv/app/config", "listen 80"),
            ("PUT", "/v1/kv/app/nested/key?flags=42", "v"),
            (
                "PUT",
                "/v1/session/create",
                r#"{"Name":"fuzz","TTL":"600s"}"#,
            ),
        ];
        for (method, uri, body) in writes {
            match self.send(method, uri, body) {
                Some(a) if a.status.is_success() => {}
                Some(a) => {
                    return Err(format!(
                        "{method} {uri}: {} {}",
                        a.status,
                        String::from_utf8_lossy(&a.body)
                    ))
                }
                None => return Err(format!("{method} {uri}: no answer")),
            }
        }
        Ok(())
    }
}
