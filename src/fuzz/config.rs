//! `config`: an agent configuration file, loaded as `sd agent -hcl` loads a fragment: HCL 2,
//! HCL 1 when HCL 2 refuses it, JSON when it starts with `{`; then merged over the defaults,
//! every key checked and converted (durations, sizes, addresses and their go-sockaddr
//! templates, ports, TLS, ACL and DNS settings) into the agent's runtime configuration.
//! Fails on a panic; an error is the expected answer to most inputs.

use crate::config::{load, FlagValues, HostAddr, LoadInput};

pub(super) fn agent_config(data: &[u8]) {
    let Some(text) = super::text(data) else {
        return;
    };
    let flags = FlagValues::new()
        .with("data-dir", "/nonexistent/sd-fuzz")
        .with("hcl", text);
    let no_env = |_: &str| None;
    let mut input = LoadInput::new(flags, &no_env);
    input.hostname = Some("fuzz".into());
    input.host_addrs = Some(vec![HostAddr {
        interface: "eth0".into(),
        ip: std::net::IpAddr::from([10, 0, 0, 2]),
    }]);
    let _ = load(&input);
}
