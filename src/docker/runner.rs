//! The `sd register-docker` loop: subscribe to container events, reconcile (register what runs,
//! deregister what this host registered and no longer runs), then follow the events one at a
//! time in the order the engine sent them (no die/start race):
//!
//! - `start` registers, `die` deregisters (`-deregister on-success` keeps a failed container's);
//! - a stopping `kill` (TERM, INT, QUIT) drains first: the services go into maintenance, so
//!   consumers drop them while the container shuts down; a container still running a minute
//!   later is put back in service;
//! - `health_status` sets the Docker health check (`health`), refreshed within its TTL.
//!
//! The engine going away ends the event stream: it is resumed with `since` after a capped
//! backoff, and reconciled. The agent going away fails a write: the run reconciles again with
//! the same backoff until it succeeds, and checks every 30 s that the agent still holds what it
//! registered (an agent restarted without its state is healed).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use futures::StreamExt;
use tokio::time::Instant;

use super::container::Container;
use super::engine::{backoff, Engine, Event};
use super::health;
use super::reconcile::{plan, registrator_id};
use super::service::{services, Options};
use super::tags::Tags;
use crate::api::catalog::{AgentService, AgentServiceRegistration};
use crate::client::{Client, ClientError};

/// How long a drained container may keep running before its services are back in service.
const DRAIN_LIMIT: Duration = Duration::from_secs(60);

/// How the run behaves besides naming (`Options`).
#[derive(Debug, Clone)]
pub struct Settings {
    pub docker_host: String,
    pub options: Options,
    /// `-tags`: added to every service.
    pub tags: Tags,
    /// `-resync`: reconcile this often.
    pub resync: Option<Duration>,
    /// `-deregister on-success`: keep the services of a container that failed.
    pub deregister_on_success: bool,
}

/// What the run registered for one container.
#[derive(Debug, Clone, Default)]
struct Registered {
    services: Vec<AgentServiceRegistration>,
    /// The Docker health last reported (status, output), with a `HEALTHCHECK`.
    health: Option<(&'static str, String)>,
    /// When its services went into maintenance, if a stop was seen.
    drained: Option<Instant>,
}

impl Registered {
    /// A container's services as just registered: its health as Docker reports it, no drain.
    fn of(c: &Container, services: Vec<AgentServiceRegistration>) -> Registered {
        Registered {
            services,
            health: health::status(c),
            drained: None,
        }
    }

    fn ids(&self) -> Vec<String> {
        self.services.iter().map(|s| s.id.clone()).collect()
    }
}

/// The run's state: what it registered, by container ID.
struct Run {
    settings: Settings,
    engine: Engine,
    client: Client,
    registered: BTreeMap<String, Registered>,
    /// A write to the agent failed: reconcile at this time.
    retry_at: Option<Instant>,
    agent_failures: u32,
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
        retry_at: None,
        agent_failures: 0,
    };
    run.serve().await
}

/// What woke the loop.
enum Wake {
    Event(Option<Result<Event, String>>),
    Resync,
    Refresh,
    Retry,
    DrainExpired,
}

