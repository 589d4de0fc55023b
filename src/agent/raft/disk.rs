//! Refusing client writes the Raft log's disk cannot take, before they reach Raft.
//!
//! openraft treats a failed log write as fatal, so the leader checks first: while the WAL
//! writer is retrying a failed write, or when the file system holding the log has less free
//! space than a batch needs plus [`RESERVE`], the batch is refused at once with a message that
//! says so (HTTP 507). Reads go on, and writes are accepted again as soon as space returns.
//! Like etcd's space alarm, but lifted by itself.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::wal::DiskStatus;

/// Free space kept back beyond a batch: segment headers, snapshots' temporary files and the
/// commit points that ride along.
pub(crate) const RESERVE: u64 = 1024 * 1024;

/// Checks a batch against the log's disk.
pub(crate) struct DiskGuard {
    dir: PathBuf,
    status: Arc<DiskStatus>,
}

impl DiskGuard {
    pub(crate) fn new(dir: &Path, status: Arc<DiskStatus>) -> DiskGuard {
        DiskGuard {
            dir: dir.to_path_buf(),
            status,
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
        // A file system that cannot say how full it is gets the benefit of the doubt.
        let Ok(fs) = rustix::fs::statvfs(&self.dir) else {
            return Ok(());
        };
        let free = fs.f_bavail.saturating_mul(fs.f_frsize);
        // Records carry field names and framing on top of keys and values: count twice.
        let need = (bytes as u64).saturating_mul(2).saturating_add(RESERVE);
        if free < need {
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
}
