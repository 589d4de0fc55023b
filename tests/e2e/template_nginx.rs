//! The seed's load balancer end to end, with real programs: a dev agent, real HTTP backends
//! registered as service `nginx`, Debian's nginx including the file `sd template` renders from
//! the seed's `nginx.ctmpl`, and the seed's reload command. Backends come and go and nginx
//! follows; the agent goes away and comes back and `sd template` rides it out.

use crate::common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::nginx::{wait_for_backends, Backend, Nginx};
use common::sd_template::{wait_until, SdTemplate};
use common::{free_port, loopback_block, loopback_host, AgentBuilder};

/// The seed's template (`tests/template/golden/seed-nginx.ctmpl`, byte for byte the guide's
/// `/opt/consul/nginx.ctmpl`) with its listen port and access log moved so the test can run
/// beside anything else on the machine.
fn seed_template(port: u16, log_dir: &Path) -> String {
    let seed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/template/golden/seed-nginx.ctmpl"),
    )
    .expect("seed template");
    assert!(seed.contains("listen 8000;") && seed.contains("/var/log/nginx/ggl.com-access.log"));
    seed.replace("listen 8000;", &format!("listen 127.0.0.1:{port};"))
        .replace(
            "/var/log/nginx/ggl.com-access.log",
            &log_dir.join("ggl.com-access.log").display().to_string(),
        )
}

fn register(agent: &common::Agent, b: &Backend, id: &str, ttl_check: bool) {
    let check = if ttl_check {
        format!(r#","Check":{{"CheckID":"{id}-ttl","TTL":"1h","Status":"passing"}}"#)
    } else {
        String::new()
    };
    let body = format!(
        r#"{{"ID":"{id}","Name":"nginx","Address":"{}","Port":{}{check}}}"#,
        b.addr.ip(),
        b.addr.port()
    );
    agent.put_ok("/v1/agent/service/register", &body);
}

#[test]
fn nginx_follows_the_catalog_through_the_seed_template() {
    let block = loopback_block();
    let agent_ip = loopback_host(block, 1);
    let mut agent = AgentBuilder::dev().at(agent_ip).start();
    let backends: Vec<Backend> = (2..=4)
        .map(|n| {
            Backend::start(
                &format!("backend-{n}"),
                &loopback_host(block, n).to_string(),
            )
        })
        .collect();
    register(&agent, &backends[0], "web-2", false);
    register(&agent, &backends[1], "web-3", true);

    let work = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let ctmpl = work.path().join("nginx.ctmpl");
    std::fs::write(&ctmpl, seed_template(port, work.path())).expect("template");
    let servers = work.path().join("servers.conf");
    std::fs::write(&servers, "").expect("empty include");
    let nginx = Nginx::start(&servers);
    wait_until("nginx's pid file", Duration::from_secs(10), || {
        nginx.dir.path().join("nginx.pid").exists()
    });

    let addr = format!("{agent_ip}:8500");
    let spec = format!(
        "{}:{}:{}",
        ctmpl.display(),
        servers.display(),
        nginx.reload_command()
    );
    let mut sd = SdTemplate::start(
        &[
            "--consul-addr",
            &addr,
            "--template",
            &spec,
            "--log-level=info",
        ],
        &[],
        work.path(),
    );
    let err_log = sd.log.clone();
    let front = format!("127.0.0.1:{port}");

    // Two backends: both answer through nginx.
    wait_for_backends(&front, &["backend-2", "backend-3"], Duration::from_secs(20));
    let rendered = std::fs::read_to_string(&servers).expect("rendered");
    assert!(
        rendered.starts_with("upstream http_backend {"),
        "{rendered}"
    );

    // A third registers: the file is rendered again, nginx reloads, all three answer.
    register(&agent, &backends[2], "web-4", false);
    wait_for_backends(
        &front,
        &["backend-2", "backend-3", "backend-4"],
        Duration::from_secs(20),
    );

    // One turns critical: it leaves the upstream.
    agent.put_ok("/v1/agent/check/fail/web-3-ttl", "");
    wait_for_backends(&front, &["backend-2", "backend-4"], Duration::from_secs(20));
    let before = std::fs::read_to_string(&servers).expect("rendered");
    assert!(!before.contains(&backends[1].addr.to_string()), "{before}");

    // The agent goes away: the file and nginx stay as they were, sd template keeps retrying.
    agent.kill9();
    wait_until(
        "sd template to report the lost agent",
        Duration::from_secs(30),
        || std::fs::read_to_string(&err_log).is_ok_and(|l| l.contains("retrying")),
    );
    std::thread::sleep(Duration::from_secs(2));
    assert!(sd.running(), "sd template exited");
    assert_eq!(std::fs::read_to_string(&servers).expect("rendered"), before);
    wait_for_backends(&front, &["backend-2", "backend-4"], Duration::from_secs(5));

    // It comes back (empty, as a -dev agent does): registrations resume rendering.
    agent = AgentBuilder::dev().at(agent_ip).start();
    register(&agent, &backends[1], "web-3", false);
    wait_for_backends(&front, &["backend-3"], Duration::from_secs(60));
    assert!(sd.running(), "sd template exited");
    let log = std::fs::read_to_string(&err_log).expect("sd template log");
    assert!(
        log.contains("rendered") && log.contains("servers.conf"),
        "{log}"
    );
    drop(agent);
}

/// The seed's command verbatim (real paths, port 8000, `/usr/sbin/nginx -s reload`) in a
/// private mount, network and pid namespace, as `sd template` and through a `consul-template`
/// symlink to sd.
#[test]
fn the_seeds_command_verbatim_in_a_namespace() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/template");
    for mode in ["sd", "consul-template"] {
        let out = Command::new("unshare")
            .args(["--mount", "--net", "--pid", "--fork", "--mount-proc"])
            .arg(dir.join("seed_verbatim.sh"))
            .arg(common::sd_bin())
            .arg(dir.join("golden/seed-nginx.ctmpl"))
            .arg(mode)
            .stdin(Stdio::null())
            .output()
            .expect("run unshare (util-linux)");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{mode}: {text}");
        assert!(
            text.contains(&format!("seed scenario ok ({mode})")),
            "{text}"
        );
    }
}
