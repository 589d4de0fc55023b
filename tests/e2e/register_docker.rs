//! `sd register-docker` through the real binary, the real Docker engine and a dev agent: usage
//! errors, containers registered as they start and deregistered as they die, a restart of
//! `sd register-docker` (kill -9) or of the agent healing what was missed meanwhile, Docker's
//! health check followed, a stop drained through maintenance first, and `-tags` as a template.

use crate::common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::docker::{busybox_image, docker, require_engine, Removed};
use common::sd_template::wait_until;
use common::{fails, run_sd, AgentBuilder};

const DOCKER: &str = "-docker-host=unix:///var/run/docker.sock";

/// `sd register-docker`, killed on drop, its log printed when the test fails.
struct Registrator {
    child: Child,
    log: std::path::PathBuf,
}

impl Registrator {
    fn start(agent: &str, dir: &std::path::Path) -> Registrator {
        Registrator::start_with(agent, dir, &["-ip=127.0.0.1"])
    }

    fn start_with(agent: &str, dir: &std::path::Path, flags: &[&str]) -> Registrator {
        let log = dir.join(format!("register-docker-{}.log", rand_suffix()));
        let child = Command::new(common::sd_bin())
            .args(["register-docker", DOCKER])
            .args(flags)
            .arg(format!("consul://{agent}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("spawn sd register-docker");
        Registrator { child, log }
    }

    fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Registrator {
    fn drop(&mut self) {
        self.kill9();
        if std::thread::panicking() {
            eprintln!(
                "--- register-docker log ---\n{}",
                std::fs::read_to_string(&self.log).unwrap_or_default()
            );
        }
    }
}

/// A busybox container `name` that sleeps, publishing port 80 on 127.0.0.1, as service
/// `service`; removed on drop.
fn sleeper(name: &str, service: &str) -> Removed {
    docker(&[
        "run",
        "-d",
        "--name",
        name,
        "-p",
        "127.0.0.1::80",
        "-e",
        &format!("SERVICE_NAME={service}"),
        busybox_image(),
        "sleep",
        "300",
    ]);
    Removed(name.to_string())
}

fn rand_suffix() -> u32 {
    rand::random_range(0..1_000_000)
}

/// The (ID, address, port) of service `name` in the catalog.
fn instances(agent: &common::Agent, name: &str) -> Vec<(String, String, u64)> {
    let (_, body) =
        common::http_get(&format!("{}/v1/catalog/service/{name}", agent.url())).unwrap();
    let list: serde_json::Value = serde_json::from_str(&body).unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["ServiceID"].as_str().unwrap().to_string(),
                s["ServiceAddress"].as_str().unwrap().to_string(),
                s["ServicePort"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn usage_errors_exit_2_or_1_with_a_clear_message() {
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &["register-docker"],
            2,
            "Missing required argument for registry URI",
        ),
        (
            &["register-docker", "consul://", "-ip=1.2.3.4"],
            2,
            "Options should come before the registry URI",
        ),
        (
            &["register-docker", "etcd://127.0.0.1:2379/x"],
            2,
            "etcd://",
        ),
        (
            &["register-docker", "-deregister=sometimes", "consul://"],
            2,
            "on-success",
        ),
        (&["register-docker", "-ttl=10", "consul://"], 2, "-ttl"),
        (
            &["register-docker", "-retry-interval=0", "consul://"],
            2,
            "-retry-interval",
        ),
        (
            &["register-docker", "consul://127.0.0.1:1"],
            1,
            "agent at http://127.0.0.1:1",
        ),
    ];
    for (args, code, needle) in cases {
        let err = fails(&run_sd(args), *code);
        assert!(err.contains(needle), "{args:?}: {err:?} lacks {needle:?}");
    }
    // A reachable agent and a missing Docker socket: named, exit 1.
    let agent = AgentBuilder::dev().start();
    let out = run_sd(&[
        "register-docker",
        "-docker-host=unix:///nonexistent/docker.sock",
        &format!("consul://{}", agent.http_addr()),
    ]);
    let err = fails(&out, 1);
    assert!(err.contains("/nonexistent/docker.sock"), "{err}");
}

#[test]
fn containers_come_and_go_and_a_restart_heals_what_it_missed() {
    require_engine();
    busybox_image();
    let agent = AgentBuilder::dev().start();
    let dir = tempfile::tempdir().unwrap();
    let tag = format!("rd{}", rand_suffix());
    let service = format!("web-{tag}");
    let run = |name: &str| sleeper(name, &service);
    let host = gethostname();
    let id = |name: &str| format!("{host}:{name}:80");
    let ids = |agent: &common::Agent| {
        let mut v: Vec<String> = instances(agent, &service)
            .into_iter()
            .map(|i| i.0)
            .collect();
        v.sort();
        v
    };
    let mut rd = Registrator::start(&agent.http_addr(), dir.path());
    let (c1, c2, c3) = (format!("{tag}-1"), format!("{tag}-2"), format!("{tag}-3"));
    let _g1 = run(&c1);
    wait_until("c1 registered", Duration::from_secs(15), || {
        ids(&agent) == [id(&c1)]
    });
    let port = docker(&["port", &c1, "80/tcp"]);
    let i = &instances(&agent, &service)[0];
    assert_eq!(format!("{}:{}", i.1, i.2), port);
    let _g2 = run(&c2);
    wait_until("c2 registered", Duration::from_secs(15), || {
        ids(&agent) == [id(&c1), id(&c2)]
    });
    docker(&["stop", "-t", "1", &c1]);
    wait_until("c1 deregistered", Duration::from_secs(15), || {
        ids(&agent) == [id(&c2)]
    });

    // register-docker dies; meanwhile c2 stops and c3 starts; back, it heals both ways.
    rd.kill9();
    docker(&["stop", "-t", "1", &c2]);
    let _g3 = run(&c3);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(ids(&agent), [id(&c2)], "nothing changes while it is down");
    let _rd2 = Registrator::start(&agent.http_addr(), dir.path());
    wait_until("c2 gone and c3 registered", Duration::from_secs(15), || {
        ids(&agent) == [id(&c3)]
    });
}

/// The checks of service `name` on the agent: (CheckID, Status, Output).
fn checks(agent: &common::Agent, name: &str) -> Vec<(String, String, String)> {
    let (_, body) = common::http_get(&format!("{}/v1/health/checks/{name}", agent.url())).unwrap();
    let list: serde_json::Value = serde_json::from_str(&body).unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap_or_default().to_string();
            (s("CheckID"), s("Status"), s("Output"))
        })
        .collect()
}

#[test]
fn docker_health_drives_the_check_a_stop_drains_first_and_tags_are_a_template() {
    require_engine();
    let image = busybox_image();
    let agent = AgentBuilder::dev().start();
    let dir = tempfile::tempdir().unwrap();
    let tag = format!("hc{}", rand_suffix());
    let service = format!("api-{tag}");
    let _rd = Registrator::start_with(
        &agent.http_addr(),
        dir.path(),
        &[
            "-ip=127.0.0.1",
            r#"-tags={{strSlice .ID 0 12}},env-{{mIndex "env" .Config.Labels | toUpper}}"#,
        ],
    );
    // Healthy while /tmp/state holds "ok"; a TERM is trapped and takes 3 s to finish, so the
    // drain can be seen; a HUP is ignored (a reload must not drain).
    let script = r#"echo starting > /tmp/state; trap "sleep 3; exit 0" TERM; trap "" HUP; while true; do sleep 1; done"#;
    let name = format!("{tag}-1");
    let cid = docker(&[
        "run",
        "-d",
        "--name",
        &name,
        "-p",
        "127.0.0.1::80",
        "-e",
        &format!("SERVICE_NAME={service}"),
        "-l",
        "env=prod",
        "--health-cmd",
        r#"test "$(cat /tmp/state)" = ok"#,
        "--health-interval",
        "1s",
        "--health-retries",
        "1",
        "--health-start-period",
        "60s",
        image,
        "sh",
        "-c",
        script,
    ]);
    let _guard = Removed(name.clone());
    let check_id = format!("service:{}:{name}:80:docker-health", gethostname());
    let status = |agent: &common::Agent| {
        checks(agent, &service)
            .into_iter()
            .find(|c| c.0 == check_id)
            .map(|c| (c.1, c.2))
    };
    // Registered first (critical, as every new check), then its Docker health reported.
    wait_until(
        "the service registered with its health",
        Duration::from_secs(15),
        || status(&agent).is_some_and(|(_, out)| !out.is_empty()),
    );
    let (s, out) = status(&agent).unwrap();
    assert_eq!(s, "critical", "starting is not yet in service: {out}");
    assert!(out.contains("Docker health: starting"), "{out}");

    // -tags' template ran against the inspect object.
    let (_, body) =
        common::http_get(&format!("{}/v1/catalog/service/{service}", agent.url())).unwrap();
    let svc: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        svc[0]["ServiceTags"],
        serde_json::json!([&cid[..12], "env-PROD"]),
        "{body}"
    );

