//! Refusing client writes the Raft log's disk cannot take, before they reach Raft.
//!
//! openraft treats a failed log write as fatal, so the leader checks first: while the WAL
//! writer is retrying a failed write, or when the file system holding the log has less free
//! space than a batch needs plus [`RESERVE`], the batch is refused at once with a message that
//! says so (HTTP 507). Reads go on, and writes are accepted again as soon as space returns.
//! Like etcd's space alarm, but lifted by itself.
//!
//! The free space is asked of the file system (`statvfs`) at most every [`RECHECK_EVERY`] while
//! it is plentiful, counting what was admitted since; within [`ROOMY`] of the need, at every
//! batch. Space another process takes faster than that meanwhile is still caught: the WAL
//! writer's failed write refuses writes until it succeeds.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::wal::DiskStatus;

/// Free space kept back beyond a batch: segment headers, snapshots' temporary files and the
/// commit points that ride along.
pub(crate) const RESERVE: u64 = 1024 * 1024;

/// How long a reading of plentiful free space is trusted.
const RECHECK_EVERY: Duration = Duration::from_millis(100);

/// Free space beyond a batch's need that counts as plentiful.
const ROOMY: u64 = 64 * 1024 * 1024;

/// Checks a batch against the log's disk.
pub(crate) struct DiskGuard {
    dir: PathBuf,
    status: Arc<DiskStatus>,
    last: Mutex<Option<Reading>>,
}

/// The file system's free space when last asked, and what was admitted since.
#[derive(Clone, Copy)]
struct Reading {
    at: Instant,
    free: u64,
    admitted: u64,
}

impl DiskGuard {
    pub(crate) fn new(dir: &Path, status: Arc<DiskStatus>) -> DiskGuard {
        DiskGuard {
            dir: dir.to_path_buf(),
            status,
            last: Mutex::new(None),
        }
    }

    /// `Ok` when a batch of about `bytes` (keys and values) can be written now.
    pub(crate) fn admit(&self, bytes: usize) -> Result<(), String> {
        if let Some(why) = self.status.failing() {
            return Err(format!(
                "the Raft log in {} cannot be written ({why}); writes are refused until it can",
                self.dir.display()
            ));
        }
        // Records carry field names and framing on top of keys and values: count twice.
        let written = (bytes as u64).saturating_mul(2);
        let need = written.saturating_add(RESERVE);
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(r) = last.as_mut() {
            let left = r.free.saturating_sub(r.admitted);
            if r.at.elapsed() < RECHECK_EVERY && left >= need.saturating_add(ROOMY) {
                r.admitted = r.admitted.saturating_add(written);
                return Ok(());
            }
        }
        // A file system that cannot say how full it is gets the benefit of the doubt.
        let Ok(fs) = rustix::fs::statvfs(&self.dir) else {
            *last = None;
            return Ok(());
        };
        let free = fs.f_bavail.saturating_mul(fs.f_frsize);
        let admit = free >= need;
        *last = Some(Reading {
            at: Instant::now(),
            free,
            admitted: if admit { written } else { 0 },
        });
        if !admit {
            return Err(format!(
                "not enough disk space for the Raft log in {}: {} free, {} needed; writes are \
                 refused until space is freed",
                self.dir.display(),
                human(free),
                human(need)
            ));
        }
        Ok(())
    }
}

/// Bytes in the largest binary unit that keeps a whole number part (`812 KiB`, `1.5 MiB`).
fn human(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 || value >= 100.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_well() {
        assert_eq!(human(812), "812 B");
        assert_eq!(human(1536), "1.5 KiB");
        assert_eq!(human(3 * 1024 * 1024), "3.0 MiB");
        assert_eq!(human(200 * 1024 * 1024), "200 MiB");
    }

    #[test]
    fn a_failing_log_refuses_writes_and_a_roomy_one_admits_them() {
        let dir = tempfile::tempdir().expect("tempdir");
        let status = Arc::new(DiskStatus::default());
        let guard = DiskGuard::new(dir.path(), status.clone());
        assert_eq!(guard.admit(100), Ok(()));
        status.set_for_test(Some("No space left on device (os error 28)".into()));
        let refused = guard.admit(100).expect_err("refused while failing");
        assert!(refused.contains("No space left"), "{refused}");
        status.set_for_test(None);
        let huge = guard
            .admit(usize::MAX / 4)
            .expect_err("no disk has this much");
        assert!(refused.contains("writes are refused"), "{huge}");
        assert!(huge.contains("not enough disk space"), "{huge}");
    }

    #[test]
    fn a_recent_reading_admits_until_what_it_admitted_leaves_too_little() {
        let dir = tempfile::tempdir().expect("tempdir");
        let guard = DiskGuard::new(dir.path(), Arc::new(DiskStatus::default()));
        let reading = |guard: &DiskGuard| guard.last.lock().expect("lock").expect("a reading");
        // As if the file system had said: room for one 800-byte record and no more.
        *guard.last.lock().expect("lock") = Some(Reading {
            at: Instant::now(),
            free: ROOMY + RESERVE + 1000,
            admitted: 0,
        });
        assert_eq!(guard.admit(400), Ok(()));
        assert_eq!(reading(&guard).admitted, 800);
        assert_eq!(
            reading(&guard).free,
            ROOMY + RESERVE + 1000,
            "asked again too soon"
        );
        // The next one would eat into the margin: the file system is asked again.
        assert_eq!(guard.admit(400), Ok(()));
        assert_ne!(
            reading(&guard).free,
            ROOMY + RESERVE + 1000,
            "not asked again"
        );
        assert_eq!(reading(&guard).admitted, 800);
        // A stale reading is not trusted, however roomy.
        *guard.last.lock().expect("lock") = Some(Reading {
            at: Instant::now() - RECHECK_EVERY,
            free: u64::MAX,
            admitted: 0,
        });
        assert_eq!(guard.admit(400), Ok(()));
        assert_ne!(reading(&guard).free, u64::MAX, "a stale reading was used");
    }
}
