use serde_json::json;

use super::*;

fn container(v: serde_json::Value) -> Container {
    serde_json::from_value(v).unwrap()
}

fn opts() -> Options {
    Options {
        hostname: "host1".into(),
        host_ip: "192.168.1.10".into(),
        ..Default::default()
    }
}

fn seed_v1(port: &str) -> serde_json::Value {
    json!({
        "Id": "c1", "Name": "/v1",
        "Config": {"Image": "nginx:latest", "ExposedPorts": {"80/tcp": {}}},
        "HostConfig": {"NetworkMode": "bridge"},
        "NetworkSettings": {"IPAddress": "172.17.0.2", "Ports": {"80/tcp": [
            {"HostIp": "0.0.0.0", "HostPort": port}, {"HostIp": "::", "HostPort": port}
        ]}}
    })
}

#[test]
fn the_seeds_container() {
    let o = Options {
        ip: Some("127.0.0.1".into()),
        ..opts()
    };
    let (s, w) = services(&container(seed_v1("1314")), &o, &[]);
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(s.len(), 1);
    assert_eq!(
        (
            s[0].id.as_str(),
            s[0].name.as_str(),
            s[0].address.as_str(),
            s[0].port
        ),
        ("host1:v1:80", "nginx", "127.0.0.1", 1314)
    );
    assert!(s[0].check.is_none() && s[0].meta.is_empty() && s[0].tags.is_empty());
    // Without -ip: the detected host address, never a hostname lookup.
    let (s, _) = services(&container(seed_v1("1314")), &opts(), &[]);
    assert_eq!(s[0].address, "192.168.1.10");
}

#[test]
fn several_ports_get_suffixes_unless_named_per_port() {
    let mut c = seed_v1("8080");
    c["NetworkSettings"]["Ports"]["443/tcp"] = json!([{"HostIp": "10.0.0.5", "HostPort": "8443"}]);
    c["Config"]["Labels"] = json!({"SERVICE_443_NAME": "tls", "SERVICE_TAGS": "a,b"});
    let (s, _) = services(&container(c), &opts(), &["extra".to_string()]);
    let names: Vec<_> = s
        .iter()
        .map(|s| (s.name.as_str(), s.address.as_str(), s.port))
        .collect();
    assert_eq!(
        names,
        [
            ("nginx-80", "192.168.1.10", 8080),
            ("tls", "10.0.0.5", 8443)
        ]
    );
    assert_eq!(s[0].tags, ["a", "b", "extra"]);
}

#[test]
fn unpublished_ports_need_internal() {
    let c = json!({
        "Name": "/db", "Config": {"Image": "postgres:16", "ExposedPorts": {"5432/tcp": {}, "53/udp": {}}},
        "HostConfig": {"NetworkMode": "bridge"},
        "NetworkSettings": {"IPAddress": "172.17.0.3", "Ports": {"5432/tcp": null, "53/udp": null}}
    });
    assert!(services(&container(c.clone()), &opts(), &[]).0.is_empty());
    let o = Options {
        internal: true,
        ..opts()
    };
    let (s, _) = services(&container(c), &o, &[]);
    let got: Vec<_> = s
        .iter()
        .map(|s| (s.id.as_str(), s.name.as_str(), s.address.as_str(), s.port))
        .collect();
    assert_eq!(
        got,
        [
            ("host1:db:53:udp", "postgres-53", "172.17.0.3", 53),
            ("host1:db:5432", "postgres-5432", "172.17.0.3", 5432)
        ]
    );
    assert_eq!(s[0].tags, ["udp"]);
}

#[test]
fn host_networking_registers_only_named_ports_at_the_host_address() {
    let c = json!({
        "Name": "/api", "Config": {"Image": "acme/api:2", "ExposedPorts": {"8080/tcp": {}, "9090/tcp": {}},
            "Labels": {"SERVICE_8080_NAME": "api"}},
        "HostConfig": {"NetworkMode": "host"},
        "NetworkSettings": {"Ports": {}}
    });
    let (s, _) = services(&container(c), &opts(), &[]);
    assert_eq!(s.len(), 1);
    assert_eq!(
        (s[0].name.as_str(), s[0].address.as_str(), s[0].port),
        ("api", "192.168.1.10", 8080)
    );
}

#[test]
fn a_network_is_chosen_by_name() {
    let c = json!({
        "Name": "/app", "Config": {"Image": "app", "ExposedPorts": {"80/tcp": {}},
            "Env": ["SERVICE_NETWORK=back"]},
        "HostConfig": {"NetworkMode": "front"},
        "NetworkSettings": {"Networks": {
            "front": {"IPAddress": "10.1.0.2"}, "back": {"IPAddress": "", "GlobalIPv6Address": "fd00::5"}
        }}
    });
    let o = Options {
        internal: true,
        ..opts()
    };
    let (s, _) = services(&container(c.clone()), &o, &[]);
    assert_eq!(s[0].address, "fd00::5");
    let mut missing = c;
    missing["Config"]["Env"] = json!(["SERVICE_80_NETWORK=nowhere"]);
    let (s, w) = services(&container(missing), &o, &[]);
    assert!(s.is_empty());
    assert!(
        w[0].contains("container app") && w[0].contains("SERVICE_80_NETWORK"),
        "{w:?}"
    );
}

#[test]
fn meta_checks_and_malformed_values() {
    let mut c = seed_v1("1314");
    c["Config"]["Env"] = json!([
        "SERVICE_REGION=eu",
        "SERVICE_CHECK_HTTP=/health",
        "SERVICE_com.acme=x"
    ]);
    let (s, w) = services(&container(c.clone()), &opts(), &[]);
    assert_eq!(s[0].meta.get("region").map(String::as_str), Some("eu"));
    assert_eq!(s[0].meta.len(), 1, "{:?}", s[0].meta);
    assert_eq!(
        s[0].check.as_ref().unwrap()["HTTP"],
        "http://192.168.1.10:1314/health"
    );
    assert!(w.iter().any(|w| w.contains("SERVICE_com.acme")), "{w:?}");
    c["Config"]["Labels"] = json!({"SERVICE_80_CHECK_INTERVAL": "often"});
    let (s, w) = services(&container(c), &opts(), &[]);
    assert!(s.is_empty());
    assert!(
        w.iter()
            .any(|w| w.contains("container v1") && w.contains("SERVICE_80_CHECK_INTERVAL")),
        "{w:?}"
    );
}

#[test]
fn ignore_explicit_and_ids() {
    let mut c = seed_v1("1314");
    c["Config"]["Labels"] = json!({"SERVICE_IGNORE": "true"});
    assert!(services(&container(c.clone()), &opts(), &[]).0.is_empty());
    c["Config"]["Labels"] = json!({"SERVICE_ID": "custom"});
    let explicit = Options {
        explicit: true,
        ..opts()
    };
    assert!(services(&container(c.clone()), &explicit, &[]).0.is_empty());
    c["Config"]["Labels"] = json!({"SERVICE_ID": "custom", "SERVICE_NAME": "web"});
    let (s, _) = services(&container(c), &explicit, &[]);
    assert_eq!((s[0].id.as_str(), s[0].name.as_str()), ("custom", "web"));
}
