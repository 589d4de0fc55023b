//! Registrations made through the agent API survive a restart, as in Consul: each service and
//! check registered over HTTP is kept as its registration JSON under the data directory
//! (`services/`, `checks/`), and the last status a TTL check was given is kept with its expiry
//! (`checks/state/`), so a restarted agent does not forget its services or flip TTL checks
//! back to critical; node and service maintenance mode is kept too (`maintenance/`).
//! Config-file registrations are not kept: the files are read again.
//!
//! One file per ID, named by the SHA-256 of the ID (IDs may hold `/` and `#`); each is written
//! to a temporary file, fsync'ed and renamed, so a crash leaves the old or the new content,
//! never a torn file. A file that cannot be read back is skipped with a warning.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

const SERVICES: &str = "services";
const CHECKS: &str = "checks";
const STATE: &str = "state";
const MAINTENANCE: &str = "maintenance";

/// Why a registration could not be kept.
#[derive(Debug, thiserror::Error)]
#[error("cannot persist {what} {id:?} in {path}: {source}")]
pub struct PersistError {
    what: &'static str,
    id: String,
    path: PathBuf,
    source: io::Error,
}

/// A TTL check's last reported status, kept until it expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TtlState {
    #[serde(rename = "CheckID")]
    pub check_id: String,
    pub status: String,
    pub output: String,
    /// Unix time in milliseconds after which the state is stale.
    pub expires_ms: u64,
}

impl TtlState {
    pub fn new(check_id: &str, status: &str, output: &str, ttl: Duration) -> TtlState {
        TtlState {
            check_id: check_id.to_string(),
            status: status.to_string(),
            output: output.to_string(),
            expires_ms: unix_ms(SystemTime::now() + ttl),
        }
    }

    pub fn expired(&self) -> bool {
        unix_ms(SystemTime::now()) >= self.expires_ms
    }
}

/// Maintenance mode on the node (no service ID) or on one service, with its reason; kept
/// under the ID of the check it stands for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Maintenance {
    #[serde(rename = "ServiceID")]
    pub service_id: String,
    pub reason: String,
}

fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The kept registrations; `None` root keeps nothing (agents without a data directory).
#[derive(Debug, Default)]
pub struct Persisted {
    root: Option<PathBuf>,
}

impl Persisted {
    /// Keeps registrations under `data_dir`, creating the directories.
    pub fn open(data_dir: &Path) -> io::Result<Persisted> {
        fs::create_dir_all(data_dir.join(SERVICES))?;
        fs::create_dir_all(data_dir.join(CHECKS).join(STATE))?;
        fs::create_dir_all(data_dir.join(MAINTENANCE))?;
        Ok(Persisted {
            root: Some(data_dir.to_path_buf()),
        })
    }

    fn dir(&self, dir: &[&str]) -> Option<PathBuf> {
        let mut path = self.root.clone()?;
        path.extend(dir);
        Some(path)
    }

    fn file(&self, dir: &[&str], id: &str) -> Option<PathBuf> {
        Some(self.dir(dir)?.join(file_name(id)))
    }

    pub fn save_service(
        &self,
        id: &str,
        registration: &serde_json::Value,
    ) -> Result<(), PersistError> {
        self.save(&[SERVICES], "service", id, registration)
    }

    pub fn save_check(
        &self,
        id: &str,
        registration: &serde_json::Value,
    ) -> Result<(), PersistError> {
        self.save(&[CHECKS], "check", id, registration)
    }

    pub fn save_ttl_state(&self, state: &TtlState) -> Result<(), PersistError> {
        self.save(&[CHECKS, STATE], "check state", &state.check_id, state)
    }

    /// Forgets a service (its checks are removed one by one by the caller).
    pub fn remove_service(&self, id: &str) {
        self.remove(&[SERVICES], id);
    }

    pub fn save_maintenance(&self, check_id: &str, m: &Maintenance) -> Result<(), PersistError> {
        self.save(&[MAINTENANCE], "maintenance", check_id, m)
    }

    /// Forgets a check, its TTL state, and the maintenance mode it stands for.
    pub fn remove_check(&self, id: &str) {
        self.remove(&[CHECKS], id);
        self.remove(&[CHECKS, STATE], id);
        self.remove(&[MAINTENANCE], id);
    }

