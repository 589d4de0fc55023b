//! Examples from Consul's "Filtering" API documentation and from go-bexpr's own tests, with
//! the results they document.

use serde_json::{json, Value};

use super::{check, error};
use crate::agent::filter::schema::{field, Schema, Type};
use crate::agent::filter::{schemas, Filter, FilterError, Scalar};

fn ok(expr: &str, schema: &Schema) -> Filter {
    match Filter::parse(expr, schema) {
        Ok(f) => f,
        Err(e) => panic!("{expr}: {e}"),
    }
}

/// `GET /v1/agent/services?filter=Meta.env == "qa"` keeps only redis3.
#[test]
fn agent_services_by_meta() {
    let services = json!({
        "redis1": {"ID": "redis1", "Service": "redis", "Tags": ["primary", "production"],
                   "Meta": {"env": "production", "foo": "bar"}, "Port": 1234, "Address": "",
                   "Weights": {"Passing": 1, "Warning": 1}, "EnableTagOverride": false},
        "redis2": {"ID": "redis2", "Service": "redis", "Tags": ["secondary", "production"],
                   "Meta": {"env": "production", "foo": "bar"}, "Port": 1235, "Address": "",
                   "Weights": {"Passing": 1, "Warning": 1}, "EnableTagOverride": false},
        "redis3": {"ID": "redis3", "Service": "redis", "Tags": ["primary", "qa"],
                   "Meta": {"env": "qa"}, "Port": 1234, "Address": "",
                   "Weights": {"Passing": 1, "Warning": 1}, "EnableTagOverride": false}
    });
    let keep = |expr: &str| -> Vec<String> {
        match ok(expr, schemas::agent_service()).filter_json(services.clone()) {
            Value::Object(m) => m.keys().cloned().collect(),
            other => panic!("{other}"),
        }
    };
    assert_eq!(keep(r#"Meta.env == "qa""#), ["redis3"]);
    assert_eq!(keep(r#""primary" in Tags"#), ["redis1", "redis3"]);
    assert_eq!(
        keep("Port == 1234 and Tags contains production"),
        ["redis1"]
    );
    assert_eq!(keep(r#""foo" not in Meta"#), ["redis3"]);
}

fn api_internal() -> Vec<Value> {
    let instance = |id: &str, node: &str, addr: &str, meta: Value, tags: Value, env: &str| {
        json!({
            "ID": id, "Node": node, "Address": addr, "Datacenter": "dc1",
            "TaggedAddresses": null, "NodeMeta": meta, "ServiceKind": "",
            "ServiceID": "api-internal", "ServiceName": "api-internal", "ServiceTags": tags,
            "ServiceAddress": "", "ServiceWeights": {"Passing": 1, "Warning": 1},
            "ServiceMeta": {"environment": env}, "ServicePort": 9090,
            "ServiceEnableTagOverride": false, "ServiceProxy": {}, "ServiceConnect": {},
            "CreateIndex": 30, "ModifyIndex": 30
        })
    };
    vec![
        instance(
            "b4f64e8c-5c7d-11e9-bf68-8c8590bd0966",
            "node-1",
            "198.18.0.1",
            json!({"agent": "true", "arch": "i386", "os": "darwin"}),
            json!(["tag"]),
            "qa",
        ),
        instance(
            "b4faf93a-5c7d-11e9-840d-8c8590bd0966",
            "node-2",
            "198.18.0.2",
            json!({"arch": "arm", "os": "linux"}),
            json!(["test", "tag"]),
            "production",
        ),
        instance(
            "b4fbe7f4-5c7d-11e9-ac82-8c8590bd0966",
            "node-4",
            "198.18.0.4",
            json!({"arch": "i386", "os": "freebsd"}),
            json!([]),
            "qa",
        ),
    ]
}

/// `GET /v1/catalog/service/api-internal?filter=NodeMeta.os == "linux"` keeps node-2; more
/// expressions over the same documented data.
#[test]
fn catalog_service_table() {
    let table: &[(&str, &[&str])] = &[
        (r#"NodeMeta.os == "linux""#, &["node-2"]),
        (r#"ServiceMeta.environment == "qa""#, &["node-1", "node-4"]),
        (r#""test" in ServiceTags"#, &["node-2"]),
        (r#"ServiceTags contains "tag""#, &["node-1", "node-2"]),
        ("ServiceTags is empty", &["node-4"]),
        ("ServiceTags is not empty", &["node-1", "node-2"]),
        (r#""agent" in NodeMeta"#, &["node-1"]),
        (r#"NodeMeta.agent != "true""#, &["node-2", "node-4"]),
        (
            r#"NodeMeta.arch == "i386" and NodeMeta.os != "darwin""#,
            &["node-4"],
        ),
        (
            r#"not (NodeMeta.os == "linux" or NodeMeta.os == "darwin")"#,
            &["node-4"],
        ),
        (r#"Node matches "^node-[12]$""#, &["node-1", "node-2"]),
        (r#"Address not matches `\.4$`"#, &["node-1", "node-2"]),
        ("TaggedAddresses is empty", &["node-1", "node-2", "node-4"]),
        (
            "ServicePort == 9090 and ServiceWeights.Passing == 1",
            &["node-1", "node-2", "node-4"],
        ),
        (
            r#"ServiceProxy.DestinationServiceName == """#,
            &["node-1", "node-2", "node-4"],
        ),
        (r#"ServiceKind != """#, &[]),
    ];
    for (expr, want) in table {
        let kept: Vec<Value> = ok(expr, schemas::catalog_service()).filter_list(api_internal());
        let nodes: Vec<&str> = kept.iter().filter_map(|v| v["Node"].as_str()).collect();
        assert_eq!(&nodes, want, "{expr}");
    }
}

/// `GET /v1/health/node/node-1?filter=ServiceName != ""` keeps the service check.
#[test]
fn health_node_checks() {
    let checks = vec![
        json!({"Node": "node-1", "CheckID": "node-health", "Name": "Node level check",
               "Status": "critical", "Notes": "", "Output": "", "ServiceID": "",
               "ServiceName": "", "ServiceTags": [], "Definition": {},
               "CreateIndex": 13, "ModifyIndex": 13}),
        json!({"Node": "node-1", "CheckID": "svc-web-health",
               "Name": "Service level check - web", "Status": "warning", "Notes": "",
               "Output": "", "ServiceID": "", "ServiceName": "web", "ServiceTags": [],
               "Definition": {}, "CreateIndex": 18, "ModifyIndex": 18}),
    ];
    let ids = |expr: &str| -> Vec<String> {
        ok(expr, schemas::health_check())
            .filter_list(checks.clone())
            .iter()
            .filter_map(|c| c["CheckID"].as_str().map(str::to_string))
            .collect()
    };
    assert_eq!(ids(r#"ServiceName != """#), ["svc-web-health"]);
    assert_eq!(ids(r#"Status == critical"#), ["node-health"]);
    assert_eq!(
        ids(r#"Status != passing"#),
        ["node-health", "svc-web-health"]
    );
    assert_eq!(
        ids("ServiceTags is empty and Definition.HTTP == \"\""),
        ["node-health", "svc-web-health"]
    );
}

/// The brief's motivating example and the health-service example selectors.
#[test]
fn health_service_examples() {
    let entry = json!({
        "Node": {"ID": "40e4a748-2192-161a-0510-9bf59fe950b5", "Node": "foobar",
                 "Address": "10.1.10.12", "Datacenter": "dc1",
                 "TaggedAddresses": {"lan": "10.1.10.12", "wan": "10.1.10.12"},
                 "Meta": {"instance_type": "t2.medium"}},
        "Service": {"ID": "redis", "Service": "redis", "Tags": ["primary"],
                    "Address": "10.1.10.12",
                    "TaggedAddresses": {"lan": {"Address": "10.1.10.12", "Port": 8000},
                                        "wan": {"Address": "198.18.1.2", "Port": 80}},
                    "Meta": {"redis_version": "4.0"}, "Port": 8000,
                    "Weights": {"Passing": 10, "Warning": 1}},
        "Checks": [
            {"Node": "foobar", "CheckID": "service:redis", "Name": "Service 'redis' check",
             "Status": "passing", "ServiceID": "redis", "ServiceName": "redis",
             "ServiceTags": ["primary"]},
            {"Node": "foobar", "CheckID": "serfHealth", "Name": "Serf Health Status",
             "Status": "passing", "ServiceID": "", "ServiceName": "", "ServiceTags": []}
        ]
    });
    let s = schemas::service_entry();
    for (expr, want) in [
        (
            r#"Service.Meta.redis_version == "4.0" and "primary" in Service.Tags"#,
            true,
        ),
        (r#"Service.Tags contains "primary""#, true),
        (r#"Node.Meta.instance_type == "t2.medium""#, true),
        (r#"Node.TaggedAddresses.wan == "10.1.10.12""#, true),
        (r#"Service.TaggedAddresses.wan.Port == 80"#, true),
        ("Service.Weights.Passing == 10", true),
        (r#"Checks.CheckID == serfHealth"#, true),
        (r#"Checks.Status == critical"#, false),
        (r#"Checks.Status != passing"#, false),
    ] {
        assert_eq!(check(s, expr, &entry), want, "{expr}");
    }
}

const LEVEL2_1: Schema = Schema {
    name: "Level2_1",
    fields: &[field("Foo", Type::INT), field("Baz", Type::STRING)],
};
const LEVEL2_2: Schema = Schema {
    name: "Level2_2",
    fields: &[field("X", Type::INT), field("Y", Type::INT)],
};
const LEVEL1: Schema = Schema {
    name: "Level1",
    fields: &[
        field("Map", Type::STRING_MAP),
        field("MapOfStructs", Type::Map(&Type::Struct(&LEVEL2_1))),
        field("SliceOfInts", Type::List(Scalar::Int)),
        field("SliceOfStructs", Type::ListOf(&LEVEL2_2)),
    ],
};
const NESTED: Schema = Schema {
    name: "Nested",
    fields: &[
        field("Nested", Type::Struct(&LEVEL1)),
        field("TopInt", Type::INT),
    ],
};

/// go-bexpr's "Nested Structs and Maps" evaluation tests.
#[test]
fn go_bexpr_nested_examples() {
    let v = json!({
        "Nested": {
            "Map": {"foo": "bar", "bar": "baz", "abc": "123"},
            "MapOfStructs": {"one": {"Foo": 42, "Baz": "exported"},
                             "two": {"Foo": 77, "Baz": "consul"}},
            "SliceOfInts": [1, 3, 5, 7, 9],
            "SliceOfStructs": [{"X": 1, "Y": 2}, {"X": 3, "Y": 5}]
        },
        "TopInt": 5
    });
    for (expr, want) in [
        ("Nested.Map.foo == bar", true),
        ("Nested.Map.foo contains ba", true),
        ("Nested.Map.foo == baz", false),
        ("Nested.Map is not empty", true),
        ("Nested.Map contains foo and Nested.Map contains bar", true),
        ("Nested.Map contains nope", false),
        ("Nested.Map contains bar", true),
        ("Nested.Map.bar == `bazel`", false),
        ("TopInt != 0", true),
        ("Nested.Map contains nope or (Nested.Map contains bar and Nested.Map.bar == `bazel`) or TopInt != 0", true),
        ("Nested.MapOfStructs.one.Foo == 42", true),
        ("Nested.MapOfStructs is empty or (Nested.SliceOfInts contains 7 and 9 in Nested.SliceOfInts)", true),
        ("Nested.SliceOfStructs.X == 1", true),
        ("Nested.SliceOfStructs.Y == 4", false),
        ("Nested.Map.notfound == 4", false),
    ] {
        assert_eq!(check(&NESTED, expr, &v), want, "{expr}");
    }
    assert_eq!(
        error(&NESTED, "Map in Nested"),
        FilterError::InvalidOperator {
            operator: "In",
            selector: "Nested".into()
        }
    );
    assert_eq!(
        error(&NESTED, "Nested.Map.foo.bar == 3"),
        FilterError::InvalidSelector {
            selector: "Nested.Map.foo.bar".into()
        }
    );
}
