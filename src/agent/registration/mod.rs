//! Registering services and checks on this agent, whatever the source: the agent API, config
//! files (at start and on reload) and registrations restored after a restart. Definitions are
//! validated whole, checked against the script-check policy for their source, then added to
//! the local state and started. Errors say what is wrong in Consul's words; the HTTP layer
//! turns them into 400s (404 for an unknown check).

mod check;
pub mod maintenance;
mod service;

pub use check::{add_check, kept_check, parse_check, ParsedCheck};
pub use service::{
    apply_service, apply_service_in_batch, prepare_service, register_service, PreparedService,
};

use crate::agent::checks::ChecksError;

/// Why a service or check could not be registered.
#[derive(Debug, thiserror::Error)]
pub enum RegistrationError {
    /// The definition is not acceptable.
    #[error("{0}")]
    Invalid(String),
    /// The check registry refused the check.
    #[error(transparent)]
    Checks(#[from] ChecksError),
}

fn invalid(message: impl Into<String>) -> RegistrationError {
    RegistrationError::Invalid(message.into())
}
