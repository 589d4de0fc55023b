//! The endpoint schemas against Consul's documented selector tables: every documented
//! selector exists and supports exactly the documented operations.

use crate::agent::filter::{schemas, Filter, Schema};

/// Operation sets as Consul's tables print them.
const S: &str = "Equal, Not Equal, In, Not In, Matches, Not Matches";
const E: &str = "Equal, Not Equal";
const M: &str = "Is Empty, Is Not Empty, In, Not In";
const L: &str = "In, Not In, Is Empty, Is Not Empty";
const X: &str = "Is Empty, Is Not Empty";

/// The expression using `op` on `selector` (`<any>` stands for a map key).
fn expression(selector: &str, op: &str) -> String {
    let sel = selector.replace("<any>", "k");
    match op {
        "Equal" => format!("{sel} == 1"),
        "Not Equal" => format!("{sel} != 1"),
        "In" => format!("\"1\" in {sel}"),
        "Not In" => format!("\"1\" not in {sel}"),
        "Is Empty" => format!("{sel} is empty"),
        "Is Not Empty" => format!("{sel} is not empty"),
        "Matches" => format!("{sel} matches \"1\""),
        "Not Matches" => format!("{sel} not matches \"1\""),
        other => panic!("unknown operation {other}"),
    }
}

fn check_table(schema: &Schema, table: &[(&str, &str)]) {
    const ALL: [&str; 8] = [
        "Equal",
        "Not Equal",
        "In",
        "Not In",
        "Is Empty",
        "Is Not Empty",
        "Matches",
        "Not Matches",
    ];
    for (selector, ops) in table {
        let allowed: Vec<&str> = ops.split(", ").collect();
        for op in ALL {
            let src = expression(selector, op);
            let result = Filter::parse(&src, schema);
            assert_eq!(
                result.is_ok(),
                allowed.contains(&op),
                "{}: {src}: {:?}",
                schema.name,
                result.err().map(|e| e.to_string())
            );
        }
    }
}

/// The tables shared by the service-shaped schemas, with their field prefix.
fn service_rows(prefix: &str) -> Vec<(String, &'static str)> {
    let rows: &[(&str, &str)] = &[
        ("Address", S),
        ("Connect.Native", E),
        ("EnableTagOverride", E),
        ("ID", S),
        ("Kind", S),
        ("Meta", M),
        ("Meta.<any>", S),
        ("Port", E),
        ("Proxy.DestinationServiceID", S),
        ("Proxy.DestinationServiceName", S),
        ("Proxy.LocalServiceAddress", S),
        ("Proxy.LocalServicePort", E),
        ("Proxy.Mode", S),
        ("Proxy.TransparentProxy.OutboundListenerPort", E),
        ("Proxy.MeshGateway.Mode", S),
        ("Proxy.Upstreams", X),
        ("Proxy.Upstreams.Datacenter", S),
        ("Proxy.Upstreams.DestinationName", S),
        ("Proxy.Upstreams.DestinationNamespace", S),
        ("Proxy.Upstreams.DestinationType", S),
        ("Proxy.Upstreams.LocalBindAddress", S),
        ("Proxy.Upstreams.LocalBindPort", E),
        ("Proxy.Upstreams.MeshGateway.Mode", S),
        ("Service", S),
        ("TaggedAddresses", M),
        ("TaggedAddresses.<any>.Address", S),
        ("TaggedAddresses.<any>.Port", E),
        ("Tags", L),
        ("Weights.Passing", E),
        ("Weights.Warning", E),
    ];
    rows.iter()
        .map(|(sel, ops)| (format!("{prefix}{sel}"), *ops))
        .collect()
}

