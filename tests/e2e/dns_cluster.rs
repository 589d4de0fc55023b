//! End-to-end: a client agent's DNS interface. One server and one client agent, each on its own
//! loopback address with Consul's default ports (DNS on 8600). The client has no catalog: it
//! answers from a cache filled on the first query and kept fresh by blocking queries, so
//! health changes reach its answers, and it keeps answering warm names with the server gone.

use crate::common;
use crate::common::dig;

use common::cluster::eventually;
use common::{http_get, loopback_block, loopback_host, AgentBuilder};
use dig::{dig, dns_addr};
use serde_json::json;

#[test]
fn client_agent_answers_from_its_cache() {
    let block = loopback_block();
    let ip = |n| loopback_host(block, n);
    let tmp = tempfile::tempdir().unwrap();
    let mut server = AgentBuilder::dev_free()
        .arg("-server")
        .arg("-bootstrap")
        .arg(format!("-data-dir={}", tmp.path().join("s").display()))
        .arg("-node=server1")
        .at(ip(1))
        .start();
    let client = AgentBuilder::dev_free()
        .arg(format!("-data-dir={}", tmp.path().join("c").display()))
        .arg("-node=client1")
        .arg(format!("-join={}", ip(1)))
        .at(ip(2))
        .spawn();
    let dns = dns_addr(&client);
    assert_eq!(dns.port(), 8600);
    eventually(
        "the client agent's HTTP API answers",
        &[&server, &client],
        || http_get(&format!("{}/v1/agent/self", client.url())).is_ok(),
    );
    let service = json!({"Name": "web", "Port": 80, "Tags": ["v1"],
        "Check": {"CheckID": "web-ttl", "TTL": "1h", "Status": "passing"}});
    client.put_ok("/v1/agent/service/register", &service.to_string());
    let client_ip = ip(2).to_string();
    eventually(
        "the client answers web.service.consul",
        &[&server, &client],
        || dig(dns, &["web.service.consul"]).data("A") == [client_ip.as_str()],
    );
    let d = dig(dns, &["web.service.consul", "SRV"]);
    assert_eq!(
        d.data("SRV"),
        ["1 1 80 client1.node.dc1.consul."],
        "{}",
        d.raw
    );
    assert!(d.has_flag("aa"), "{}", d.raw);
    assert_eq!(
        dig(dns, &["server1.node.consul"]).data("A"),
        [ip(1).to_string()]
    );
    assert_eq!(
        dig(dns, &["-x", &client_ip]).data("PTR"),
        ["client1.node.dc1.consul."]
    );
    assert_eq!(dig(dns, &["nope.service.consul"]).status, "NXDOMAIN");

    // Warm: many queries, no new fetch from the server.
    let fetches = client.counter("consul_dns_cache_fetch_success");
    assert!(fetches >= 1.0, "the cache fetched from a server");
    for _ in 0..50 {
        assert_eq!(dig(dns, &["web.service.consul"]).answer.len(), 1);
    }
    assert_eq!(client.counter("consul_dns_cache_fetch_success"), fetches);

    // Health changes reach the cache through its blocking query.
    client.put_ok("/v1/agent/check/fail/web-ttl", "");
    eventually(
        "the client stops answering the failed instance",
        &[&server, &client],
        || dig(dns, &["web.service.consul"]).status == "NXDOMAIN",
    );
    client.put_ok("/v1/agent/check/pass/web-ttl", "");
    eventually(
        "the client answers the instance again",
        &[&server, &client],
        || dig(dns, &["web.service.consul"]).answer.len() == 1,
    );

    // With the server gone, warm names are still answered from memory; a cold one cannot be.
    server.kill9();
    for _ in 0..5 {
        let d = dig(dns, &["web.service.consul"]);
        assert_eq!(d.data("A"), [client_ip.as_str()], "{}", d.raw);
    }
    assert_eq!(dig(dns, &["server1.node.consul"]).answer.len(), 1);
    let d = dig(dns, &["cold.service.consul", "+time=8"]);
    assert_eq!(d.status, "SERVFAIL", "{}", d.raw);
}
