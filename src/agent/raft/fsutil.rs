//! Directory durability helpers shared by the log store and the snapshot files.

use std::io;
use std::path::Path;

/// fsyncs a directory, making the entries created or renamed in it durable.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// `create_dir_all`, then fsyncs every directory whose entry it created (and their parents), so
/// a crash cannot lose the new directories with the data later acknowledged inside them.
pub(crate) fn create_dir_durable(dir: &Path) -> io::Result<()> {
    let mut missing = Vec::new();
    let mut cur = Some(dir);
    while let Some(path) = cur {
        if path.exists() {
            break;
        }
        missing.push(path.to_path_buf());
        cur = path.parent();
    }
    std::fs::create_dir_all(dir)?;
    for created in &missing {
        sync_dir(created)?;
        if let Some(parent) = created.parent().filter(|p| !p.as_os_str().is_empty()) {
            sync_dir(parent)?;
        }
    }
    Ok(())
}
