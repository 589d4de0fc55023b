//! Who may register a script check. Script checks run arbitrary commands as the agent's user,
//! so they are off unless enabled: `enable_script_checks` allows them from config files and
//! from the HTTP API (remote code execution for anyone who reaches the API), while
//! `enable_local_script_checks` allows them from config files only. Consul's messages.

/// Where a check definition came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckSource {
    /// A config file (`check {}` / `service { check {} }`) read at start or reload.
    ConfigFile,
    /// `/v1/agent/check/register`, `/v1/agent/service/register` and the like.
    HttpApi,
}

/// A script check refused by the agent's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ScriptPolicyError {
    #[error(
        "Scripts are disabled on this agent; to enable, configure 'enable_script_checks' or 'enable_local_script_checks' to true"
    )]
    DisabledLocally,
    #[error(
        "Scripts are disabled on this agent from remote calls; to enable, configure 'enable_script_checks' to true"
    )]
    DisabledRemotely,
}

/// Whether a script check from `source` may be registered. Call it only for script checks
/// ([`super::CheckType::is_script`]).
pub fn script_checks_allowed(
    enable_script_checks: bool,
    enable_local_script_checks: bool,
    source: CheckSource,
) -> Result<(), ScriptPolicyError> {
    match source {
        CheckSource::ConfigFile if enable_script_checks || enable_local_script_checks => Ok(()),
        CheckSource::ConfigFile => Err(ScriptPolicyError::DisabledLocally),
        CheckSource::HttpApi if enable_script_checks => Ok(()),
        CheckSource::HttpApi => Err(ScriptPolicyError::DisabledRemotely),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CheckSource::*;

    #[test]
    fn local_scripts_need_either_setting() {
        assert_eq!(
            script_checks_allowed(false, false, ConfigFile),
            Err(ScriptPolicyError::DisabledLocally)
        );
        assert_eq!(script_checks_allowed(false, true, ConfigFile), Ok(()));
        assert_eq!(script_checks_allowed(true, false, ConfigFile), Ok(()));
    }

    #[test]
    fn remote_scripts_need_enable_script_checks() {
        assert_eq!(
            script_checks_allowed(false, true, HttpApi),
            Err(ScriptPolicyError::DisabledRemotely)
        );
        assert_eq!(
            script_checks_allowed(false, false, HttpApi),
            Err(ScriptPolicyError::DisabledRemotely)
        );
        assert_eq!(script_checks_allowed(true, false, HttpApi), Ok(()));
    }

    #[test]
    fn messages_are_consuls() {
        assert_eq!(
            ScriptPolicyError::DisabledLocally.to_string(),
            "Scripts are disabled on this agent; to enable, configure 'enable_script_checks' or 'enable_local_script_checks' to true"
        );
        assert_eq!(
            ScriptPolicyError::DisabledRemotely.to_string(),
            "Scripts are disabled on this agent from remote calls; to enable, configure 'enable_script_checks' to true"
        );
    }
}
