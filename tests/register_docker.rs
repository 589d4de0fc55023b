//! `sd register-docker` through the real binary, the real Docker engine and a dev agent: usage
//! errors, containers registered as they start and deregistered as they die, and a restart of
//! `sd register-docker` (kill -9) healing what it missed meanwhile.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::docker::{busybox_image, docker, engine_up, Removed};
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
        let log = dir.join(format!("register-docker-{}.log", rand_suffix()));
        let child = Command::new(common::sd_bin())
            .args([
                "register-docker",
                "-ip=127.0.0.1",
                DOCKER,
                &format!("consul://{agent}"),
            ])
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
    assert!(
        engine_up(),
        "the Docker engine does not answer (docker info)"
    );
    let image = busybox_image();
    let agent = AgentBuilder::dev().start();
    let dir = tempfile::tempdir().unwrap();
    let tag = format!("rd{}", rand_suffix());
    let service = format!("web-{tag}");
    let run = |name: &str| {
        docker(&[
            "run",
            "-d",
            "--name",
            name,
            "-p",
            "127.0.0.1::80",
            "-e",
            &format!("SERVICE_NAME={service}"),
            image,
            "sleep",
            "300",
        ]);
        Removed(name.to_string())
    };
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

fn gethostname() -> String {
    let out = Command::new("hostname").output().expect("hostname");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}
