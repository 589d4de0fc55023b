//! The host's address for published ports when `-ip` is not given, never by hostname lookup
//! (registrator resolved its hostname, which gives 127.0.1.1 on Debian): the agent's advertise
//! address when it is one of this host's own, else the source address of the default route
//! (what the kernel picks toward a public address; no packet is sent), else the agent's.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};

/// The address to register published ports at; `agent` is the agent's advertise address and
/// `local` this host's interface addresses.
pub fn detect(agent: &str, local: &[IpAddr]) -> String {
    choose(agent, local, default_route_source())
}

fn choose(agent: &str, local: &[IpAddr], default_route: Option<IpAddr>) -> String {
    let agent_ip = agent.parse::<IpAddr>().ok();
    if agent_ip.is_some_and(|ip| local.contains(&ip)) {
        return agent.to_string();
    }
    match default_route {
        Some(ip) => ip.to_string(),
        None => agent.to_string(),
    }
}

/// The source address of the default route: a UDP socket "connected" to a documentation
/// address (192.0.2.1, TEST-NET-1) has the address the kernel would send from.
fn default_route_source() -> Option<IpAddr> {
    let socket = UdpSocket::bind(SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0))).ok()?;
    socket
        .connect(SocketAddr::from((Ipv4Addr::new(192, 0, 2, 1), 9)))
        .ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_unspecified()).then_some(ip)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_agent_address_wins_else_the_default_route() {
        let local: Vec<IpAddr> = vec!["127.0.0.1".parse().unwrap(), "10.0.0.5".parse().unwrap()];
        let route = Some("10.0.0.5".parse().unwrap());
        assert_eq!(choose("10.0.0.5", &local, route), "10.0.0.5");
        assert_eq!(choose("127.0.0.1", &local, route), "127.0.0.1");
        // A remote agent (the seed's server on another machine): this host's own address.
        assert_eq!(choose("192.168.242.68", &local, route), "10.0.0.5");
        assert_eq!(choose("192.168.242.68", &local, None), "192.168.242.68");
    }

    #[test]
    fn the_default_route_source_is_one_of_this_hosts() {
        if let Some(ip) = default_route_source() {
            let local: Vec<IpAddr> = if_addrs::get_if_addrs()
                .unwrap()
                .into_iter()
                .map(|i| i.ip())
                .collect();
            assert!(local.contains(&ip), "{ip} not in {local:?}");
        }
    }
}
