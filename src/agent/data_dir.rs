//! The agent's data directory: created if missing, locked for the agent's lifetime, marked as
//! sd's so a foreign directory (Consul's, anything else) is refused instead of misread, and the
//! home of the persisted node ID.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// The marker file that says the directory holds sd data, and in which layout version.
const MARKER: &str = "sd-data-dir";
const MARKER_CONTENT: &str = "sd data directory, layout 1\n";
const LOCK: &str = "sd.lock";
const NODE_ID: &str = "node-id";

/// Why the data directory cannot be used; each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum DataDirError {
    #[error(
        "cannot create data directory {path}: {source}; create it or choose another -data-dir"
    )]
    Create { path: PathBuf, source: io::Error },
    #[error("data directory {path} is not writable ({source}); fix its permissions or choose another -data-dir")]
    NotWritable { path: PathBuf, source: io::Error },
    #[error("data directory {path} is in use by another sd agent{holder}; stop that agent or choose another -data-dir")]
    Locked { path: PathBuf, holder: String },
    #[error(
        "data directory {path} holds files sd did not write ({found}); point -data-dir at an empty or new directory \
         (sd cannot read Consul's data; move the old files away first if this directory is meant for sd)"
    )]
    Foreign { path: PathBuf, found: String },
    #[error("data directory {path} was written by a newer or unknown sd layout ({marker:?}); use the sd version that wrote it")]
    UnknownLayout { path: PathBuf, marker: String },
    #[error("node ID file {path} is not a UUID ({content:?}); delete it to generate a new node ID, or restore it")]
    BadNodeId { path: PathBuf, content: String },
    #[error("data directory {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
}

/// An opened, locked data directory. The lock is released when this is dropped.
pub struct DataDir {
    path: PathBuf,
    _lock: File,
}

