//! Unit tests of the catalog tables: registration rules, indexes and the watch keys each
//! change touches.

use super::catalog::{Catalog, CatalogError};
use super::watch::WatchKey;
use crate::api::catalog::{health, AgentService, CatalogRegistration, HealthCheck};

fn reg(
    node: &str,
    service: Option<(&str, &str)>,
    checks: &[(&str, &str, &str)],
) -> CatalogRegistration {
    CatalogRegistration {
        node: node.into(),
        address: "10.0.0.1".into(),
        datacenter: "dc1".into(),
        service: service.map(|(id, name)| AgentService {
            id: id.into(),
            service: name.into(),
            port: 80,
            tags: vec!["v1".into()],
            ..Default::default()
        }),
        checks: checks
            .iter()
            .map(|(id, sid, status)| HealthCheck {
                check_id: (*id).into(),
                service_id: (*sid).into(),
                status: (*status).into(),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

#[test]
fn register_fills_indexes_names_and_defaults() {
    let mut c = Catalog::default();
    let t = c
        .register(
            5,
            &reg("n1", Some(("web-1", "web")), &[("chk", "web-1", "")]),
        )
        .unwrap();
    assert!(t.keys.contains(&WatchKey::Service("web".into())));
    assert!(t.keys.contains(&WatchKey::Nodes));
    let list = c.catalog_service("web");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].service_id, "web-1");
    assert_eq!(list[0].datacenter, "dc1");
    assert_eq!((list[0].create_index, list[0].modify_index), (5, 5));
    let checks = c.service_checks("web");
    assert_eq!(checks[0].status, health::CRITICAL, "checks start critical");
    assert_eq!(checks[0].service_name, "web");
    assert_eq!(checks[0].service_tags, ["v1"]);
    assert_eq!(c.service_index("web"), 5);

    // The same registration again changes nothing and touches nothing.
    let t = c
        .register(
            6,
            &reg(
                "n1",
                Some(("web-1", "web")),
                &[("chk", "web-1", "critical")],
            ),
        )
        .unwrap();
    assert!(t.keys.is_empty(), "{:?}", t.keys);
    assert_eq!(c.service_index("web"), 5);
}

#[test]
fn bad_registrations_change_nothing() {
    let mut c = Catalog::default();
    let mut r = reg("n1", None, &[("chk", "nope", "passing")]);
    assert!(matches!(
        c.register(3, &r),
        Err(CatalogError::UnknownService { .. })
    ));
    assert!(c.nodes().is_empty(), "a refused registration adds no node");
    r.checks[0].service_id.clear();
    r.checks[0].status = "sideways".into();
    assert!(matches!(
        c.register(3, &r),
        Err(CatalogError::InvalidStatus(_))
    ));
    r.address.clear();
    assert_eq!(c.register(3, &r).unwrap_err(), CatalogError::MissingAddress);
    let mut r = reg("n1", None, &[]);
    r.id = "not-a-uuid".into();
    assert!(matches!(
        c.register(3, &r),
        Err(CatalogError::InvalidNodeId(_))
    ));
}

#[test]
fn node_checks_apply_to_every_service_and_passing_filters() {
    let mut c = Catalog::default();
    c.register(
        2,
        &reg("n1", Some(("web-1", "web")), &[("svc", "web-1", "passing")]),
    )
    .unwrap();
    c.register(
        3,
        &reg("n2", Some(("web-2", "web")), &[("svc", "web-2", "passing")]),
    )
    .unwrap();
    c.register(4, &reg("n2", Some(("db", "db")), &[])).unwrap();
    assert_eq!(c.health_service("web", true).len(), 2);
    // A node-level check going critical takes every service on that node out of ?passing and
    // touches each of their names.
    let t = c
        .register(5, &reg("n2", None, &[("serfHealth", "", "critical")]))
        .unwrap();
    assert!(t.keys.contains(&WatchKey::Service("web".into())));
    assert!(t.keys.contains(&WatchKey::Service("db".into())));
    let passing = c.health_service("web", true);
    assert_eq!(passing.len(), 1);
    assert_eq!(passing[0].node.node, "n1");
    assert_eq!(c.health_service("web", false).len(), 2);
    assert_eq!(c.checks_in_state("critical").len(), 1);
    assert_eq!(c.service_index("db"), 5);
}

#[test]
fn deregister_service_node_and_check() {
    let mut c = Catalog::default();
    c.register(
        2,
        &reg("n1", Some(("web-1", "web")), &[("svc", "web-1", "passing")]),
    )
    .unwrap();
    c.register(3, &reg("n1", Some(("api", "api")), &[("n", "", "passing")]))
        .unwrap();
    let t = c.deregister(4, "n1", "web-1", "");
    assert!(t.keys.contains(&WatchKey::Service("web".into())));
    assert!(!t.keys.contains(&WatchKey::Service("api".into())));
    assert!(c.catalog_service("web").is_empty());
    assert!(c.service_checks("web").is_empty(), "its checks go with it");
    assert_eq!(c.service_index("web"), 4, "the index survives the service");
    assert!(!c.services().contains_key("web"));

    c.deregister(5, "n1", "", "n");
    assert_eq!(c.node_checks("n1").len(), 0);

    let t = c.deregister(6, "n1", "", "");
    assert!(t.keys.contains(&WatchKey::Nodes));
    assert!(c.nodes().is_empty());
    assert!(c.catalog_service("api").is_empty());
    assert!(c.deregister(7, "ghost", "", "").keys.is_empty());
}

#[test]
fn services_list_unions_tags_and_renames_move_instances() {
    let mut c = Catalog::default();
    let mut r = reg("n1", Some(("x", "web")), &[]);
    c.register(2, &r).unwrap();
    let mut r2 = reg("n2", Some(("y", "web")), &[]);
    r2.service.as_mut().unwrap().tags = vec!["v2".into()];
    c.register(3, &r2).unwrap();
    assert_eq!(c.services()["web"], ["v1", "v2"]);
    r.service.as_mut().unwrap().service = "api".into();
    let t = c.register(4, &r).unwrap();
    assert!(t.keys.contains(&WatchKey::Service("web".into())));
    assert!(t.keys.contains(&WatchKey::Service("api".into())));
    assert_eq!(c.catalog_service("web").len(), 1);
    assert_eq!(c.catalog_service("api").len(), 1);
}

#[test]
fn lookups_follow_moves_and_survive_a_snapshot() {
    let mut c = Catalog::default();
    let mut r = reg(
        "n1",
        Some(("web-1", "web")),
        &[("chk", "web-1", "passing"), ("node-chk", "", "passing")],
    );
    let node_id = "8D1B3C7E-0000-4000-8000-000000000001";
    r.id = node_id.into();
    c.register(1, &r).unwrap();
    let mut r = reg("n1", Some(("db-1", "db")), &[("db-chk", "db-1", "passing")]);
    r.id = node_id.into();
    c.register(2, &r).unwrap();
    // The check moves from web-1 to db-1: web-1 keeps only the node's own check.
    let mut r = reg("n1", None, &[("chk", "db-1", "critical")]);
    r.id = node_id.into();
    c.register(3, &r).unwrap();
    let ids = |c: &Catalog, name: &str| -> Vec<String> {
        c.health_service(name, false)
            .into_iter()
            .flat_map(|e| e.checks.into_iter().map(|k| k.check_id))
            .collect()
    };
    assert_eq!(ids(&c, "web"), ["node-chk"]);
    assert_eq!(ids(&c, "db"), ["node-chk", "chk", "db-chk"]);
    assert_eq!(c.service_checks("db").len(), 2);

    // Another node cannot take n1's ID, in any case.
    let mut thief = reg("n2", None, &[]);
    thief.id = node_id.to_ascii_lowercase();
    assert!(matches!(
        c.register(4, &thief),
        Err(CatalogError::NodeIdTaken { .. })
    ));

    let bytes = rmp_serde::to_vec_named(&c).unwrap();
    let back: Catalog = rmp_serde::from_slice(&bytes).unwrap();
    assert_eq!(ids(&back, "db"), ids(&c, "db"));
    assert_eq!(back.services(), c.services());
    assert!(matches!(
        back.clone().register(4, &thief),
        Err(CatalogError::NodeIdTaken { .. })
    ));

    // Deregistering the node frees its ID and forgets its checks.
    let mut back = back;
    back.deregister(5, "n1", "", "");
    assert!(back.register(6, &thief).is_ok());
    assert!(back.health_service("db", false).is_empty());
}
