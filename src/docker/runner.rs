//! The `sd register-docker` loop: subscribe to container events, reconcile (register what runs,
//! deregister what this host registered and no longer runs), then follow the events one at a
//! time in the order the engine sent them (no die/start race), reconciling again on every
//! reconnect of the event stream (resumed with `since`), on `-resync` and after a failed write
//! to the agent. The engine or the agent going away is retried with capped backoff, logged.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use futures::StreamExt;

use super::engine::{backoff, Engine, Event};
use super::reconcile::{plan, registrator_id};
use super::service::{services, Options};
use crate::api::catalog::AgentServiceRegistration;
use crate::client::Client;

/// How the run behaves besides naming (`Options`).
#[derive(Debug, Clone)]
pub struct Settings {
    pub docker_host: String,
    pub options: Options,
    /// `-tags`: added to every service.
    pub tags: Vec<String>,
    /// `-resync`: reconcile this often.
    pub resync: Option<Duration>,
    /// `-deregister on-success`: keep the services of a container that failed.
    pub deregister_on_success: bool,
}

/// The run's state: what it registered, by container.
struct Run {
    settings: Settings,
    engine: Engine,
    client: Client,
    /// Container ID -> the service IDs registered for it.
    registered: BTreeMap<String, Vec<String>>,
}

/// Runs until the task is dropped (the command ends it on a signal); returns only the error
/// that prevents starting (the engine cannot be reached).
pub async fn run(settings: Settings, client: Client) -> Result<std::convert::Infallible, String> {
    let engine = Engine::connect(&settings.docker_host).await?;
    tracing::info!(
        "connected to the Docker engine at {} (API {})",
        settings.docker_host,
        engine.api_version()
    );
    let mut run = Run {
        settings,
        engine,
        client,
        registered: BTreeMap::new(),
    };
    run.serve().await
}

impl Run {
    async fn serve(&mut self) -> Result<std::convert::Infallible, String> {
        let mut since: Option<i64> = None;
        let mut failures = 0u32;
        loop {
            // Subscribe first, then reconcile: nothing that happens in between is missed.
            let now = now_nano();
            let mut stream = Box::pin(self.engine.events(Some(since.unwrap_or(now))));
            if let Err(e) = self.reconcile().await {
                tracing::warn!("reconcile: {e}; again in {:?}", backoff(failures));
                tokio::time::sleep(backoff(failures)).await;
                failures += 1;
                continue;
            }
            failures = 0;
            let mut resync = self.settings.resync.map(tokio::time::interval);
            if let Some(r) = &mut resync {
                r.tick().await;
            }
            loop {
                let next = tokio::select! {
                    ev = stream.next() => ev,
                    _ = tick(&mut resync) => {
                        if let Err(e) = self.reconcile().await {
                            tracing::warn!("resync: {e}");
                        }
                        continue;
                    }
                };
                match next {
                    Some(Ok(ev)) => {
                        since = Some(ev.time_nano.max(since.unwrap_or(0)));
                        if let Err(e) = self.handle(&ev).await {
                            tracing::warn!("{} {}: {e}; reconciling", ev.action, short(&ev.id));
                            if let Err(e) = self.reconcile().await {
                                tracing::warn!("reconcile: {e}");
                            }
                        }
                    }
                    Some(Err(e)) => {
                        tracing::warn!("Docker event stream: {e}; reconnecting");
                        break;
                    }
                    None => {
                        tracing::warn!("Docker event stream closed; reconnecting");
                        break;
                    }
                }
            }
            tokio::time::sleep(backoff(failures)).await;
            failures += 1;
            if since.is_none() {
                since = Some(now);
            }
        }
    }

    /// One event, in order.
    async fn handle(&mut self, ev: &Event) -> Result<(), String> {
        match ev.action.as_str() {
            "start" => {
                let Some(c) = self.engine.inspect(&ev.id).await? else {
                    return Ok(());
                };
                let wanted = self.wanted_of(&c);
                for svc in &wanted {
                    self.register(svc).await?;
                }
                self.registered
                    .insert(ev.id.clone(), wanted.into_iter().map(|s| s.id).collect());
                Ok(())
            }
            "die" => {
                if self.settings.deregister_on_success {
                    if let Some(c) = self.engine.inspect(&ev.id).await? {
                        let code = c.state.exit_code;
                        if c.state.running || (code != 0 && code & 128 == 0) {
                            tracing::info!(
                                "container {} exited {code}: keeping its services (-deregister on-success)",
                                c.short_name()
                            );
                            return Ok(());
                        }
                    }
                }
                for id in self.registered.remove(&ev.id).unwrap_or_default() {
                    self.deregister(&id).await?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// The services of one container, with its warnings logged.
    fn wanted_of(&self, c: &super::container::Container) -> Vec<AgentServiceRegistration> {
        let (svcs, warnings) = services(c, &self.settings.options, &self.settings.tags);
        for w in warnings {
            tracing::warn!("{w}");
        }
        svcs
    }

    /// Two-way: every running container's services registered as wanted, this host's others
    /// deregistered.
    async fn reconcile(&mut self) -> Result<(), String> {
        let mut wanted = Vec::new();
        let mut by_container = BTreeMap::new();
        for id in self.engine.running().await? {
            let Some(c) = self.engine.inspect(&id).await? else {
                continue;
            };
            if !c.state.running {
                continue;
            }
            let svcs = self.wanted_of(&c);
            by_container.insert(id, svcs.iter().map(|s| s.id.clone()).collect::<Vec<_>>());
            wanted.extend(svcs);
        }
        let on_agent = self
            .client
            .agent()
            .services()
            .await
            .map_err(|e| format!("agent: {e}"))?;
        let ours: BTreeSet<String> = self.registered.values().flatten().cloned().collect();
        let hostname = self.settings.options.hostname.clone();
        let p = plan(&wanted, &on_agent, |s| {
            ours.contains(&s.id) || registrator_id(&s.id, &hostname)
        });
        for svc in &p.register {
            self.register(svc).await?;
        }
        for id in &p.deregister {
            self.deregister(id).await?;
        }
        self.registered = by_container;
        tracing::debug!(
            "reconciled: {} registered, {} deregistered, {} wanted",
            p.register.len(),
            p.deregister.len(),
            wanted.len()
        );
        Ok(())
    }

    async fn register(&self, svc: &AgentServiceRegistration) -> Result<(), String> {
        self.client
            .agent()
            .service_register(svc)
            .await
            .map_err(|e| format!("register {}: {e}", svc.id))?;
        tracing::info!(
            "added: {} {} {}:{}",
            svc.id,
            svc.name,
            svc.address,
            svc.port
        );
        Ok(())
    }

    async fn deregister(&self, id: &str) -> Result<(), String> {
        self.client
            .agent()
            .service_deregister(id)
            .await
            .map_err(|e| format!("deregister {id}: {e}"))?;
        tracing::info!("removed: {id}");
        Ok(())
    }
}

async fn tick(resync: &mut Option<tokio::time::Interval>) {
    match resync {
        Some(r) => {
            r.tick().await;
        }
        None => std::future::pending().await,
    }
}

fn now_nano() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

fn short(id: &str) -> &str {
    &id[..id.len().min(12)]
}
