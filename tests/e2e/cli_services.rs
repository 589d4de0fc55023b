//! End-to-end: `sd services register|deregister` against a real `sd agent -dev`: a service from
//! flags, services and their checks from HCL and JSON agent-config files (flags adding to
//! them), deregistration by -id and by file, each checked through `/v1/agent/services` and
//! `/v1/agent/checks`; and Consul's messages when files and flags are both or neither given.

use crate::common;

use common::{fails, free_port, http_get, ok, run_sd_env, Agent, AgentBuilder};
use serde_json::{json, Value};

fn get_json(a: &Agent, path: &str) -> Value {
    let (status, body) = http_get(&format!("{}{path}", a.url())).unwrap();
    assert_eq!(status, 200, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

fn local_services(a: &Agent) -> Value {
    get_json(a, "/v1/agent/services")
}

#[test]
fn register_from_flags_and_deregister_by_id() {
    let a = AgentBuilder::dev().start();
    let out = a.cli(&[
        "services",
        "register",
        "-id=web-1",
        "-name=web",
        "-address=127.0.0.1",
        "-port=8080",
        "-tag=v1",
        "-tag",
        "v2",
        "-meta=version=1.2",
        "-tagged-address=lan=127.0.0.1:8080",
    ]);
    assert_eq!(ok(&out), "Registered service: web\n");
    // Without -id the ID is the name.
    assert_eq!(
        ok(&a.cli(&["services", "register", "-name", "cache", "-port=6379"])),
        "Registered service: cache\n"
    );

    let services = local_services(&a);
    let web = &services["web-1"];
    assert_eq!(web["ID"], "web-1");
    assert_eq!(web["Service"], "web");
    assert_eq!(web["Address"], "127.0.0.1");
    assert_eq!(web["Port"], 8080);
    assert_eq!(web["Tags"], json!(["v1", "v2"]));
    assert_eq!(web["Meta"], json!({"version": "1.2"}));
    assert_eq!(
        web["TaggedAddresses"]["lan"],
        json!({"Address": "127.0.0.1", "Port": 8080})
    );
    assert_eq!(services["cache"]["Port"], 6379);

    assert_eq!(
        ok(&a.cli(&["services", "deregister", "-id=web-1"])),
        "Deregistered service: web-1\n"
    );
    let services = local_services(&a);
    assert!(services.get("web-1").is_none(), "{services}");
    assert!(services.get("cache").is_some(), "{services}");

    let unknown = fails(&a.cli(&["services", "deregister", "-id", "nope"]), 1);
    assert!(
        unknown.starts_with("Error deregistering service \"nope\": Unexpected response code: 404"),
        "{unknown}"
    );
}

#[test]
fn register_from_files_with_checks_and_deregister_by_file() {
    let a = AgentBuilder::dev().start();
    let dir = tempfile::tempdir().unwrap();
    let hcl = dir.path().join("api.hcl");
    std::fs::write(
        &hcl,
        r#"
service {
  name = "api"
  id   = "api-1"
  port = 9090
  tags = ["blue"]
  meta {
    team = "core"
  }
  check {
    id   = "api-ttl"
    name = "api alive"
    ttl  = "30s"
  }
}
"#,
    )
    .unwrap();
    let hcl = hcl.display().to_string();
    // Flags besides -name add to what the file defines.
    assert_eq!(
        ok(&a.cli(&["services", "register", "-tag=extra", &hcl])),
        "Registered service: api\n"
    );
    let api = &local_services(&a)["api-1"];
    assert_eq!(api["Service"], "api");
    assert_eq!(api["Port"], 9090);
    assert_eq!(api["Tags"], json!(["blue", "extra"]));
    assert_eq!(api["Meta"], json!({"team": "core"}));
    let checks = get_json(&a, "/v1/agent/checks");
    let check = &checks["api-ttl"];
    assert_eq!(check["ServiceID"], "api-1", "{checks}");
    assert_eq!(check["ServiceName"], "api");
    assert_eq!(check["Name"], "api alive");
    assert_eq!(check["Status"], "critical");

    let json_file = dir.path().join("more.json");
    std::fs::write(
        &json_file,
        r#"{"services": [
              {"id": "db-1", "name": "db", "port": 5432,
               "checks": [{"id": "db-ttl", "ttl": "1m"}]},
              {"name": "queue", "port": 5672}
           ]}"#,
    )
    .unwrap();
    let json_file = json_file.display().to_string();
    assert_eq!(
        ok(&a.cli(&["services", "register", &json_file])),
        "Registered service: db\nRegistered service: queue\n"
    );
    let services = local_services(&a);
    assert_eq!(services["db-1"]["Port"], 5432);
    assert_eq!(services["queue"]["Port"], 5672);
    assert_eq!(
        get_json(&a, "/v1/agent/checks")["db-ttl"]["ServiceID"],
        "db-1"
    );

    assert_eq!(
        ok(&a.cli(&["services", "deregister", &hcl])),
        "Deregistered service: api-1\n"
    );
    assert!(local_services(&a).get("api-1").is_none());
    assert!(get_json(&a, "/v1/agent/checks").get("api-ttl").is_none());
    // A definition without an ID is found by its name.
    assert_eq!(
        ok(&a.cli(&["services", "deregister", &json_file])),
        "Deregistered service: db-1\nDeregistered service: queue\n"
    );
    let services = local_services(&a);
    assert!(
        services.get("db-1").is_none() && services.get("queue").is_none(),
        "{services}"
    );
}

