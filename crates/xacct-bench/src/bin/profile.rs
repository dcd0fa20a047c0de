//! Runs only the whole-workspace lint of the benchmark (its contender (e)), over and over, for
//! a profiler to watch: `perf record -g target/release/profile --rounds 30`.
//!
//! ```text
//! cargo run -p xacct-bench --release --bin profile [-- --files 1000 --rounds 30 --seed 1 --phase all|load]
//! ```
//!
//! It times nothing worth quoting (the benchmark's ratios are the measurements); it prints the
//! median of each phase so that a profile can be related to the benchmark's figures.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use xacct_bench::{load_each, Options};
use xacct_rules::engine::check_all;
use xacct_rules::LintOptions;

const USAGE: &str = "usage: profile [--files N (default 1000)] [--accounts N (default 50)] [--rounds R (default 30)] [--seed S (default 1)] [--phase all|load (default all)]";

/// What each round runs: both phases, or the per-file loading alone.
#[derive(Clone, Copy, PartialEq)]
enum Phase {
    All,
    Load,
}

struct Args {
    files: usize,
    accounts: usize,
    rounds: usize,
    seed: u64,
    phase: Phase,
}

fn parse_args() -> Result<Args, String> {
    let mut parsed = Args {
        files: 1000,
        accounts: Options::default().accounts,
        rounds: 30,
        seed: 1,
        phase: Phase::All,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        let number = |text: String| text.parse::<usize>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--files" => parsed.files = number(value()?)?,
            "--accounts" => parsed.accounts = number(value()?)?,
            "--rounds" => parsed.rounds = number(value()?)?,
            "--seed" => parsed.seed = number(value()?)? as u64,
            "--phase" => {
                parsed.phase = match value()?.as_str() {
                    "all" => Phase::All,
                    "load" => Phase::Load,
                    other => return Err(format!("--phase: unknown phase `{other}`")),
                }
            }
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if parsed.files == 0 || parsed.rounds == 0 || parsed.accounts < 2 {
        return Err("--files and --rounds must be at least 1, --accounts at least 2".to_string());
    }
    Ok(parsed)
}

fn median(mut times: Vec<Duration>) -> f64 {
    times.sort();
    times
        .get(times.len() / 2)
        .map_or(0.0, |t| t.as_secs_f64() * 1e3)
}

fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("profile: {message}");
            }
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    };
    // One thread, as the benchmark measures.
    if let Err(error) = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build_global()
    {
        eprintln!("profile: cannot set up rayon's pool: {error}");
        std::process::exit(2);
    }
    let corpus = xacct_bench::generate_with(
        args.files,
        args.seed,
        &Options {
            accounts: args.accounts,
            ..Options::default()
        },
    );
    let files = corpus.files();
    let inputs: Vec<(PathBuf, Vec<u8>)> = files
        .iter()
        .map(|f| {
            (
                PathBuf::from("corpus").join(f.name),
                f.json.as_bytes().to_vec(),
            )
        })
        .collect();
    let bindings = corpus.bindings_for(&files);
    let options = LintOptions::default();
    let (mut loads, mut checks) = (Vec::new(), Vec::new());
    for _ in 0..args.rounds {
        let start = Instant::now();
        let (sources, loaded) = load_each(
            inputs.iter().map(|(p, b)| (p.as_path(), b.as_slice())),
            &options,
        );
        let loaded_at = Instant::now();
        loads.push(loaded_at - start);
        if args.phase == Phase::Load {
            drop(black_box(loaded));
            drop(black_box(sources));
            continue;
        }
        let checked = black_box(check_all(loaded, &bindings, &options, false));
        drop(checked);
        drop(black_box(sources));
        checks.push(loaded_at.elapsed());
    }
    println!(
        "{} files, {} rounds: load {:.2} ms, check_all {:.2} ms (medians)",
        inputs.len(),
        args.rounds,
        median(loads),
        median(checks)
    );
}