    docker(&["exec", &name, "sh", "-c", "echo ok > /tmp/state"]);
    wait_until("healthy -> passing", Duration::from_secs(20), || {
        status(&agent).is_some_and(|s| s.0 == "passing")
    });
    docker(&["exec", &name, "sh", "-c", "echo broken > /tmp/state"]);
    wait_until("unhealthy -> critical", Duration::from_secs(20), || {
        status(&agent).is_some_and(|s| s.0 == "critical" && s.1.contains("unhealthy"))
    });
    docker(&["exec", &name, "sh", "-c", "echo ok > /tmp/state"]);
    wait_until("healthy again", Duration::from_secs(20), || {
        status(&agent).is_some_and(|s| s.0 == "passing")
    });

    // A reload signal does not drain.
    docker(&["kill", "-s", "HUP", &name]);
    std::thread::sleep(Duration::from_millis(700));
    let maint = format!("_service_maintenance:{}:{name}:80", gethostname());
    assert!(
        !checks(&agent, &service).iter().any(|c| c.0 == maint),
        "HUP must not drain"
    );

    // docker stop: maintenance while the container shuts down, then gone.
    let stopper = {
        let name = name.clone();
        std::thread::spawn(move || docker(&["stop", "-t", "10", &name]))
    };
    wait_until("drained before it dies", Duration::from_secs(3), || {
        checks(&agent, &service)
            .iter()
            .any(|c| c.0 == maint && c.1 == "critical")
    });
    assert!(
        !instances(&agent, &service).is_empty(),
        "still registered while it stops"
    );
    stopper.join().unwrap();
    wait_until("deregistered once it died", Duration::from_secs(15), || {
        instances(&agent, &service).is_empty()
    });
}

