//! End-to-end: `/v1/agent/version` (Consul's build info) and `/v1/agent/host` (the machine as
//! gopsutil describes it) from a real agent.

use serde_json::Value;

use crate::common;
use common::{http_get, AgentBuilder};

#[test]
fn version_and_host_describe_the_agent() {
    let a = AgentBuilder::dev().start();
    let get = |path: &str| -> Value {
        let (status, body) = http_get(&format!("{}{path}", a.url())).unwrap();
        assert_eq!(status, 200, "{path}: {body}");
        serde_json::from_str(&body).unwrap()
    };
    let v = get("/v1/agent/version");
    let me = get("/v1/agent/self");
    assert_eq!(v["HumanVersion"], me["Config"]["Version"]);
    for key in ["SHA", "BuildDate", "FIPS"] {
        assert!(v[key].is_string(), "{key}: {v}");
    }
    let h = get("/v1/agent/host");
    assert!(h["Errors"].is_null(), "{}", h["Errors"]);
    assert!(h["Memory"]["total"].as_u64().unwrap() > h["Memory"]["available"].as_u64().unwrap());
    assert!(!h["CPU"].as_array().unwrap().is_empty());
    assert_eq!(h["Host"]["os"], "linux");
    assert!(h["Host"]["procs"].as_u64().unwrap() > 1);
    assert!(h["Disk"]["total"].as_u64().unwrap() > 0);
    assert!(h["CollectionTime"].as_u64().unwrap() > 0);
}
