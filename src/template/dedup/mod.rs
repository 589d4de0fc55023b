//! `-dedup`: many `sd template` instances rendering the same template, with one of them
//! querying the agent.
//!
//! consul-template's design: each instance keeps one session (TTL, behaviour `delete`), and for
//! each template contends for the lock on `<prefix>/<template hash>/data`. The holder is the
//! template's leader: it watches the agent as usual and, after each render, stores the data it
//! rendered from in that key. The others watch only that key and render from what it holds.
//! 50 instances of a template with 50 dependencies then cost 50 + 50 blocking queries instead
//! of 2,500.
//!
//! Unlike consul-template, one blocking read per template serves both as the lock monitor and
//! as the follower's data watch, and the leader writes its data with `?acquire=` (which only
//! the holder may do), so a leader that lost its lock can never overwrite its successor's data.
//!
//! - `data`: key names and the shared data's encoding;
//! - `session`: the instance's session, created again when it is lost;
//! - `holder`: one task per template: contend, lead, or follow.

pub(crate) mod data;
mod holder;
mod session;

use std::collections::HashMap;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::client::Client;
use crate::template::config::DedupConfig;
use crate::template::dependency::Dependency;

/// What the runner hears from the manager.
#[derive(Debug)]
pub(crate) enum Event {
    /// This instance now leads template `id` (`true`), or no longer does.
    Leader { id: String, leading: bool },
    /// The leader of template `id` shared new data.
    Data {
        id: String,
        entries: Vec<(Dependency, Value)>,
    },
}

/// What the runner tells a template's holder.
#[derive(Debug)]
enum Command {
    /// As leader, store this (encoded) data.
    Share(Vec<u8>),
    /// Stop contending; a held key is deleted (the template is gone).
    Stop,
}

struct Holder {
    commands: mpsc::UnboundedSender<Command>,
    task: JoinHandle<()>,
    /// What was last handed over for writing, to skip writing the same data again.
    last_shared: Option<Vec<(Dependency, Value)>>,
}

/// What every task of one manager shares.
#[derive(Clone)]
struct Context {
    client: Client,
    config: DedupConfig,
    events: mpsc::UnboundedSender<Event>,
    /// The instance's current session (`None` while there is none).
    session: watch::Receiver<Option<String>>,
}

/// The de-duplication manager of one run.
pub(crate) struct Dedup {
    ctx: Context,
    events: mpsc::UnboundedReceiver<Event>,
    holders: HashMap<String, Holder>,
    stop_session: watch::Sender<bool>,
    session_task: JoinHandle<()>,
}

impl Dedup {
    /// Starts the session; templates are added with [`Dedup::track`].
    pub fn start(client: Client, config: DedupConfig) -> Dedup {
        tracing::info!("(dedup) starting de-duplication manager");
        let (events_tx, events) = mpsc::unbounded_channel();
        let (session_tx, session_rx) = watch::channel(None);
        let (stop_session, stop_rx) = watch::channel(false);
        let session_task = tokio::spawn(session::keep(
            client.clone(),
            config.ttl,
            session_tx,
            stop_rx,
        ));
        Dedup {
            ctx: Context {
                client,
                config,
                events: events_tx,
                session: session_rx,
            },
            events,
            holders: HashMap::new(),
            stop_session,
            session_task,
        }
    }

    /// Contends for the templates named by `ids` (their hashes) and gives up any other.
    pub fn track<'a>(&mut self, ids: impl IntoIterator<Item = &'a str>) {
        let wanted: std::collections::HashSet<&str> = ids.into_iter().collect();
        self.holders.retain(|id, h| {
            let keep = wanted.contains(id.as_str());
            if !keep {
                let _ = h.commands.send(Command::Stop);
            }
            keep
        });
        for id in wanted {
            if self.holders.contains_key(id) {
                continue;
            }
            let (tx, rx) = mpsc::unbounded_channel();
            let task = tokio::spawn(holder::hold(self.ctx.clone(), id.to_string(), rx));
            self.holders.insert(
                id.to_string(),
                Holder {
                    commands: tx,
                    task,
                    last_shared: None,
                },
            );
        }
    }

    /// As leader of `id`, shares the data it rendered from; data equal to the last shared is
    /// not written again.
    pub fn share(&mut self, id: &str, entries: Vec<(Dependency, Value)>) {
        let Some(h) = self.holders.get_mut(id) else {
            return;
        };
        if h.last_shared.as_ref() == Some(&entries) {
            tracing::debug!("(dedup) de-duplicate data of template {id} already current");
            return;
        }
        let encoded = data::encode(&entries);
        if encoded.len() > data::MAX_VALUE {
            tracing::error!(
                "(dedup) the data of template {id} is {} bytes encoded, over the agent's {} byte \
                 value limit; the other instances cannot be given it",
                encoded.len(),
                data::MAX_VALUE
            );
            return;
        }
        h.last_shared = Some(entries);
        let _ = h.commands.send(Command::Share(encoded));
    }

    /// The next event (never resolves while there is none).
    pub async fn recv(&mut self) -> Event {
        match self.events.recv().await {
            Some(ev) => ev,
            None => std::future::pending().await,
        }
    }

    /// Records that leadership of `id` was lost (its next data must be written again).
    pub fn lost(&mut self, id: &str) {
        if let Some(h) = self.holders.get_mut(id) {
            h.last_shared = None;
        }
    }

    /// The key template `id` is shared under.
    pub fn key(&self, id: &str) -> String {
        data::data_key(&self.ctx.config.prefix, id)
    }

    /// Stops every task and destroys the session, which deletes the keys this instance held
    /// so that another instance takes over at once.
    pub async fn stop(self) {
        tracing::info!("(dedup) stopping de-duplication manager");
        for h in self.holders.values() {
            h.task.abort();
        }
        let _ = self.stop_session.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(5), self.session_task).await;
    }
}
