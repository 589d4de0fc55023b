//! One port for UDP and TCP, as gossip (serf LAN) and DNS both listen: binds UDP, then TCP on
//! the port UDP got. With port 0 the kernel picks the UDP port without knowing TCP's, so a
//! taken TCP port means trying again with another.

use std::net::{SocketAddr, TcpListener, UdpSocket};

/// How many ports to try for port 0 before giving up.
const ATTEMPTS: u32 = 50;

/// Which half could not be bound, where, and why.
#[derive(Debug)]
pub struct BindFailure {
    pub proto: &'static str,
    pub addr: SocketAddr,
    pub source: std::io::Error,
}

/// Binds UDP and TCP (both blocking) on `addr`; returns them and the address both have.
pub fn bind(addr: SocketAddr) -> Result<(UdpSocket, TcpListener, SocketAddr), BindFailure> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        let failed = |proto, addr| {
            move |source| BindFailure {
                proto,
                addr,
                source,
            }
        };
        let udp = UdpSocket::bind(addr).map_err(failed("UDP", addr))?;
        let bound = udp.local_addr().map_err(failed("UDP", addr))?;
        match TcpListener::bind(bound) {
            Ok(tcp) => return Ok((udp, tcp, bound)),
            Err(e) if addr.port() == 0 && attempts < ATTEMPTS => {
                tracing::debug!("TCP port {} taken ({e}), picking another", bound.port());
            }
            Err(source) => {
                return Err(BindFailure {
                    proto: "TCP",
                    addr: bound,
                    source,
                })
            }
        }
    }
}
