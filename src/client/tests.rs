//! Client tests against a tiny in-process HTTP stub that records requests and returns canned
//! answers: URL building, headers, parameters, status handling and error wording.

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request as HttpRequest, Response as HttpResponse};

use super::*;
use crate::config::client_env::{resolve, ClientFlags};

/// One request as the stub saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    uri: String,
    token: Option<String>,
    auth: Option<String>,
    body: Vec<u8>,
}

type Answer = fn(&Seen) -> (u16, Vec<(&'static str, &'static str)>, String);

async fn stub(answer: Answer) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let app = axum::Router::new().fallback(move |req: HttpRequest<Body>| {
        let log = log.clone();
        async move {
            let (token, auth) = {
                let header = |n: &str| {
                    req.headers()
                        .get(n)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string)
                };
                (header("X-Consul-Token"), header("Authorization"))
            };
            let method = req.method().to_string();
            let uri = req.uri().to_string();
            let body = axum::body::to_bytes(req.into_body(), 1 << 20)
                .await
                .unwrap_or_default()
                .to_vec();
            let s = Seen {
                method,
                uri,
                token,
                auth,
                body,
            };
            let (code, headers, text) = answer(&s);
            log.lock().unwrap().push(s);
            let mut resp = HttpResponse::builder().status(code);
            for (k, v) in headers {
                resp = resp.header(k, v);
            }
            resp.body(Body::from(text)).unwrap()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, seen)
}

fn client(addr: &str, flags: ClientFlags, env: &[(&str, &str)]) -> Client {
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let lookup = move |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let flags = ClientFlags {
        http_addr: Some(addr.to_string()),
        ..flags
    };
    Client::new(resolve(&flags, &lookup).unwrap()).unwrap()
}

fn kv_answer(s: &Seen) -> (u16, Vec<(&'static str, &'static str)>, String) {
    if s.uri.starts_with("/v1/kv/missing") {
        return (404, vec![("X-Consul-Index", "9")], String::new());
    }
    if s.uri.starts_with("/v1/kv/broken") {
        return (500, vec![], "No cluster leader\n".into());
    }
    if s.method == "PUT" || s.method == "DELETE" {
        return (200, vec![], "true".into());
    }
    let body = r#"[{"Key":"a b?c","CreateIndex":3,"ModifyIndex":5,"LockIndex":0,"Flags":7,"Value":"aGk=","Session":""}]"#;
    let headers = vec![
        ("X-Consul-Index", "5"),
        ("X-Consul-KnownLeader", "true"),
        ("X-Consul-LastContact", "0"),
    ];
    (200, headers, body.into())
}

#[tokio::test]
async fn kv_get_escapes_path_and_sends_token_and_dc() {
    let (addr, seen) = stub(kv_answer).await;
    let flags = ClientFlags {
        datacenter: Some("dc7".into()),
        ..Default::default()
    };
    let c = client(&addr, flags, &[("CONSUL_HTTP_TOKEN", "secret")]);
    let q = QueryOptions {
        stale: true,
        ..Default::default()
    };
    let (pair, meta) = c.kv().get("a b?c", &q).await.unwrap();
    let pair = pair.unwrap();
    assert_eq!(pair.value.as_deref(), Some(&b"hi"[..]));
    assert_eq!(pair.flags, 7);
    assert_eq!(meta.last_index, 5);
    assert!(meta.known_leader);
    let s = seen.lock().unwrap()[0].clone();
    assert!(s.uri.starts_with("/v1/kv/a%20b%3Fc?"), "{}", s.uri);
    assert!(
        s.uri.contains("dc=dc7") && s.uri.contains("stale="),
        "{}",
        s.uri
    );
    assert_eq!(s.token.as_deref(), Some("secret"));
    assert_eq!(s.auth, None);
}

#[tokio::test]
async fn kv_missing_key_is_none_and_errors_carry_the_body() {
    let (addr, _) = stub(kv_answer).await;
    let c = client(
        &addr,
        ClientFlags::default(),
        &[("CONSUL_HTTP_AUTH", "u:p")],
    );
    let (pair, meta) = c
        .kv()
        .get("missing", &QueryOptions::default())
        .await
        .unwrap();
    assert_eq!((pair, meta.last_index), (None, 9));
    let (list, _) = c
        .kv()
        .list("missing/", &QueryOptions::default())
        .await
        .unwrap();
    assert!(list.is_empty());
    let err = c
        .kv()
        .get("broken", &QueryOptions::default())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Unexpected response code: 500 (No cluster leader)"
    );
}

