//! Facts about the machine and the binaries, printed with the results: CPU count and model, the
//! file system the data directories live on, serial fdatasync probes of appends and of
//! overwrites (this VM's disk latency swings 10x within minutes, so each durable-put run is
//! preceded by them), binary sizes, and a
//! check that `target/release/sd` is not older than the sources, how busy one CPU was, the load
//! average, and the clock tick that process CPU times are counted in.

use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result};

pub fn nproc() -> usize {
    std::thread::available_parallelism().map_or(0, |n| n.get())
}

pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// The 1, 5 and 15 minute load averages (/proc/loadavg): other work on a shared VM shows here.
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "unknown".into(),
        |s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    )
}

/// File system type of the mount holding `path` (from /proc/mounts).
pub fn fs_type(path: &Path) -> String {
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let mounts = std::fs::read_to_string("/proc/mounts").unwrap_or_default();
    mounts
        .lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let (_dev, mnt, ty) = (f.next()?, f.next()?, f.next()?);
            path.starts_with(mnt).then(|| (mnt.len(), ty.to_string()))
        })
        .max_by_key(|(len, _)| *len)
        .map_or_else(|| "unknown".into(), |(_, ty)| ty)
}

/// What one file's serial syncs run at on the data directories' disk.
#[derive(Debug, Clone, Copy)]
pub struct FsyncProbe {
    /// 256-byte appends, each `fdatasync`ed (the sync commits the new size too): syncs/s.
    pub append: f64,
    /// Their p50, ms.
    pub append_p50: f64,
    /// 256-byte overwrites of written zeros, each `fdatasync`ed (data only): syncs/s.
    pub overwrite: f64,
}

/// Serial 256-byte writes + fdatasync in `dir`: appends for `dur`, then overwrites of a
/// zeroed file for `dur` (what sd's log does, `src/agent/raft/wal/space.rs`).
pub fn fsync_probe(dir: &Path, dur: Duration) -> Result<FsyncProbe> {
    let buf = [0x5a_u8; 256];
    let mut f = tempfile::tempfile_in(dir).context("fsync probe file")?;
    let mut lat = Vec::new();
    let start = Instant::now();
    while start.elapsed() < dur {
        let t = Instant::now();
        f.write_all(&buf)?;
        f.sync_data()?;
        lat.push(t.elapsed().as_secs_f64() * 1e3);
    }
    lat.sort_by(f64::total_cmp);
    let append = lat.len() as f64 / start.elapsed().as_secs_f64();
    let append_p50 = lat[lat.len() / 2];
    // As many zeroed blocks as the appends took, twice over (overwrites may run faster).
    let zeroed = tempfile::tempfile_in(dir).context("fsync probe file")?;
    let room = (lat.len() as u64 * 2 + 16) * buf.len() as u64;
    zeroed.write_all_at(&vec![0; room as usize], 0)?;
    zeroed.sync_all()?;
    let (mut n, mut at) = (0u64, 0u64);
    let start = Instant::now();
    while start.elapsed() < dur && at + buf.len() as u64 <= room {
        zeroed.write_all_at(&buf, at)?;
        zeroed.sync_data()?;
        at += buf.len() as u64;
        n += 1;
    }
    Ok(FsyncProbe {
        append,
        append_p50,
        overwrite: n as f64 / start.elapsed().as_secs_f64(),
    })
}

pub fn size_mib(path: &Path) -> Result<f64> {
    Ok(std::fs::metadata(path)
        .with_context(|| path.display().to_string())?
        .len() as f64
        / (1024.0 * 1024.0))
}

/// Size of a `strip`ped copy of `bin` (None if `strip` is not installed or fails).
pub fn stripped_size_mib(bin: &Path) -> Option<f64> {
    let dir = tempfile::tempdir().ok()?;
    let copy = dir.path().join("sd");
    std::fs::copy(bin, &copy).ok()?;
    let ok = Command::new("strip")
        .arg(&copy)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?
        .success();
    ok.then(|| size_mib(&copy).ok()).flatten()
}

/// First line of `bin ARGS` output, or a placeholder.
pub fn version_line(bin: &Path, args: &[&str]) -> String {
    Command::new(bin)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .map(str::to_string)
        })
        .unwrap_or_else(|| "(version unavailable)".into())
}

/// Source files newer than `bin`: a stale build would measure old code (e.g. the Raft shim).
pub fn newer_sources(bin: &Path, repo: &Path) -> Vec<PathBuf> {
    let Ok(built) = std::fs::metadata(bin).and_then(|m| m.modified()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut stack = vec![
        repo.join("src"),
        repo.join("Cargo.toml"),
        repo.join("Cargo.lock"),
    ];
    while let Some(p) = stack.pop() {
        if let Ok(rd) = std::fs::read_dir(&p) {
            stack.extend(rd.flatten().map(|e| e.path()));
        } else if modified(&p).is_some_and(|m| m > built) {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn modified(p: &Path) -> Option<SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

/// Jiffies CPU `cpu` has spent (busy, total) since boot, from /proc/stat; busy counts everything
/// but idle and iowait.
pub fn cpu_jiffies(cpu: usize) -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let name = format!("cpu{cpu}");
    let line = stat
        .lines()
        .find(|l| l.split_whitespace().next() == Some(name.as_str()))?;
    let v: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    let total: u64 = v.iter().take(8).sum();
    let idle = v.get(3)? + v.get(4).copied().unwrap_or(0);
    Some((total.saturating_sub(idle), total))
}

/// The kernel's clock ticks per second (`getconf CLK_TCK`, the unit of /proc/PID/stat times);
/// 100, Linux's USER_HZ everywhere in practice, if `getconf` is missing.
pub fn clock_ticks_per_sec() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .stdin(Stdio::null())
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .filter(|&t: &u64| t > 0)
        .unwrap_or(100)
}
