//! The whole organisation, process against process: `xacct lint DIR` against the floor
//! (`floor`: walk, read, parse with serde_json and keep every file), each in a clean process of
//! its own, interleaved round by round so that a busy machine slows both alike. For each size it
//! reports the median per-round time ratio lint/floor (both on the same number of threads), the
//! peak resident memory of each against the input bytes, and how much faster each runs on all
//! threads than on one.
//!
//! ```sh
//! cargo build --release -p xacct -p xacct-bench
//! target/release/bench_org [--sizes 1000,5000,20000] [--rounds 5] [--threads 2] [--seed 1]
//! ```
//!
//! The `xacct` and `floor` binaries are taken from the folder of this one (`target/release/`);
//! `--xacct PATH` times another build of xacct (a baseline) against the same floor.
//! The corpus is the one `gen` writes (run as a child, so that this process stays small: see
//! `main`), in a temporary folder, removed afterwards.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

const USAGE: &str = "usage: bench_org [--sizes N,N,...] [--rounds R (default 5)] [--threads T (default 2)] [--seed S (default 1)] [--xacct PATH (default: beside this binary)]";

struct Args {
    sizes: Vec<usize>,
    rounds: usize,
    threads: usize,
    seed: u64,
    /// Another build of xacct to time (a baseline), instead of the one beside this binary.
    xacct: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut parsed = Args {
        sizes: vec![1000, 5000, 20000],
        rounds: 5,
        threads: 2,
        seed: 1,
        xacct: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--sizes" => {
                parsed.sizes = value()?
                    .split(',')
                    .map(|n| n.trim().parse().map_err(|e| format!("--sizes: {e}")))
                    .collect::<Result<_, _>>()?
            }
            "--rounds" => parsed.rounds = value()?.parse().map_err(|e| format!("--rounds: {e}"))?,
            "--threads" => {
                parsed.threads = value()?.parse().map_err(|e| format!("--threads: {e}"))?
            }
            "--seed" => parsed.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--xacct" => parsed.xacct = Some(PathBuf::from(value()?)),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if parsed.rounds == 0 || parsed.threads == 0 || parsed.sizes.contains(&0) {
        return Err("--sizes, --rounds and --threads must be at least 1".to_string());
    }
    Ok(parsed)
}

/// One finished child: wall time and peak resident memory.
#[derive(Clone, Copy)]
struct Measure {
    wall: Duration,
    max_rss: u64,
}

/// Runs `program args` in `dir` with its output thrown away and measures it. The peak memory
/// comes from `wait4`'s resource usage of that child alone.
fn measure(program: &Path, args: &[&str], dir: &Path) -> Result<Measure, String> {
    let started = Instant::now();
    let child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{}: {e}", program.display()))?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, not waited for yet; the pointers are to live locals.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    if waited != pid {
        return Err(format!("{}: wait4 failed", program.display()));
    }
    // The lint exits 1 when it finds something (the corpus has injected mistakes); 2 and
    // signals are failures.
    if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) > 1 {
        return Err(format!(
            "{} {args:?} failed: status {status}",
            program.display()
        ));
    }
    // Linux reports ru_maxrss in kilobytes.
    Ok(Measure {
        wall,
        max_rss: usage.ru_maxrss as u64 * 1024,
    })
}

