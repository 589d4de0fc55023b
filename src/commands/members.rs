//! `sd members`: lists the gossip pool from `/v1/agent/members` in `consul members`' columns,
//! servers first; exit 2 when `-status` matches nobody.

use std::cmp::Ordering;
use std::net::IpAddr;
use std::process::ExitCode;

use clap::{ArgMatches, Command};
use regex::Regex;

use crate::api::agent::member_status;
use crate::api::AgentMember;
use crate::cli::{http_flags, output};
use crate::client::agent::MembersOpts;
use crate::client::block_on;
use crate::commands::{CliError, CmdResult};
use crate::goflag::{flag, get_flag, get_str, opt};

pub fn cli() -> Command {
    Command::new("members")
        .about("List the agents in the gossip pool")
        .long_about(
            "Asks the agent for the members of its LAN gossip pool (or WAN pool with -wan) and \
             prints one row per member, servers first: name, address, status, role, version and \
             datacenter. Exits with status 2 when no member matches -status.",
        )
        .arg(flag(
            "detailed",
            "Print each member's gossip tags in place of the role, version and datacenter \
             columns.",
        ))
        .arg(flag(
            "wan",
            "List the WAN pool (servers of every datacenter) instead of the LAN pool.",
        ))
        .arg(
            opt(
                "status",
                "REGEXP",
                "Only list members whose status (alive, leaving, left or failed) matches this \
                 regular expression.",
            )
            .default_value(".*"),
        )
        .arg(opt(
            "filter",
            "EXPR",
            "Filter expression the agent applies to the member list before returning it.",
        ))
        .args(http_flags::http_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let pattern = get_str(m, "status").unwrap_or(".*");
    let status_re = match Regex::new(pattern) {
        Ok(re) => re,
        Err(e) => {
            return Err(CliError::failure(format!(
                "Failed to compile status regexp: {}",
                regex_error(&e)
            )))
        }
    };
    let client = crate::commands::connect(m)?;
    let opts = MembersOpts {
        wan: get_flag(m, "wan"),
        filter: get_str(m, "filter").map(str::to_string),
        ..Default::default()
    };
    let members = match block_on(client.agent().members(&opts)) {
        Ok(members) => members,
        Err(e) => return Err(CliError::failure(format!("Error retrieving members: {e}"))),
    };
    let members = prepare(members, &status_re);
    if members.is_empty() {
        return Ok(ExitCode::from(2));
    }
    let rows = if get_flag(m, "detailed") {
        detailed_rows(&members)
    } else {
        standard_rows(&members)
    };
    output::write_raw(output::columnize(&rows).as_bytes());
    Ok(ExitCode::SUCCESS)
}

/// A regex error on one line, the way Go words it: `error parsing regexp: <what>: `<pattern>``.
fn regex_error(e: &regex::Error) -> String {
    match e {
        regex::Error::Syntax(text) => {
            let what = text
                .lines()
                .rev()
                .find_map(|l| l.strip_prefix("error: "))
                .unwrap_or(text.as_str());
            format!("error parsing regexp: {what}")
        }
        other => other.to_string(),
    }
}

/// Fills in the partition (`ap`) and segment tags as Consul's CLI does, keeps the members whose
/// status name matches `status`, and sorts: servers, then default partition, segment,
/// partition, name.
fn prepare(members: Vec<AgentMember>, status: &Regex) -> Vec<AgentMember> {
    let mut out: Vec<AgentMember> = members
        .into_iter()
        .map(|mut m| {
            let partition = m.tags.entry("ap".into()).or_default();
            if partition.is_empty() {
                *partition = "default".into();
            }
            if m.tags["ap"] == "default" {
                if role(&m) == "consul" {
                    m.tags.insert("segment".into(), "<all>".into());
                } else if m.tags.get("segment").is_none_or(|s| s.is_empty()) {
                    m.tags.insert("segment".into(), "<default>".into());
                }
            } else {
                m.tags.insert("segment".into(), String::new());
            }
            m
        })
        .filter(|m| status.is_match(member_status::name(m.status)))
        .collect();
    out.sort_by(compare);
    out
}

fn tag<'a>(m: &'a AgentMember, key: &str) -> &'a str {
    m.tags.get(key).map(String::as_str).unwrap_or("")
}

fn role(m: &AgentMember) -> &str {
    tag(m, "role")
}

fn compare(a: &AgentMember, b: &AgentMember) -> Ordering {
    let is_default = |m: &AgentMember| matches!(tag(m, "ap"), "" | "default");
    (role(b) == "consul")
        .cmp(&(role(a) == "consul"))
        .then_with(|| is_default(b).cmp(&is_default(a)))
        .then_with(|| tag(a, "segment").cmp(tag(b, "segment")))
        .then_with(|| tag(a, "ap").cmp(tag(b, "ap")))
        .then_with(|| a.name.cmp(&b.name))
}

