//! The HTTP API flags every client command takes (`-http-addr`, `-token`, `-ca-file`, ...) and
//! the "server" flags of read commands (`-datacenter`, `-stale`), named as in Consul's
//! `command/flags/http.go`. [`client_settings`] turns them into connection settings
//! through `config::client_env`, which layers them over the environment.

use clap::{Arg, ArgMatches};

use crate::config::client_env::{self, ClientEnvError, ClientFlags, ClientSettings};
use crate::goflag::{flag, get_flag, get_str, opt};

const HTTP_HEADING: &str = "HTTP API Options";

/// `-http-addr`, `-token`, `-token-file`, `-ca-file`, `-ca-path`, `-client-cert`, `-client-key`,
/// `-tls-server-name`.
pub fn http_args() -> Vec<Arg> {
    [
        opt(
            "http-addr",
            "ADDRESS",
            "Where the agent's HTTP API listens: host:port, or a URL with http:// or https:// \
             and an optional path prefix. Falls back to CONSUL_HTTP_ADDR, then SD_HTTP_ADDR, \
             then 127.0.0.1:8500. CONSUL_HTTP_SSL=true switches to https.",
        ),
        opt(
            "token",
            "VALUE",
            "ACL token sent with every request. Falls back to CONSUL_HTTP_TOKEN; with neither, \
             no token is sent.",
        ),
        opt(
            "token-file",
            "VALUE",
            "File holding the ACL token (surrounding whitespace is trimmed); when it is not \
             empty it overrides -token. Falls back to CONSUL_HTTP_TOKEN_FILE.",
        ),
        opt(
            "ca-file",
            "VALUE",
            "PEM file of CA certificates trusted for the agent's TLS certificate, in place of \
             the system roots. Falls back to CONSUL_CACERT.",
        ),
        opt(
            "ca-path",
            "VALUE",
            "Directory of PEM CA certificates trusted for the agent's TLS certificate, in place \
             of the system roots. Falls back to CONSUL_CAPATH.",
        ),
        opt(
            "client-cert",
            "VALUE",
            "PEM certificate sd presents to the agent over TLS; needs -client-key. Falls back \
             to CONSUL_CLIENT_CERT.",
        ),
        opt(
            "client-key",
            "VALUE",
            "PEM private key for -client-cert. Falls back to CONSUL_CLIENT_KEY.",
        ),
        opt(
            "tls-server-name",
            "VALUE",
            "Host name to send as SNI and to check the agent's certificate against, when it \
             differs from the host in the address. Falls back to CONSUL_TLS_SERVER_NAME.",
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
            "Datacenter to send the request to. Default: the agent's own.",
        ),
        flag(
            "stale",
            "Let any server answer a read, not only the leader: quicker, but the data may lag \
             behind. Writes ignore it. Default false.",
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
