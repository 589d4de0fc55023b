//! The Docker engine, through bollard: where it is (`-docker-host`, else `DOCKER_HOST`, else
//! registrator's `unix:///tmp/docker.sock`, else the usual `/var/run/docker.sock`), the API
//! version negotiated with it (`GET /version`, so engines that dropped old versions and old
//! engines both work), the running containers, one container's inspect output, and the
//! container event stream resumable with `since`.

use std::time::Duration;

use bollard::query_parameters::{EventsOptions, InspectContainerOptions, ListContainersOptions};
use bollard::Docker;
use futures::{Stream, StreamExt};

use super::container::Container;

/// registrator's default `DOCKER_HOST` (the seed mounts the socket there).
pub const REGISTRATOR_DOCKER_HOST: &str = "unix:///tmp/docker.sock";
/// Docker's own default.
pub const DOCKER_DEFAULT_HOST: &str = "unix:///var/run/docker.sock";

/// How long one request to the engine may take (the event stream is not bounded by it).
const TIMEOUT_SECS: u64 = 30;

/// A container event sd acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// `start`, `die`, `stop`, `kill`, `health_status: healthy`, ...
    pub action: String,
    pub id: String,
    /// The signal of a `kill` event (`15`, or a name on some engines).
    pub signal: Option<String>,
    /// When it happened, in nanoseconds since the epoch (to resume the stream after it).
    pub time_nano: i64,
}

/// A connected, version-negotiated engine.
#[derive(Debug, Clone)]
pub struct Engine {
    docker: Docker,
    host: String,
}

/// The engine's address from the flag and the environment: the flag, else `DOCKER_HOST`, else
/// registrator's `/tmp/docker.sock` when it exists, else Docker's default socket.
pub fn docker_host(flag: Option<&str>, env: Option<&str>) -> String {
    if let Some(h) = flag.or(env).filter(|h| !h.is_empty()) {
        return h.to_string();
    }
    if std::path::Path::new(REGISTRATOR_DOCKER_HOST.trim_start_matches("unix://")).exists() {
        REGISTRATOR_DOCKER_HOST.into()
    } else {
        DOCKER_DEFAULT_HOST.into()
    }
}

fn describe(host: &str, e: &bollard::errors::Error) -> String {
    let text = e.to_string();
    if let Some(path) = host.strip_prefix("unix://") {
        match std::fs::metadata(path) {
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return format!("Docker socket {path} does not exist (is the engine running, and the socket mounted?)");
            }
            Err(err) if err.kind() == std::io::ErrorKind::PermissionDenied => {
                return format!("Docker socket {path}: permission denied");
            }
            _ => {}
        }
        if text.to_ascii_lowercase().contains("permission denied") {
            return format!(
                "Docker socket {path}: permission denied (run as root or in the docker group)"
            );
        }
    }
    format!("Docker engine at {host}: {text}")
}

impl Engine {
    /// Connects to `host` (`unix:///path`, `tcp://host:port`, `http://host:port`, or a bare
    /// socket path) and negotiates the API version.
    pub async fn connect(host: &str) -> Result<Engine, String> {
        let docker = if host.starts_with("tcp://") || host.starts_with("http://") {
            Docker::connect_with_http(host, TIMEOUT_SECS, bollard::API_DEFAULT_VERSION)
        } else {
            let path = if host.starts_with("unix://") {
                host.to_string()
            } else if host.starts_with('/') {
                format!("unix://{host}")
            } else {
                return Err(format!(
                    "DOCKER_HOST {host:?}: expected unix:///path, tcp://host:port or http://host:port"
                ));
            };
            Docker::connect_with_unix(&path, TIMEOUT_SECS, bollard::API_DEFAULT_VERSION)
        }
        .map_err(|e| describe(host, &e))?;
        let docker = docker
            .negotiate_version()
            .await
            .map_err(|e| describe(host, &e))?;
        Ok(Engine {
            docker,
            host: host.to_string(),
        })
    }

    /// The API version in use, e.g. `1.41`.
    pub fn api_version(&self) -> String {
        self.docker.client_version().to_string()
    }

    /// The IDs of the running containers.
    pub async fn running(&self) -> Result<Vec<String>, String> {
        let list = self
            .docker
            .list_containers(None::<ListContainersOptions>)
            .await
            .map_err(|e| describe(&self.host, &e))?;
        Ok(list.into_iter().filter_map(|c| c.id).collect())
    }

    /// The container's inspect output; none when it no longer exists.
    pub async fn inspect(&self, id: &str) -> Result<Option<Container>, String> {
        match self
            .docker
            .inspect_container(id, None::<InspectContainerOptions>)
            .await
        {
            Ok(c) => {
                let json = serde_json::to_value(c).map_err(|e| e.to_string())?;
                Container::from_inspect(json)
                    .map(Some)
                    .map_err(|e| format!("container {id}: unexpected inspect output: {e}"))
            }
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            }) => Ok(None),
            Err(e) => Err(describe(&self.host, &e)),
        }
    }

    /// Container events from `since` (nanoseconds since the epoch) on, or from now. The stream
    /// ends or fails when the engine goes away; the caller reconnects with the last event's
    /// time.
    pub fn events(
        &self,
        since_nano: Option<i64>,
    ) -> impl Stream<Item = Result<Event, String>> + use<> {
        let filters = [("type".to_string(), vec!["container".to_string()])]
            .into_iter()
            .collect();
        let options = EventsOptions {
            since: since_nano.map(|n| format!("{}.{:09}", n / 1_000_000_000, n % 1_000_000_000)),
            until: None,
            filters: Some(filters),
        };
        let host = self.host.clone();
        self.docker.events(Some(options)).map(move |m| {
            let m = m.map_err(|e| describe(&host, &e))?;
            let actor = m.actor.unwrap_or_default();
            Ok(Event {
                action: m.action.unwrap_or_default(),
                signal: actor
                    .attributes
                    .as_ref()
                    .and_then(|a| a.get("signal").cloned()),
                id: actor.id.unwrap_or_default(),
                time_nano: m
                    .time_nano
                    .unwrap_or_else(|| m.time.unwrap_or(0) * 1_000_000_000),
            })
        })
    }
}

/// How long to wait before reconnecting after the `n`th consecutive failure (1 s doubling to
/// 30 s).
pub fn backoff(n: u32) -> Duration {
    Duration::from_secs(1u64 << n.min(5)).min(Duration::from_secs(30))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert_eq!(
            docker_host(Some("tcp://h:2375"), Some("unix:///x")),
            "tcp://h:2375"
        );
        assert_eq!(docker_host(None, Some("unix:///x")), "unix:///x");
        let default = docker_host(None, None);
        assert!(default == REGISTRATOR_DOCKER_HOST || default == DOCKER_DEFAULT_HOST);
        assert_eq!(backoff(0), Duration::from_secs(1));
        assert_eq!(backoff(10), Duration::from_secs(30));
    }

    #[tokio::test]
    async fn a_missing_socket_is_named() {
        let e = Engine::connect("unix:///nonexistent/docker.sock")
            .await
            .unwrap_err();
        assert!(
            e.contains("/nonexistent/docker.sock") && e.contains("does not exist"),
            "{e}"
        );
        let e = Engine::connect("docker.example").await.unwrap_err();
        assert!(e.contains("expected unix://"), "{e}");
    }
}
