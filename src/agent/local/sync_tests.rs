//! Unit tests of the anti-entropy plan: what is written for each difference between the local
//! state and the catalog.

use std::collections::BTreeMap;

use super::*;
use crate::api::catalog::Node;

fn node() -> NodeInfo {
    NodeInfo {
        id: "3af9a31f-5313-07ca-5c53-079deb9386e3".into(),
        name: "n1".into(),
        address: "10.0.0.1".into(),
        datacenter: "dc1".into(),
        ..Default::default()
    }
}

fn svc(id: &str, tags: &[&str]) -> AgentService {
    AgentService {
        id: id.into(),
        service: "web".into(),
        port: 80,
        tags: tags.iter().map(|t| t.to_string()).collect(),
        ..Default::default()
    }
}

fn check(id: &str, service: &str, status: &str) -> HealthCheck {
    HealthCheck {
        node: "n1".into(),
        check_id: id.into(),
        name: id.into(),
        status: status.into(),
        service_id: service.into(),
        ..Default::default()
    }
}

fn remote(services: &[AgentService]) -> CatalogNode {
    CatalogNode {
        node: Node {
            id: node().id,
            node: "n1".into(),
            address: "10.0.0.1".into(),
            ..Default::default()
        },
        services: services.iter().map(|s| (s.id.clone(), s.clone())).collect(),
    }
}

fn map<T: Clone>(items: &[(&str, T)]) -> BTreeMap<String, T> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

#[test]
fn new_node_and_service_are_registered_with_their_checks() {
    let services = map(&[("web-1", svc("web-1", &["a"]))]);
    let checks = map(&[("c1", check("c1", "web-1", "passing"))]);
    let ops = plan(&node(), &services, &checks, None, &[]);
    assert_eq!(ops.len(), 1, "{ops:?}");
    let Op::Register(reg) = &ops[0] else {
        panic!("{ops:?}")
    };
    assert_eq!(reg.node, "n1");
    assert_eq!(reg.service.as_ref().unwrap().id, "web-1");
    assert_eq!(reg.checks.len(), 1);
    // Nothing local at all: the node alone.
    let ops = plan(&node(), &BTreeMap::new(), &BTreeMap::new(), None, &[]);
    assert!(matches!(&ops[..], [Op::Register(r)] if r.service.is_none()));
}

#[test]
fn in_sync_writes_nothing_and_strays_are_removed() {
    let s = svc("web-1", &["a"]);
    let services = map(&[("web-1", s.clone())]);
    let checks = map(&[("c1", check("c1", "web-1", "passing"))]);
    let r = remote(std::slice::from_ref(&s));
    let remote_checks = vec![
        check("c1", "web-1", "passing"),
        check("serfHealth", "", "passing"),
    ];
    assert!(plan(&node(), &services, &checks, Some(&r), &remote_checks).is_empty());

    // A service and a check the agent does not have are deregistered; consul and serfHealth
    // belong to the leader and stay.
    let mut consul = svc("consul", &[]);
    consul.service = "consul".into();
    let r = remote(&[s, svc("stray", &[]), consul]);
    let remote_checks = vec![
        check("c1", "web-1", "passing"),
        check("serfHealth", "", "passing"),
        check("old", "", "critical"),
    ];
    let ops = plan(&node(), &services, &checks, Some(&r), &remote_checks);
    assert_eq!(ops.len(), 2, "{ops:?}");
    assert!(ops
        .iter()
        .any(|o| matches!(o, Op::Deregister(d) if d.service_id == "stray")));
    assert!(ops
        .iter()
        .any(|o| matches!(o, Op::Deregister(d) if d.check_id == "old")));
}

#[test]
fn status_changes_and_tag_override() {
    let mut s = svc("web-1", &["local"]);
    let services = map(&[("web-1", s.clone())]);
    let checks = map(&[("c1", check("c1", "web-1", "critical"))]);
    let r = remote(std::slice::from_ref(&s));
    let ops = plan(
        &node(),
        &services,
        &checks,
        Some(&r),
        &[check("c1", "web-1", "passing")],
    );
    assert_eq!(ops.len(), 1, "a status change re-registers: {ops:?}");

    // EnableTagOverride: tags changed in the catalog are kept, nothing to write for them.
    s.enable_tag_override = true;
    let services = map(&[("web-1", s.clone())]);
    let mut theirs = s.clone();
    theirs.tags = vec!["edited".into()];
    let r = remote(&[theirs]);
    let checks = BTreeMap::new();
    assert!(plan(&node(), &services, &checks, Some(&r), &[]).is_empty());
}

#[test]
fn full_sync_period_grows_with_the_cluster() {
    assert_eq!(full_sync_interval(3), Duration::from_secs(60));
    assert_eq!(full_sync_interval(128), Duration::from_secs(60));
    assert_eq!(full_sync_interval(129), Duration::from_secs(120));
    assert_eq!(full_sync_interval(512), Duration::from_secs(180));
    assert_eq!(full_sync_interval(1024), Duration::from_secs(240));
}
