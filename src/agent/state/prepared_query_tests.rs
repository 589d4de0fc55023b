//! Unit tests of the prepared query table: Consul's integrity rules and its resolution order.

use super::*;
use crate::api::prepared_query::{QueryTemplate, ServiceQuery};

const ID1: &str = "11111111-2222-3333-4444-555555555555";
const ID2: &str = "21111111-2222-3333-4444-555555555555";
const ID3: &str = "31111111-2222-3333-4444-555555555555";

fn query(id: &str, name: &str, service: &str) -> PreparedQuery {
    PreparedQuery {
        id: id.into(),
        name: name.into(),
        service: ServiceQuery {
            service: service.into(),
            ..Default::default()
        },
        ..Default::default()
    }
}

fn template(id: &str, name: &str, service: &str) -> PreparedQuery {
    PreparedQuery {
        template: QueryTemplate {
            kind: NAME_PREFIX_MATCH.into(),
            ..Default::default()
        },
        ..query(id, name, service)
    }
}

#[test]
fn names_are_unique_without_regard_to_case_and_never_alias_ids() {
    let s = SessionTable::default();
    let mut t = QueryTable::default();
    t.apply(5, QueryOp::Create, query(ID1, "Redis", "redis"), &s)
        .unwrap();
    assert_eq!(
        t.apply(6, QueryOp::Create, query(ID2, "redis", "x"), &s),
        Err("name 'redis' aliases an existing query name".into())
    );
    assert_eq!(
        t.apply(6, QueryOp::Create, query(ID2, ID1, "x"), &s),
        Err(format!("name '{ID1}' aliases an existing query ID"))
    );
    // Updating keeps CreateIndex and moves ModifyIndex.
    t.apply(7, QueryOp::Update, query(ID1, "redis", "redis2"), &s)
        .unwrap();
    let q = t.get(ID1).unwrap();
    assert_eq!((q.create_index, q.modify_index), (5, 7));
    assert_eq!(
        t.apply(8, QueryOp::Update, query(ID2, "", "x"), &s),
        Err(format!(
            "Cannot modify non-existent prepared query: '{ID2}'"
        ))
    );
    assert_eq!(
        t.apply(
            8,
            QueryOp::Create,
            PreparedQuery {
                session: "nope".into(),
                ..query(ID2, "a", "x")
            },
            &s
        ),
        Err("invalid session \"nope\"".into())
    );
    t.apply(9, QueryOp::Delete, query(ID1, "", ""), &s).unwrap();
    assert!(t.get(ID1).is_none());
    assert_eq!(t.index(), 9);
}

#[test]
fn resolution_is_id_then_name_then_longest_template_prefix() {
    let s = SessionTable::default();
    let mut t = QueryTable::default();
    t.apply(1, QueryOp::Create, query(ID1, "geo-db-main", "static"), &s)
        .unwrap();
    t.apply(2, QueryOp::Create, template(ID2, "geo", "${name.full}"), &s)
        .unwrap();
    t.apply(
        3,
        QueryOp::Create,
        template(ID3, "geo-db", "db-${name.suffix}"),
        &s,
    )
    .unwrap();
    let service = |t: &QueryTable, name: &str| t.resolve(name).unwrap().map(|q| q.service.service);
    assert_eq!(service(&t, ID1).as_deref(), Some("static"));
    assert_eq!(service(&t, "GEO-DB-MAIN").as_deref(), Some("static"));
    assert_eq!(
        service(&t, "geo-db-replica").as_deref(),
        Some("db--replica")
    );
    assert_eq!(service(&t, "geo-x").as_deref(), Some("geo-x"));
    assert_eq!(service(&t, "other"), None);
    assert_eq!(
        t.resolve(ID2).unwrap_err(),
        "prepared query templates can only be resolved up by name, not by ID"
    );
    // One catch-all template at most.
    t.apply(
        4,
        QueryOp::Create,
        template("41111111-2222-3333-4444-555555555555", "", "${name.full}"),
        &s,
    )
    .unwrap();
    assert_eq!(service(&t, "anything").as_deref(), Some("anything"));
    assert_eq!(
        t.apply(
            5,
            QueryOp::Create,
            template("51111111-2222-3333-4444-555555555555", "", "x"),
            &s
        ),
        Err("a query template with an empty name already exists".into())
    );
}

#[test]
fn queries_go_with_their_session() {
    let mut t = QueryTable::default();
    let mut sessions = SessionTable::default();
    let entry = crate::api::session::SessionEntry {
        id: "s1".into(),
        node: "n1".into(),
        ..Default::default()
    };
    let mut catalog = super::super::catalog::Catalog::default();
    catalog
        .register(
            1,
            &crate::api::catalog::CatalogRegistration {
                node: "n1".into(),
                address: "10.0.0.1".into(),
                ..Default::default()
            },
        )
        .unwrap();
    sessions.create(2, entry, &catalog).unwrap();
    let q = PreparedQuery {
        session: "s1".into(),
        ..query(ID1, "", "redis")
    };
    t.apply(3, QueryOp::Create, q, &sessions).unwrap();
    assert!(!t.session_gone(4, "s2"));
    assert!(t.session_gone(5, "s1"));
    assert!(t.get(ID1).is_none());
}
