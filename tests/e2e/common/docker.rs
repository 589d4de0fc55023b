//! Docker images for the tests, built on this machine (the engine cannot pull): a busybox image
//! made with `docker import` from Debian's busybox-static (`.ci/run` installs it). Building is
//! idempotent and safe to race: importing the same tag twice gives the same image.

use std::path::Path;
use std::process::{Command, Stdio};

/// The tag of the busybox image.
pub const BUSYBOX: &str = "sd-test/busybox:latest";

/// Whether the engine answers (`docker info`).
pub fn engine_up() -> bool {
    Command::new("docker")
        .args(["info", "--format", "{{.ServerVersion}}"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Fails the test (never skips it) when the engine does not answer.
pub fn require_engine() {
    assert!(
        engine_up(),
        "the Docker engine does not answer (docker info)"
    );
}

/// Builds [`BUSYBOX`] unless it exists: `/bin/busybox` and its applets as links in an image.
pub fn busybox_image() -> &'static str {
    let exists = Command::new("docker")
        .args(["image", "inspect", BUSYBOX])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if exists {
        return BUSYBOX;
    }
    let busybox = Path::new("/bin/busybox");
    assert!(
        busybox.exists(),
        "/bin/busybox is missing: install Debian's busybox-static (.ci/run does)"
    );
    let root = tempfile::tempdir().expect("tempdir");
    let bin = root.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::copy(busybox, bin.join("busybox")).unwrap();
    for applet in [
        "sh", "sleep", "httpd", "echo", "cat", "ls", "kill", "true", "false", "wget",
    ] {
        std::os::unix::fs::symlink("busybox", bin.join(applet)).unwrap();
    }
    std::fs::create_dir_all(root.path().join("tmp")).unwrap();
    let mut tar = Command::new("tar")
        .args(["-C", &root.path().display().to_string(), "-c", "."])
        .stdout(Stdio::piped())
        .spawn()
        .expect("tar");
    let status = Command::new("docker")
        .args(["import", "--change", "CMD [\"/bin/sh\"]", "-", BUSYBOX])
        .stdin(tar.stdout.take().expect("tar stdout"))
        .stdout(Stdio::null())
        .status()
        .expect("docker import");
    assert!(
        tar.wait().is_ok_and(|s| s.success()),
        "tar of the busybox root failed"
    );
    assert!(status.success(), "docker import of {BUSYBOX} failed");
    BUSYBOX
}

/// `docker <args>`, which must succeed; its trimmed stdout.
pub fn docker(args: &[&str]) -> String {
    let out = Command::new("docker").args(args).output().expect("docker");
    assert!(
        out.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A container removed (`docker rm -f`) on drop.
pub struct Removed(pub String);

impl Drop for Removed {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .args(["rm", "-f", &self.0])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}