fn borrowed<'a>(rows: &'a [(String, &'static str)]) -> Vec<(&'a str, &'static str)> {
    rows.iter().map(|(s, o)| (s.as_str(), *o)).collect()
}

const NODE_ROWS: &[(&str, &str)] = &[
    ("Address", S),
    ("Datacenter", S),
    ("ID", S),
    ("Meta", M),
    ("Meta.<any>", S),
    ("Node", S),
    ("TaggedAddresses", M),
    ("TaggedAddresses.<any>", S),
];

const CHECK_ROWS: &[(&str, &str)] = &[
    ("CheckID", S),
    ("Name", S),
    ("Node", S),
    ("Notes", S),
    ("Output", S),
    ("ServiceID", S),
    ("ServiceName", S),
    ("ServiceTags", L),
    ("Status", S),
];

#[test]
fn catalog_service_matches_consuls_table() {
    let table: &[(&str, &str)] = &[
        ("Address", S),
        ("Datacenter", S),
        ("ID", S),
        ("Node", S),
        ("NodeMeta.<any>", S),
        ("NodeMeta", M),
        ("ServiceAddress", S),
        ("ServiceConnect.Native", E),
        ("ServiceEnableTagOverride", E),
        ("ServiceID", S),
        ("ServiceKind", S),
        ("ServiceMeta.<any>", S),
        ("ServiceMeta", M),
        ("ServiceName", S),
        ("ServicePort", E),
        ("ServiceProxy.DestinationServiceID", S),
        ("ServiceProxy.DestinationServiceName", S),
        ("ServiceProxy.LocalServiceAddress", S),
        ("ServiceProxy.LocalServicePort", E),
        ("ServiceProxy.Mode", S),
        ("ServiceProxy.TransparentProxy.OutboundListenerPort", E),
        ("ServiceProxy.MeshGateway.Mode", S),
        ("ServiceProxy.Upstreams.Datacenter", S),
        ("ServiceProxy.Upstreams.DestinationName", S),
        ("ServiceProxy.Upstreams.DestinationNamespace", S),
        ("ServiceProxy.Upstreams.DestinationType", S),
        ("ServiceProxy.Upstreams.LocalBindAddress", S),
        ("ServiceProxy.Upstreams.LocalBindPort", E),
        ("ServiceProxy.Upstreams.MeshGateway.Mode", S),
        ("ServiceProxy.Upstreams", X),
        ("ServiceTaggedAddresses.<any>.Address", S),
        ("ServiceTaggedAddresses.<any>.Port", E),
        ("ServiceTaggedAddresses", M),
        ("ServiceTags", L),
        ("ServiceWeights.Passing", E),
        ("ServiceWeights.Warning", E),
        ("TaggedAddresses.<any>", S),
        ("TaggedAddresses", M),
    ];
    check_table(schemas::catalog_service(), table);
}

#[test]
fn nodes_checks_and_services_match_consuls_tables() {
    check_table(schemas::node(), NODE_ROWS);
    check_table(schemas::health_check(), CHECK_ROWS);
    check_table(schemas::agent_service(), &borrowed(&service_rows("")));
}

#[test]
fn service_entry_matches_consuls_table() {
    let mut rows: Vec<(String, &str)> = vec![("Checks".into(), X)];
    rows.extend(CHECK_ROWS.iter().map(|(s, o)| (format!("Checks.{s}"), *o)));
    rows.extend(NODE_ROWS.iter().map(|(s, o)| (format!("Node.{s}"), *o)));
    rows.extend(service_rows("Service."));
    check_table(schemas::service_entry(), &borrowed(&rows));
}

#[test]
fn agent_members() {
    check_table(
        schemas::agent_member(),
        &[
            ("Name", S),
            ("Addr", S),
            ("Port", E),
            ("Tags", M),
            ("Tags.<any>", S),
            ("Status", E),
            ("ProtocolMin", E),
            ("ProtocolMax", E),
            ("ProtocolCur", E),
            ("DelegateMin", E),
            ("DelegateMax", E),
            ("DelegateCur", E),
        ],
    );
    let member = serde_json::json!({"Name": "s1", "Addr": "10.0.0.1", "Port": 8301,
        "Tags": {"role": "consul", "dc": "dc1"}, "Status": 1});
    let f = Filter::parse(
        r#"Tags.role == consul and Status == 1 and Port == 8301"#,
        schemas::agent_member(),
    );
    assert!(f.is_ok_and(|f| f.matches(&member)));
}

#[test]
fn selector_listing() {
    let sels: Vec<String> = schemas::service_entry()
        .selectors()
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    for want in [
        "Checks",
        "Checks.Status",
        "Node.Meta.<any>",
        "Service.TaggedAddresses.<any>.Port",
    ] {
        assert!(
            sels.iter().any(|s| s == want),
            "{want} missing from {sels:?}"
        );
    }
}
