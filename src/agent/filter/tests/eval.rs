//! Evaluation on JSON: every operator on each type, lists of objects, maps, missing keys,
//! zero values, bare and quoted values, and the collection helpers.

use serde_json::{json, Value};

use super::check;
use crate::agent::filter::schema::{field, Schema, Type};
use crate::agent::filter::{schemas, Filter};

fn web() -> Value {
    json!({
        "ID": "40e4a748-2192-161a-0510-9bf59fe950b5",
        "Node": "t2.320",
        "Address": "192.168.10.10",
        "Datacenter": "dc1",
        "TaggedAddresses": {"lan": "192.168.10.10", "wan": "10.0.10.10"},
        "NodeMeta": {"somekey": "somevalue", "a.b": "c"},
        "ServiceAddress": "172.17.0.3",
        "ServiceEnableTagOverride": false,
        "ServiceID": "32a2a47f7992:nodea:5000",
        "ServiceName": "web",
        "ServicePort": 5000,
        "ServiceMeta": {"env": "prod", "k-1": "v"},
        "ServiceTaggedAddresses": {
            "lan": {"Address": "172.17.0.3", "Port": 5000},
            "wan": {"address": "198.18.0.1", "port": 512}
        },
        "ServiceTags": ["prod", "v2"],
        "ServiceWeights": {"Passing": 1, "Warning": 1},
        "ServiceKind": "",
        "ServiceProxy": null,
        "ServiceConnect": {}
    })
}

fn on_web(expr: &str) -> bool {
    check(schemas::catalog_service(), expr, &web())
}

