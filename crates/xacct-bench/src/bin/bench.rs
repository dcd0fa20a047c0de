//! Lint cost against plain JSON parsing, measured in one run (see `docs/performance.md`):
//!
//! ```sh
//! cargo run -p xacct-bench --release --bin bench [-- --files 1000 --rounds 15 --seed 1]
//! ```
//!
//! The machine is shared and noisy, so absolute times mean little from one run to the next; the
//! ratios do, because the contenders run interleaved, round by round, in the same process, and
//! noise hits them alike. The figure that matters is `(c)/(a)`: the target is at most 3.0.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use xacct_rules::engine::read_source;
use xacct_rules::{lint_source, LintOptions, Outcome, Severity};
use xacct_syntax::{json, FileId};

const USAGE: &str =
    "usage: bench [--files N (default 1000)] [--rounds R (default 15)] [--seed S (default 1)]";
/// The ratio of lint to plain parsing the project aims to stay under.
const TARGET_RATIO: f64 = 3.0;

struct Args {
    files: usize,
    rounds: usize,
    seed: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut parsed = Args {
        files: 1000,
        rounds: 15,
        seed: 1,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--files" => parsed.files = value()?.parse().map_err(|e| format!("--files: {e}"))?,
            "--rounds" => parsed.rounds = value()?.parse().map_err(|e| format!("--rounds: {e}"))?,
            "--seed" => parsed.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if parsed.files == 0 || parsed.rounds == 0 {
        return Err("--files and --rounds must be at least 1".to_string());
    }
    Ok(parsed)
}

/// One file as the CLI would hold it after discovery: a path and the bytes read from disk.
struct Input {
    path: PathBuf,
    bytes: Vec<u8>,
}

/// What one pass over the corpus leaves behind, so the optimiser cannot drop the work and the
/// run can show that the lint did some.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
struct Tally {
    ok: usize,
    findings: usize,
    errors: usize,
    warnings: usize,
}

/// (a) Plain parsing: the floor any JSON-reading tool pays.
fn serde_value(inputs: &[Input]) -> Tally {
    let mut tally = Tally::default();
    for input in inputs {
        // The lint takes the bytes by value (as `std::fs::read` hands them over), so every
        // contender copies them: the comparison stays like for like.
        let bytes = black_box(input.bytes.to_vec());
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes) {
            tally.ok += usize::from(black_box(&value).is_object());
        }
    }
    tally
}

/// (b) xacct's own spanned parser, after the same UTF-8 check the lint's decoding does.
fn spanned_parse(inputs: &[Input]) -> Tally {
    let mut tally = Tally::default();
    for input in inputs {
        let Ok(text) = String::from_utf8(black_box(input.bytes.to_vec())) else {
            continue;
        };
        if let Ok(document) = json::parse(&text) {
            tally.ok += usize::from(black_box(&document).duplicates.is_empty());
        }
    }
    tally
}

/// (c) The whole per-file lint, as `crates/xacct/src/lint.rs` does it for a file named on the
/// command line: decode, parse, validate against the API model, load, resolve accounts, run
/// every rule, sort the findings.
fn lint(inputs: &[Input]) -> Tally {
    let options = LintOptions::default();
    let mut tally = Tally::default();
    for (index, input) in inputs.iter().enumerate() {
        let (source, decode_error) = read_source(&input.path, black_box(input.bytes.to_vec()));
        let report = lint_source(
            FileId(index as u32),
            &source,
            decode_error.as_ref(),
            true,
            &options,
        );
        let report = black_box(report);
        tally.ok += usize::from(matches!(report.outcome, Outcome::Checked(_)));
        tally.findings += report.diagnostics.len();
        tally.errors += report
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        tally.warnings += report
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count();
    }
    tally
}

struct Contender {
    label: &'static str,
    run: fn(&[Input]) -> Tally,
    times: Vec<Duration>,
    tally: Option<Tally>,
}

fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2
    }
}

