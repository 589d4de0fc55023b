//! The thread gossip runs on: one OS thread with a single-threaded tokio runtime, shared by a
//! server's LAN and WAN members. Both pools' loops are small and mostly asleep, so a second
//! thread would only add its own stack, malloc arena, timer wheel and epoll instance without
//! making either pool more punctual; what matters is that agent load (HTTP, Raft) never runs
//! here. Must not import http, raft, client or commands.

use std::future::Future;

use tokio::runtime::Handle;
use tokio::sync::mpsc;

use super::GossipError;

/// A running gossip thread; pools started on it keep it alive until their loops end.
pub struct GossipThread {
    handle: Handle,
    /// Held by this value and by every pool's task: the thread stops when all are gone.
    alive: mpsc::Sender<()>,
}

impl GossipThread {
    /// Starts the thread, named `name`.
    pub fn spawn(name: &str) -> Result<GossipThread, GossipError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(GossipError::Runtime)?;
        let handle = rt.handle().clone();
        let (alive, mut gone) = mpsc::channel::<()>(1);
        std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                // Nothing is ever sent: recv() returns when the last sender is dropped.
                rt.block_on(async move { while gone.recv().await.is_some() {} });
            })
            .map_err(GossipError::Runtime)?;
        Ok(GossipThread { handle, alive })
    }

    /// Runs `f` in the thread's runtime context: sockets made there register with its reactor.
    pub(super) fn enter<T>(&self, f: impl FnOnce() -> T) -> T {
        let _in_rt = self.handle.enter();
        f()
    }

    /// Runs a pool's loops on the thread; the thread outlives them.
    pub(super) fn run<F>(&self, loops: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let alive = self.alive.clone();
        self.handle.spawn(async move {
            loops.await;
            drop(alive);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn runs_every_pool_and_stops_after_the_last() {
        let t = GossipThread::spawn("gossip-test").unwrap();
        let (a_tx, a_rx) = tokio::sync::oneshot::channel::<()>();
        let (b_tx, b_rx) = tokio::sync::oneshot::channel::<()>();
        let (seen_tx, mut seen) = mpsc::unbounded_channel();
        for (name, rx) in [("a", a_rx), ("b", b_rx)] {
            let seen_tx = seen_tx.clone();
            t.run(async move {
                let thread = std::thread::current().name().map(String::from);
                seen_tx.send((name, thread)).ok();
                drop(seen_tx);
                let _ = rx.await;
            });
        }
        drop(seen_tx);
        let mut names = Vec::new();
        while let Some((pool, thread)) = seen.recv().await {
            assert_eq!(thread.as_deref(), Some("gossip-test"), "pool {pool}");
            names.push(pool);
        }
        names.sort_unstable();
        assert_eq!(names, ["a", "b"]);
        let alive = t.alive.downgrade();
        drop(t);
        a_tx.send(()).unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(alive.upgrade().is_some(), "pool b still runs");
        b_tx.send(()).unwrap();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while alive.upgrade().is_some() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the thread kept running"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}