/// `Addr:Port` as Go's `net.TCPAddr` prints it (`[v6]:port`, `:port` for a bad address).
fn address(m: &AgentMember) -> String {
    match m.addr.parse::<IpAddr>().map(|ip| ip.to_canonical()) {
        Ok(IpAddr::V4(ip)) => format!("{ip}:{}", m.port),
        Ok(IpAddr::V6(ip)) => format!("[{ip}]:{}", m.port),
        Err(_) => format!(":{}", m.port),
    }
}

fn standard_rows(members: &[AgentMember]) -> Vec<Vec<String>> {
    let header = [
        "Node",
        "Address",
        "Status",
        "Type",
        "Build",
        "Protocol",
        "DC",
        "Partition",
        "Segment",
    ];
    let mut rows = vec![header.iter().map(|h| h.to_string()).collect()];
    for m in members {
        let status = member_status::name(m.status).to_string();
        let kind = match role(m) {
            "node" => "client",
            "consul" => "server",
            _ => {
                let mut row = vec![m.name.clone(), address(m), status, "unknown".into()];
                row.extend(std::iter::repeat_n(String::new(), 5));
                rows.push(row);
                continue;
            }
        };
        let build = match tag(m, "build") {
            "" => "< 0.3",
            b => b.split(':').next().unwrap_or(b),
        };
        rows.push(vec![
            m.name.clone(),
            address(m),
            status,
            kind.into(),
            build.into(),
            tag(m, "vsn").into(),
            tag(m, "dc").into(),
            tag(m, "ap").into(),
            tag(m, "segment").into(),
        ]);
    }
    rows
}

fn detailed_rows(members: &[AgentMember]) -> Vec<Vec<String>> {
    let mut rows = vec![vec![
        "Node".to_string(),
        "Address".into(),
        "Status".into(),
        "Tags".into(),
    ]];
    for m in members {
        let tags: Vec<String> = m.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
        rows.push(vec![
            m.name.clone(),
            address(m),
            member_status::name(m.status).into(),
            tags.join(","),
        ]);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(name: &str, addr: &str, role: &str, status: u8) -> AgentMember {
        let mut m = AgentMember {
            name: name.into(),
            addr: addr.into(),
            port: 8301,
            status,
            ..Default::default()
        };
        for (k, v) in [
            ("role", role),
            ("dc", "dc1"),
            ("vsn", "2"),
            ("build", "0.1.0:abcdef"),
        ] {
            m.tags.insert(k.into(), v.into());
        }
        m
    }

    fn all() -> Regex {
        Regex::new(".*").unwrap()
    }

    #[test]
    fn table_like_consul() {
        let members = vec![
            member("client-1", "10.10.20.95", "node", member_status::ALIVE),
            member("srv2", "10.10.20.92", "consul", member_status::FAILED),
            member("srv1", "10.10.20.91", "consul", member_status::ALIVE),
        ];
        let out = output::columnize(&standard_rows(&prepare(members, &all())));
        assert_eq!(
            out,
            "Node      Address           Status  Type    Build  Protocol  DC   Partition  Segment\n\
             srv1      10.10.20.91:8301  alive   server  0.1.0  2         dc1  default    <all>\n\
             srv2      10.10.20.92:8301  failed  server  0.1.0  2         dc1  default    <all>\n\
             client-1  10.10.20.95:8301  alive   client  0.1.0  2         dc1  default    <default>\n"
        );
    }

    #[test]
    fn status_filter_and_detailed_tags() {
        let members = vec![
            member("a", "::1", "node", member_status::LEFT),
            member("b", "127.0.0.1", "node", member_status::ALIVE),
        ];
        let left = prepare(members.clone(), &Regex::new("left").unwrap());
        assert_eq!(left.len(), 1);
        let rows = detailed_rows(&left);
        assert_eq!(rows[1][1], "[::1]:8301");
        assert_eq!(
            rows[1][3],
            "ap=default,build=0.1.0:abcdef,dc=dc1,role=node,segment=<default>,vsn=2"
        );
        assert!(prepare(members, &Regex::new("^failed$").unwrap()).is_empty());
    }

    #[test]
    fn regex_errors_fit_on_one_line() {
        let pattern = String::from("(");
        let e = Regex::new(&pattern).unwrap_err();
        assert_eq!(regex_error(&e), "error parsing regexp: unclosed group");
    }

    #[test]
    fn odd_members() {
        let mut m = member("x", "not-an-ip", "other", member_status::ALIVE);
        m.tags.remove("build");
        let rows = standard_rows(&prepare(vec![m], &all()));
        assert_eq!(rows[1][..4], ["x", ":8301", "alive", "unknown"]);
        assert_eq!(rows[1].len(), 9);
        let mut old = member("o", "10.0.0.1", "node", member_status::ALIVE);
        old.tags.remove("build");
        assert_eq!(standard_rows(&[old])[1][4], "< 0.3");
    }
}