fn as_str(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// One size's rounds: lint and floor on `threads` threads and on one.
struct Rounds {
    lint: Vec<Measure>,
    floor: Vec<Measure>,
    lint_one: Vec<Measure>,
    floor_one: Vec<Measure>,
}

fn run_size(
    binaries: &(PathBuf, PathBuf),
    dir: &Path,
    threads: usize,
    rounds: usize,
) -> Result<Rounds, String> {
    let (xacct, floor) = binaries;
    let all = threads.to_string();
    let lint_args = |t: &str| -> Vec<String> {
        ["lint", ".", "--format", "compact", "--threads", t]
            .map(str::to_string)
            .to_vec()
    };
    let lint_all: Vec<String> = lint_args(&all);
    let lint_one: Vec<String> = lint_args("1");
    // A warm-up of each, not counted: the page cache holds the corpus for every round alike.
    measure(xacct, &as_str(&lint_all), dir)?;
    measure(floor, &["--threads", &all, "."], dir)?;
    let mut out = Rounds {
        lint: Vec::new(),
        floor: Vec::new(),
        lint_one: Vec::new(),
        floor_one: Vec::new(),
    };
    for round in 0..rounds {
        // Alternate which goes first, so a drift in the machine's load favours neither.
        let pair =
            |first_lint: bool, t: &str, args: &[&str]| -> Result<(Measure, Measure), String> {
                if first_lint {
                    let l = measure(xacct, args, dir)?;
                    let f = measure(floor, &["--threads", t, "."], dir)?;
                    Ok((l, f))
                } else {
                    let f = measure(floor, &["--threads", t, "."], dir)?;
                    let l = measure(xacct, args, dir)?;
                    Ok((l, f))
                }
            };
        let (l, f) = pair(round % 2 == 0, &all, &as_str(&lint_all))?;
        out.lint.push(l);
        out.floor.push(f);
        let (l, f) = pair(round % 2 == 1, "1", &as_str(&lint_one))?;
        out.lint_one.push(l);
        out.floor_one.push(f);
    }
    Ok(out)
}

/// The bytes the floor reads: every JSON file of the corpus.
fn input_bytes(dir: &Path) -> u64 {
    xacct_bench::json_files(dir)
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum()
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("bench_org: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let here = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_default();
    let binaries = (
        args.xacct.clone().unwrap_or_else(|| here.join("xacct")),
        here.join("floor"),
    );
    let gen = here.join("gen");
    for binary in [&binaries.0, &binaries.1, &gen] {
        if !binary.is_file() {
            eprintln!(
                "bench_org: {} is missing: cargo build --release -p xacct -p xacct-bench",
                binary.display()
            );
            return ExitCode::from(2);
        }
    }
    println!(
        "| pipelines | input | floor, {t} threads | lint, {t} threads | lint / floor | lint peak RSS / input | floor peak RSS / input | lint 1 → {t} threads | floor 1 → {t} threads |",
        t = args.threads
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for &size in &args.sizes {
        let dir =
            std::env::temp_dir().join(format!("xacct-bench-org-{size}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        // Written by `gen`, in a process of its own: a child's peak RSS (`ru_maxrss`) counts
        // the memory of the process it was forked from, up to its `exec`, and this one would
        // hold a large corpus's allocations (glibc keeps freed memory): at 20,000 pipelines
        // the lint's peak was read as this process's 1.1 GB instead of its own 0.84 GB.
        let written = Command::new(&gen)
            .arg("--out")
            .arg(&dir)
            .args([
                "--files",
                &size.to_string(),
                "--seed",
                &args.seed.to_string(),
            ])
            .stdout(Stdio::null())
            .status();
        if !written.is_ok_and(|status| status.success()) {
            eprintln!(
                "bench_org: {} could not write {}",
                gen.display(),
                dir.display()
            );
            return ExitCode::FAILURE;
        }
        let bytes = input_bytes(&dir);
        let result = run_size(&binaries, &dir, args.threads, args.rounds);
        let _ = std::fs::remove_dir_all(&dir);
        let rounds = match result {
            Ok(rounds) => rounds,
            Err(e) => {
                eprintln!("bench_org: {e}");
                return ExitCode::FAILURE;
            }
        };
        let secs = |m: &[Measure]| median(m.iter().map(|m| m.wall.as_secs_f64()).collect());
        let ratio = |a: &[Measure], b: &[Measure]| {
            median(
                a.iter()
                    .zip(b)
                    .map(|(a, b)| a.wall.as_secs_f64() / b.wall.as_secs_f64())
                    .collect(),
            )
        };
        let rss =
            |m: &[Measure]| m.iter().map(|m| m.max_rss).max().unwrap_or(0) as f64 / bytes as f64;
        println!(
            "| {size} | {:.0} MB | {:.0} ms | {:.0} ms | **{:.2}×** | {:.2}× | {:.2}× | {:.2}× | {:.2}× |",
            bytes as f64 / 1e6,
            secs(&rounds.floor) * 1e3,
            secs(&rounds.lint) * 1e3,
            ratio(&rounds.lint, &rounds.floor),
            rss(&rounds.lint),
            rss(&rounds.floor),
            ratio(&rounds.lint_one, &rounds.lint),
            ratio(&rounds.floor_one, &rounds.floor),
        );
    }
    println!(
        "\n{} rounds per size, medians of per-round ratios; seed {}.",
        args.rounds, args.seed
    );
    ExitCode::SUCCESS
}
