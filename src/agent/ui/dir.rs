//! A user's own UI build (`ui_config.dir`): files read from disk per request, never outside
//! the directory.

use std::path::{Component, Path};

use super::respond::File;

/// The file at `rel` under `root` (the directory's canonical path, resolved once at start);
/// `None` when it does not exist or is not a regular file, or when `rel` would leave `root`
/// (`..`, an absolute path, a symlink pointing out).
pub async fn read(root: &Path, rel: &str) -> Result<Option<File>, std::io::Error> {
    let rel_path = Path::new(rel);
    if rel.is_empty()
        || rel_path
            .components()
            .any(|c| !matches!(c, Component::Normal(_)))
    {
        return Ok(None);
    }
    let Ok(path) = tokio::fs::canonicalize(root.join(rel_path)).await else {
        return Ok(None);
    };
    if !path.starts_with(root) || !tokio::fs::metadata(&path).await?.is_file() {
        return Ok(None);
    }
    let body = tokio::fs::read(&path).await?;
    Ok(Some(File::new(rel, body, None)))
}

#[cfg(test)]
mod tests {
    use super::read;

    #[tokio::test]
    async fn files_inside_are_served_and_nothing_outside() {
        let outer = tempfile::tempdir().unwrap();
        let dir = outer.path().join("ui");
        std::fs::create_dir_all(dir.join("assets")).unwrap();
        let dir = dir.canonicalize().unwrap();
        std::fs::write(dir.join("assets/a.js"), "x").unwrap();
        std::fs::write(outer.path().join("secret"), "s").unwrap();
        std::os::unix::fs::symlink(outer.path().join("secret"), dir.join("link")).unwrap();
        let found = read(&dir, "assets/a.js").await.unwrap().unwrap();
        assert_eq!(found.body(), b"x");
        for bad in ["../secret", "/etc/passwd", "link", "assets", "", "nope.js"] {
            assert!(read(&dir, bad).await.unwrap().is_none(), "{bad}");
        }
    }
}