#[test]
fn an_agent_restart_is_healed() {
    require_engine();
    busybox_image();
    let block = common::loopback_block();
    let ip = common::loopback_host(block, 1);
    let mut agent = AgentBuilder::dev().at(ip).start();
    let dir = tempfile::tempdir().unwrap();
    let tag = format!("ar{}", rand_suffix());
    let service = format!("cache-{tag}");
    let _rd = Registrator::start(&agent.http_addr(), dir.path());
    let run = |name: &str| sleeper(name, &service);
    let (c1, c2) = (format!("{tag}-1"), format!("{tag}-2"));
    let _g1 = run(&c1);
    wait_until("c1 registered", Duration::from_secs(15), || {
        instances(&agent, &service).len() == 1
    });
    // The agent dies; a container starts meanwhile; a new agent (empty, as -dev is) comes back
    // at the same address: both containers are registered again, once each.
    agent.kill9();
    let _g2 = run(&c2);
    std::thread::sleep(Duration::from_secs(1));
    let agent = AgentBuilder::dev().at(ip).start();
    wait_until(
        "both registered on the new agent",
        Duration::from_secs(45),
        || instances(&agent, &service).len() == 2,
    );
    let mut ids: Vec<String> = instances(&agent, &service)
        .into_iter()
        .map(|i| i.0)
        .collect();
    ids.sort();
    let host = gethostname();
    assert_eq!(ids, [format!("{host}:{c1}:80"), format!("{host}:{c2}:80")]);
}