#[test]
fn files_or_flags_not_both_nor_neither() {
    // All refused before any request, so no agent is needed.
    let addr = format!("127.0.0.1:{}", free_port());
    let run = |args: &[&str]| run_sd_env(args, &[("CONSUL_HTTP_ADDR", addr.as_str())], None);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("web.json");
    std::fs::write(&file, r#"{"service": {"name": "web"}}"#).unwrap();
    let file = file.display().to_string();

    assert_eq!(
        fails(&run(&["services", "register"]), 1),
        "Service registration requires at least one argument or flags.\n"
    );
    assert_eq!(
        fails(&run(&["services", "register", "-name=web", &file]), 1),
        "Service registration requires arguments or -id, not both.\n"
    );
    assert_eq!(
        fails(&run(&["services", "deregister"]), 1),
        "Service deregistration requires at least one argument or -id.\n"
    );
    assert_eq!(
        fails(&run(&["services", "deregister", "-id=web", &file]), 1),
        "Service deregistration requires arguments or -id, not both.\n"
    );
    assert_eq!(
        fails(
            &run(&[
                "services",
                "register",
                "-name=web",
                "-tagged-address=lan=10.0.0.1"
            ]),
            1
        ),
        "Invalid Tagged Address: address 10.0.0.1: missing port in address\n"
    );
    let missing = dir.path().join("missing.hcl").display().to_string();
    let err = fails(&run(&["services", "register", &missing]), 1);
    assert!(
        err.starts_with(&format!("Error: config file {missing}: ")),
        "{err}"
    );
    let err = fails(
        &run(&["services", "register", "-name=web", "-port=http"]),
        2,
    );
    assert!(err.contains("http"), "{err}");
    let err = fails(
        &run(&["services", "register", "-name=web", "-meta=novalue"]),
        2,
    );
    assert!(
        err.contains("Missing \"=\" value in argument: novalue"),
        "{err}"
    );
    // With nothing wrong, the only failure left is the missing agent.
    let err = fails(&run(&["services", "register", "-name=web"]), 1);
    assert!(
        err.starts_with("Error registering service \"web\": Put \"http://"),
        "{err}"
    );
}

/// Issue 13, defect 2: a file that defines no service is an error, never a silent exit 0.
#[test]
fn a_file_without_a_service_definition_fails() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("queue.json");
    std::fs::write(&file, r#"{"Servce": {"Name": "queue", "Port": 5672}}"#).unwrap();
    let path = file.display().to_string();
    for verb in ["register", "deregister"] {
        let out = crate::common::run_sd(&["services", verb, &path]);
        let err = fails(&out, 1);
        assert!(
            err.contains("no service definition") && err.contains("queue.json"),
            "{verb}: {err}"
        );
    }
}

/// Issue 13, defect 2: keys in any case, as Consul's docs write them (`{"Service": ...}`).
#[test]
fn a_file_with_consuls_capitalised_keys_registers() {
    let a = AgentBuilder::dev().start();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("queue.json");
    std::fs::write(
        &file,
        r#"{"Service": {"Name": "queue", "ID": "queue-1", "Port": 5672}}"#,
    )
    .unwrap();
    let path = file.display().to_string();
    let out = a.cli(&["services", "register", &path]);
    assert_eq!(ok(&out).trim(), "Registered service: queue");
    let (_, body) = http_get(&format!("{}/v1/agent/services", a.url())).unwrap();
    assert!(
        body.contains("\"queue-1\"") && body.contains("5672"),
        "{body}"
    );
    let out = a.cli(&["services", "deregister", &path]);
    assert_eq!(ok(&out).trim(), "Deregistered service: queue-1");
}
