//! `sd services register [flags] [FILE...]`: registers one service described by flags, or every
//! service defined in agent config files (flags then fill what a file leaves out), through
//! `PUT /v1/agent/service/register`, printing `Registered service: <name>` for each.

use std::collections::BTreeMap;
use std::process::ExitCode;

use clap::{value_parser, ArgMatches, Command};

use crate::api::catalog::{AgentServiceRegistration, ServiceAddress};
use crate::cli::output;
use crate::client::block_on;
use crate::commands::{CliError, CmdResult};
use crate::goflag::{get_all, get_key_values, get_str, key_values, multi, opt};

pub fn cli() -> Command {
    Command::new("register")
        .about("Register services with the local agent")
        .long_about(
            "Registers one service described by -name and the other flags, or every service \
             defined (`service {}` or `services []`) in the given agent configuration files, \
             HCL or JSON, checks included. With files, flags other than -name supply values a \
             definition leaves empty; tags, meta and tagged addresses are added. The service \
             stays registered until `sd services deregister` removes it.",
        )
        .arg(opt(
            "id",
            "ID",
            "ID of the service registered from flags. Default: the -name value.",
        ))
        .arg(opt(
            "name",
            "NAME",
            "Name of the service to register from flags.",
        ))
        .arg(opt(
            "address",
            "ADDRESS",
            "Address of the service. Default: the node's address.",
        ))
        .arg(opt("port", "PORT", "Port of the service.").value_parser(value_parser!(u16)))
        .arg(multi(
            "tag",
            "TAG",
            "Tag to add to the service. Repeat for several.",
        ))
        .arg(key_values(
            "meta",
            "Metadata pair to set on the service. Repeat for several.",
        ))
        .arg(key_values(
            "tagged-address",
            "Tagged address of the service as NAME=ADDRESS:PORT (lan=10.0.0.5:80). Repeat for \
             several.",
        ))
        .arg(opt(
            "kind",
            "KIND",
            "The service's kind; empty (the default) for a typical service.",
        ))
        .args(super::common_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let from_flags = match from_flags(m) {
        Ok(reg) => reg,
        Err(e) => return Err(CliError::failure(format!("Invalid Tagged Address: {e}"))),
    };
    let files = get_all(m, "files");
    if files.is_empty() && from_flags.name.is_empty() {
        return Err(CliError::failure(
            "Service registration requires at least one argument or flags.",
        ));
    }
    if !files.is_empty() && !from_flags.name.is_empty() {
        return Err(CliError::failure(
            "Service registration requires arguments or -id, not both.",
        ));
    }
    let services = if files.is_empty() {
        vec![from_flags]
    } else {
        match super::from_files(&files) {
            Ok(mut services) => {
                for s in &mut services {
                    fill_from_flags(s, &from_flags);
                }
                services
            }
            Err(e) => return Err(CliError::failure(format!("Error: {e}"))),
        }
    };
    let client = crate::commands::connect(m)?;
    for s in &services {
        if let Err(e) = block_on(client.agent().service_register(s)) {
            return Err(CliError::failure(format!(
                "Error registering service {:?}: {e}",
                s.name
            )));
        }
        output::println(&format!("Registered service: {}", s.name));
    }
    Ok(ExitCode::SUCCESS)
}

/// The registration the flags describe; the error is a bad `-tagged-address`.
fn from_flags(m: &ArgMatches) -> Result<AgentServiceRegistration, String> {
    let s = |name: &str| get_str(m, name).unwrap_or_default().to_string();
    let tagged_addresses = get_key_values(m, "tagged-address")
        .into_iter()
        .map(|(k, v)| service_address(&v).map(|a| (k, a)))
        .collect::<Result<BTreeMap<_, _>, _>>()?;
    Ok(AgentServiceRegistration {
        kind: s("kind"),
        id: s("id"),
        name: s("name"),
        address: s("address"),
        port: m
            .try_get_one::<u16>("port")
            .ok()
            .flatten()
            .copied()
            .unwrap_or(0),
        tags: get_all(m, "tag"),
        meta: get_key_values(m, "meta"),
        tagged_addresses,
        ..Default::default()
    })
}

/// Fills what a file's definition leaves empty from the flags, and adds the flags' tags, meta
/// and tagged addresses, as Consul does when given both.
fn fill_from_flags(file: &mut AgentServiceRegistration, flags: &AgentServiceRegistration) {
    for (mine, theirs) in [
        (&mut file.id, &flags.id),
        (&mut file.name, &flags.name),
        (&mut file.address, &flags.address),
        (&mut file.kind, &flags.kind),
    ] {
        if mine.is_empty() {
            mine.clone_from(theirs);
        }
    }
    if file.port == 0 {
        file.port = flags.port;
    }
    file.meta.extend(flags.meta.clone());
    file.tagged_addresses.extend(flags.tagged_addresses.clone());
    file.tags.extend(flags.tags.iter().cloned());
}

/// `ADDRESS:PORT` (`[v6]:PORT`) split the way Go's `net.SplitHostPort` and `strconv.Atoi` do,
/// with their error messages.
fn service_address(text: &str) -> Result<ServiceAddress, String> {
    let err = |why: &str| format!("address {text}: {why}");
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| err("missing ']' in address"))?;
        let port = after
            .strip_prefix(':')
            .ok_or_else(|| err("missing port in address"))?;
        (host, port)
    } else {
        let (host, port) = text
            .rsplit_once(':')
            .ok_or_else(|| err("missing port in address"))?;
        if host.contains(':') {
            return Err(err("too many colons in address"));
        }
        (host, port)
    };
    for c in ['[', ']'] {
        if host.contains(c) || port.contains(c) {
            return Err(err(&format!("unexpected '{c}' in address")));
        }
    }
    let port: u16 = port.parse().map_err(|e: std::num::ParseIntError| {
        let why = match e.kind() {
            std::num::IntErrorKind::PosOverflow => "value out of range",
            _ => "invalid syntax",
        };
        format!("strconv.Atoi: parsing {port:?}: {why}")
    })?;
    Ok(ServiceAddress {
        address: host.to_string(),
        port,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::goflag::normalize::go_style;

    fn parse(args: &[&str]) -> ArgMatches {
        let mut root = crate::command();
        let mut argv = vec!["sd", "services", "register"];
        argv.extend_from_slice(args);
        let argv = argv.into_iter().map(std::ffi::OsString::from).collect();
        let argv = go_style(&mut root, argv);
        let m = root.try_get_matches_from(argv).unwrap();
        let (_, m) = m.subcommand().unwrap();
        let (_, m) = m.subcommand().unwrap();
        m.clone()
    }

    #[test]
    fn flags_become_a_registration() {
        let m = parse(&[
            "-id=web-1",
            "-name",
            "web",
            "-address=10.0.0.5",
            "-port=8080",
            "-tag=v1",
            "-tag",
            "primary",
            "-meta=version=1.2",
            "-meta",
            "team=ops",
            "-tagged-address=lan=10.0.0.5:8080",
            "-tagged-address=wan=[2001:db8::1]:80",
            "-kind=typical",
        ]);
        let reg = from_flags(&m).unwrap();
        assert_eq!(
            (reg.id.as_str(), reg.name.as_str(), reg.address.as_str()),
            ("web-1", "web", "10.0.0.5")
        );
        assert_eq!((reg.port, reg.kind.as_str()), (8080, "typical"));
        assert_eq!(reg.tags, ["v1", "primary"]);
        assert_eq!(reg.meta["version"], "1.2");
        assert_eq!(reg.meta["team"], "ops");
        let wan = &reg.tagged_addresses["wan"];
        assert_eq!((wan.address.as_str(), wan.port), ("2001:db8::1", 80));
        assert_eq!(reg.tagged_addresses["lan"].port, 8080);
        assert_eq!(reg.check, None);
        assert!(reg.checks.is_empty());
        let json = serde_json::to_value(&reg).unwrap();
        assert_eq!(json["Name"], "web");
        assert_eq!(json["TaggedAddresses"]["lan"]["Address"], "10.0.0.5");
        assert_eq!(json["Meta"]["team"], "ops");
    }

    #[test]
    fn no_flags_is_an_empty_registration() {
        let reg = from_flags(&parse(&[])).unwrap();
        assert_eq!(reg, AgentServiceRegistration::default());
        assert!(parse(&["a.hcl", "b.json"])
            .get_many::<String>("files")
            .is_some());
    }

    #[test]
    fn bad_tagged_addresses() {
        let cases = [
            ("10.0.0.5", "address 10.0.0.5: missing port in address"),
            ("a:b:80", "address a:b:80: too many colons in address"),
            ("[::1", "address [::1: missing ']' in address"),
            ("[::1]", "address [::1]: missing port in address"),
            ("h:http", "strconv.Atoi: parsing \"http\": invalid syntax"),
            (
                "h:70000",
                "strconv.Atoi: parsing \"70000\": value out of range",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(service_address(text).unwrap_err(), want, "{text}");
        }
        let m = parse(&["-name=x", "-tagged-address=lan=nope"]);
        assert_eq!(
            from_flags(&m).unwrap_err(),
            "address nope: missing port in address"
        );
        assert_eq!(service_address(":80").unwrap().port, 80);
    }

    #[test]
    fn flags_fill_what_a_file_leaves_out() {
        let mut file = AgentServiceRegistration {
            name: "web".into(),
            port: 80,
            tags: vec!["file".into()],
            meta: [("a".to_string(), "file".to_string())].into(),
            ..Default::default()
        };
        let flags = from_flags(&parse(&[
            "-id=web-9",
            "-port=9090",
            "-address=10.0.0.9",
            "-tag=flag",
            "-meta=a=flag",
            "-meta=b=flag",
            "-tagged-address=lan=10.0.0.9:80",
        ]))
        .unwrap();
        fill_from_flags(&mut file, &flags);
        assert_eq!((file.id.as_str(), file.name.as_str()), ("web-9", "web"));
        assert_eq!((file.port, file.address.as_str()), (80, "10.0.0.9"));
        assert_eq!(file.tags, ["file", "flag"]);
        assert_eq!(
            (file.meta["a"].as_str(), file.meta["b"].as_str()),
            ("flag", "flag")
        );
        assert_eq!(file.tagged_addresses["lan"].address, "10.0.0.9");
    }
}
