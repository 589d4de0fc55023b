//! `/v1/agent/host`: what Consul's `debug.CollectHostInfo` reports about the machine (memory,
//! CPUs, host, the data directory's disk), in gopsutil's field names, read from `/proc`,
//! `/etc/os-release` and `statvfs`. A part that cannot be read is null and its error is listed
//! in `Errors`, as Consul does. Read by hand: a few text files do not justify a system-
//! information crate in the static binary.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};

/// The whole answer for an agent whose data lives in `data_dir` (`/` when it has none).
pub fn collect(data_dir: Option<&Path>) -> Value {
    let mut errors: Vec<String> = Vec::new();
    let mut part = |what: &str, r: Result<Value, String>| match r {
        Ok(v) => v,
        Err(e) => {
            errors.push(format!("{what}: {e}"));
            Value::Null
        }
    };
    let memory = part("memory", memory());
    let cpu = part("cpu", cpus());
    let host = part("host", host());
    let disk = part("disk", disk(data_dir.unwrap_or(Path::new("/"))));
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    json!({
        "Memory": memory,
        "CPU": cpu,
        "Host": host,
        "Disk": disk,
        "CollectionTime": nanos,
        "Errors": if errors.is_empty() { Value::Null } else { json!(errors) },
    })
}

fn read(path: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))
}

/// `/proc/meminfo` in kB, by name.
fn meminfo() -> Result<BTreeMap<String, u64>, String> {
    Ok(read("/proc/meminfo")?
        .lines()
        .filter_map(|l| {
            let (k, rest) = l.split_once(':')?;
            let kb: u64 = rest.split_whitespace().next()?.parse().ok()?;
            Some((k.to_string(), kb * 1024))
        })
        .collect())
}

fn memory() -> Result<Value, String> {
    let m = meminfo()?;
    let get = |k: &str| m.get(k).copied().unwrap_or(0);
    let total = get("MemTotal");
    let available = get("MemAvailable");
    let used = total.saturating_sub(available);
    Ok(json!({
        "total": total, "available": available, "used": used,
        "usedPercent": percent(used, total), "free": get("MemFree"),
        "active": get("Active"), "inactive": get("Inactive"), "buffers": get("Buffers"),
        "cached": get("Cached"), "dirty": get("Dirty"), "shared": get("Shmem"),
        "slab": get("Slab"), "swapTotal": get("SwapTotal"), "swapFree": get("SwapFree"),
        "swapCached": get("SwapCached"), "mapped": get("Mapped"),
        "commitLimit": get("CommitLimit"), "committedAS": get("Committed_AS"),
        "hugePagesTotal": get("HugePages_Total") / 1024, "hugePageSize": get("Hugepagesize"),
    }))
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// One entry per logical CPU of `/proc/cpuinfo`.
fn cpus() -> Result<Value, String> {
    let text = read("/proc/cpuinfo")?;
    let mut out = Vec::new();
    for block in text.split("\n\n").filter(|b| !b.trim().is_empty()) {
        let f: BTreeMap<&str, &str> = block
            .lines()
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim(), v.trim()))
            .collect();
        let num = |k: &str| f.get(k).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
        let text = |k: &str| f.get(k).copied().unwrap_or_default();
        let cache_kb = text("cache size")
            .split_whitespace()
            .next()
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0);
        out.push(json!({
            "cpu": num("processor"), "vendorId": text("vendor_id"), "family": text("cpu family"),
            "model": text("model"), "stepping": num("stepping"),
            "physicalId": text("physical id"), "coreId": text("core id"),
            "cores": num("cpu cores").max(1), "modelName": text("model name"),
            "mhz": f.get("cpu MHz").and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0),
            "cacheSize": cache_kb,
            "flags": text("flags").split_whitespace().collect::<Vec<_>>(),
            "microcode": text("microcode"),
        }));
    }
    Ok(Value::Array(out))
}

fn host() -> Result<Value, String> {
    let uptime = read("/proc/uptime")?
        .split_whitespace()
        .next()
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0) as u64;
    let boot_time = read("/proc/stat")?
        .lines()
        .find_map(|l| l.strip_prefix("btime ")?.trim().parse::<u64>().ok())
        .unwrap_or(0);
    let procs = std::fs::read_dir("/proc")
        .map(|d| {
            d.flatten()
                .filter(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .bytes()
                        .all(|b| b.is_ascii_digit())
                })
                .count()
        })
        .unwrap_or(0);
    let release = read("/etc/os-release").unwrap_or_default();
    let os_field = |key: &str| {
        release
            .lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
            .map(|v| v.trim_matches('"').to_string())
            .unwrap_or_default()
    };
    let first_line = |path: &str| read(path).map(|s| s.trim().to_string()).unwrap_or_default();
    Ok(json!({
        "hostname": first_line("/proc/sys/kernel/hostname"),
        "uptime": uptime,
        "bootTime": boot_time,
        "procs": procs,
        "os": std::env::consts::OS,
        "platform": os_field("ID"),
        "platformFamily": os_field("ID_LIKE").split_whitespace().next().map_or_else(|| os_field("ID"), str::to_string),
        "platformVersion": os_field("VERSION_ID"),
        "kernelVersion": first_line("/proc/sys/kernel/osrelease"),
        "kernelArch": std::env::consts::ARCH,
        "virtualizationSystem": "",
        "virtualizationRole": "",
        "hostId": first_line("/etc/machine-id"),
    }))
}

fn disk(path: &Path) -> Result<Value, String> {
    let s = rustix::fs::statvfs(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let total = s.f_blocks * s.f_frsize;
    let free = s.f_bavail * s.f_frsize;
    let used = (s.f_blocks - s.f_bfree) * s.f_frsize;
    let inodes_used = s.f_files.saturating_sub(s.f_ffree);
    Ok(json!({
        "path": path.display().to_string(),
        "fstype": "",
        "total": total, "free": free, "used": used,
        "usedPercent": percent(used, used + free),
        "inodesTotal": s.f_files, "inodesUsed": inodes_used, "inodesFree": s.f_ffree,
        "inodesUsedPercent": percent(inodes_used, s.f_files),
    }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn this_machine_is_described() {
        let v = super::collect(None);
        assert!(v["Errors"].is_null(), "{}", v["Errors"]);
        assert!(v["Memory"]["total"].as_u64().unwrap() > 0);
        assert!(!v["CPU"].as_array().unwrap().is_empty());
        assert_eq!(v["Host"]["os"], "linux");
        assert!(v["Disk"]["total"].as_u64().unwrap() > 0);
    }
}
