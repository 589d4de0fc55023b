//! Group commit for the Raft log: one dedicated thread makes sled's writes durable.
//!
//! sled's `flush()` ends with `sync_file_range`, which neither flushes the device write cache nor
//! the file metadata, so it is not durable on its own. A sync here is `db.flush()` followed by
//! `fdatasync` of sled's data file (`<dir>/db`) and, defensively, of any file in `<dir>/blobs`
//! (the log store keeps values small so that sled never writes blobs; see `log_store`).
//!
//! Every pending request that arrived while the previous sync ran is served by the next one:
//! the thread takes the first request, drains whatever else is queued, syncs once and then
//! completes all of them. Because sled's log is sequential, a sync covers every write made before
//! its request was queued. Nothing outside `raft/` uses this.

use std::collections::HashSet;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;

use openraft::storage::LogFlushed;

use super::types::TypeConfig;

/// Who waits for a sync.
pub(crate) enum Waiter {
    /// openraft's append callback.
    Log(LogFlushed<TypeConfig>),
    /// An async caller (save_vote, shutdown).
    Notify(tokio::sync::oneshot::Sender<io::Result<()>>),
}

impl Waiter {
    fn complete(self, result: &Result<(), (io::ErrorKind, String)>) {
        let res = result
            .as_ref()
            .map(|_| ())
            .map_err(|(kind, msg)| io::Error::new(*kind, msg.clone()));
        match self {
            Waiter::Log(cb) => cb.log_io_completed(res),
            Waiter::Notify(tx) => {
                // The caller may have gone away (e.g. a cancelled request); nothing to do then.
                let _ = tx.send(res);
            }
        }
    }
}

/// Handle to the sync thread. Dropping the last handle stops and joins the thread.
pub(crate) struct Syncer {
    tx: Mutex<Option<mpsc::Sender<Waiter>>>,
    completed: Arc<AtomicU64>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Syncer {
    /// Starts the sync thread for the sled database `db` living in `dir`.
    pub(crate) fn start(db: sled::Db, dir: &Path) -> io::Result<Syncer> {
        let data_file = File::options()
            .read(true)
            .write(true)
            .open(dir.join("db"))?;
        let (tx, rx) = mpsc::channel::<Waiter>();
        let completed = Arc::new(AtomicU64::new(0));
        let mut worker = Worker {
            db,
            data_file,
            blob_dir: dir.join("blobs"),
            synced_blobs: HashSet::new(),
            completed: completed.clone(),
        };
        let thread = std::thread::Builder::new()
            .name("raft-log-sync".into())
            .stack_size(256 * 1024)
            .spawn(move || worker.run(rx))?;
        Ok(Syncer {
            tx: Mutex::new(Some(tx)),
            completed,
            thread: Mutex::new(Some(thread)),
        })
    }

    /// Queues `waiter`; it is completed after the next flush + fdatasync.
    pub(crate) fn submit(&self, waiter: Waiter) {
        let sent = match self.tx.lock() {
            Ok(guard) => match guard.as_ref() {
                Some(tx) => tx.send(waiter).map_err(|e| e.0),
                None => Err(waiter),
            },
            Err(_) => Err(waiter),
        };
        if let Err(waiter) = sent {
            waiter.complete(&Err((
                io::ErrorKind::BrokenPipe,
                "the Raft log sync thread has stopped".into(),
            )));
        }
    }

    /// Makes every write made so far durable.
    pub(crate) async fn sync(&self) -> io::Result<()> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.submit(Waiter::Notify(tx));
        rx.await.map_err(|_| {
            io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the Raft log sync thread has stopped",
            )
        })?
    }

    /// How many flush + fdatasync rounds have completed (each may serve many requests).
    pub(crate) fn completed_syncs(&self) -> u64 {
        self.completed.load(Ordering::Acquire)
    }

    /// Stops the thread after it has served everything already queued.
    pub(crate) fn stop(&self) {
        if let Ok(mut guard) = self.tx.lock() {
            guard.take();
        }
        let handle = self.thread.lock().ok().and_then(|mut g| g.take());
        if let Some(handle) = handle {
            if handle.join().is_err() {
                tracing::error!("the Raft log sync thread panicked");
            }
        }
    }
}

impl Drop for Syncer {
    fn drop(&mut self) {
        self.stop();
    }
}

struct Worker {
    db: sled::Db,
    data_file: File,
    blob_dir: PathBuf,
    synced_blobs: HashSet<std::ffi::OsString>,
    completed: Arc<AtomicU64>,
}

impl Worker {
    fn run(&mut self, rx: mpsc::Receiver<Waiter>) {
        while let Ok(first) = rx.recv() {
            let mut batch = vec![first];
            batch.extend(rx.try_iter());
            let result = self.sync_once().map_err(|e| {
                tracing::error!(error = %e, "Raft log sync failed");
                (e.kind(), format!("syncing the Raft log: {e}"))
            });
            self.completed.fetch_add(1, Ordering::AcqRel);
            for waiter in batch {
                waiter.complete(&result);
            }
        }
    }

    fn sync_once(&mut self) -> io::Result<()> {
        self.db.flush().map_err(sled_to_io)?;
        self.sync_blobs()?;
        self.data_file.sync_data()
    }

    /// fsyncs blob files sled wrote since the last sync (normally there are none).
    fn sync_blobs(&mut self) -> io::Result<()> {
        let entries = match std::fs::read_dir(&self.blob_dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        let mut present = HashSet::new();
        let mut new_blob = false;
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name();
            if !self.synced_blobs.contains(&name) {
                File::open(entry.path())?.sync_all()?;
                new_blob = true;
            }
            present.insert(name);
        }
        if new_blob {
            File::open(&self.blob_dir)?.sync_all()?;
        }
        self.synced_blobs = present;
        Ok(())
    }
}

/// Converts a sled error into an I/O error for openraft's callbacks.
pub(crate) fn sled_to_io(e: sled::Error) -> io::Error {
    match e {
        sled::Error::Io(io) => io,
        other => io::Error::other(other.to_string()),
    }
}
