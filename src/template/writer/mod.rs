//! The destination file: written only when its content (or the mode or owner asked for)
//! changed, atomically (a temporary file in the destination's directory, fsynced, then renamed
//! over it), keeping the old file's mode and owner unless `perms`/`user`/`group` say otherwise.
//!
//! Safer than consul-template in three ways: a symlink among the destination's parent
//! directories is refused rather than followed; a `check_command` can validate the new content
//! before it replaces the old (the runner runs it between [`stage`] and [`Staged::commit`]); and
//! a rename that fails with `EBUSY` or `EXDEV` (a single-file bind mount) falls back to
//! rewriting the file in place.

pub(crate) mod owner;

use std::fs::{File, Permissions};
use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::template::config::TemplateConfig;

/// The mode of a new file when `perms` is not set.
const DEFAULT_MODE: u32 = 0o644;

/// Why a destination could not be written.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WriteError {
    #[error("{0}: the parent directory does not exist (set create_dest_dirs = true to create it)")]
    NoParent(PathBuf),
    #[error(
        "{0}: is a symlink; sd template does not follow symlinks in a destination's directories"
    )]
    SymlinkParent(PathBuf),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Owner(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// New content waiting in a temporary file beside the destination.
#[derive(Debug)]
pub(crate) struct Staged {
    tmp: tempfile::NamedTempFile,
    dest: PathBuf,
    backup: bool,
}

impl Staged {
    /// Where the new content is (what `{{.src}}` of a `check_command` names).
    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// Puts the new content in place: backup, rename over the destination (or, when the
    /// destination is a mount point, rewrite it in place), fsync the directory.
    pub fn commit(self) -> Result<(), WriteError> {
        let dest = self.dest;
        if self.backup && dest.exists() {
            backup(&dest)?;
        }
        match self.tmp.persist(&dest) {
            Ok(_) => {}
            Err(e) if is_mount_point_error(&e.error) => {
                tracing::info!(
                    "{}: cannot rename over it ({}); writing it in place",
                    dest.display(),
                    e.error
                );
                let content = std::fs::read(e.file.path()).map_err(io(e.file.path()))?;
                let mut f = std::fs::OpenOptions::new()
                    .write(true)
                    .truncate(true)
                    .open(&dest)
                    .map_err(io(&dest))?;
                f.write_all(&content).map_err(io(&dest))?;
                f.sync_all().map_err(io(&dest))?;
            }
            Err(e) => return Err(io(&dest)(e.error)),
        }
        if let Some(dir) = dest.parent() {
            // The rename is durable once the directory is; a failure here is not worth failing
            // the render for.
            let _ = File::open(dir).and_then(|d| d.sync_all());
        }
        Ok(())
    }
}

/// `EBUSY` or `EXDEV` from a rename: the destination is a bind mount of a single file.
fn is_mount_point_error(e: &std::io::Error) -> bool {
    matches!(
        e.raw_os_error().map(rustix::io::Errno::from_raw_os_error),
        Some(rustix::io::Errno::BUSY | rustix::io::Errno::XDEV)
    )
}

/// Keeps one previous version: the old file hard-linked as `<dest>.bak` (a copy when links are
/// not possible), the previous `.bak` moved to `<dest>.old.bak`.
fn backup(dest: &Path) -> Result<(), WriteError> {
    let bak = with_suffix(dest, ".bak");
    let old = with_suffix(dest, ".old.bak");
    if bak.exists() {
        std::fs::rename(&bak, &old).map_err(io(&bak))?;
    }
    if std::fs::hard_link(dest, &bak).is_err() {
        std::fs::copy(dest, &bak).map_err(io(&bak))?;
    }
    Ok(())
}

fn with_suffix(p: &Path, suffix: &str) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Prepares `contents` for `dest`: None when the destination already holds exactly that with
/// the mode and owner asked for (nothing to write, no command to run).
pub(crate) fn stage(
    cfg: &TemplateConfig,
    dest: &Path,
    contents: &[u8],
) -> Result<Option<Staged>, WriteError> {
    let dest = std::path::absolute(dest).map_err(io(dest))?;
    let dir = dest
        .parent()
        .ok_or_else(|| WriteError::NoParent(dest.clone()))?;
    check_parents(dir, cfg.create_dest_dirs)?;
    let existing = std::fs::symlink_metadata(&dest).ok();
    let want_owner =
        owner::resolve(cfg.user.as_deref(), cfg.group.as_deref()).map_err(WriteError::Owner)?;
    let mode = cfg
        .perms
        .or_else(|| existing.as_ref().map(|m| m.mode() & 0o7777))
        .unwrap_or(DEFAULT_MODE);
    if let Some(meta) = &existing {
        let same_owner = want_owner.uid.is_none_or(|u| u == meta.uid())
            && want_owner.gid.is_none_or(|g| g == meta.gid());
        if meta.is_file()
            && same_owner
            && meta.mode() & 0o7777 == mode
            && std::fs::read(&dest).is_ok_and(|old| old == contents)
        {
            return Ok(None);
        }
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".sd-template-")
        .tempfile_in(dir)
        .map_err(io(dir))?;
    tmp.write_all(contents).map_err(io(tmp.path()))?;
    tmp.as_file().sync_all().map_err(io(tmp.path()))?;
    tmp.as_file()
        .set_permissions(Permissions::from_mode(mode))
        .map_err(io(tmp.path()))?;
    let uid = want_owner.uid.or(existing.as_ref().map(|m| m.uid()));
    let gid = want_owner.gid.or(existing.as_ref().map(|m| m.gid()));
    if uid.is_some() || gid.is_some() {
        let meta = tmp.as_file().metadata().map_err(io(tmp.path()))?;
        if uid.is_some_and(|u| u != meta.uid()) || gid.is_some_and(|g| g != meta.gid()) {
            std::os::unix::fs::fchown(tmp.as_file(), uid, gid).map_err(io(tmp.path()))?;
        }
    }
    Ok(Some(Staged {
        tmp,
        dest,
        backup: cfg.backup,
    }))
}

/// Refuses a symlink anywhere in `dir`'s path and creates the missing directories (mode 0755)
/// when allowed.
pub(crate) fn check_parents(dir: &Path, create: bool) -> Result<(), WriteError> {
    let mut current = PathBuf::new();
    for part in dir.components() {
        current.push(part);
        match std::fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(WriteError::SymlinkParent(current));
            }
            Ok(m) if !m.is_dir() => {
                return Err(io(&current)(std::io::Error::other("not a directory")));
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if !create {
                    return Err(WriteError::NoParent(dir.to_path_buf()));
                }
                std::fs::DirBuilder::new()
                    .mode(0o755)
                    .create(&current)
                    .or_else(|e| {
                        if e.kind() == std::io::ErrorKind::AlreadyExists {
                            Ok(())
                        } else {
                            Err(e)
                        }
                    })
                    .map_err(io(&current))?;
            }
            Err(e) => return Err(io(&current)(e)),
        }
    }
    Ok(())
}

use std::os::unix::fs::DirBuilderExt as _;

#[cfg(test)]
mod tests;
