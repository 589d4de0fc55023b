//! `-log-file` with rotation, as consul-template (and Consul) do it: each file is named
//! `<stem>-<unix nanoseconds><ext>` in the path's directory (`consul-template.log` when the path
//! is a directory); a new file is started once `rotate_duration` has passed since the current
//! one was created (24 h by default) or it holds `rotate_bytes` (0: no limit); before a new file
//! is started, the oldest are removed so that `max_files` remain (0 keeps all, a negative
//! number keeps none).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// consul-template's default rotation period.
pub const DEFAULT_ROTATE_DURATION: Duration = Duration::from_secs(24 * 3600);

/// Where and how to rotate.
#[derive(Debug, Clone, PartialEq)]
pub struct LogFileSettings {
    pub path: PathBuf,
    pub rotate_bytes: u64,
    pub rotate_duration: Duration,
    pub max_files: i64,
}

/// The open log file and its rotation state.
pub struct RotatingFile {
    dir: PathBuf,
    stem: String,
    ext: String,
    settings: LogFileSettings,
    file: File,
    created: SystemTime,
    written: u64,
}

impl RotatingFile {
    /// Prunes old files and opens the first one; an error names the path.
    pub fn open(settings: LogFileSettings, default_name: &str) -> Result<RotatingFile, String> {
        let text = settings.path.to_string_lossy();
        let (dir, name) = if text.ends_with('/') || settings.path.is_dir() {
            (settings.path.clone(), default_name.to_string())
        } else {
            let dir = settings
                .path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
            let name = settings.path.file_name().map_or_else(
                || default_name.to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            (dir, name)
        };
        let (stem, ext) = match name.rfind('.') {
            Some(i) if i > 0 => (name[..i].to_string(), name[i..].to_string()),
            _ => (name.clone(), ".log".to_string()),
        };
        let (file, created) = new_file(&dir, &stem, &ext)?;
        let mut f = RotatingFile {
            dir,
            stem,
            ext,
            settings,
            file,
            created,
            written: 0,
        };
        f.prune(true)?;
        Ok(f)
    }

    /// The files of this log, oldest first (their names sort by creation time).
    pub fn files(&self) -> Vec<PathBuf> {
        let prefix = format!("{}-", self.stem);
        let mut out: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .filter(|e| {
                let n = e.file_name().to_string_lossy().into_owned();
                n.strip_prefix(&prefix)
                    .and_then(|rest| rest.strip_suffix(&self.ext))
                    .is_some_and(|stamp| {
                        !stamp.is_empty() && stamp.bytes().all(|b| b.is_ascii_digit())
                    })
            })
            .map(|e| e.path())
            .collect();
        out.sort();
        out
    }

    /// Removes the oldest files beyond `max_files` (the current one, when `including_current`
    /// is false, is not counted and never removed).
    fn prune(&mut self, including_current: bool) -> Result<(), String> {
        let max = self.settings.max_files;
        if max == 0 {
            return Ok(());
        }
        let mut files = self.files();
        if including_current {
            files.pop();
        }
        let keep = usize::try_from(max).unwrap_or(0);
        let excess = files.len().saturating_sub(keep);
        for f in &files[..excess] {
            std::fs::remove_file(f).map_err(|e| format!("log file {}: {e}", f.display()))?;
        }
        Ok(())
    }

    fn rotate_if_due(&mut self) -> std::io::Result<()> {
        let age = self.created.elapsed().unwrap_or_default();
        let full = self.settings.rotate_bytes > 0 && self.written >= self.settings.rotate_bytes;
        if !full && age < self.settings.rotate_duration {
            return Ok(());
        }
        self.prune(false).map_err(std::io::Error::other)?;
        let (file, created) =
            new_file(&self.dir, &self.stem, &self.ext).map_err(std::io::Error::other)?;
        self.file = file;
        self.created = created;
        self.written = 0;
        Ok(())
    }
}

fn new_file(dir: &Path, stem: &str, ext: &str) -> Result<(File, SystemTime), String> {
    let created = SystemTime::now();
    let mut nanos = created
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    loop {
        let path = dir.join(format!("{stem}-{nanos}{ext}"));
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o640)
            .open(&path)
        {
            Ok(f) => return Ok((f, created)),
            // Two rotations within one nanosecond of the clock: take the next name.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => nanos += 1,
            Err(e) => return Err(format!("log file {}: {e}", path.display())),
        }
    }
}

impl Write for RotatingFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.rotate_if_due()?;
        self.file.write_all(buf)?;
        self.written += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotates_by_size_and_keeps_max_files() {
        let dir = tempfile::tempdir().unwrap();
        let mut f = RotatingFile::open(
            LogFileSettings {
                path: dir.path().join("ct.log"),
                rotate_bytes: 10,
                rotate_duration: DEFAULT_ROTATE_DURATION,
                max_files: 2,
            },
            "consul-template.log",
        )
        .unwrap();
        for i in 0..5 {
            f.write_all(format!("line {i} xxxxxx\n").as_bytes())
                .unwrap();
        }
        let files = f.files();
        // The two kept plus the current one.
        assert_eq!(files.len(), 3, "{files:?}");
        let last = std::fs::read_to_string(files.last().unwrap()).unwrap();
        assert_eq!(last, "line 4 xxxxxx\n");
        assert!(files
            .iter()
            .all(|p| p.file_name().unwrap().to_string_lossy().starts_with("ct-")));
    }

    #[test]
    fn a_directory_gets_the_default_name() {
        let dir = tempfile::tempdir().unwrap();
        let mut f = RotatingFile::open(
            LogFileSettings {
                path: dir.path().to_path_buf(),
                rotate_bytes: 0,
                rotate_duration: DEFAULT_ROTATE_DURATION,
                max_files: 0,
            },
            "consul-template.log",
        )
        .unwrap();
        f.write_all(b"x\n").unwrap();
        let name = f.files()[0]
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(
            name.starts_with("consul-template-") && name.ends_with(".log"),
            "{name}"
        );
        assert!(RotatingFile::open(
            LogFileSettings {
                path: "/nonexistent/dir/x.log".into(),
                rotate_bytes: 0,
                rotate_duration: DEFAULT_ROTATE_DURATION,
                max_files: 0,
            },
            "x.log"
        )
        .is_err());
    }
}
