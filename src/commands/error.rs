//! How a command fails, the cargo way: a [`CliError`] carries the text for stderr and the exit
//! code, so every `exec` returns early with `?` and [`dispatch`](super::dispatch) prints it.

use std::fmt::Display;
use std::process::ExitCode;

/// What a command returns: its exit code on success, or how it failed.
pub type CmdResult = Result<ExitCode, CliError>;

/// A failed command: what to print on stderr (as is: Consul's messages carry their own
/// wording) and the exit code.
#[derive(Debug)]
pub struct CliError {
    /// Printed on stderr by `dispatch`.
    pub message: String,
    pub exit_code: u8,
}

impl CliError {
    /// A failure with exit code 1, printed as is.
    pub fn failure(message: impl Display) -> CliError {
        CliError::new(message, 1)
    }

    /// A failure with its own exit code, printed as is.
    pub fn new(message: impl Display, exit_code: u8) -> CliError {
        CliError {
            message: message.to_string(),
            exit_code,
        }
    }

    /// A usage error (a bad flag value or argument): exit code 2, as Go's flag package exits.
    pub fn usage(message: impl Display) -> CliError {
        CliError::new(message, 2)
    }
}

/// Errors the command did not word itself: `Error: ...` with its causes, exit 1.
impl From<anyhow::Error> for CliError {
    fn from(e: anyhow::Error) -> CliError {
        CliError::failure(format!("Error: {e:#}"))
    }
}
