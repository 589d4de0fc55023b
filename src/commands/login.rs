//! `sd login -method NAME -bearer-token-file FILE -token-sink-file FILE [-meta k=v]`: trades a
//! bearer token (a JWT) for an ACL token through an auth method and writes its secret to the
//! sink file (mode 0600); `sd logout` deletes the token a login made (the one the HTTP flags
//! carry). Both print nothing on success, as Consul's.

use std::process::ExitCode;

use clap::{ArgMatches, Command};

use crate::api::acl::AclLoginRequest;
use crate::cli::http_flags;
use crate::client::{block_on, WriteOptions};
use crate::commands::{CliError, CmdResult};
use crate::goflag::{get_str, key_values, opt};

pub fn cli() -> Command {
    Command::new("login")
        .about("Login to Consul using an auth method")
        .long_about(
            "Sends a bearer token to the agent's auth method and writes the ACL token it \
             answers with (its secret) to -token-sink-file. The method's binding rules decide \
             what the token may do.",
        )
        .arg(opt("method", "NAME", "The auth method to log in through."))
        .arg(opt("bearer-token-file", "FILE", "The file holding the bearer token (a JWT)."))
        .arg(opt("token-sink-file", "FILE", "The file the ACL token's secret is written to."))
        .arg(key_values("meta", "Metadata for the token (key=value), recorded in its description. May be given more than once."))
        .arg(crate::commands::stray_args())
        .args(http_flags::http_args())
        .args(http_flags::server_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    crate::commands::no_arguments(m)?;
    let required = |name: &str| {
        get_str(m, name)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .ok_or_else(|| CliError::failure(format!("Missing required '-{name}' flag")))
    };
    let method = required("method")?;
    let sink = required("token-sink-file")?;
    let bearer_file = required("bearer-token-file")?;
    let bearer = std::fs::read_to_string(&bearer_file)
        .map_err(|e| CliError::failure(format!("Error reading bearer token file: {e}")))?;
    let meta = m
        .get_many::<(String, String)>("meta")
        .map(|kv| kv.cloned().collect())
        .unwrap_or_default();
    let client = crate::commands::connect(m)?;
    let request = AclLoginRequest {
        auth_method: method,
        bearer_token: bearer.trim().to_string(),
        meta,
    };
    let token = block_on(client.acl().login(&request, &WriteOptions::default()))
        .map_err(|e| CliError::failure(format!("Error logging in: {e}")))?;
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&sink)
            .and_then(|mut f| f.write_all(token.secret_id.as_bytes()))
            .map_err(|e| CliError::failure(format!("Error writing token to file sink: {e}")))?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn logout_cli() -> Command {
    Command::new("logout")
        .about("Destroy a Consul token created with login")
        .arg(crate::commands::stray_args())
        .args(http_flags::http_args())
        .args(http_flags::server_args())
}

pub fn logout(m: &ArgMatches) -> CmdResult {
    crate::commands::no_arguments(m)?;
    let client = crate::commands::connect(m)?;
    block_on(client.acl().logout(&WriteOptions::default()))
        .map_err(|e| CliError::failure(format!("Error destroying token: {e}")))?;
    Ok(ExitCode::SUCCESS)
}