    /// The kept maintenance modes.
    pub fn maintenance(&self) -> Vec<Maintenance> {
        self.load_all(&[MAINTENANCE])
            .into_iter()
            .filter_map(|v| serde_json::from_value(v).ok())
            .collect()
    }

    /// The kept service registrations.
    pub fn services(&self) -> Vec<serde_json::Value> {
        self.load_all(&[SERVICES])
    }

    /// The kept check registrations.
    pub fn checks(&self) -> Vec<serde_json::Value> {
        self.load_all(&[CHECKS])
    }

    /// The kept TTL state of a check, if any and not expired.
    pub fn ttl_state(&self, id: &str) -> Option<TtlState> {
        let path = self.file(&[CHECKS, STATE], id)?;
        let bytes = fs::read(&path).ok()?;
        let state: TtlState = serde_json::from_slice(&bytes).ok()?;
        (state.check_id == id && !state.expired()).then_some(state)
    }

    fn save<T: Serialize>(
        &self,
        dir: &[&str],
        what: &'static str,
        id: &str,
        value: &T,
    ) -> Result<(), PersistError> {
        let Some(path) = self.file(dir, id) else {
            return Ok(());
        };
        // Serialising JSON values and plain structs cannot fail.
        let bytes = serde_json::to_vec(value).unwrap_or_default();
        write_atomic(&path, &bytes).map_err(|source| PersistError {
            what,
            id: id.to_string(),
            path,
            source,
        })
    }

    fn remove(&self, dir: &[&str], id: &str) {
        let Some(path) = self.file(dir, id) else {
            return;
        };
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!("cannot remove {}: {e}", path.display()),
        }
    }

    fn load_all(&self, dir: &[&str]) -> Vec<serde_json::Value> {
        let Some(Ok(entries)) = self.dir(dir).map(fs::read_dir) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        files
            .into_iter()
            .filter_map(|p| {
                let read = fs::read(&p).map_err(|e| e.to_string());
                match read.and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string())) {
                    Ok(v) => Some(v),
                    Err(e) => {
                        tracing::warn!("skipping unreadable registration {}: {e}", p.display());
                        None
                    }
                }
            })
            .collect()
    }
}

/// The file name for an ID: its SHA-256 in hex.
fn file_name(id: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, id.as_bytes());
    let mut name: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    name.push_str(".json");
    name
}

/// Writes `bytes` to `path` through a synced temporary file and a rename.
fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    fs::File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn registrations_round_trip_and_are_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let p = Persisted::open(dir.path()).unwrap();
        p.save_service("web/1#a", &json!({"ID": "web/1#a", "Name": "web"}))
            .unwrap();
        p.save_check("c1", &json!({"ID": "c1", "TTL": "10s"}))
            .unwrap();
        let again = Persisted::open(dir.path()).unwrap();
        assert_eq!(again.services(), [json!({"ID": "web/1#a", "Name": "web"})]);
        assert_eq!(again.checks().len(), 1);
        again.remove_service("web/1#a");
        again.remove_check("c1");
        assert!(again.services().is_empty());
        assert!(again.checks().is_empty());
    }

    #[test]
    fn ttl_state_is_kept_until_it_expires() {
        let dir = tempfile::tempdir().unwrap();
        let p = Persisted::open(dir.path()).unwrap();
        let live = TtlState::new("c1", "passing", "ok", Duration::from_secs(60));
        p.save_ttl_state(&live).unwrap();
        assert_eq!(p.ttl_state("c1"), Some(live));
        let old = TtlState::new("c2", "passing", "ok", Duration::ZERO);
        p.save_ttl_state(&old).unwrap();
        assert_eq!(p.ttl_state("c2"), None, "an expired state is not restored");
        p.remove_check("c1");
        assert_eq!(p.ttl_state("c1"), None);
    }

    #[test]
    fn unreadable_files_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let p = Persisted::open(dir.path()).unwrap();
        p.save_service("ok", &json!({"ID": "ok"})).unwrap();
        fs::write(dir.path().join(SERVICES).join("torn.json"), b"{\"ID\":").unwrap();
        assert_eq!(p.services(), [json!({"ID": "ok"})]);
    }

    #[test]
    fn without_a_data_dir_nothing_is_kept() {
        let p = Persisted::default();
        p.save_service("x", &json!({})).unwrap();
        assert!(p.services().is_empty());
    }
}