fn gethostname() -> String {
    let out = Command::new("hostname").output().expect("hostname");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The seed's way: `sd` as `registrator` in a container on the host's network, with the Docker
/// socket mounted at registrator's default `/tmp/docker.sock` and no `-docker-host`.
#[test]
fn runs_in_a_container_as_registrator_with_the_seeds_socket_mount() {
    require_engine();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    // A Debian image with the C library the test build of sd links to (the seed's nginx image).
    let built = Command::new(root.join("examples/seed/nginx-image.sh"))
        .status()
        .expect("examples/seed/nginx-image.sh");
    assert!(built.success(), "building nginx:latest failed");
    busybox_image();
    let agent = AgentBuilder::dev().start();
    let tag = format!("ct{}", rand_suffix());
    let service = format!("db-{tag}");
    let sd = common::sd_bin();
    let rd_name = format!("{tag}-registrator");
    docker(&[
        "run",
        "-d",
        &format!("--name={rd_name}"),
        "--net=host",
        "-v",
        "/var/run/docker.sock:/tmp/docker.sock",
        "-v",
        &format!("{}:/bin/registrator:ro", sd.display()),
        "--entrypoint",
        "/bin/registrator",
        "nginx:latest",
        "--ip=127.0.0.1",
        &format!("consul://{}", agent.http_addr()),
    ]);
    let _rd = Removed(rd_name.clone());
    let name = format!("{tag}-1");
    let _c = sleeper(&name, &service);
    let logs = || {
        let out = Command::new("docker")
            .args(["logs", &rd_name])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while instances(&agent, &service).len() != 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "not registered; registrator's log:\n{}",
            logs()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(logs().contains("unix:///tmp/docker.sock"), "{}", logs());
    docker(&["stop", "-t", "1", &name]);
    wait_until("deregistered", Duration::from_secs(15), || {
        instances(&agent, &service).is_empty()
    });
}

/// `consul-unix:///path`: the agent's API over its unix socket (`addresses.http`).
#[test]
fn consul_unix_registers_over_the_agents_socket() {
    require_engine();
    busybox_image();
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("agent.sock");
    let file = dir.path().join("unix.json");
    std::fs::write(
        &file,
        format!(
            r#"{{"addresses": {{"http": "127.0.0.1 unix://{}"}}}}"#,
            sock.display()
        ),
    )
    .unwrap();
    let agent = AgentBuilder::dev()
        .arg(format!("-config-file={}", file.display()))
        .start();
    let log = dir.path().join("register-docker.log");
    let child = Command::new(common::sd_bin())
        .args(["register-docker", "-ip=127.0.0.1", DOCKER])
        .arg(format!("consul-unix://{}", sock.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("spawn sd register-docker");
    let _rd = Registrator { child, log };
    let tag = format!("ux{}", rand_suffix());
    let service = format!("queue-{tag}");
    let name = format!("{tag}-1");
    let _c = sleeper(&name, &service);
    wait_until(
        "registered over the socket",
        Duration::from_secs(15),
        || instances(&agent, &service).len() == 1,
    );
}

/// IPv6: a port published on `[::1]` registers at `::1` (the binding's own address, no `-ip`),
/// and its TCP check dials `[::1]:port` and passes.
#[test]
fn an_ipv6_binding_registers_its_address_and_is_checked_over_ipv6() {
    require_engine();
    let image = busybox_image();
    let agent = AgentBuilder::dev().start();
    let dir = tempfile::tempdir().unwrap();
    let _rd = Registrator::start_with(&agent.http_addr(), dir.path(), &[]);
    let tag = format!("v6{}", rand_suffix());
    let service = format!("web6-{tag}");
    let name = format!("{tag}-1");
    docker(&[
        "run",
        "-d",
        "--name",
        &name,
        "-p",
        "[::1]::80",
        "-e",
        &format!("SERVICE_NAME={service}"),
        "-e",
        "SERVICE_CHECK_TCP=true",
        "-e",
        "SERVICE_CHECK_INTERVAL=1s",
        image,
        "httpd",
        "-f",
        "-p",
        "80",
    ]);
    let _c = Removed(name.clone());
    wait_until("registered", Duration::from_secs(15), || {
        instances(&agent, &service).len() == 1
    });
    let port = docker(&["port", &name, "80/tcp"]);
    let (_, address, p) = instances(&agent, &service).remove(0);
    assert_eq!(address, "::1");
    assert_eq!(format!("[{address}]:{p}"), port);
    wait_until(
        "its TCP check passes over IPv6",
        Duration::from_secs(15),
        || {
            checks(&agent, &service)
                .iter()
                .any(|c| c.0 != "serfHealth" && c.1 == "passing")
        },
    );
    let (_, body) =
        common::http_get(&format!("{}/v1/health/checks/{service}", agent.url())).unwrap();
    assert!(body.contains(&format!("[::1]:{p}")), "{body}");
}
