//! The local snapshot (`<data-dir>/serf/local.snapshot`): the members this node knew, and
//! whether it left, so a restart without `-join` can find the cluster again. JSON, written to
//! a temporary file and renamed. Must not import http, raft, client or commands.

use std::path::Path;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// `name` and `ip:port` of every member last seen alive or failed.
    pub members: Vec<(String, String)>,
    /// Set by a graceful leave: a restart then does not rejoin unless asked to.
    pub left: bool,
    /// The identity generation last used: a restart uses a higher one even if the clock
    /// went back, so its new identity wins over the old one.
    #[serde(default)]
    pub generation: u64,
}

pub fn load(path: &Path) -> Option<Snapshot> {
    let data = std::fs::read(path).ok()?;
    match serde_json::from_slice(&data) {
        Ok(s) => Some(s),
        Err(e) => {
            tracing::warn!("serf: ignoring unreadable snapshot {}: {e}", path.display());
            None
        }
    }
}

pub fn save(path: &Path, snap: &Snapshot) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(
        &tmp,
        serde_json::to_vec(snap).map_err(std::io::Error::other)?,
    )?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_tolerates_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("serf/local.snapshot");
        assert_eq!(load(&p), None);
        let s = Snapshot {
            members: vec![("a".into(), "127.0.0.1:8301".into())],
            left: false,
            generation: 3,
        };
        save(&p, &s).unwrap();
        assert_eq!(load(&p), Some(s));
        std::fs::write(&p, b"{not json").unwrap();
        assert_eq!(load(&p), None);
    }
}
