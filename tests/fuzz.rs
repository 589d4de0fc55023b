//! The fuzz targets (`sd::fuzz`) in `cargo test`: every target runs its hand-written seeds
//! (`fuzz/seeds/<target>/`), every input that once made it fail (`fuzz/regressions/<target>/`)
//! and the long runs' minimized corpus (`fuzz/corpus/<target>/`), then a few thousand
//! mutations of them from a fixed seed (`SD_FUZZ_SEED` picks another). The long runs are
//! cargo-fuzz's (fuzz/README.md); this keeps what they found from coming back.
//!
//! A panic on a thread of the in-process agent (a tokio worker, the DNS receive thread) would
//! only end that thread: the hook installed here stops the whole test binary instead, after
//! naming the input.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const FUZZ: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz");
/// Mutated inputs run per target.
const MUTATIONS: usize = 2_000;
/// The mutation seed when `SD_FUZZ_SEED` is not set.
const DEFAULT_SEED: u64 = 0x5d_f022;

/// What each target is running, for the panic hook.
static CURRENT: Mutex<BTreeMap<String, String>> = Mutex::new(BTreeMap::new());

macro_rules! targets {
    ($($name:ident),* $(,)?) => {
        const NAMES: &[&str] = &[$(stringify!($name)),*];
        $(
            #[test]
            fn $name() {
                exercise(stringify!($name));
            }
        )*
    };
}

targets!(
    http,
    http_wire,
    dns,
    gossip,
    rpc,
    config,
    filter,
    duration,
    acl_rules,
    template,
    snapshot,
    wal,
    docker,
    template_config,
);

#[test]
fn every_target_has_a_test_seeds_and_a_libfuzzer_driver() {
    let targets: Vec<&str> = sd::fuzz::TARGETS.iter().map(|(n, _)| *n).collect();
    assert_eq!(targets, NAMES, "sd::fuzz::TARGETS against the tests here");
    let manifest = read(&Path::new(FUZZ).join("Cargo.toml"));
    for t in NAMES {
        let driver = Path::new(FUZZ).join(format!("fuzz_targets/{t}.rs"));
        assert!(
            read(&driver).contains(&format!("sd::fuzz::run(\"{t}\", data)")),
            "{} must run the target {t}",
            driver.display()
        );
        assert!(
            manifest.contains(&format!("name = \"{t}\"\npath = \"fuzz_targets/{t}.rs\"")),
            "fuzz/Cargo.toml has no [[bin]] for {t}"
        );
        assert!(
            !inputs(t, "seeds").is_empty() || !sd::fuzz::examples(t).is_empty(),
            "{t} has neither seeds in fuzz/seeds/{t} nor examples"
        );
    }
    assert!(!sd::fuzz::run("no-such-target", b""));
}

#[test]
fn the_http_target_reaches_the_api() {
    let status = |req: &str| sd::fuzz::http_status(req.as_bytes());
    assert_eq!(status("GET /v1/kv/app/config"), Some(200), "a seeded key");
    assert_eq!(status("GET /v1/kv/no/such/key"), Some(404));
    assert_eq!(status("PUT /v1/kv/app/x?cas=bad\nv"), Some(400));
    assert_eq!(status("GET /v1/health/service/web?passing"), Some(200));
    assert_eq!(status("PUT /v1/agent/leave"), None, "off limits");
    assert_eq!(
        status("PUT //v1/Agent/%6ceave"),
        None,
        "off limits, however spelled"
    );
    assert_eq!(status("not a request"), None);
}

/// Writes each target's examples into `fuzz/corpus/<target>/` (`fuzz/run` starts with it).
#[test]
#[ignore = "run by fuzz/run"]
fn write_examples() {
    for t in NAMES {
        let examples = sd::fuzz::examples(t);
        if examples.is_empty() {
            continue;
        }
        let dir = Path::new(FUZZ).join("corpus").join(t);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for (i, data) in examples.iter().enumerate() {
            let path = dir.join(format!("example-{i:03}"));
            std::fs::write(&path, data).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
    }
}

fn exercise(target: &str) {
    install_hook();
    let mut corpus: Vec<(String, Vec<u8>)> = Vec::new();
    for kind in ["seeds", "regressions", "corpus"] {
        for path in inputs(target, kind) {
            let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let name = path.display().to_string();
            run(target, &name, &data);
            corpus.push((name, data));
        }
    }
    for (i, data) in sd::fuzz::examples(target).into_iter().enumerate() {
        let name = format!("example {i}");
        run(target, &name, &data);
        corpus.push((name, data));
    }
    assert!(!corpus.is_empty(), "no inputs for {target}");
    let seed = sd::config::process_env("SD_FUZZ_SEED")
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SEED);
    let mut rng = StdRng::seed_from_u64(seed ^ hash(target));
    for i in 0..MUTATIONS {
        let (from, base) = &corpus[rng.random_range(0..corpus.len())];
        let (_, other) = &corpus[rng.random_range(0..corpus.len())];
        let data = mutate(&mut rng, base, other);
        let name = format!(
            "mutation {i} of {from} (SD_FUZZ_SEED={seed}): {}",
            String::from_utf8_lossy(&data).escape_debug()
        );
        run(target, &name, &data);
    }
}

fn run(target: &str, name: &str, data: &[u8]) {
    CURRENT
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(target.to_string(), name.to_string());
    assert!(sd::fuzz::run(target, data), "no target {target}");
}

/// One to four of libFuzzer's simpler mutations: change, insert or delete bytes, copy a run
/// of bytes within the input or from another input, put in an "interesting" byte.
fn mutate(rng: &mut StdRng, base: &[u8], other: &[u8]) -> Vec<u8> {
    let mut data = base.to_vec();
    for _ in 0..rng.random_range(1..=4) {
        let at = if data.is_empty() {
            0
        } else {
            rng.random_range(0..data.len())
        };
        match rng.random_range(0..6) {
            0 if !data.is_empty() => data[at] = rng.random(),
            1 => data.insert(at, rng.random()),
            2 if !data.is_empty() => {
                let end = (at + rng.random_range(1..=8)).min(data.len());
                data.drain(at..end);
            }
            3 if !other.is_empty() => {
                let from = rng.random_range(0..other.len());
                let len = rng.random_range(1..=other.len() - from).min(64);
                data.splice(at..at, other[from..from + len].iter().copied());
            }
            4 if !data.is_empty() => {
                let interesting = [0u8, 0xff, 0x7f, 0x80, b'"', b'{', b'}', b'\\', b'%', b'\n'];
                data[at] = interesting[rng.random_range(0..interesting.len())];
            }
            _ if data.len() > 1 => {
                let from = rng.random_range(0..data.len());
                let len = rng.random_range(1..=data.len() - from).min(32);
                let run: Vec<u8> = data[from..from + len].to_vec();
                data.splice(at..at, run);
            }
            _ => data.push(rng.random()),
        }
    }
    data
}

fn install_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let current = CURRENT.lock().map(|c| c.clone()).unwrap_or_default();
            for (target, input) in current {
                eprintln!("fuzz target {target} was running {input}");
            }
            default(info);
            let thread = std::thread::current();
            let on_test_thread = thread.name().is_some_and(|n| NAMES.contains(&n));
            if !on_test_thread {
                eprintln!(
                    "the panic was on the agent's thread {:?}: stopping",
                    thread.name()
                );
                std::process::abort();
            }
        }));
    });
}

fn inputs(target: &str, kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(FUZZ).join(kind).join(target);
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}
