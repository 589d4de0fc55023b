//! `sd services deregister [-id=ID] [FILE...]`: removes one service by ID, or every service
//! defined in agent config files (by its ID, else its name), through
//! `PUT /v1/agent/service/deregister/:id`, printing `Deregistered service: <id>` for each.

use std::process::ExitCode;

use clap::{ArgMatches, Command};

use crate::cli::output;
use crate::client::block_on;
use crate::commands::{CliError, CmdResult};
use crate::goflag::{get_all, get_str, opt};

pub fn cli() -> Command {
    Command::new("deregister")
        .about("Deregister services of the local agent")
        .long_about(
            "Removes the service with the given -id, or every service defined in the given \
             agent configuration files (matched by ID, or by name when a definition has no \
             ID), together with its checks. Run it against the agent the services were \
             registered with.",
        )
        .arg(opt(
            "id",
            "ID",
            "ID of the service to remove. Not allowed together with files.",
        ))
        .args(super::common_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let id = get_str(m, "id").unwrap_or_default();
    let files = get_all(m, "files");
    let ids = match ids(id, &files) {
        Ok(ids) => ids,
        Err(e) => return Err(CliError::failure(&e)),
    };
    let client = crate::commands::connect(m)?;
    for id in ids {
        if let Err(e) = block_on(client.agent().service_deregister(&id)) {
            return Err(CliError::failure(format!(
                "Error deregistering service {id:?}: {e}"
            )));
        }
        output::println(&format!("Deregistered service: {id}"));
    }
    Ok(ExitCode::SUCCESS)
}

/// The IDs to remove: `-id`, or those of the files' services (the name when a definition has
/// no ID; definitions with neither are skipped). The error is the message to print.
fn ids(id: &str, files: &[String]) -> Result<Vec<String>, String> {
    match (id.is_empty(), files.is_empty()) {
        (true, true) => Err("Service deregistration requires at least one argument or -id.".into()),
        (false, false) => Err("Service deregistration requires arguments or -id, not both.".into()),
        (false, true) => Ok(vec![id.to_string()]),
        (true, false) => Ok(super::from_files(files)
            .map_err(|e| format!("Error: {e}"))?
            .into_iter()
            .map(|s| if s.id.is_empty() { s.name } else { s.id })
            .filter(|id| !id.is_empty())
            .collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_from_flag_or_files() {
        assert_eq!(ids("web-1", &[]).unwrap(), ["web-1"]);
        assert_eq!(
            ids("", &[]).unwrap_err(),
            "Service deregistration requires at least one argument or -id."
        );
        assert_eq!(
            ids("x", &["a.hcl".into()]).unwrap_err(),
            "Service deregistration requires arguments or -id, not both."
        );
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("svc.hcl");
        std::fs::write(
            &file,
            "services = [\n  { id = \"web-1\", name = \"web\" },\n  { name = \"db\" },\n  { port = 1 }\n]\n",
        )
        .unwrap();
        assert_eq!(
            ids("", &[file.display().to_string()]).unwrap(),
            ["web-1", "db"]
        );
        let missing = dir.path().join("missing.json").display().to_string();
        assert!(ids("", &[missing]).unwrap_err().starts_with("Error: "));
    }
}
