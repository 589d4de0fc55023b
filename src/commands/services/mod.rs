//! `sd services`: register and deregister services of the local agent
//! (`/v1/agent/service/...`), from flags or from service definitions in agent config files.

pub mod deregister;
pub mod register;

use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::api::catalog::AgentServiceRegistration;
use crate::api::service_definition;
use crate::cli::http_flags;
use crate::commands::CmdResult;
use crate::config::{self, FlagValues, LoadInput};

pub fn cli() -> Command {
    Command::new("services")
        .about("Register or deregister services of the local agent")
        .long_about(
            "Adds services to, or removes them from, the agent the command talks to, as a \
             service definition in its configuration would. The agent keeps them in the \
             catalog until they are deregistered. For every service in the catalog, see \
             `sd catalog services`.",
        )
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommands([register::cli(), deregister::cli()])
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    match m.subcommand() {
        Some(("register", m)) => register::exec(m),
        Some(("deregister", m)) => deregister::exec(m),
        _ => unreachable!("clap requires a services subcommand"),
    }
}

/// The arguments both subcommands take besides their own flags: the `FILE...` positional and
/// the HTTP and server flags.
pub(crate) fn common_args() -> Vec<Arg> {
    let files = Arg::new("files")
        .value_name("FILE")
        .help(
            "Agent configuration files (HCL or JSON) whose `service` and `services` \
             definitions to use.",
        )
        .num_args(0..)
        .action(ArgAction::Append);
    let mut args = vec![files];
    args.extend(http_flags::http_args());
    args.extend(http_flags::server_args());
    args
}

/// The services defined in `files`, loaded the way the agent loads its configuration (in dev
/// mode, so nothing else needs to be set, and without the environment); the error is the
/// config module's message.
pub(crate) fn from_files(files: &[String]) -> Result<Vec<AgentServiceRegistration>, String> {
    let mut flags = FlagValues::new().with("dev", "true");
    for file in files {
        flags.push("config-file", file.as_str());
    }
    let rt = config::load(&LoadInput::new(flags, &config::no_env)).map_err(|e| e.to_string())?;
    // Files that define nothing must not pass for a registration that did nothing.
    if rt.services.is_empty() {
        let mut msg = format!(
            "no service definition (`service {{}}` or `services []`) in {}",
            files.join(", ")
        );
        for w in &rt.warnings {
            msg.push_str("\n  ");
            msg.push_str(w);
        }
        return Err(msg);
    }
    rt.services
        .iter()
        .map(service_definition::registration)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_file_without_a_service_definition_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("queue.json");
        std::fs::write(&f, r#"{"Servce": {"Name": "queue", "Port": 5672}}"#).unwrap();
        let err = from_files(&[f.display().to_string()]).unwrap_err();
        assert!(
            err.contains("no service definition") && err.contains("queue.json"),
            "{err}"
        );
        // Keys match in any case, so the unknown key is named in its lower-case form.
        assert!(
            err.contains("\"servce\""),
            "the unknown key is named: {err}"
        );
    }

    #[test]
    fn hcl_and_json_files() {
        let dir = tempfile::tempdir().unwrap();
        let hcl = dir.path().join("web.hcl");
        std::fs::write(
            &hcl,
            r#"
service {
  name = "web"
  port = 8080
  tags = ["v1"]
  meta { version = "1" }
  check {
    id       = "web-http"
    http     = "http://127.0.0.1:8080/health"
    interval = "10s"
  }
}
"#,
        )
        .unwrap();
        let json = dir.path().join("db.json");
        std::fs::write(
            &json,
            r#"{"services": [{"ID": "db-1", "Name": "db", "Port": 5432},
                             {"name": "cache", "checks": [{"ttl": "30s"}]}]}"#,
        )
        .unwrap();
        let files = [hcl.display().to_string(), json.display().to_string()];
        let regs = from_files(&files).unwrap();
        let names: Vec<&str> = regs.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["web", "db", "cache"]);
        assert_eq!(
            (regs[0].port, regs[0].tags.as_slice()),
            (8080, &["v1".to_string()][..])
        );
        assert_eq!(regs[0].meta["version"], "1");
        assert_eq!(
            regs[0].check,
            Some(
                json!({"CheckID": "web-http", "HTTP": "http://127.0.0.1:8080/health",
                        "Interval": "10s"})
            )
        );
        assert_eq!(regs[1].id, "db-1");
        assert_eq!(regs[2].checks, [json!({"TTL": "30s"})]);
    }

    #[test]
    fn bad_files_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.hcl").display().to_string();
        let err = from_files(std::slice::from_ref(&missing)).unwrap_err();
        assert!(err.contains(&missing), "{err}");
        let bad = dir.path().join("bad.json");
        std::fs::write(&bad, r#"{"service": {"name": "x", "port": "http"}}"#).unwrap();
        let err = from_files(&[bad.display().to_string()]).unwrap_err();
        assert!(err.contains("Port"), "{err}");
        let none = dir.path().join("none.json");
        std::fs::write(&none, r#"{"node_name": "x"}"#).unwrap();
        let err = from_files(&[none.display().to_string()]).unwrap_err();
        assert!(err.contains("no service definition"), "{err}");
    }
}