impl Run {
    async fn serve(&mut self) -> Result<std::convert::Infallible, String> {
        let mut since: Option<i64> = None;
        let mut engine_failures = 0u32;
        let mut refresh =
            tokio::time::interval_at(Instant::now() + health::REFRESH, health::REFRESH);
        refresh.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            // Subscribe first, then reconcile: nothing that happens in between is missed.
            let now = now_nano();
            let mut stream = Box::pin(self.engine.events(Some(since.unwrap_or(now))));
            if let Err(e) = self.reconcile().await {
                tracing::warn!("reconcile: {e}; again in {:?}", backoff(engine_failures));
                tokio::time::sleep(backoff(engine_failures)).await;
                engine_failures += 1;
                continue;
            }
            engine_failures = 0;
            let mut resync = self.settings.resync.map(|d| {
                let mut i = tokio::time::interval_at(Instant::now() + d, d);
                i.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                i
            });
            loop {
                let drain_deadline = self
                    .registered
                    .values()
                    .filter_map(|r| r.drained)
                    .min()
                    .map(|t| t + DRAIN_LIMIT);
                let wake = tokio::select! {
                    ev = stream.next() => Wake::Event(ev),
                    _ = tick(&mut resync) => Wake::Resync,
                    _ = refresh.tick() => Wake::Refresh,
                    _ = at(self.retry_at) => Wake::Retry,
                    _ = at(drain_deadline) => Wake::DrainExpired,
                };
                match wake {
                    Wake::Event(Some(Ok(ev))) => {
                        since = Some(ev.time_nano.max(since.unwrap_or(0)));
                        if self.retry_at.is_some() {
                            // The agent is away: the next reconcile covers this event.
                            continue;
                        }
                        if let Err(e) = self.handle(&ev).await {
                            tracing::warn!("{} {}: {e}", ev.action, short(&ev.id));
                            self.agent_failed();
                        }
                    }
                    Wake::Event(Some(Err(e))) => {
                        tracing::warn!("Docker event stream: {e}; reconnecting");
                        break;
                    }
                    Wake::Event(None) => {
                        tracing::warn!("Docker event stream closed; reconnecting");
                        break;
                    }
                    Wake::Resync | Wake::Retry => match self.reconcile().await {
                        Ok(()) => {
                            if self.retry_at.take().is_some() {
                                tracing::info!("agent reachable again: reconciled");
                            }
                            self.agent_failures = 0;
                        }
                        Err(e) => {
                            tracing::warn!("reconcile: {e}");
                            self.agent_failed();
                        }
                    },
                    Wake::Refresh => {
                        if self.retry_at.is_none() {
                            if let Err(e) = self.refresh().await {
                                tracing::warn!("{e}");
                                self.agent_failed();
                            }
                        }
                    }
                    Wake::DrainExpired => {
                        if let Err(e) = self.undrain_expired().await {
                            tracing::warn!("{e}");
                            self.agent_failed();
                        }
                    }
                }
            }
            tokio::time::sleep(backoff(engine_failures)).await;
            engine_failures += 1;
            if since.is_none() {
                since = Some(now);
            }
        }
    }

    /// A write to the agent failed: reconcile after a capped backoff.
    fn agent_failed(&mut self) {
        let wait = backoff(self.agent_failures);
        self.agent_failures += 1;
        self.retry_at = Some(Instant::now() + wait);
        tracing::warn!("reconciling with the agent in {wait:?}");
    }

    /// One event, in order.
    async fn handle(&mut self, ev: &Event) -> Result<(), String> {
        let action = ev.action.as_str();
        if action == "start" {
            let Some(c) = self.engine.inspect(&ev.id).await? else {
                return Ok(());
            };
            let services = self.wanted_of(&c).await;
            // A start that the reconcile right after subscribing already covered: nothing to
            // send twice.
            let known = self
                .registered
                .get(&ev.id)
                .is_some_and(|r| r.services == services);
            if !known {
                for svc in &services {
                    self.register(svc).await?;
                }
            }
            let entry = Registered::of(&c, services);
            self.report_health(&entry).await?;
            self.registered.insert(ev.id.clone(), entry);
        } else if action == "die" {
            self.died(&ev.id).await?;
        } else if action == "kill" && stopping(ev.signal.as_deref()) {
            self.drain(&ev.id, ev.signal.as_deref().unwrap_or("?"))
                .await?;
        } else if action.starts_with("health_status") {
            self.health_changed(&ev.id).await?;
        }
        Ok(())
    }

    async fn died(&mut self, id: &str) -> Result<(), String> {
        if self.settings.deregister_on_success {
            if let Some(c) = self.engine.inspect(id).await? {
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
        if let Some(r) = self.registered.remove(id) {
            for svc in &r.services {
                self.deregister(&svc.id).await?;
            }
        }
        Ok(())
    }

    /// A stopping signal: the container's services go into maintenance until it dies.
    async fn drain(&mut self, id: &str, signal: &str) -> Result<(), String> {
        let Some(r) = self.registered.get_mut(id) else {
            return Ok(());
        };
        if r.drained.is_some() {
            return Ok(());
        }
        r.drained = Some(Instant::now());
        let ids = r.ids();
        let reason = format!("container {} is stopping (signal {signal})", short(id));
        for sid in &ids {
            self.maintenance(sid, Some(&format!("sd register-docker: {reason}")))
                .await?;
            tracing::info!("draining: {sid} ({reason})");
        }
        Ok(())
    }

    /// Containers drained longer than `DRAIN_LIMIT` ago that still run are put back in
    /// service (the signal did not stop them).
    async fn undrain_expired(&mut self) -> Result<(), String> {
        let expired: Vec<String> = self
            .registered
            .iter()
            .filter(|(_, r)| r.drained.is_some_and(|t| t.elapsed() >= DRAIN_LIMIT))
            .map(|(id, _)| id.clone())
            .collect();
        for id in expired {
            let running = self
                .engine
                .inspect(&id)
                .await?
                .is_some_and(|c| c.state.running);
            let Some(r) = self.registered.get_mut(&id) else {
                continue;
            };
            r.drained = None;
            if !running {
                continue;
            }
            for sid in &r.ids() {
                self.maintenance(sid, None).await?;
                tracing::info!(
                    "still running {DRAIN_LIMIT:?} after a stop signal: {sid} back in service"
                );
            }
        }
        Ok(())
    }

    /// A `health_status` event: the container's check follows Docker's status.
    async fn health_changed(&mut self, id: &str) -> Result<(), String> {
        let Some(c) = self.engine.inspect(id).await? else {
            return Ok(());
        };
        let Some(r) = self.registered.get_mut(id) else {
            return Ok(());
        };
        let now = health::status(&c);
        if now == r.health {
            return Ok(());
        }
        r.health = now;
        let r = r.clone();
        self.report_health(&r).await
    }

    /// Sends a container's Docker health to each of its services' checks; a check the agent
    /// does not hold (it lost its state) is restored by registering its service again.
    async fn report_health(&self, r: &Registered) -> Result<(), String> {
        let Some((status, output)) = &r.health else {
            return Ok(());
        };
        for svc in &r.services {
            let check = health::check_id(&svc.id);
            match self
                .client
                .agent()
                .check_update(&check, status, output)
                .await
            {
                Ok(()) => tracing::debug!("{check}: {status}"),
                Err(ClientError::Status { code: 404, .. }) => {
                    let mut again = svc.clone();
                    for c in &mut again.checks {
                        c["Status"] = (*status).into();
                    }
                    self.register(&again).await?;
                    self.client
                        .agent()
                        .check_update(&check, status, output)
                        .await
                        .map_err(|e| format!("check {check}: {e}"))?;
                }
                Err(e) => return Err(format!("check {check}: {e}")),
            }
        }
        Ok(())
    }

    /// Every 30 s: the agent still holds what this run registered (re-registered if not), and
    /// the Docker health checks are refreshed within their TTL.
    async fn refresh(&mut self) -> Result<(), String> {
        let on_agent = self.agent_services().await?;
        let wanted: Vec<AgentServiceRegistration> = self
            .registered
            .values()
            .flat_map(|r| r.services.iter().cloned())
            .collect();
        let missing = plan(&wanted, &on_agent, |_| false).register;
        for svc in &missing {
            tracing::info!("the agent lost {}: registering it again", svc.id);
            self.register(svc).await?;
        }
        for r in self.registered.values() {
            if r.drained.is_none() {
                self.report_health(r).await?;
            }
        }
        Ok(())
    }

    /// The services of one container, with its warnings logged.
    async fn wanted_of(&self, c: &Container) -> Vec<AgentServiceRegistration> {
        let tags = match self.settings.tags.render(c).await {
            Ok(t) => t,
            Err(e) => {
                tracing::warn!("container {}: -tags: {e}; not registered", c.short_name());
                return Vec::new();
            }
        };
        let (svcs, warnings) = services(c, &self.settings.options, &tags);
        for w in warnings {
            tracing::warn!("{w}");
        }
        svcs
    }

    /// Two-way: every running container's services registered as wanted, this host's others
    /// deregistered, every Docker health status sent.
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
            let services = self.wanted_of(&c).await;
            wanted.extend(services.iter().cloned());
            by_container.insert(id, Registered::of(&c, services));
        }
        let on_agent = self.agent_services().await?;
        let ours: BTreeSet<String> = self
            .registered
            .values()
            .flat_map(|r| r.services.iter().map(|s| s.id.clone()))
            .collect();
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
        // Every Docker health status, with its output, as it is now.
        for r in by_container.values() {
            self.report_health(r).await?;
        }
        // A drain in progress survives the reconcile.
        for (id, r) in &mut by_container {
            r.drained = self.registered.get(id).and_then(|old| old.drained);
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

    /// The agent's services, by ID.
    async fn agent_services(&self) -> Result<BTreeMap<String, AgentService>, String> {
        self.client
            .agent()
            .services()
            .await
            .map_err(|e| format!("agent: {e}"))
    }

    /// Puts service `id` in maintenance with `reason`, or (none) takes it out.
    async fn maintenance(&self, id: &str, reason: Option<&str>) -> Result<(), String> {
        self.client
            .agent()
            .service_maintenance(id, reason.is_some(), reason.unwrap_or(""))
            .await
            .map_err(|e| format!("maintenance {id}: {e}"))
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
        match self.client.agent().service_deregister(id).await {
            // Already gone (the agent lost it, or an operator removed it): nothing to undo.
            Ok(()) | Err(ClientError::Status { code: 404, .. }) => {}
            Err(e) => return Err(format!("deregister {id}: {e}")),
        }
        tracing::info!("removed: {id}");
        Ok(())
    }
}

/// Whether a `kill` event's signal asks the container to stop (reload signals such as HUP do
/// not; KILL gives no time to drain: the `die` follows at once, and `docker stop`'s KILL comes
/// after its TERM drained already).
fn stopping(signal: Option<&str>) -> bool {
    let Some(s) = signal else {
        return false;
    };
    let name = s.trim_start_matches("SIG");
    matches!(name, "15" | "2" | "3" | "TERM" | "INT" | "QUIT")
}

async fn tick(resync: &mut Option<tokio::time::Interval>) {
    match resync {
        Some(r) => {
            r.tick().await;
        }
        None => std::future::pending().await,
    }
}

/// Sleeps until `deadline`; forever without one.
async fn at(deadline: Option<Instant>) {
    match deadline {
        Some(t) => tokio::time::sleep_until(t).await,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_stopping_signals_drain() {
        for s in ["15", "SIGTERM", "3", "INT"] {
            assert!(stopping(Some(s)), "{s}");
        }
        for s in ["1", "SIGHUP", "USR1", "10", "9", "KILL"] {
            assert!(!stopping(Some(s)), "{s}");
        }
        assert!(!stopping(None));
    }
}
