//! `sd template -dedup`: several instances of one template, one of them (the holder of the
//! template's lock) querying the agent and sharing its data through the KV store, the others
//! rendering from that. Real agent, real processes: a graceful stop and a kill -9 of the leader
//! hand the template over; data another program wrote under the key is refused, not misread.

use crate::common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::sd_template::{read, wait_until, SdTemplate};
use common::{http, http_get, Agent, AgentBuilder};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(15);
const TEMPLATE: &str =
    "upstream web {\n{{- range service \"web\" }}\n  server {{ .Address }}:{{ .Port }};\n{{- end }}\n}\n";
/// What the leader's log says when it starts watching the service itself.
const WATCHING: &str = "(watcher) adding health.service(web|passing)";

fn register(agent: &Agent, id: &str, addr: &str) {
    agent.put_ok(
        "/v1/agent/service/register",
        &format!(r#"{{"Name":"web","ID":"{id}","Address":"{addr}","Port":80}}"#),
    );
}

fn upstream(addrs: &[&str]) -> String {
    let servers: String = addrs
        .iter()
        .map(|a| format!("  server {a}:80;\n"))
        .collect();
    format!("upstream web {{\n{servers}}}\n")
}

/// The template's shared key (`consul-template/dedup/<md5 of the text>/data`) as the agent has
/// it; `None` while it does not exist.
fn shared_key(agent: &Agent) -> Option<Value> {
    let (status, body) = http_get(&format!(
        "{}/v1/kv/consul-template/dedup/?recurse",
        agent.url()
    ))
    .ok()?;
    if status != 200 {
        return None;
    }
    let list: Vec<Value> = serde_json::from_str(&body).ok()?;
    assert_eq!(list.len(), 1, "one key per template: {body}");
    Some(list[0].clone())
}

fn holder(agent: &Agent) -> Option<String> {
    shared_key(agent)?["Session"].as_str().map(str::to_string)
}

/// One instance in its own directory, writing `out.conf` there.
struct Instance {
    dir: PathBuf,
    sd: SdTemplate,
}

impl Instance {
    fn start(agent: &Agent, root: &Path, n: usize, extra: &[&str]) -> Instance {
        let dir = root.join(format!("i{n}"));
        std::fs::create_dir_all(&dir).unwrap();
        let spec = format!(
            "{}:{}",
            root.join("web.ctmpl").display(),
            dir.join("out.conf").display()
        );
        let addr = format!("-consul-addr={}", agent.http_addr());
        let mut args = vec!["-dedup", "-template", &spec, &addr, "-log-level=debug"];
        args.extend_from_slice(extra);
        Instance {
            sd: SdTemplate::start(&args, &[], &dir),
            dir,
        }
    }

    fn out(&self) -> String {
        read(&self.dir.join("out.conf"))
    }

    /// The session this instance created (from its log).
    fn session(&self) -> Option<String> {
        let log = self.sd.log();
        let line = log
            .lines()
            .find(|l| l.contains("(dedup) created session "))?;
        line.rsplit(' ').next().map(str::to_string)
    }

    fn watches_the_agent(&self) -> bool {
        self.sd.log().contains(WATCHING)
    }
}

/// An agent with `web1` registered and `n` instances, given `config` as a config file.
fn setup(n: usize, config: &str) -> (Agent, tempfile::TempDir, Vec<Instance>) {
    let agent = AgentBuilder::dev().start();
    register(&agent, "web1", "10.0.0.1");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("web.ctmpl"), TEMPLATE).unwrap();
    let conf = dir.path().join("sd.hcl");
    std::fs::write(&conf, config).unwrap();
    let conf = format!("-config={}", conf.display());
    let instances = (0..n)
        .map(|i| Instance::start(&agent, dir.path(), i, &[&conf]))
        .collect();
    (agent, dir, instances)
}

/// Waits until every instance's file is `want`.
fn all_render(instances: &[&Instance], want: &str) {
    for i in instances {
        wait_until(
            &format!("{} to render {want:?}", i.dir.display()),
            WAIT,
            || i.out() == want,
        );
    }
}

/// The index in `instances` of the one whose session holds the key.
fn leader_of(agent: &Agent, instances: &[&Instance]) -> usize {
    let mut found = None;
    wait_until("a leader holding the template's key", WAIT, || {
        let Some(h) = holder(agent) else { return false };
        found = instances
            .iter()
            .position(|i| i.session().as_deref() == Some(&h));
        found.is_some()
    });
    found.unwrap()
}

