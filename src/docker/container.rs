//! The part of `docker inspect`'s JSON that registration reads, with Docker's field names. It is
//! deserialized from the engine's answer as JSON, so the registration rules are plain functions
//! of a container, tested with inspect output, whatever Docker client fetched it.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Container {
    #[serde(rename = "Id")]
    pub id: String,
    /// `/name`, as Docker reports it.
    pub name: String,
    pub config: Config,
    pub host_config: HostConfig,
    pub network_settings: NetworkSettings,
    pub state: State,
    /// The whole inspect object (the `-tags` template's data).
    #[serde(skip)]
    pub raw: serde_json::Value,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Config {
    pub image: String,
    pub hostname: String,
    pub env: Option<Vec<String>>,
    pub labels: Option<BTreeMap<String, String>>,
    /// `"80/tcp": {}` for each `EXPOSE`d or `--expose`d port.
    pub exposed_ports: Option<BTreeMap<String, serde_json::Value>>,
    pub healthcheck: Option<Healthcheck>,
}

/// The image's or `docker run`'s `HEALTHCHECK`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Healthcheck {
    /// `["CMD-SHELL", "curl -f localhost"]`, `["CMD", ...]`, or `["NONE"]` when disabled.
    pub test: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct HostConfig {
    /// `bridge`, `host`, `none`, `container:<id>` or a network's name.
    pub network_mode: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct NetworkSettings {
    #[serde(rename = "IPAddress")]
    pub ip_address: String,
    #[serde(rename = "GlobalIPv6Address")]
    pub global_ipv6_address: String,
    /// `"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "1314"}]`, or null when not published.
    pub ports: Option<BTreeMap<String, Option<Vec<PortBinding>>>>,
    pub networks: Option<BTreeMap<String, Endpoint>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PortBinding {
    pub host_ip: String,
    pub host_port: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Endpoint {
    #[serde(rename = "IPAddress")]
    pub ip_address: String,
    #[serde(rename = "GlobalIPv6Address")]
    pub global_ipv6_address: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct State {
    pub running: bool,
    pub exit_code: i64,
    pub health: Option<Health>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Health {
    /// `starting`, `healthy` or `unhealthy`.
    pub status: String,
    /// The last probes, oldest first.
    pub log: Option<Vec<Probe>>,
}

/// One run of the health check.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Probe {
    pub exit_code: i64,
    pub output: String,
}

impl Container {
    /// The container of an inspect answer, keeping the whole object.
    pub fn from_inspect(raw: serde_json::Value) -> Result<Container, serde_json::Error> {
        let mut c: Container = serde_json::from_value(raw.clone())?;
        c.raw = raw;
        Ok(c)
    }

    /// The name without Docker's leading `/`.
    pub fn short_name(&self) -> &str {
        self.name.trim_start_matches('/')
    }

    /// Whether the container shares the host's network stack.
    pub fn host_network(&self) -> bool {
        self.host_config.network_mode == "host"
    }

    /// Whether Docker runs a health check in the container (a `HEALTHCHECK` not set to `NONE`).
    pub fn has_healthcheck(&self) -> bool {
        let test = self
            .config
            .healthcheck
            .as_ref()
            .and_then(|h| h.test.as_ref());
        match test.and_then(|t| t.first()) {
            Some(kind) => kind != "NONE",
            None => false,
        }
    }

    /// The container's address on `network` (its IPv4, else its global IPv6), if it is on it.
    pub fn ip_on(&self, network: &str) -> Option<String> {
        let e = self.network_settings.networks.as_ref()?.get(network)?;
        [&e.ip_address, &e.global_ipv6_address]
            .into_iter()
            .find(|a| !a.is_empty())
            .cloned()
    }

    /// The container's own address: on the network it was started on, else the legacy
    /// top-level one, else on its first network by name (deterministic, unlike registrator's
    /// map order).
    pub fn default_ip(&self) -> Option<String> {
        if let Some(ip) = self.ip_on(&self.host_config.network_mode) {
            return Some(ip);
        }
        let ns = &self.network_settings;
        if let Some(ip) = [&ns.ip_address, &ns.global_ipv6_address]
            .into_iter()
            .find(|a| !a.is_empty())
        {
            return Some(ip.clone());
        }
        let networks = ns.networks.as_ref()?;
        networks.keys().find_map(|n| self.ip_on(n))
    }

    pub fn env(&self) -> impl Iterator<Item = &str> {
        self.config.env.iter().flatten().map(String::as_str)
    }

    pub fn labels(&self) -> impl Iterator<Item = (&str, &str)> {
        self.config
            .labels
            .iter()
            .flatten()
            .map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// The service name registrator derives from an image: the last path element without its tag
/// or digest (`reg:5000/team/app:1.0` and `nginx@sha256:...` give `app` and `nginx`).
pub fn image_service_name(image: &str) -> String {
    let base = image.rsplit('/').next().unwrap_or(image);
    let base = base.split('@').next().unwrap_or(base);
    base.split(':').next().unwrap_or(base).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names() {
        assert_eq!(image_service_name("nginx:latest"), "nginx");
        assert_eq!(image_service_name("gliderlabs/foobar:1.0"), "foobar");
        assert_eq!(image_service_name("reg:5000/team/app:tag"), "app");
        assert_eq!(image_service_name("nginx@sha256:abc"), "nginx");
        assert_eq!(image_service_name("redis"), "redis");
    }

    #[test]
    fn addresses_from_inspect_json() {
        let c: Container = serde_json::from_value(serde_json::json!({
            "Id": "abc", "Name": "/v1",
            "HostConfig": {"NetworkMode": "front"},
            "NetworkSettings": {"IPAddress": "", "Ports": {"80/tcp": null},
                "Networks": {"back": {"IPAddress": "10.1.0.2"}, "front": {"IPAddress": "", "GlobalIPv6Address": "fd00::2"}}}
        }))
        .unwrap();
        assert_eq!(c.short_name(), "v1");
        assert_eq!(c.default_ip().as_deref(), Some("fd00::2"));
        assert_eq!(c.ip_on("back").as_deref(), Some("10.1.0.2"));
        assert_eq!(c.ip_on("nope"), None);
    }
}
