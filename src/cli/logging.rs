//! Log output for long-running commands (`sd agent`): `tracing` to stderr, human-readable or JSON
//! (`-log-json`), at the level `-log-level` names. stdout stays for command output.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// Maps Consul's level names (`trace`, `debug`, `info`, `warn`, `err`/`error`) to tracing's.
pub fn level_name(level: &str) -> Result<&'static str, String> {
    match level.to_ascii_lowercase().as_str() {
        "trace" => Ok("trace"),
        "debug" => Ok("debug"),
        "info" | "" => Ok("info"),
        "warn" | "warning" => Ok("warn"),
        "err" | "error" => Ok("error"),
        other => Err(format!(
            "invalid log level {other:?}: use trace, debug, info, warn or err"
        )),
    }
}

/// Installs the global subscriber. sd's own events are logged at `level`; libraries (Raft,
/// storage, HTTP) only at warn and above unless `level` is trace.
pub fn init(level: &str, json: bool) -> Result<(), String> {
    let level = level_name(level)?;
    let libraries = if level == "trace" { "debug" } else { "warn" };
    let filter =
        EnvFilter::try_new(format!("{libraries},sd={level}")).map_err(|e| e.to_string())?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    let result = if json {
        builder.json().try_init()
    } else {
        builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init()
    };
    result.map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consul_level_names() {
        assert_eq!(level_name("ERR"), Ok("error"));
        assert_eq!(level_name("warn"), Ok("warn"));
        assert!(level_name("loud").is_err());
    }
}