#[test]
fn one_instance_queries_the_agent_and_every_instance_renders() {
    let (agent, _dir, mut inst) = setup(3, "");
    let all: Vec<&Instance> = inst.iter().collect();
    all_render(&all, &upstream(&["10.0.0.1"]));
    let leader = leader_of(&agent, &all);
    // Only the leader watches the service; the others follow its key.
    let watching: Vec<bool> = inst.iter().map(Instance::watches_the_agent).collect();
    assert_eq!(
        watching,
        (0..3).map(|i| i == leader).collect::<Vec<_>>(),
        "only instance {leader} may query the agent"
    );
    // The key is consul-template's: lock flags, held by a session with its name.
    let key = shared_key(&agent).unwrap();
    assert_eq!(key["Flags"].as_u64(), Some(0x2ddc_cbc0_58a5_0c18));
    let session = key["Session"].as_str().unwrap();
    let (_, info) = http_get(&format!("{}/v1/session/info/{session}", agent.url())).unwrap();
    let info: Value = serde_json::from_str(&info).unwrap();
    assert_eq!(info[0]["Name"], "Consul-Template de-duplication");
    assert_eq!(info[0]["Behavior"], "delete");

    register(&agent, "web2", "10.0.0.2");
    all_render(&all, &upstream(&["10.0.0.1", "10.0.0.2"]));

    // A graceful stop destroys the leader's session: another instance takes over at once.
    inst[leader].sd.signal("INT");
    assert!(inst[leader].sd.wait_exit(WAIT).code().is_some());
    let old = inst.remove(leader);
    let rest: Vec<&Instance> = inst.iter().collect();
    let next = leader_of(&agent, &rest);
    assert!(rest[next].watches_the_agent());
    register(&agent, "web3", "10.0.0.3");
    all_render(&rest, &upstream(&["10.0.0.1", "10.0.0.2", "10.0.0.3"]));
    assert_eq!(old.out(), upstream(&["10.0.0.1", "10.0.0.2"]));
    let other = 1 - next;
    assert!(
        !rest[other].watches_the_agent(),
        "the follower still does not query the agent"
    );
}

#[test]
fn a_killed_leader_is_replaced_once_its_session_expires() {
    // The shortest session TTL the agent accepts.
    let (agent, _dir, mut inst) = setup(2, "deduplicate {\n  ttl = \"10s\"\n}\n");
    let all: Vec<&Instance> = inst.iter().collect();
    all_render(&all, &upstream(&["10.0.0.1"]));
    let leader = leader_of(&agent, &all);
    let old_session = holder(&agent).unwrap();
    let mut dead = inst.remove(leader);
    dead.sd.signal("KILL");
    dead.sd.wait_exit(WAIT);
    register(&agent, "web2", "10.0.0.2");
    // The agent invalidates the session within twice its TTL; the key goes with it (behaviour
    // delete) and the survivor takes the template over and renders the change.
    wait_until(
        "the survivor to render the change",
        Duration::from_secs(40),
        || inst[0].out() == upstream(&["10.0.0.1", "10.0.0.2"]),
    );
    let h = holder(&agent).unwrap();
    assert_ne!(h, old_session);
    assert_eq!(inst[0].session().as_deref(), Some(h.as_str()));
    assert_eq!(dead.out(), upstream(&["10.0.0.1"]));
}

#[test]
fn data_another_program_wrote_is_refused_until_its_holder_goes() {
    let agent = AgentBuilder::dev().start();
    register(&agent, "web1", "10.0.0.1");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("web.ctmpl"), TEMPLATE).unwrap();
    // Another program holds the template's key with data sd cannot read (consul-template's
    // gob, say).
    let (_, created) = http(
        "PUT",
        &format!("{}/v1/session/create", agent.url()),
        br#"{"Name":"other","Behavior":"delete","LockDelay":"1ms"}"#,
    )
    .unwrap();
    let created: Value = serde_json::from_str(&created).unwrap();
    let other = created["ID"].as_str().unwrap().to_string();
    let id = {
        use md5::Digest as _;
        md5::Md5::digest(TEMPLATE.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let key = format!("consul-template/dedup/{id}/data");
    let url = format!(
        "{}/v1/kv/{key}?acquire={other}&flags={}",
        agent.url(),
        0x2ddc_cbc0_58a5_0c18u64
    );
    let (status, body) = http("PUT", &url, b"\x0dgob-encoded").unwrap();
    assert_eq!((status, body.trim()), (200, "true"));

    let i = Instance::start(&agent, dir.path(), 0, &[]);
    wait_until("the refusal to be logged", WAIT, || {
        i.sd.log().contains("not data shared by sd")
    });
    assert_eq!(i.out(), "", "nothing is rendered from data sd cannot read");
    assert!(!i.watches_the_agent());

    // The other holder goes (its session destroyed, the key deleted): sd takes over.
    agent.put_ok(&format!("/v1/session/destroy/{other}"), "");
    all_render(&[&i], &upstream(&["10.0.0.1"]));
    assert_eq!(holder(&agent), i.session());

    // -once renders on its own: de-duplication is off in once mode, as consul-template.
    let once_dir = dir.path().join("once");
    std::fs::create_dir_all(&once_dir).unwrap();
    let spec = format!(
        "{}:{}",
        dir.path().join("web.ctmpl").display(),
        once_dir.join("out.conf").display()
    );
    let addr = format!("-consul-addr={}", agent.http_addr());
    let mut once = SdTemplate::start(
        &[
            "-dedup",
            "-once",
            "-template",
            &spec,
            &addr,
            "-log-level=info",
        ],
        &[],
        &once_dir,
    );
    assert!(once.wait_exit(WAIT).success());
    assert_eq!(read(&once_dir.join("out.conf")), upstream(&["10.0.0.1"]));
    assert!(once.log().contains("disabling de-duplication in once mode"));
}