fn median_f64(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

fn ms(time: Duration) -> f64 {
    time.as_secs_f64() * 1e3
}

fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("bench: {message}");
            }
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    };

    let corpus = xacct_bench::generate(args.files, args.seed);
    let inputs: Vec<Input> = corpus
        .iter()
        .map(|file| Input {
            path: PathBuf::from("corpus").join(&file.name),
            bytes: file.json.clone().into_bytes(),
        })
        .collect();
    let bytes: usize = inputs.iter().map(|i| i.bytes.len()).sum();
    let actions: usize = corpus.iter().map(|f| f.actions).sum();
    let broken = corpus.iter().filter(|f| f.mistake.is_some()).count();
    let expected_findings: usize = corpus.iter().map(|f| f.expected_codes.len()).sum();
    let mb = bytes as f64 / 1e6;

    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "xacct lint vs plain JSON parsing, one process, single-threaded ({cores} cores available)"
    );
    println!(
        "corpus: {} files, {mb:.2} MB ({:.1} KB/file), {actions} actions ({:.1}/file), {broken} files with an injected mistake; seed {}",
        inputs.len(),
        bytes as f64 / 1e3 / inputs.len() as f64,
        actions as f64 / inputs.len() as f64,
        args.seed
    );
    println!(
        "rounds: {} (+1 warm-up), contenders interleaved round-robin, order rotated every round; every contender copies each file's bytes once (as the lint must)",
        args.rounds
    );
    println!();

    let mut contenders = [
        Contender {
            label: "(a) serde_json::from_slice::<Value>",
            run: serde_value,
            times: Vec::new(),
            tally: None,
        },
        Contender {
            label: "(b) xacct_syntax::json::parse",
            run: spanned_parse,
            times: Vec::new(),
            tally: None,
        },
        Contender {
            label: "(c) lint: read_source + lint_source",
            run: lint,
            times: Vec::new(),
            tally: None,
        },
    ];
    let count = contenders.len();
    for round in 0..=args.rounds {
        for offset in 0..count {
            let contender = &mut contenders[(round + offset) % count];
            let start = Instant::now();
            let tally = black_box((contender.run)(black_box(&inputs)));
            let elapsed = start.elapsed();
            if let Some(previous) = contender.tally {
                assert_eq!(
                    previous, tally,
                    "{}: every round must do the same work",
                    contender.label
                );
            }
            contender.tally = Some(tally);
            // Round 0 warms caches and the allocator; it is not counted.
            if round > 0 {
                contender.times.push(elapsed);
            }
        }
    }

    println!(
        "{:<38} {:>10} {:>10} {:>10} {:>12} {:>13} {:>13}",
        "contender", "median ms", "min ms", "max ms", "MB/s (med)", "files/s (med)", "× (a) (med)"
    );
    let base = median(&contenders[0].times);
    for contender in &contenders {
        let med = median(&contender.times);
        let min = contender.times.iter().min().copied().unwrap_or_default();
        let max = contender.times.iter().max().copied().unwrap_or_default();
        println!(
            "{:<38} {:>10.2} {:>10.2} {:>10.2} {:>12.1} {:>13.0} {:>13.2}",
            contender.label,
            ms(med),
            ms(min),
            ms(max),
            mb / med.as_secs_f64(),
            inputs.len() as f64 / med.as_secs_f64(),
            med.as_secs_f64() / base.as_secs_f64()
        );
    }
    println!();

    // A ratio within one round compares runs a few milliseconds apart, so the median of those
    // is the figure least disturbed by other work on the machine.
    let ratio = |of: usize| {
        let mut per_round: Vec<f64> = contenders[of]
            .times
            .iter()
            .zip(&contenders[0].times)
            .map(|(x, a)| x.as_secs_f64() / a.as_secs_f64())
            .collect();
        let of_medians = median(&contenders[of].times).as_secs_f64() / base.as_secs_f64();
        let of_mins = contenders[of]
            .times
            .iter()
            .min()
            .copied()
            .unwrap_or_default()
            .as_secs_f64()
            / contenders[0]
                .times
                .iter()
                .min()
                .copied()
                .unwrap_or_default()
                .as_secs_f64();
        (median_f64(&mut per_round), of_medians, of_mins)
    };
    for (of, name) in [
        (1, "(b)/(a) spanned parse / serde_json"),
        (2, "(c)/(a) lint / serde_json"),
    ] {
        let (per_round, of_medians, of_mins) = ratio(of);
        println!("{name:<34}  median of per-round ratios {per_round:.2}   ratio of medians {of_medians:.2}   ratio of mins {of_mins:.2}");
    }
    let (lint_ratio, _, _) = ratio(2);
    let (parse_ratio, _, _) = ratio(1);
    println!(
        "{:<34}  {:.2}: (b) is {:.0}% of the lint; the rest is decoding, API-model validation, loading, accounts, rules and freeing",
        "(c)/(b) lint / spanned parse",
        lint_ratio / parse_ratio,
        100.0 * parse_ratio / lint_ratio
    );
    println!();

    let tally = contenders[2].tally.unwrap_or_default();
    println!(
        "lint: {} of {} files checked as pipelines, {} findings ({} errors, {} warnings, {} info), {expected_findings} expected from the injected mistakes",
        tally.ok,
        inputs.len(),
        tally.findings,
        tally.errors,
        tally.warnings,
        tally.findings - tally.errors - tally.warnings
    );
    let verdict = if lint_ratio <= TARGET_RATIO {
        "met"
    } else {
        "NOT met"
    };
    println!("target: lint at most {TARGET_RATIO:.1}× plain parsing: {verdict} ({lint_ratio:.2}×)");
}
