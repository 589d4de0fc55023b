//! The HTTP API flags every client command takes (`-http-addr`, `-token`, `-ca-file`, ...) and
//! the "server" flags of read commands (`-datacenter`, `-stale`), named and worded as in
//! Consul's `command/flags/http.go`. [`client_settings`] turns them into connection settings
//! through `config::client_env`, which layers them over the environment.

use clap::{Arg, ArgMatches};

use crate::cli::args::{flag, get_flag, get_str, opt};
use crate::config::client_env::{self, ClientEnvError, ClientFlags, ClientSettings};

const HTTP_HEADING: &str = "HTTP API Options";

/// `-http-addr`, `-token`, `-token-file`, `-ca-file`, `-ca-path`, `-client-cert`, `-client-key`,
/// `-tls-server-name`.
pub fn http_args() -> Vec<Arg> {
    [
        opt(
            "http-addr",
            "ADDRESS",
            "The address and port of the Consul HTTP agent. The value can be an IP address or \
             DNS address, but it must also include the port. This can also be specified via the \
             CONSUL_HTTP_ADDR (or SD_HTTP_ADDR) environment variable. The default value is \
             http://127.0.0.1:8500. The scheme can also be set to HTTPS by setting the \
             environment variable CONSUL_HTTP_SSL=true.",
        ),
        opt(
            "token",
            "VALUE",
            "ACL token to use in the request. This can also be specified via the \
             CONSUL_HTTP_TOKEN environment variable. If unspecified, the query will default to \
             the token of the Consul agent at the HTTP address.",
        ),
        opt(
            "token-file",
            "VALUE",
            "File containing the ACL token to use in the request instead of one specified via \
             the -token argument or CONSUL_HTTP_TOKEN environment variable. This can also be \
             specified via the CONSUL_HTTP_TOKEN_FILE environment variable.",
        ),
        opt(
            "ca-file",
            "VALUE",
            "Path to a CA file to use for TLS when communicating with Consul. This can also be \
             specified via the CONSUL_CACERT environment variable.",
        ),
        opt(
            "ca-path",
            "VALUE",
            "Path to a directory of CA certificates to use for TLS when communicating with \
             Consul. This can also be specified via the CONSUL_CAPATH environment variable.",
        ),
        opt(
            "client-cert",
            "VALUE",
            "Path to a client cert file to use for TLS when 'verify_incoming' is enabled. This \
             can also be specified via the CONSUL_CLIENT_CERT environment variable.",
        ),
        opt(
            "client-key",
            "VALUE",
            "Path to a client key file to use for TLS when 'verify_incoming' is enabled. This \
             can also be specified via the CONSUL_CLIENT_KEY environment variable.",
        ),
        opt(
            "tls-server-name",
            "VALUE",
            "The server name to use as the SNI host when connecting via TLS. This can also be \
             specified via the CONSUL_TLS_SERVER_NAME environment variable.",
        ),
    ]
    .into_iter()
    .map(|a| a.help_heading(HTTP_HEADING))
    .collect()
}

/// `-datacenter` and `-stale`.
pub fn server_args() -> Vec<Arg> {
    [
        opt(
            "datacenter",
            "NAME",
            "Name of the datacenter to query. If unspecified, this will default to the \
             datacenter of the queried agent.",
        ),
        flag(
            "stale",
            "Permit any Consul server (non-leader) to respond to this request. This allows for \
             lower latency and higher throughput, but can result in stale data. This option has \
             no effect on non-read operations. The default value is false.",
        ),
    ]
    .into_iter()
    .map(|a| a.help_heading(HTTP_HEADING))
    .collect()
}

/// The client flags given in `m` (absent ones are `None`; `-datacenter` only if declared).
pub fn client_flags(m: &ArgMatches) -> ClientFlags {
    let s = |name: &str| get_str(m, name).map(str::to_string);
    ClientFlags {
        http_addr: s("http-addr"),
        token: s("token"),
        token_file: s("token-file"),
        ca_file: s("ca-file"),
        ca_path: s("ca-path"),
        client_cert: s("client-cert"),
        client_key: s("client-key"),
        tls_server_name: s("tls-server-name"),
        datacenter: s("datacenter"),
    }
}

/// Whether `-stale` was given.
pub fn stale(m: &ArgMatches) -> bool {
    get_flag(m, "stale")
}

/// The connection settings for a command: its flags over the process environment.
pub fn client_settings(m: &ArgMatches) -> Result<ClientSettings, ClientEnvError> {
    client_env::from_process_env(&client_flags(m))
}

#[cfg(test)]
mod tests {
    use clap::Command;

    use super::*;

    fn parse(args: &[&str]) -> ArgMatches {
        Command::new("t")
            .args(http_args())
            .args(server_args())
            .try_get_matches_from(args)
            .unwrap()
    }

    #[test]
    fn flags_are_read() {
        let m = parse(&[
            "t",
            "--http-addr=10.0.0.1:8500",
            "--token",
            "abc",
            "--datacenter=dc9",
            "--stale",
        ]);
        let f = client_flags(&m);
        assert_eq!(f.http_addr.as_deref(), Some("10.0.0.1:8500"));
        assert_eq!(f.token.as_deref(), Some("abc"));
        assert_eq!(f.datacenter.as_deref(), Some("dc9"));
        assert_eq!(f.ca_file, None);
        assert!(stale(&m));
        assert!(!stale(&parse(&["t"])));
    }

    #[test]
    fn missing_server_args_are_none() {
        let m = Command::new("t")
            .args(http_args())
            .try_get_matches_from(["t"])
            .unwrap();
        assert_eq!(client_flags(&m), ClientFlags::default());
        assert!(!stale(&m));
    }
}
