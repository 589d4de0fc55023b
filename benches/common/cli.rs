//! What the bench binaries share around their measurements: the command line (`--flag value` or
//! `--flag=value`, cargo's own `--bench` dropped, `--only` parts), where the binaries and data
//! directories live, the check that the binaries exist, the lines describing the machine and the
//! binaries printed before any figure, and the frame of `main`: parts run in order with a failed
//! one reported, Ctrl-C or SIGTERM ending the run (every process killed), the exit code.

use std::future::Future;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::machine;
use crate::servers::Launch;

pub fn repo_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

// A bench reads cargo's environment directly (the library's rule is config::process_env).
#[allow(clippy::disallowed_methods)]
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| repo_dir().join("target"), PathBuf::from)
}

/// The default binaries (`target/release/sd`, Debian's `/usr/bin/etcd`) and data directories
/// under `target/<data_subdir>` (a real disk, so that fdatasync costs what it costs).
pub fn default_launch(data_subdir: &str) -> Launch {
    Launch {
        sd_bin: target_dir().join("release").join("sd"),
        etcd_bin: PathBuf::from("/usr/bin/etcd"),
        data_root: target_dir().join(data_subdir),
    }
}

/// The arguments as given, without the program name and the `--bench` that `cargo bench`
/// appends for a `harness = false` bench.
pub fn args() -> Vec<String> {
    std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect()
}

pub fn parse_secs(v: &str, name: &str) -> Result<Duration> {
    let s: f64 = v
        .parse()
        .with_context(|| format!("{name}: not a number: {v}"))?;
    if !(s.is_finite() && s >= 0.0) {
        bail!("{name} must be >= 0");
    }
    Ok(Duration::from_secs_f64(s))
}

/// A whole number >= 1.
pub fn parse_count(v: &str, name: &str) -> Result<usize> {
    let n: usize = v
        .parse()
        .with_context(|| format!("{name}: not a whole number: {v}"))?;
    if n == 0 {
        bail!("{name} must be >= 1");
    }
    Ok(n)
}

/// The options every bench takes.
pub struct Common {
    pub launch: Launch,
    /// False once `--sd-bin` was given (the stale-build check is for the default binary).
    pub default_sd_bin: bool,
    /// `--seconds`: the measured window of a throughput run.
    pub window: Duration,
    /// `--warmup`: the uncounted start of a throughput run.
    pub warmup: Duration,
    /// `--only a,b`, if given.
    pub only: Option<Vec<String>>,
    /// The arguments as given, for printing.
    pub args: Vec<String>,
}

impl Common {
    pub fn new(data_subdir: &str) -> Common {
        Common {
            launch: default_launch(data_subdir),
            default_sd_bin: true,
            window: Duration::from_secs(5),
            warmup: Duration::from_secs(1),
            only: None,
            args: args(),
        }
    }
}

/// Walks `--name value` / `--name=value` arguments.
pub struct Flags {
    it: std::vec::IntoIter<String>,
    name: String,
    inline: Option<String>,
    usage: &'static str,
}

impl Flags {
    /// The current flag's value: after `=`, else the next argument.
    pub fn value(&mut self) -> Result<String> {
        self.inline
            .take()
            .or_else(|| self.it.next())
            .with_context(|| format!("{} needs a value\n{}", self.name, self.usage))
    }