#[test]
fn strings() {
    let cases = [
        (r#"ServiceName == "web""#, true),
        ("ServiceName == web", true),
        ("ServiceName == `web`", true),
        (r#"ServiceName == "db""#, false),
        (r#"ServiceName != "db""#, true),
        (r#"ServiceName != "web""#, false),
        (r#""eb" in ServiceName"#, true),
        (r#""xx" in ServiceName"#, false),
        (r#""xx" not in ServiceName"#, true),
        (r#"ServiceName contains "we""#, true),
        (r#"ServiceName not contains "we""#, false),
        (r#"ServiceName matches "^w.b$""#, true),
        (r#"ServiceName matches "e""#, true),
        (r#"ServiceName matches "^e""#, false),
        (r#"ServiceName not matches "^db""#, true),
        (r#"Address matches `^192\.168\.`"#, true),
        (r#"ServiceID == "32a2a47f7992:nodea:5000""#, true),
        (r#"Node == "t2.320""#, true),
    ];
    for (expr, want) in cases {
        assert_eq!(on_web(expr), want, "{expr}");
    }
    // Unquoted, `t2.320` is not a value: `320` cannot start a name.
    assert!(Filter::parse("Node == t2.320", schemas::catalog_service()).is_err());
}

#[test]
fn numbers_and_bools_compare_by_the_selectors_type() {
    let cases = [
        ("ServicePort == 5000", true),
        (r#"ServicePort == "5000""#, true),
        (r#"ServicePort == "0x1388""#, true),
        ("ServicePort != 5000", false),
        ("ServicePort == 5001", false),
        ("ServiceWeights.Passing == 1", true),
        ("ServiceEnableTagOverride == false", true),
        ("ServiceEnableTagOverride == true", false),
        (r#"ServiceEnableTagOverride == "false""#, true),
        ("ServiceEnableTagOverride == 0", true),
        ("ServiceEnableTagOverride != T", true),
        ("ServiceConnect.Native == false", true),
    ];
    for (expr, want) in cases {
        assert_eq!(on_web(expr), want, "{expr}");
    }
}

#[test]
fn lists_of_scalars() {
    let cases = [
        (r#""prod" in ServiceTags"#, true),
        (r#""v2" in ServiceTags"#, true),
        (r#""pro" in ServiceTags"#, false),
        (r#""qa" not in ServiceTags"#, true),
        (r#"ServiceTags contains "prod""#, true),
        (r#"ServiceTags not contains "prod""#, false),
        ("ServiceTags is empty", false),
        ("ServiceTags is not empty", true),
    ];
    for (expr, want) in cases {
        assert_eq!(on_web(expr), want, "{expr}");
    }
    let s = schemas::catalog_service();
    for tags in [json!([]), json!(null)] {
        let v = json!({ "ServiceTags": tags });
        assert!(check(s, "ServiceTags is empty", &v));
        assert!(!check(s, r#""prod" in ServiceTags"#, &v));
        assert!(check(s, r#""prod" not in ServiceTags"#, &v));
    }
    assert!(check(s, "ServiceTags is empty", &json!({})));
}

#[test]
fn maps_keys_and_missing_keys() {
    let cases = [
        (r#"ServiceMeta.env == "prod""#, true),
        (r#"ServiceMeta["env"] == "prod""#, true),
        (r#"ServiceMeta["k-1"] == "v""#, true),
        (r#"NodeMeta["a.b"] == "c""#, true),
        (r#""env" in ServiceMeta"#, true),
        (r#"ServiceMeta contains "env""#, true),
        (r#""prod" in ServiceMeta"#, false), // keys, not values
        (r#""nope" not in ServiceMeta"#, true),
        ("ServiceMeta is empty", false),
        ("ServiceMeta is not empty", true),
        (r#"ServiceMeta.env contains "ro""#, true),
        (r#"ServiceMeta.env matches "^pr""#, true),
        (r#"TaggedAddresses.wan == "10.0.10.10""#, true),
        // A missing key: nothing equals, contains or matches it.
        (r#"ServiceMeta.missing == """#, false),
        (r#"ServiceMeta.missing != "x""#, true),
        (r#"ServiceMeta.missing contains "x""#, false),
        (r#"ServiceMeta.missing not contains "x""#, true),
        (r#"ServiceMeta.missing matches ".*""#, false),
        (r#"ServiceMeta.missing not matches ".*""#, true),
    ];
    for (expr, want) in cases {
        assert_eq!(on_web(expr), want, "{expr}");
    }
}

#[test]
fn maps_of_objects() {
    let cases = [
        (
            r#"ServiceTaggedAddresses.lan.Address == "172.17.0.3""#,
            true,
        ),
        ("ServiceTaggedAddresses.lan.Port == 5000", true),
        // Keys printed in lower case (as some Consul docs show) are found too.
        ("ServiceTaggedAddresses.wan.Port == 512", true),
        (r#"ServiceTaggedAddresses.wan.Address matches "^198""#, true),
        (r#""lan" in ServiceTaggedAddresses"#, true),
        ("ServiceTaggedAddresses is not empty", true),
        ("ServiceTaggedAddresses.lan_ipv4.Port == 0", false),
        ("ServiceTaggedAddresses.lan_ipv4.Port != 0", true),
    ];
    for (expr, want) in cases {
        assert_eq!(on_web(expr), want, "{expr}");
    }
}

#[test]
fn missing_fields_have_go_zero_values() {
    let s = schemas::catalog_service();
    let empty = json!({});
    for (expr, want) in [
        (r#"ServiceAddress == """#, true),
        ("ServicePort == 0", true),
        ("ServiceEnableTagOverride == false", true),
        ("ServiceWeights.Passing == 0", true),
        (r#"ServiceProxy.DestinationServiceName == """#, true),
        ("ServiceProxy.Upstreams is empty", true),
        (r#"ServiceProxy.Upstreams.DestinationName == "db""#, false),
        (r#"ServiceProxy.Upstreams.DestinationName != "db""#, false),
        ("ServiceMeta is empty", true),
        (r#""x" in ServiceName"#, false),
        (r#""" in ServiceName"#, true),
    ] {
        assert_eq!(check(s, expr, &empty), want, "{expr}");
    }
    // A field of another JSON type never equals.
    let odd = json!({"ServicePort": "5000", "ServiceName": 5, "ServiceEnableTagOverride": 1});
    assert!(!check(s, "ServicePort == 5000", &odd));
    assert!(!check(s, "ServiceName == 5", &odd));
    assert!(!check(s, "ServiceName matches `5`", &odd));
    assert!(!check(s, "ServiceEnableTagOverride == true", &odd));
}

fn entry(statuses: &[&str]) -> Value {
    let checks: Vec<Value> = statuses
        .iter()
        .enumerate()
        .map(|(i, s)| {
            json!({"CheckID": format!("c{i}"), "Status": s,
                   "ServiceTags": if i == 0 { json!(["primary"]) } else { json!([]) }})
        })
        .collect();
    json!({
        "Node": {"Node": "n1", "Meta": {"rack": "r1"}},
        "Service": {"Service": "redis", "Tags": ["primary"], "Port": 8000,
                    "Proxy": {"Upstreams": [
                        {"DestinationName": "db", "LocalBindPort": 9191, "MeshGateway": {"Mode": "local"}},
                        {"DestinationName": "cache", "LocalBindPort": 9192}
                    ]}},
        "Checks": checks
    })
}

#[test]
fn lists_of_objects_match_if_any_element_does() {
    let s = schemas::service_entry();
    let mixed = entry(&["passing", "critical"]);
    let passing = entry(&["passing", "passing"]);
    let none = entry(&[]);
    let cases = [
        (r#"Checks.Status == "critical""#, &mixed, true),
        (r#"Checks.Status == "critical""#, &passing, false),
        (r#"Checks.Status == "critical""#, &none, false),
        // `!=` is also per element: some check is not passing.
        (r#"Checks.Status != "passing""#, &mixed, true),
        (r#"Checks.Status != "passing""#, &passing, false),
        (r#"Checks.Status != "passing""#, &none, false),
        // Every check passing, by negating "some check is not passing".
        (r#"not Checks.Status != "passing""#, &passing, true),
        (r#"not Checks.Status != "passing""#, &mixed, false),
        (r#"not Checks.Status == "critical""#, &passing, true),
        ("Checks is empty", &none, true),
        ("Checks is not empty", &mixed, true),
        (r#""primary" in Checks.ServiceTags"#, &mixed, true),
        (r#""primary" not in Checks.ServiceTags"#, &mixed, true),
        ("Checks.ServiceTags is empty", &mixed, true),
        ("Checks.ServiceTags is empty", &none, false),
        (r#"Checks.CheckID matches "^c1$""#, &mixed, true),
        (
            r#"Service.Proxy.Upstreams.DestinationName == "cache""#,
            &mixed,
            true,
        ),
        (
            "Service.Proxy.Upstreams.LocalBindPort == 9191",
            &mixed,
            true,
        ),
        (
            r#"Service.Proxy.Upstreams.MeshGateway.Mode == "local""#,
            &mixed,
            true,
        ),
        (
            r#"Service.Proxy.Upstreams.MeshGateway.Mode == """#,
            &mixed,
            true,
        ),
        ("Service.Proxy.Upstreams is not empty", &mixed, true),
        (
            r#"Node.Meta.rack == "r1" and "primary" in Service.Tags"#,
            &mixed,
            true,
        ),
        (
            r#"Service.Service == redis and Checks.Status == critical"#,
            &passing,
            false,
        ),
    ];
    for (expr, value, want) in cases {
        assert_eq!(check(s, expr, value), want, "{expr} on {value}");
    }
}

#[test]
fn precedence_in_evaluation() {
    let v = json!({"Node": "a", "Address": "1", "Datacenter": "dc1"});
    let s = schemas::node();
    // or binds loosest, not tightest.
    assert!(check(s, "Node == a or Node == b and Address == 2", &v));
    assert!(!check(s, "(Node == a or Node == b) and Address == 2", &v));
    assert!(check(s, "not Node == b and Address == 1", &v));
    assert!(!check(s, "not (Node == a and Address == 1)", &v));
    assert!(check(s, "not Node == a or Datacenter == dc1", &v));
}

const SCALARS: Schema = Schema {
    name: "Scalars",
    fields: &[
        field("F", Type::FLOAT),
        field("U", Type::UINT),
        field("I", Type::INT),
        field("Ints", Type::List(crate::agent::filter::Scalar::Int)),
        field("Header", Type::Map(&Type::STRINGS)),
    ],
};

#[test]
fn floats_unsigned_and_lists_of_numbers() {
    let v = json!({"F": 1.5, "U": 18446744073709551615u64, "I": -3, "Ints": [1, 3, 5],
                   "Header": {"X-A": ["1", "2"]}});
    for (expr, want) in [
        ("F == 1.5", true),
        ("F != 1.5", false),
        ("F == 1.25", false),
        ("U == 18446744073709551615", true),
        ("U == 1", false),
        ("I == -3", true),
        ("I == 3", false),
        ("3 in Ints", true),
        ("Ints contains 5", true),
        ("4 in Ints", false),
        ("4 not in Ints", true),
        (r#""2" in Header["X-A"]"#, true),
        (r#"Header.Y is empty"#, true),
    ] {
        assert_eq!(check(&SCALARS, expr, &v), want, "{expr}");
    }
    let ints = json!({"I": 7.0, "F": 2});
    assert!(check(&SCALARS, "I == 7", &ints));
    assert!(check(&SCALARS, "F == 2", &ints));
}

#[test]
fn collection_helpers() {
    let s = schemas::agent_service();
    let f = match Filter::parse(r#"Service == "redis" and "primary" in Tags"#, s) {
        Ok(f) => f,
        Err(e) => panic!("{e}"),
    };
    let a = json!({"ID": "a", "Service": "redis", "Tags": ["primary"]});
    let b = json!({"ID": "b", "Service": "redis", "Tags": ["secondary"]});
    let c = json!({"ID": "c", "Service": "web", "Tags": ["primary"]});
    assert_eq!(
        f.filter_list(vec![a.clone(), b.clone(), c.clone()]),
        vec![a.clone()]
    );
    let map: serde_json::Map<String, Value> = [("a", &a), ("b", &b), ("c", &c)]
        .iter()
        .map(|(k, v)| (k.to_string(), (*v).clone()))
        .collect();
    let kept = f.filter_map(map.clone());
    assert_eq!(kept.keys().collect::<Vec<_>>(), vec!["a"]);
    assert_eq!(f.filter_json(Value::Object(map)), json!({ "a": a }));
    assert_eq!(f.filter_json(json!([b, c])), json!([]));
    assert_eq!(f.filter_json(json!(true)), json!(true));

    #[derive(serde::Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct Svc {
        service: &'static str,
        tags: Vec<&'static str>,
    }
    let mut typed = vec![
        Svc {
            service: "redis",
            tags: vec!["primary"],
        },
        Svc {
            service: "redis",
            tags: vec![],
        },
    ];
    f.retain(&mut typed);
    assert_eq!(typed.len(), 1);

    // The empty filter keeps everything, as `?filter=` does.
    let all = match Filter::parse("", s) {
        Ok(f) => f,
        Err(e) => panic!("{e}"),
    };
    assert!(all.is_all() && all.matches(&json!(null)));
    assert_eq!(all.filter_list(vec![json!(1)]), vec![json!(1)]);
    assert!(Filter::all().is_all());
}
