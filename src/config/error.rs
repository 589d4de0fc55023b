//! The error type of the config module: every way loading or validating the agent
//! configuration can fail, each message naming the file, key, flag or variable involved and,
//! where it helps, what to change.
//!
//! Part of `config`, the only module that reads environment variables.

use std::path::PathBuf;

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A config file or directory could not be opened or read.
    #[error("config file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A config source is not well-formed JSON or HCL (the message carries line and column
    /// when the parser reports them).
    #[error("{source_name}: {message}")]
    Parse {
        source_name: String,
        message: String,
    },

    /// A key holds a value of the wrong type (`ports.http: invalid type: string "x", expected i32`).
    #[error("{source_name}: {key}: {message}")]
    Type {
        source_name: String,
        key: String,
        message: String,
    },

    /// A command-line flag or environment variable has a value that cannot be used.
    #[error("invalid value {value:?} for {origin}: {message}")]
    Value {
        origin: String,
        value: String,
        message: String,
    },

    /// The merged configuration is not usable (missing data dir, conflicting settings, ...).
    #[error("{0}")]
    Invalid(String),
}

impl ConfigError {
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        ConfigError::Invalid(message.into())
    }
}
