//! Gauges read from the agent's state each time `/v1/agent/metrics` is asked, under Consul's
//! names where Consul has one:
//!
//! - every agent: `consul.runtime.num_goroutines` (tasks alive in the tokio runtime, sd's
//!   goroutines), `consul.runtime.sys_bytes` (the process's resident memory, VmRSS from
//!   `/proc/self/status`: Rust has no GC heap statistics, so `alloc_bytes`, `heap_objects`
//!   and the `gc` figures are not reported), `consul.memberlist.health.score`, and the sd
//!   gauges `consul.serf.lan.members{status}` (LAN pool members by status; Consul's
//!   `consul.serf.member.*` are event counters, not counts) and
//!   `consul.agent.local.services` / `consul.agent.local.checks`;
//! - servers: `consul.server.isLeader`, `consul.raft.applied_index`, `consul.raft.last_index`,
//!   `consul.raft.commit_index` (sd), and, labelled with the datacenter as Consul's usage
//!   metrics are, `consul.state.nodes`, `consul.state.services`,
//!   `consul.state.service_instances`, `consul.state.kv_entries`, `consul.members.clients` and
//!   `consul.members.servers` (alive members by role).

use crate::agent::Agent;
use crate::api::agent::member_status;
use crate::api::AgentMember;

use super::Gauge;

/// The agent's gauges now.
pub fn collect(agent: &Agent) -> Vec<Gauge> {
    let mut out = Vec::new();
    let members = agent.gossip.members();
    runtime(&mut out);
    serf(agent, &members, &mut out);
    let push = |out: &mut Vec<Gauge>, name: &str, v: usize| push(out, name, &[], v as f64);
    push(
        &mut out,
        "consul.agent.local.services",
        agent.local.services().len(),
    );
    push(
        &mut out,
        "consul.agent.local.checks",
        agent.local.checks().len(),
    );
    if agent.raft_opt().is_some() {
        server(agent, &members, &mut out);
    }
    out
}

fn push(out: &mut Vec<Gauge>, name: &str, labels: &[(&str, &str)], value: f64) {
    out.push(Gauge {
        name: name.to_string(),
        labels: labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        value,
    });
}

fn runtime(out: &mut Vec<Gauge>) {
    if let Ok(handle) = tokio::runtime::Handle::try_current() {
        let tasks = handle.metrics().num_alive_tasks();
        push(out, "consul.runtime.num_goroutines", &[], tasks as f64);
    }
    if let Some(rss) = resident_bytes() {
        push(out, "consul.runtime.sys_bytes", &[], rss as f64);
    }
}

/// VmRSS of this process in bytes (Linux); None where `/proc` does not say.
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_vm_rss(&status)
}

fn parse_vm_rss(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn serf(agent: &Agent, members: &[AgentMember], out: &mut Vec<Gauge>) {
    for status in [
        member_status::ALIVE,
        member_status::LEAVING,
        member_status::LEFT,
        member_status::FAILED,
    ] {
        let n = members.iter().filter(|m| m.status == status).count();
        let name = member_status::name(status);
        push(
            out,
            "consul.serf.lan.members",
            &[("status", name)],
            n as f64,
        );
    }
    let score = f64::from(agent.gossip.local_health_score());
    push(out, "consul.memberlist.health.score", &[], score);
}

fn server(agent: &Agent, members: &[AgentMember], out: &mut Vec<Gauge>) {
    let Some(raft) = agent.raft_opt() else {
        return;
    };
    let leader = if raft.is_leader() { 1.0 } else { 0.0 };
    push(out, "consul.server.isLeader", &[], leader);
    let stats = raft.stats();
    for (stat, name) in [
        ("applied_index", "consul.raft.applied_index"),
        ("last_log_index", "consul.raft.last_index"),
        ("commit_index", "consul.raft.commit_index"),
    ] {
        if let Some(v) = stats.get(stat).and_then(|v| v.parse::<f64>().ok()) {
            push(out, name, &[], v);
        }
    }

    let dc = [("datacenter", agent.config.datacenter.as_str())];
    let (nodes, services, instances, kv) = {
        let t = agent.store.read();
        let (n, s, i) = t.catalog.usage();
        (n, s, i, t.kv.len())
    };
    push(out, "consul.state.nodes", &dc, nodes as f64);
    push(out, "consul.state.services", &dc, services as f64);
    push(out, "consul.state.service_instances", &dc, instances as f64);
    push(out, "consul.state.kv_entries", &dc, kv as f64);

    let alive_with_role = |role: &str| {
        members
            .iter()
            .filter(|m| m.status == member_status::ALIVE)
            .filter(|m| m.tags.get("role").map(String::as_str) == Some(role))
            .count() as f64
    };
    push(out, "consul.members.clients", &dc, alive_with_role("node"));
    push(
        out,
        "consul.members.servers",
        &dc,
        alive_with_role("consul"),
    );
}

#[cfg(test)]
mod tests {
    use super::parse_vm_rss;

    #[test]
    fn vm_rss_is_read_in_bytes() {
        let status = "Name:\tsd\nVmPeak:\t  9000 kB\nVmRSS:\t    2048 kB\nThreads:\t4\n";
        assert_eq!(parse_vm_rss(status), Some(2048 * 1024));
        assert_eq!(parse_vm_rss("Name:\tsd\n"), None);
    }
}