#[tokio::test]
async fn kv_put_sends_raw_body_and_params() {
    let (addr, seen) = stub(kv_answer).await;
    let c = client(
        &addr,
        ClientFlags::default(),
        &[("CONSUL_HTTP_AUTH", "u:p")],
    );
    let w = WriteOptions::default();
    assert!(c.kv().put("k", b"\x00raw", 0, &w).await.unwrap());
    assert!(c.kv().cas("k", b"v", 3, 0, &w).await.unwrap());
    assert!(c.kv().delete_tree("p/", &w).await.unwrap());
    let err = c.kv().put("/k", b"", 0, &w).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "Invalid key. Key must not begin with a '/': /k"
    );
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        (seen[0].method.as_str(), seen[0].uri.as_str()),
        ("PUT", "/v1/kv/k")
    );
    assert_eq!(seen[0].body, b"\x00raw");
    assert_eq!(seen[0].auth.as_deref(), Some("Basic dTpw"));
    assert!(seen[1].uri.contains("cas=0") && seen[1].uri.contains("flags=3"));
    assert_eq!(seen[2].uri, "/v1/kv/p/?recurse=");
    assert_eq!(seen.len(), 3);
}

#[tokio::test]
async fn members_and_raft_configuration_decode() {
    fn answer(s: &Seen) -> (u16, Vec<(&'static str, &'static str)>, String) {
        match s.uri.as_str() {
            "/v1/agent/members?wan=1" => (200, vec![], r#"[{"Name":"n1","Addr":"127.0.0.1","Port":8302,"Tags":{"role":"consul"},"Status":1,"ProtocolMin":1,"ProtocolMax":5,"ProtocolCur":2,"DelegateMin":2,"DelegateMax":5,"DelegateCur":4}]"#.into()),
            "/v1/operator/raft/configuration?stale=" => (200, vec![], r#"{"Servers":[{"ID":"i","Node":"n1","Address":"127.0.0.1:8300","Leader":true,"ProtocolVersion":"3","Voter":true,"LastIndex":12}],"Index":4}"#.into()),
            "/v1/status/leader" => (200, vec![], r#""127.0.0.1:8300""#.into()),
            _ => (403, vec![], "Permission denied".into()),
        }
    }
    let (addr, _) = stub(answer).await;
    let c = client(&addr, ClientFlags::default(), &[]);
    let opts = agent::MembersOpts {
        wan: true,
        ..Default::default()
    };
    let members = c.agent().members(&opts).await.unwrap();
    assert_eq!(members[0].port, 8302);
    let q = QueryOptions {
        stale: true,
        ..Default::default()
    };
    let cfg = c.operator().raft_get_configuration(&q).await.unwrap();
    assert_eq!(cfg.servers[0].last_index, 12);
    assert_eq!(c.status().leader().await.unwrap(), "127.0.0.1:8300");
    let err = c
        .operator()
        .raft_remove_peer_by_id("x", &WriteOptions::default())
        .await;
    assert_eq!(
        err.unwrap_err().to_string(),
        "Unexpected response code: 403 (Permission denied)"
    );
}

#[tokio::test]
async fn catalog_reads_and_service_registration() {
    fn answer(s: &Seen) -> (u16, Vec<(&'static str, &'static str)>, String) {
        let path = s.uri.split('?').next().unwrap_or_default();
        match path {
            "/v1/catalog/datacenters" => (200, vec![], r#"["dc1","dc2"]"#.into()),
            "/v1/catalog/nodes" => (200, vec![("X-Consul-Index", "8")], r#"[{"ID":"","Node":"n1","Address":"10.0.0.1","Datacenter":"dc1","TaggedAddresses":null,"Meta":{"rack":"a"},"CreateIndex":5,"ModifyIndex":5}]"#.into()),
            "/v1/catalog/services" => (200, vec![], r#"{"consul":[],"web":["v1","v2"]}"#.into()),
            "/v1/catalog/service/web" => (200, vec![], r#"[{"Node":"n1","ServiceTags":null,"ServiceMeta":null,"ServiceTaggedAddresses":null}]"#.into()),
            "/v1/catalog/node/gone" => (200, vec![], "null".into()),
            "/v1/agent/service/register" | "/v1/agent/service/deregister/web/1" => {
                (200, vec![], String::new())
            }
            _ => (404, vec![], "not found".into()),
        }
    }
    let (addr, seen) = stub(answer).await;
    let c = client(&addr, ClientFlags::default(), &[]);
    let cat = c.catalog();
    assert_eq!(cat.datacenters().await.unwrap(), ["dc1", "dc2"]);
    let q = QueryOptions {
        near: Some("_agent".into()),
        node_meta: [("rack".to_string(), "a".to_string())].into(),
        ..Default::default()
    };
    let (nodes, meta) = cat.nodes(&q).await.unwrap();
    assert_eq!((nodes[0].node.as_str(), meta.last_index), ("n1", 8));
    assert_eq!(nodes[0].meta["rack"], "a");
    let (services, _) = cat.services(&QueryOptions::default()).await.unwrap();
    assert_eq!(services["web"], ["v1", "v2"]);
    let (list, _) = cat.service("web", Some("v1"), &q).await.unwrap();
    assert_eq!(
        (list[0].node.as_str(), list[0].service_tags.len()),
        ("n1", 0)
    );
    let (node, _) = cat.node("gone", &QueryOptions::default()).await.unwrap();
    assert_eq!(node, None);
    let reg = crate::api::catalog::AgentServiceRegistration {
        name: "web".into(),
        port: 80,
        ..Default::default()
    };
    c.agent().service_register(&reg).await.unwrap();
    c.agent().service_deregister("web/1").await.unwrap();
    let err = c.agent().service_deregister("nope").await.unwrap_err();
    assert_eq!(err.to_string(), "Unexpected response code: 404 (not found)");

    let seen = seen.lock().unwrap();
    assert_eq!(
        seen[1].uri,
        "/v1/catalog/nodes?near=_agent&node-meta=rack%3Aa"
    );
    assert_eq!(
        seen[3].uri,
        "/v1/catalog/service/web?tag=v1&near=_agent&node-meta=rack%3Aa"
    );
    assert_eq!(seen[5].method, "PUT");
    let body: serde_json::Value = serde_json::from_slice(&seen[5].body).unwrap();
    assert_eq!((&body["Name"], &body["Port"]), (&"web".into(), &80.into()));
    assert_eq!(seen[6].uri, "/v1/agent/service/deregister/web/1");
}

#[tokio::test]
async fn refused_connection_reads_like_go() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    drop(listener);
    let c = client(&addr, ClientFlags::default(), &[]);
    let err = c.kv().get("x", &QueryOptions::default()).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("Get \"http://{addr}/v1/kv/x\": dial tcp {addr}: connect: connection refused")
    );
}

#[test]
fn escape_path_matches_go() {
    assert_eq!(
        escape_path("/v1/kv/a b/c?d#e%f"),
        "/v1/kv/a%20b/c%3Fd%23e%25f"
    );
    assert_eq!(
        escape_path("/v1/kv/x:y@z=1&2+3,$;~_.-"),
        "/v1/kv/x:y@z=1&2+3,$;~_.-"
    );
    assert_eq!(escape_path("/v1/kv/é"), "/v1/kv/%C3%A9");
}

#[test]
fn block_on_runs_a_future() {
    assert_eq!(block_on(async { Ok::<_, ClientError>(3) }).unwrap(), 3);
}

#[test]
fn sequential_block_on_calls_share_pooled_connections() {
    // The stub runs on its own thread and runtime, like a real agent.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let (addr, _seen) = stub(kv_answer).await;
            tx.send(addr).unwrap();
            std::future::pending::<()>().await;
        });
    });
    let addr = rx.recv().unwrap();
    let c = client(&addr, ClientFlags::default(), &[]);
    for i in 0..5 {
        let key = format!("k{i}");
        assert!(block_on(c.kv().put(&key, b"v", 0, &WriteOptions::default())).unwrap());
        let (pair, _) = block_on(c.kv().get(&key, &QueryOptions::default())).unwrap();
        assert!(pair.is_some());
    }
}