    /// The flags every bench has; false if the current one is not among them.
    fn common(&mut self, c: &mut Common) -> Result<bool> {
        match self.name.as_str() {
            "--sd-bin" => {
                c.launch.sd_bin = self.value()?.into();
                c.default_sd_bin = false;
            }
            "--etcd-bin" => c.launch.etcd_bin = self.value()?.into(),
            "--data-root" => c.launch.data_root = self.value()?.into(),
            "--seconds" => c.window = parse_secs(&self.value()?, "--seconds")?,
            "--warmup" => c.warmup = parse_secs(&self.value()?, "--warmup")?,
            "--only" => {
                let v = self.value()?;
                c.only
                    .get_or_insert_with(Vec::new)
                    .extend(v.split(',').map(str::to_string));
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// Parses the command line: the shared flags into `c`, every other one through `own` (given
/// the flag's name; it takes the value with [`Flags::value`] and returns false for a flag it
/// does not know). Returns false when `-h`/`--help` asked for the usage (printed).
pub fn parse(
    usage: &'static str,
    c: &mut Common,
    mut own: impl FnMut(&str, &mut Flags) -> Result<bool>,
) -> Result<bool> {
    let mut f = Flags {
        it: c.args.clone().into_iter(),
        name: String::new(),
        inline: None,
        usage,
    };
    while let Some(a) = f.it.next() {
        let (name, inline) = match a.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (a, None),
        };
        f.name.clone_from(&name);
        f.inline = inline;
        if name == "-h" || name == "--help" {
            println!("{usage}");
            return Ok(false);
        }
        if !f.common(c)? && !own(&name, &mut f)? {
            bail!("unknown argument {name:?}\n{usage}");
        }
    }
    if c.window.is_zero() {
        bail!("--seconds must be > 0");
    }
    Ok(true)
}

/// Fails with the command that fixes it when a binary is missing; creates the data root.
pub fn check_binaries(l: &Launch, need_etcd: bool) -> Result<()> {
    if !l.sd_bin.is_file() {
        bail!(
            "sd binary not found at {}: run `cargo build --release` first (or pass --sd-bin PATH)",
            l.sd_bin.display()
        );
    }
    if need_etcd && !l.etcd_bin.is_file() {
        bail!(
            "etcd binary not found at {}: install it with `apt-get install etcd-server` \
             (etcd 3.4; do not start its service, the bench runs its own) or pass --etcd-bin PATH",
            l.etcd_bin.display()
        );
    }
    std::fs::create_dir_all(&l.data_root)
        .with_context(|| format!("data root {}", l.data_root.display()))?;
    Ok(())
}

/// The command, the machine, the data root's file system and the binaries' versions; a warning
/// when the data root is in memory or `target/release/sd` is older than the sources.
pub fn print_environment(bench: &str, args: &[String], l: &Launch, default_sd_bin: bool) {
    let exe = std::env::args().next().unwrap_or_default();
    println!("command: cargo bench --bench {bench} -- {}", args.join(" "));
    println!("argv: {exe} {}", args.join(" "));
    println!(
        "nproc: {}  cpu: {}  load average before the run: {}",
        machine::nproc(),
        machine::cpu_model(),
        machine::loadavg()
    );
    let fs = machine::fs_type(&l.data_root);
    println!("data root: {} ({fs})", l.data_root.display());
    if matches!(fs.as_str(), "tmpfs" | "ramfs") {
        println!("WARNING: the data root is in memory: fsync costs nothing, durability figures are meaningless; pass --data-root on a real disk");
    }
    println!(
        "sd:   {} [{}]",
        l.sd_bin.display(),
        machine::version_line(&l.sd_bin, &["version"])
    );
    println!(
        "etcd: {} [{}]",
        l.etcd_bin.display(),
        machine::version_line(&l.etcd_bin, &["--version"])
    );
    if default_sd_bin {
        let newer = machine::newer_sources(&l.sd_bin, &repo_dir());
        if !newer.is_empty() {
            println!(
                "WARNING: {} is older than {} source file(s) (e.g. {}): run `cargo build --release` \
                 or these numbers measure an old build",
                l.sd_bin.display(),
                newer.len(),
                newer[0].display()
            );
        }
    }
}

/// The parts `--only` named (`only`), in that order, or all of them without it.
pub fn select_parts<P: Copy>(
    only: Option<Vec<String>>,
    all: &[P],
    name: impl Fn(P) -> &'static str,
    usage: &str,
) -> Result<Vec<P>> {
    let Some(only) = only else {
        return Ok(all.to_vec());
    };
    only.iter()
        .map(|n| match all.iter().find(|&&p| name(p) == n) {
            Some(&p) => Ok(p),
            None => bail!("--only: unknown part {n:?}\n{usage}"),
        })
        .collect()
}

/// Runs the parts in order; a part that fails is reported and the next one runs. Returns the
/// failures as "part: error".
pub async fn run_parts<P: Copy>(
    parts: &[P],
    name: impl Fn(P) -> &'static str,
    mut run: impl AsyncFnMut(P) -> Result<()>,
) -> Vec<String> {
    let mut failed = Vec::new();
    for &p in parts {
        if let Err(e) = run(p).await {
            println!("ERROR in {}: {e:#}", name(p));
            failed.push(format!("{}: {e:#}", name(p)));
        }
        println!();
    }
    failed
}

/// Resolves on Ctrl-C or SIGTERM.
async fn interrupted() -> &'static str {
    use tokio::signal::unix::{signal, SignalKind};
    let Ok(mut term) = signal(SignalKind::terminate()) else {
        let _ = tokio::signal::ctrl_c().await;
        return "SIGINT";
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => "SIGINT",
        _ = term.recv() => "SIGTERM",
    }
}

/// Runs `bench` on a multi-threaded runtime until it ends or Ctrl-C or SIGTERM arrives; then
/// the bench future is dropped, and with it every process it started.
pub fn run_interruptible<T>(bench: impl Future<Output = T>) -> Result<T> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        tokio::select! {
            r = bench => Ok(r),
            s = interrupted() => bail!("interrupted by {s}; every process started was killed"),
        }
    })
}

/// Fails when parts failed, listing them.
pub fn check_failed(failed: &[String]) -> Result<()> {
    if !failed.is_empty() {
        bail!("{} part(s) failed:\n{}", failed.len(), failed.join("\n"));
    }
    Ok(())
}

/// `main`'s exit: success, or `<bench>: error: ...` on stderr and failure.
pub fn exit_code(bench: &str, result: Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{bench}: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
