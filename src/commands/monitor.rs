//! `sd monitor [-log-level LEVEL] [-log-json]`: prints the agent's log lines as it writes them,
//! until interrupted (exit 0); if the agent ends the stream first, says so and exits 1, as
//! `consul monitor` does.

use std::process::ExitCode;

use clap::{ArgMatches, Command};

use crate::cli::{http_flags, output};
use crate::commands::{CliError, CmdResult};
use crate::goflag::{flag, get_flag, get_str, opt};

pub fn cli() -> Command {
    Command::new("monitor")
        .about("Stream the agent's logs")
        .long_about(
            "Shows the recent and future log lines of the agent, at the level asked, until \
             interrupted. This is not the agent's own log level: a monitor at debug sees debug \
             lines while the agent keeps logging at its level.",
        )
        .arg(opt(
            "log-level",
            "LEVEL",
            "Log level of the agent's lines to show: trace, debug, info, warn or err (default info).",
        ))
        .arg(flag("log-json", "Show the lines as JSON."))
        .arg(crate::commands::stray_args())
        .args(http_flags::http_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    crate::commands::no_arguments(m)?;
    let level = get_str(m, "log-level").unwrap_or("info").to_string();
    let json = get_flag(m, "log-json");
    let client = crate::commands::connect(m)?;
    let rt = crate::commands::runtime()?;
    rt.block_on(async move {
        let mut resp = client
            .agent()
            .monitor(&level, json)
            .await
            .map_err(|e| CliError::failure(format!("Error starting monitor: {e}")))?;
        let stop = crate::commands::stop_signal();
        tokio::pin!(stop);
        loop {
            tokio::select! {
                chunk = resp.chunk() => match chunk {
                    Ok(Some(bytes)) => output::write_raw(&bytes),
                    Ok(None) | Err(_) => {
                        output::println(
                            "Remote side ended the monitor! This usually means that the\n\
                             remote side has exited or crashed.",
                        );
                        return Ok(ExitCode::FAILURE);
                    }
                },
                () = &mut stop => return Ok(ExitCode::SUCCESS),
            }
        }
    })
}
