//! The two-way reconcile run at start, on every reconnect of the event stream and on
//! `-resync`: what runs is registered, what this host registered and no longer runs is
//! deregistered, and nothing is registered twice. Unlike registrator's resync, a service that is
//! already registered as wanted is not sent again (each PUT would wake every blocking query and
//! consul-template watching it).

use std::collections::{BTreeMap, BTreeSet};

use crate::api::catalog::{AgentService, AgentServiceRegistration};

/// What to change on the agent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub register: Vec<AgentServiceRegistration>,
    pub deregister: Vec<String>,
}

/// The plan that turns `registered` (the agent's services) into `wanted`; `owned` says which
/// registered services this host's `sd register-docker` is responsible for.
pub fn plan(
    wanted: &[AgentServiceRegistration],
    registered: &BTreeMap<String, AgentService>,
    owned: impl Fn(&AgentService) -> bool,
) -> Plan {
    let mut p = Plan::default();
    let wanted_ids: BTreeSet<&str> = wanted.iter().map(|w| w.id.as_str()).collect();
    for w in wanted {
        let same = registered.get(&w.id).is_some_and(|r| matches(w, r));
        if !same && !p.register.iter().any(|x| x.id == w.id) {
            p.register.push(w.clone());
        }
    }
    for (id, r) in registered {
        if !wanted_ids.contains(id.as_str()) && owned(r) {
            p.deregister.push(id.clone());
        }
    }
    p
}

/// Whether the agent already holds `w` as wanted (the fields registration sets).
fn matches(w: &AgentServiceRegistration, r: &AgentService) -> bool {
    w.name == r.service
        && w.tags == r.tags
        && w.port == r.port
        && w.address == r.address
        && w.meta == r.meta
}

/// registrator's rule for the services it owns: an ID `<host>:<container>:<port>[:udp]` whose
/// host part is `hostname`.
pub fn registrator_id(id: &str, hostname: &str) -> bool {
    let Some(rest) = id.strip_prefix(hostname).and_then(|r| r.strip_prefix(':')) else {
        return false;
    };
    let rest = rest.strip_suffix(":udp").unwrap_or(rest);
    let Some((container, port)) = rest.rsplit_once(':') else {
        return false;
    };
    let container_ok = container
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && container
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    container_ok && !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wanted(id: &str, port: u16) -> AgentServiceRegistration {
        AgentServiceRegistration {
            id: id.into(),
            name: "nginx".into(),
            port,
            address: "127.0.0.1".into(),
            ..Default::default()
        }
    }

    fn registered(id: &str, port: u16) -> (String, AgentService) {
        (
            id.into(),
            AgentService {
                id: id.into(),
                service: "nginx".into(),
                port,
                address: "127.0.0.1".into(),
                ..Default::default()
            },
        )
    }

    #[test]
    fn two_way_and_nothing_twice() {
        let reg: BTreeMap<_, _> = [
            registered("h:v1:80", 1314),
            registered("h:v2:80", 1315),
            registered("h:gone:80", 1316),
            registered("other:x:80", 1),
            registered("manual", 2),
        ]
        .into_iter()
        .collect();
        let want = [
            wanted("h:v1:80", 1314),
            wanted("h:v2:80", 2000),
            wanted("h:v3:80", 1317),
        ];
        let p = plan(&want, &reg, |s| registrator_id(&s.id, "h"));
        let ids: Vec<_> = p.register.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["h:v2:80", "h:v3:80"]);
        assert_eq!(p.deregister, ["h:gone:80"]);
        // Applying it leaves nothing to do.
        let mut after = reg.clone();
        for id in &p.deregister {
            after.remove(id);
        }
        for r in &p.register {
            after.insert(r.id.clone(), registered(&r.id, r.port).1);
        }
        assert_eq!(
            plan(&want, &after, |s| registrator_id(&s.id, "h")),
            Plan::default()
        );
    }

    #[test]
    fn registrator_ids() {
        assert!(registrator_id("host1:v1:80", "host1"));
        assert!(registrator_id("host1:my-app.1:53:udp", "host1"));
        assert!(!registrator_id("host2:v1:80", "host1"));
        assert!(!registrator_id("host1:v1:http", "host1"));
        assert!(!registrator_id("host1:-x:80", "host1"));
        assert!(!registrator_id("custom-id", "host1"));
    }
}