impl DataDir {
    /// Opens (creating if needed) and locks `path`.
    pub fn open(path: &Path) -> Result<DataDir, DataDirError> {
        fs::create_dir_all(path).map_err(|source| DataDirError::Create {
            path: path.into(),
            source,
        })?;
        let lock = lock(path)?;
        check_marker(path)?;
        Ok(DataDir {
            path: path.into(),
            _lock: lock,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The Raft directory (log store and snapshots).
    pub fn raft_dir(&self) -> PathBuf {
        self.path.join("raft")
    }

    /// Returns the persisted node ID, or `configured` (persisting it), or a new random UUID
    /// (persisting it). A configured ID that differs from the persisted one wins and is saved.
    pub fn node_id(&self, configured: Option<&str>) -> Result<String, DataDirError> {
        let file = self.path.join(NODE_ID);
        let existing = match fs::read_to_string(&file) {
            Ok(s) => {
                let s = s.trim().to_string();
                if uuid::Uuid::parse_str(&s).is_err() {
                    return Err(DataDirError::BadNodeId {
                        path: file,
                        content: s,
                    });
                }
                Some(s)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(source) => return Err(DataDirError::Io { path: file, source }),
        };
        let id = match (configured, existing) {
            (Some(c), Some(e)) if c.eq_ignore_ascii_case(&e) => return Ok(e),
            (Some(c), _) => c.to_lowercase(),
            (None, Some(e)) => return Ok(e),
            (None, None) => uuid::Uuid::new_v4().to_string(),
        };
        write_durably(&file, id.as_bytes())
            .map_err(|source| DataDirError::Io { path: file, source })?;
        Ok(id)
    }
}

/// Where temporary data directories go when the machine keeps one in memory (a tmpfs):
/// `-dev`'s, and the fuzz targets' agents and logs.
pub const MEMORY_DIR: &str = "/dev/shm";

/// A new temporary directory named `<prefix>...`, in memory where the machine has
/// [`MEMORY_DIR`], else in the system's temporary directory. Removed when dropped.
pub fn memory_tempdir(prefix: &str) -> io::Result<tempfile::TempDir> {
    let builder = || {
        let mut b = tempfile::Builder::new();
        b.prefix(prefix);
        b
    };
    builder()
        .tempdir_in(MEMORY_DIR)
        .or_else(|_| builder().tempdir())
}

fn lock(path: &Path) -> Result<File, DataDirError> {
    let lock_path = path.join(LOCK);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
        .map_err(|source| DataDirError::NotWritable {
            path: path.into(),
            source,
        })?;
    match file.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            let mut pid = String::new();
            let _ = file.read_to_string(&mut pid);
            let pid = pid.trim();
            let holder = if pid.is_empty() {
                String::new()
            } else {
                format!(" (pid {pid})")
            };
            return Err(DataDirError::Locked {
                path: path.into(),
                holder,
            });
        }
        Err(fs::TryLockError::Error(source)) => {
            return Err(DataDirError::Io {
                path: lock_path,
                source,
            })
        }
    }
    file.set_len(0)
        .map_err(|source| DataDirError::NotWritable {
            path: path.into(),
            source,
        })?;
    write!(file, "{}", std::process::id()).map_err(|source| DataDirError::NotWritable {
        path: path.into(),
        source,
    })?;
    Ok(file)
}

fn check_marker(path: &Path) -> Result<(), DataDirError> {
    let marker = path.join(MARKER);
    match fs::read_to_string(&marker) {
        Ok(content) if content == MARKER_CONTENT => Ok(()),
        Ok(content) => Err(DataDirError::UnknownLayout {
            path: path.into(),
            marker: content.trim().to_string(),
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let foreign: Vec<String> = fs::read_dir(path)
                .map_err(|source| DataDirError::Io {
                    path: path.into(),
                    source,
                })?
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n != LOCK)
                .collect();
            if !foreign.is_empty() {
                let mut found = foreign;
                found.sort();
                found.truncate(5);
                return Err(DataDirError::Foreign {
                    path: path.into(),
                    found: found.join(", "),
                });
            }
            write_durably(&marker, MARKER_CONTENT.as_bytes()).map_err(|source| {
                DataDirError::NotWritable {
                    path: path.into(),
                    source,
                }
            })
        }
        Err(source) => Err(DataDirError::Io {
            path: marker,
            source,
        }),
    }
}

/// Writes `bytes` to `path` through a temporary file, fsyncs it, renames it into place and
/// fsyncs the directory, so a crash leaves either the old file or the new one.
pub fn write_durably(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_durably_with_mode(path, bytes, 0o666)
}

/// [`write_durably`] creating the file with `mode` (before the umask): 0o600 for secrets.
pub fn write_durably_with_mode(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = path.with_extension("tmp");
    {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(mode)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    fs::rename(&tmp, path)?;
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_open_is_refused_while_locked() {
        let dir = tempfile::tempdir().unwrap();
        let first = DataDir::open(dir.path()).unwrap();
        let err = DataDir::open(dir.path()).err().unwrap();
        assert!(matches!(err, DataDirError::Locked { .. }), "{err}");
        assert!(err.to_string().contains("in use by another sd agent"));
        drop(first);
        DataDir::open(dir.path()).unwrap();
    }

    #[test]
    fn foreign_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("raft")).unwrap();
        fs::write(dir.path().join("raft/raft.db"), b"bolt").unwrap();
        fs::write(dir.path().join("checkpoint-signature"), b"x").unwrap();
        let err = DataDir::open(dir.path()).err().unwrap().to_string();
        assert!(
            err.contains("did not write (checkpoint-signature, raft)"),
            "{err}"
        );
    }

    #[test]
    fn node_id_is_generated_once() {
        let dir = tempfile::tempdir().unwrap();
        let d = DataDir::open(dir.path()).unwrap();
        let a = d.node_id(None).unwrap();
        assert_eq!(d.node_id(None).unwrap(), a);
        assert!(uuid::Uuid::parse_str(&a).is_ok());
        fs::write(dir.path().join(NODE_ID), "junk").unwrap();
        assert!(d.node_id(None).is_err());
    }
}
