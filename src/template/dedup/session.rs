//! The instance's session: created with consul-template's settings (its name, behaviour
//! `delete`, the configured TTL, a 1 ms lock delay so a successor takes over at once), renewed
//! every half TTL, created again when lost, destroyed when the run stops.

use std::time::Duration;

use tokio::sync::watch;

use crate::api::session::SessionRequest;
use crate::client::{Client, WriteOptions};

/// The session's name, consul-template's.
pub const NAME: &str = "Consul-Template de-duplication";

/// The pause before creating a session again: doubling from 1 s up to this.
const MAX_RETRY: Duration = Duration::from_secs(15);

/// Keeps a session alive, publishing its ID (or `None` while there is none) until `stop`.
pub async fn keep(
    client: Client,
    ttl: Duration,
    current: watch::Sender<Option<String>>,
    mut stop: watch::Receiver<bool>,
) {
    let req = SessionRequest {
        name: Some(NAME.into()),
        behavior: Some("delete".into()),
        ttl: Some(format!("{}s", ttl.as_secs())),
        lock_delay: Some(Duration::from_millis(1)),
        ..SessionRequest::default()
    };
    let w = WriteOptions::default();
    let mut retry = Duration::from_secs(1);
    loop {
        tracing::info!("(dedup) attempting to create session");
        let sessions = client.session();
        let created = tokio::select! {
            r = sessions.create(&req, &w) => r,
            _ = stop.wait_for(|s| *s) => return,
        };
        match created {
            Ok(id) => {
                tracing::info!("(dedup) created session {id}");
                retry = Duration::from_secs(1);
                let _ = current.send(Some(id.clone()));
                let stopped = {
                    let mut stop = stop.clone();
                    async move {
                        let _ = stop.wait_for(|s| *s).await;
                    }
                };
                // On stop this destroys the session, deleting the keys it holds.
                let ended = client.session().renew_periodic(&id, ttl, stopped).await;
                let _ = current.send(None);
                if *stop.borrow() {
                    return;
                }
                match ended {
                    Ok(()) => tracing::warn!("(dedup) session {id} ended"),
                    Err(e) => tracing::warn!("(dedup) lost session {id}: {e}"),
                }
            }
            Err(e) => {
                tracing::error!("(dedup) failed to create session: {e} (retrying in {retry:?})");
                tokio::select! {
                    _ = tokio::time::sleep(retry) => {}
                    _ = stop.wait_for(|s| *s) => return,
                }
                retry = (retry * 2).min(MAX_RETRY);
            }
        }
    }
}
