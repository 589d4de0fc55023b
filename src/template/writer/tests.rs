//! The writer against a real directory.

use std::os::unix::fs::PermissionsExt;

use super::*;

fn cfg() -> TemplateConfig {
    TemplateConfig::default()
}

fn write(cfg: &TemplateConfig, dest: &Path, text: &str) -> Result<bool, WriteError> {
    match stage(cfg, dest, text.as_bytes())? {
        Some(staged) => staged.commit().map(|()| true),
        None => Ok(false),
    }
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

#[test]
fn writes_only_what_changed_and_keeps_the_mode() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("out.conf");
    assert!(write(&cfg(), &dest, "a\n").unwrap());
    assert_eq!(mode(&dest), 0o644);
    assert!(
        !write(&cfg(), &dest, "a\n").unwrap(),
        "unchanged content is not written"
    );
    std::fs::set_permissions(&dest, Permissions::from_mode(0o600)).unwrap();
    assert!(write(&cfg(), &dest, "b\n").unwrap());
    assert_eq!(std::fs::read_to_string(&dest).unwrap(), "b\n");
    assert_eq!(mode(&dest), 0o600, "the existing file's mode is kept");
    let with_perms = TemplateConfig {
        perms: Some(0o640),
        ..cfg()
    };
    assert!(
        write(&with_perms, &dest, "b\n").unwrap(),
        "a mode change is a change"
    );
    assert_eq!(mode(&dest), 0o640);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".sd-template-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn parent_directories_are_created_only_when_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("a/b/out.conf");
    let strict = TemplateConfig {
        create_dest_dirs: false,
        ..cfg()
    };
    let err = write(&strict, &dest, "x").unwrap_err().to_string();
    assert!(err.contains("create_dest_dirs"), "{err}");
    assert!(!dir.path().join("a").exists());
    assert!(write(&cfg(), &dest, "x").unwrap());
    assert_eq!(mode(&dir.path().join("a/b")), 0o755);
}

#[test]
fn a_symlinked_parent_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), dir.path().join("link")).unwrap();
    let err = write(&cfg(), &dir.path().join("link/out.conf"), "x")
        .unwrap_err()
        .to_string();
    assert!(err.contains("symlink"), "{err}");
    assert!(!elsewhere.path().join("out.conf").exists());
}

#[test]
fn backup_keeps_the_previous_two_versions() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("out.conf");
    let backup = TemplateConfig {
        backup: true,
        ..cfg()
    };
    write(&backup, &dest, "1").unwrap();
    write(&backup, &dest, "2").unwrap();
    write(&backup, &dest, "3").unwrap();
    let read = |s: &str| std::fs::read_to_string(dir.path().join(s)).unwrap();
    assert_eq!(read("out.conf"), "3");
    assert_eq!(read("out.conf.bak"), "2");
    assert_eq!(read("out.conf.old.bak"), "1");
}

#[test]
fn a_staged_file_dropped_leaves_the_destination_alone() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("out.conf");
    write(&cfg(), &dest, "good").unwrap();
    let staged = stage(&cfg(), &dest, b"bad").unwrap().unwrap();
    assert_eq!(std::fs::read_to_string(staged.path()).unwrap(), "bad");
    let tmp = staged.path().to_path_buf();
    drop(staged);
    assert!(!tmp.exists());
    assert_eq!(std::fs::read_to_string(&dest).unwrap(), "good");
}

#[test]
fn busy_and_cross_device_renames_fall_back() {
    let busy = std::io::Error::from_raw_os_error(rustix::io::Errno::BUSY.raw_os_error());
    let xdev = std::io::Error::from_raw_os_error(rustix::io::Errno::XDEV.raw_os_error());
    let denied = std::io::Error::from_raw_os_error(rustix::io::Errno::ACCESS.raw_os_error());
    assert!(is_mount_point_error(&busy));
    assert!(is_mount_point_error(&xdev));
    assert!(!is_mount_point_error(&denied));
}
