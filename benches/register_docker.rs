//! `sd register-docker`'s targets (issue 11), measured through the real binaries and the real
//! Docker engine: a `sd agent -dev` on 127.0.0.1 behind a counting HTTP proxy, and
//! `sd register-docker -ip=127.0.0.1 consul://<proxy>`. Containers are the tests' busybox image
//! (`sleep`), each publishing port 80 and naming its service with `SERVICE_NAME`.
//!
//! # What it measures
//!
//! * `latency`: `--starts` containers (default 50) started one at a time. For each, from the
//!   engine's `start` event (its own timestamp, from `docker events`) until a blocking query on
//!   `/v1/catalog/service/<name>` straight to the agent returns with it; also from the moment
//!   `docker start` is invoked (that adds the engine's own start). Then each is killed: from the
//!   engine's `die` event until it is gone from the catalog. Targets: start -> catalog p50 <=
//!   100 ms, p99 <= 300 ms. Also the requests and CPU time per container.
//! * `burst`: `--containers` (default 100) started at once (that many `docker start` at the
//!   same time), then killed at once. Reported: the time from the first engine event to the
//!   last catalog change, the requests by path (none missed, none twice: exactly one register
//!   and one deregister per container), CPU time, and the RSS of `sd register-docker` idle with
//!   no container and with all registered (target: idle <= 10 MB).
//!
//! registrator itself is not run beside it: it is a Go program and this machine has no Go
//! module proxy to build it; the figures are compared with the issue's targets.
//!
//! # How to run
//!
//! ```sh
//! cargo build --release            # the bench uses target/release/sd, builds nothing
//! cargo test --test e2e register_docker::runs_in   # builds the busybox test image once
//! cargo bench --bench register_docker -- [--only latency,burst] [--starts N] [--containers N]
//! ```
//!
//! A default run takes about a minute. Containers are named `sdbench-*` and removed at the end;
//! every process the bench starts is SIGKILLed when it is done with it, on error and on Ctrl-C.

#[path = "register_docker/burst.rs"]
mod burst;
#[path = "common/cli.rs"]
mod cli;
#[allow(dead_code)]
#[path = "common/http.rs"]
mod http;
#[path = "register_docker/latency.rs"]
mod latency;
#[allow(dead_code)]
#[path = "common/load.rs"]
mod load;
#[allow(dead_code)]
#[path = "common/machine.rs"]
mod machine;
#[allow(dead_code)]
#[path = "common/process.rs"]
mod process;
#[allow(dead_code)]
#[path = "template/proxy.rs"]
mod proxy;
#[allow(dead_code)]
#[path = "common/report.rs"]
mod report;
#[allow(dead_code)]
#[path = "common/servers.rs"]
mod servers;
#[path = "register_docker/setup.rs"]
mod setup;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Result};

use servers::{SdMode, Server};

const USAGE: &str = "usage: cargo bench --bench register_docker -- [--only latency,burst] \
[--starts N] [--containers N] [--sd-bin PATH] [--data-root DIR]";

/// The tests' image (tests/e2e/common/docker.rs builds it).
const IMAGE: &str = "sd-test/busybox:latest";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Latency,
    Burst,
}

impl Part {
    const ALL: [Part; 2] = [Part::Latency, Part::Burst];

    fn name(self) -> &'static str {
        match self {
            Part::Latency => "latency",
            Part::Burst => "burst",
        }
    }
}

/// What every part runs against.
pub struct Rig {
    /// The agent itself (for the catalog watch).
    pub agent: SocketAddr,
    /// The counting proxy register-docker talks to.
    pub proxy: proxy::Proxy,
    pub rd: process::Proc,
    pub image: String,
    _server: Server,
    _dir: tempfile::TempDir,
}

async fn rig(l: &servers::Launch) -> Result<Rig> {
    let status = std::process::Command::new("docker")
        .args(["image", "inspect", IMAGE])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()?;
    if !status.success() {
        bail!("image {IMAGE} is missing: run `cargo test --test e2e register_docker::` once to build it");
    }
    let mut server = Server::spawn_sd(l, SdMode::Dev)?;
    server.wait_ready().await?;
    let proxy = proxy::Proxy::start(server.http).await?;
    let dir = tempfile::tempdir()?;
    let rd = setup::register_docker(l, proxy.addr, dir.path())?;
    // Connected once it has listed the agent's services (its first reconcile).
    setup::wait_for(
        "register-docker's first reconcile",
        Duration::from_secs(10),
        || {
            proxy
                .paths_since(0)
                .iter()
                .any(|p| p == "/v1/agent/services")
        },
    )
    .await?;
    Ok(Rig {
        agent: server.http,
        proxy,
        rd,
        image: IMAGE.into(),
        _server: server,
        _dir: dir,
    })
}

struct Opts {
    parts: Vec<Part>,
    starts: usize,
    containers: usize,
    c: cli::Common,
}

fn parse_opts() -> Result<Option<Opts>> {
    let mut c = cli::Common::new("register_docker");
    let mut starts = 50;
    let mut containers = 100;
    let go = cli::parse(USAGE, &mut c, |name, f| {
        match name {
            "--starts" => starts = cli::parse_count(&f.value()?, "--starts")?,
            "--containers" => containers = cli::parse_count(&f.value()?, "--containers")?,
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    if !go {
        return Ok(None);
    }
    let parts = cli::select_parts(c.only.take(), &Part::ALL, Part::name, USAGE)?;
    Ok(Some(Opts {
        parts,
        starts,
        containers,
        c,
    }))
}

fn main() -> ExitCode {
    let result = (|| -> Result<()> {
        let Some(o) = parse_opts()? else {
            return Ok(());
        };
        cli::check_binaries(&o.c.launch, false)?;
        println!("== register_docker: sd register-docker against the real Docker engine ==");
        cli::print_environment(
            "register_docker",
            &o.c.args,
            &o.c.launch,
            o.c.default_sd_bin,
        );
        println!();
        let l = &o.c.launch;
        let failed = cli::run_interruptible(cli::run_parts(&o.parts, Part::name, async |p| {
            let rig = rig(l).await?;
            match p {
                Part::Latency => {
                    println!("== latency: {} containers, one at a time ==", o.starts);
                    latency::run(&rig, o.starts).await
                }
                Part::Burst => {
                    println!("== burst: {} containers at once ==", o.containers);
                    burst::run(&rig, o.containers).await
                }
            }
        }))?;
        cli::check_failed(&failed)
    })();
    cli::exit_code("register_docker", result)
}
