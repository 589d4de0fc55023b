//! `sd version`: the version banner in `consul version`'s layout (or `-format=json`). Works
//! without an agent.

use std::process::ExitCode;

use clap::{ArgMatches, Command};
use serde::Serialize;

use crate::cli::output;
use crate::commands::{CliError, CmdResult};
use crate::goflag::{get_str, opt};

/// The Raft/RPC protocol versions sd speaks, as Consul reports them.
const PROTOCOL_DEFAULT: u32 = 2;
const PROTOCOL_MIN: u32 = 2;
const PROTOCOL_MAX: u32 = 3;

pub fn cli() -> Command {
    Command::new("version")
        .about("Show which sd version this is and the protocol versions it speaks")
        .arg(
            opt(
                "format",
                "FORMAT",
                "How to print it: pretty (plain text) or json.",
            )
            .default_value("pretty"),
        )
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let info = VersionInfo::current();
    match get_str(m, "format").unwrap_or("pretty") {
        "pretty" => output::println(&info.pretty()),
        "json" => output::println(&info.json().map_err(anyhow::Error::from)?),
        other => return Err(CliError::failure(format!("Unknown format: {other}"))),
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct VersionInfo {
    version: String,
    revision: String,
    prerelease: String,
    build_date: String,
    #[serde(rename = "RPC")]
    rpc: Rpc,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct Rpc {
    default: u32,
    min: u32,
    max: u32,
}

impl VersionInfo {
    /// The running binary's version; revision and build date come from the build environment
    /// (`SD_GIT_REVISION`, `SD_BUILD_DATE`) when it set them.
    fn current() -> Self {
        VersionInfo {
            version: crate::VERSION.to_string(),
            revision: option_env!("SD_GIT_REVISION").unwrap_or("").to_string(),
            prerelease: String::new(),
            build_date: option_env!("SD_BUILD_DATE").unwrap_or("").to_string(),
            rpc: Rpc {
                default: PROTOCOL_DEFAULT,
                min: PROTOCOL_MIN,
                max: PROTOCOL_MAX,
            },
        }
    }

    /// Consul's "pretty" layout; it ends with a newline, and printing adds one more, as in
    /// Consul.
    fn pretty(&self) -> String {
        let mut out = format!("sd v{}\n", self.version);
        if !self.revision.is_empty() {
            out.push_str(&format!("Revision {}\n", self.revision));
        }
        if !self.build_date.is_empty() {
            out.push_str(&format!("Build Date {}\n", self.build_date));
        }
        let supplement = if self.rpc.default < self.rpc.max {
            format!(
                " (agent will automatically use protocol >{} when speaking to compatible agents)",
                self.rpc.default
            )
        } else {
            String::new()
        };
        out.push_str(&format!(
            "Protocol {} spoken by default, understands {} to {}{}\n",
            self.rpc.default, self.rpc.min, self.rpc.max, supplement
        ));
        out
    }

    /// Consul's JSON layout: three-space indentation.
    fn json(&self) -> Result<String, serde_json::Error> {
        let mut buf = Vec::new();
        let formatter = serde_json::ser::PrettyFormatter::with_indent(b"   ");
        let mut ser = serde_json::Serializer::with_formatter(&mut buf, formatter);
        self.serialize(&mut ser)?;
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(revision: &str) -> VersionInfo {
        VersionInfo {
            revision: revision.into(),
            build_date: String::new(),
            ..VersionInfo::current()
        }
    }

    #[test]
    fn pretty_banner() {
        let v = crate::VERSION;
        assert_eq!(
            info("").pretty(),
            format!(
                "sd v{v}\nProtocol 2 spoken by default, understands 2 to 3 (agent will \
                 automatically use protocol >2 when speaking to compatible agents)\n"
            )
        );
        assert!(info("5e5dbedd")
            .pretty()
            .contains("\nRevision 5e5dbedd\nProtocol 2"));
    }

    #[test]
    fn json_banner() {
        let json = info("abc").json().unwrap();
        assert!(json.starts_with("{\n   \"Version\": \""));
        assert!(json.contains("\"RPC\": {\n      \"Default\": 2,"));
    }
}
