//! `-syslog`: log lines sent to the local syslog daemon as consul-template sends them (through
//! the first of `/dev/log`, `/var/run/syslog`, `/var/run/log` that accepts a datagram), one
//! RFC 3164 message per line, `<PRI>Mmm dd hh:mm:ss NAME[PID]: text`, the severity from the
//! event's level and the facility from `-syslog-facility` (LOCAL0 by default).
//!
//! Hand-written: it is one formatted datagram per line over std's `UnixDatagram`; the syslog
//! crates add a hostname and time dependency for nothing more.

use std::os::unix::net::UnixDatagram;

use tracing::Level;

/// The sockets tried, in order.
const SOCKETS: &[&str] = &["/dev/log", "/var/run/syslog", "/var/run/log"];

#[derive(Debug)]
pub struct Syslog {
    socket: UnixDatagram,
    facility: u8,
    name: String,
}

/// A facility's number from its name (`LOCAL0`..`LOCAL7`, `USER`, `DAEMON`, ...).
fn facility(name: &str) -> Option<u8> {
    Some(match name.to_ascii_uppercase().as_str() {
        "KERN" => 0,
        "USER" => 1,
        "MAIL" => 2,
        "DAEMON" => 3,
        "AUTH" => 4,
        "SYSLOG" => 5,
        "LPR" => 6,
        "NEWS" => 7,
        "UUCP" => 8,
        "CRON" => 9,
        "AUTHPRIV" => 10,
        "FTP" => 11,
        "LOCAL0" => 16,
        "LOCAL1" => 17,
        "LOCAL2" => 18,
        "LOCAL3" => 19,
        "LOCAL4" => 20,
        "LOCAL5" => 21,
        "LOCAL6" => 22,
        "LOCAL7" => 23,
        _ => return None,
    })
}

impl Syslog {
    /// Connects to the local syslog socket; an error says which facility or socket failed.
    pub fn connect(facility_name: &str, name: &str) -> Result<Syslog, String> {
        let facility = facility(facility_name).ok_or_else(|| {
            format!(
                "syslog facility {facility_name:?} is not one of LOCAL0-LOCAL7, USER, DAEMON, ..."
            )
        })?;
        let socket = UnixDatagram::unbound().map_err(|e| format!("syslog: {e}"))?;
        let connected = SOCKETS.iter().any(|path| socket.connect(path).is_ok());
        if !connected {
            return Err(format!(
                "syslog: no syslog daemon listening at {}",
                SOCKETS.join(", ")
            ));
        }
        Ok(Syslog {
            socket,
            facility,
            name: name.to_string(),
        })
    }

    /// Sends one line (a lost datagram is not retried: logging must not block the run).
    pub fn send(&self, level: Option<Level>, line: &[u8]) {
        let severity = match level {
            Some(Level::ERROR) => 3,
            Some(Level::WARN) => 4,
            Some(Level::INFO) | None => 6,
            Some(Level::DEBUG | Level::TRACE) => 7,
        };
        let stamp = chrono::Local::now().format("%b %e %H:%M:%S");
        let text = String::from_utf8_lossy(line);
        let message = format!(
            "<{}>{stamp} {}[{}]: {}",
            u16::from(self.facility) * 8 + severity,
            self.name,
            std::process::id(),
            text.trim_end()
        );
        let _ = self.socket.send(message.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facilities() {
        assert_eq!(facility("local0"), Some(16));
        assert_eq!(facility("DAEMON"), Some(3));
        assert_eq!(facility("LOCAL9"), None);
        assert!(Syslog::connect("LOCAL9", "x")
            .unwrap_err()
            .contains("LOCAL9"));
    }
}
