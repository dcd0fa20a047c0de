//! Lint cost against plain JSON parsing, measured in one run (see `docs/performance.md`):
//!
//! ```sh
//! cargo run -p xacct-bench --release --bin bench [-- --files 1000 --accounts 50 --rounds 15 --seed 1 --threads 1]
//! ```
//!
//! The engine runs rules on rayon's thread pool, as the CLI does (`--threads`); the bench sets
//! that pool to one thread unless told otherwise, so that every contender runs on one core and
//! the ratios compare like with like.
//!
//! Two comparisons, each against `serde_json::from_slice::<serde_json::Value>` over the same
//! bytes:
//!
//! - per file, over the pipelines alone: xacct's spanned parser (b) and the whole lint of one
//!   file named on the command line (c), against (a);
//! - the whole workspace, over every file (pipelines and policies), as `xacct lint DIR` does
//!   it: each file decoded, loaded and its pipelines checked on its own, then one `check_all`
//!   with the bindings of `xacct.toml` (the workspace, the trust graph, the workspace rules)
//!   (e), against (d).
//!
//! The machine is shared and noisy, so absolute times mean little from one run to the next; the
//! ratios do, because the contenders run interleaved, round by round, in the same process, and
//! noise hits them alike. The figures that matter are `(c)/(a)` and `(e)/(d)`: the target is at
//! most 3.0.

use std::collections::HashMap;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use xacct_bench::{load_each, Binding, Corpus, Options};
use xacct_rules::engine::check_all;
use xacct_rules::{lint_bytes, LintOptions, Outcome, Severity};
use xacct_syntax::{json, FileId};

const USAGE: &str = "usage: bench [--files N (pipelines, default 1000)] [--accounts N (default 50)] [--rounds R (default 15)] [--seed S (default 1)] [--threads T (rayon's, default 1)] [--strict]";
/// The ratio of lint to plain parsing the project aims to stay under.
const TARGET_RATIO: f64 = 3.0;

struct Args {
    files: usize,
    accounts: usize,
    rounds: usize,
    seed: u64,
    threads: usize,
    strict: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut parsed = Args {
        files: 1000,
        accounts: Options::default().accounts,
        rounds: 15,
        seed: 1,
        threads: 1,
        strict: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--files" => parsed.files = value()?.parse().map_err(|e| format!("--files: {e}"))?,
            "--accounts" => {
                parsed.accounts = value()?.parse().map_err(|e| format!("--accounts: {e}"))?
            }
            "--rounds" => parsed.rounds = value()?.parse().map_err(|e| format!("--rounds: {e}"))?,
            "--seed" => parsed.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--threads" => {
                parsed.threads = value()?.parse().map_err(|e| format!("--threads: {e}"))?
            }
            "--strict" => parsed.strict = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if parsed.files == 0 || parsed.rounds == 0 || parsed.threads == 0 {
        return Err("--files, --rounds and --threads must be at least 1".to_string());
    }
    if parsed.accounts < 2 {
        return Err("--accounts must be at least 2".to_string());
    }
    Ok(parsed)
}

/// One file as the CLI would hold it after discovery: a path and the bytes read from disk.
struct Input {
    path: PathBuf,
    bytes: Vec<u8>,
}

/// What the contenders run over.
struct Bench {
    /// The pipelines alone, for the per-file contenders.
    pipelines: Vec<Input>,
    /// Every file, in discovery order, for the workspace contenders.
    all: Vec<Input>,
    /// The `[[bind]]` entries, by file of `all`.
    bindings: HashMap<FileId, Binding>,
    options: LintOptions,
    /// The two phases of the last workspace lint: per-file load, then `check_all`.
    phases: Mutex<Vec<(Duration, Duration)>>,
}

impl Bench {
    /// Every file, as `load_each` takes them.
    fn inputs(&self) -> impl Iterator<Item = (&Path, &[u8])> {
        self.all
            .iter()
            .map(|i| (i.path.as_path(), i.bytes.as_slice()))
    }
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

impl Tally {
    fn count(&mut self, outcome: Outcome, diagnostics: &[xacct_rules::Diagnostic]) {
        self.ok += usize::from(matches!(outcome, Outcome::Checked(_)));
        self.findings += diagnostics.len();
        self.errors += diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        self.warnings += diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count();
    }
}

fn serde_over(inputs: &[Input]) -> Tally {
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

/// (a) Plain parsing of the pipelines: the floor any JSON-reading tool pays.
fn serde_pipelines(bench: &Bench) -> Tally {
    serde_over(&bench.pipelines)
}

/// (b) xacct's own spanned parser, after the same UTF-8 check the lint's decoding does.
fn spanned_parse(bench: &Bench) -> Tally {
    let mut tally = Tally::default();
    for input in &bench.pipelines {
        let Ok(text) = String::from_utf8(black_box(input.bytes.to_vec())) else {
            continue;
        };
        if let Ok(document) = json::parse(&text) {
            tally.ok += usize::from(black_box(&document).duplicates.is_empty());
        }
    }
    tally
}

/// (c) The whole per-file lint of each pipeline, as `crates/xacct/src/lint.rs` does it for a
/// file named on the command line: decode, parse, validate against the API model, load,
/// resolve accounts, run every rule, sort the findings.
fn lint_each(bench: &Bench) -> Tally {
    let mut tally = Tally::default();
    for (index, input) in bench.pipelines.iter().enumerate() {
        let (_, report) = lint_bytes(
            FileId(index as u32),
            &input.path,
            black_box(input.bytes.to_vec()),
            true,
            &bench.options,
        );
        let report = black_box(report);
        tally.count(report.outcome, &report.diagnostics);
    }
    tally
}

/// (c') The same, from inside rayon's pool: `check_all`'s parallel loops then run where they
/// are called, instead of handing their work to the pool's thread and waiting, twice per file.
fn lint_each_in_pool(bench: &Bench) -> Tally {
    rayon::scope(|_| lint_each(bench))
}

/// (d) Plain parsing of every file.
fn serde_all(bench: &Bench) -> Tally {
    serde_over(&bench.all)
}

/// (e) The whole workspace lint, as `xacct lint DIR` runs it (`crates/xacct/src/lint.rs`):
/// every file read into a source and loaded on its own (found by walking, so not explicit),
/// which runs the pipeline rules on its pipelines, then one `check_all` over all of them with
/// the bindings: the workspace, the trust graph, every workspace rule, sorting. The sources
/// are kept until the end, as the CLI keeps them to render.
fn lint_workspace(bench: &Bench) -> Tally {
    let start = Instant::now();
    let (sources, loaded) = load_each(bench.inputs(), &bench.options);
    let loaded_at = Instant::now();
    let checked = black_box(check_all(loaded, &bench.bindings, &bench.options, false));
    let mut tally = Tally::default();
    for report in &checked.reports {
        tally.count(report.outcome, &report.diagnostics);
    }
    drop(checked);
    drop(black_box(sources));
    if let Ok(mut phases) = bench.phases.lock() {
        phases.push((loaded_at - start, loaded_at.elapsed()));
    }
    tally
}

struct Contender {
    label: &'static str,
    run: fn(&Bench) -> Tally,
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

/// Lints the corpus once as the CLI does and checks every file's findings against what the
/// generator injected; returns a line for the report.
fn verify(corpus: &Corpus, bench: &Bench) -> String {
    let files = corpus.files();
    let (_, loaded) = load_each(bench.inputs(), &bench.options);
    let checked = check_all(loaded, &bench.bindings, &bench.options, false);
    let found: Vec<(&str, &str)> = checked
        .reports
        .iter()
        .zip(&files)
        .flat_map(|(report, file)| report.diagnostics.iter().map(|d| (file.name, d.code)))
        .collect();
    let unchecked = checked
        .reports
        .iter()
        .filter(|r| !matches!(r.outcome, Outcome::Checked(_)))
        .count();
    let checks = checked.graph.checks.len();
    let allowed = checked
        .graph
        .checks
        .iter()
        .filter(|c| matches!(c.outcome, xacct_graph::Outcome::Allowed(_)))
        .count();
    let verdict = match corpus.compare(found.iter().copied()) {
        Ok(()) if unchecked == 0 => "every file reports exactly what was injected".to_string(),
        Ok(()) => format!("{unchecked} files not checked"),
        Err(problems) => format!(
            "MISMATCH in {} files, first: {}",
            problems.len(),
            problems[0]
        ),
    };
    format!("trust graph: {checks} checks, {allowed} allowed; {verdict}")
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

    // Before anything touches the pool: later calls cannot resize it.
    if let Err(error) = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads)
        .build_global()
    {
        eprintln!(
            "bench: cannot set up {} rayon threads: {error}",
            args.threads
        );
        std::process::exit(2);
    }
    let generated = Instant::now();
    let corpus = xacct_bench::generate_with(
        args.files,
        args.seed,
        &Options {
            accounts: args.accounts,
            ..Options::default()
        },
    );
    let generated = generated.elapsed();
    let files = corpus.files();
    let bench = Bench {
        pipelines: corpus
            .pipelines
            .iter()
            .map(|file| Input {
                path: PathBuf::from("corpus").join(&file.name),
                bytes: file.json.clone().into_bytes(),
            })
            .collect(),
        all: files
            .iter()
            .map(|file| Input {
                path: PathBuf::from("corpus").join(file.name),
                bytes: file.json.as_bytes().to_vec(),
            })
            .collect(),
        bindings: corpus.bindings_for(&files),
        options: LintOptions {
            strict: args.strict,
            ..LintOptions::default()
        },
        phases: Mutex::new(Vec::new()),
    };
    let pipeline_bytes: usize = bench.pipelines.iter().map(|i| i.bytes.len()).sum();
    let all_bytes: usize = bench.all.iter().map(|i| i.bytes.len()).sum();
    let policy_bytes = all_bytes - pipeline_bytes;
    let actions: usize = corpus.pipelines.iter().map(|f| f.actions).sum();
    let broken = corpus
        .pipelines
        .iter()
        .filter(|f| f.mistake.is_some())
        .count();
    let expected_per_file: usize = corpus
        .pipelines
        .iter()
        .map(|f| f.expected_codes.len())
        .sum();
    let pipelines = bench.pipelines.len();
    let policies = corpus.policies.len();

    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let threading = if args.threads == 1 {
        "single-threaded".to_string()
    } else {
        format!(
            "xacct's rules on {} rayon threads, serde_json on one",
            args.threads
        )
    };
    println!(
        "xacct lint vs plain JSON parsing, one process, {threading} ({cores} cores available)"
    );
    println!(
        "corpus: {pipelines} pipelines ({:.2} MB, {:.1} KB and {:.1} actions each) and {policies} policy files ({:.2} MB, {:.1} KB each, {} bound in xacct.toml): {} files, {:.2} MB",
        pipeline_bytes as f64 / 1e6,
        pipeline_bytes as f64 / 1e3 / pipelines as f64,
        actions as f64 / pipelines as f64,
        policy_bytes as f64 / 1e6,
        policy_bytes as f64 / 1e3 / policies.max(1) as f64,
        corpus.bindings.len(),
        bench.all.len(),
        all_bytes as f64 / 1e6,
    );
    println!(
        "        {} accounts, {broken} pipelines and {} policies with an injected mistake; seed {}; generated in {:.1} s{}",
        corpus.accounts,
        corpus.policy_mistakes.len(),
        args.seed,
        generated.as_secs_f64(),
        if args.strict { "; --strict" } else { "" }
    );
    println!(
        "rounds: {} (+1 warm-up), contenders interleaved round-robin, order rotated every round; every contender copies each file's bytes once (as the lint must)",
        args.rounds
    );
    println!();

    let mut contenders = [
        Contender {
            label: "(a) serde_json::from_slice::<Value>",
            run: serde_pipelines,
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
            label: "(c) lint: lint_bytes (decode, load, rules)",
            run: lint_each,
            times: Vec::new(),
            tally: None,
        },
        Contender {
            label: "(c') the same, inside rayon's pool",
            run: lint_each_in_pool,
            times: Vec::new(),
            tally: None,
        },
        Contender {
            label: "(d) serde_json::from_slice::<Value>",
            run: serde_all,
            times: Vec::new(),
            tally: None,
        },
        Contender {
            label: "(e) lint: load each, then check_all",
            run: lint_workspace,
            times: Vec::new(),
            tally: None,
        },
    ];
    let count = contenders.len();
    for round in 0..=args.rounds {
        for offset in 0..count {
            let contender = &mut contenders[(round + offset) % count];
            let start = Instant::now();
            let tally = black_box((contender.run)(black_box(&bench)));
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
        if round == 0 {
            // Drop the warm-up's phases.
            if let Ok(mut phases) = bench.phases.lock() {
                phases.clear();
            }
        }
    }

    let header = || {
        println!(
            "{:<38} {:>10} {:>10} {:>10} {:>12} {:>13} {:>13}",
            "contender",
            "median ms",
            "min ms",
            "max ms",
            "MB/s (med)",
            "files/s (med)",
            "× base (med)"
        );
    };
    let row = |contender: &Contender, base: Duration, mb: f64, files: usize| {
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
            files as f64 / med.as_secs_f64(),
            med.as_secs_f64() / base.as_secs_f64()
        );
    };
    println!("per file: the {pipelines} pipelines, each linted on its own (base: (a))");
    header();
    let base = median(&contenders[0].times);
    for contender in &contenders[..4] {
        row(contender, base, pipeline_bytes as f64 / 1e6, pipelines);
    }
    println!();
    println!(
        "whole workspace: all {} files, pipelines and policies, as `xacct lint DIR` (base: (d))",
        bench.all.len()
    );
    header();
    let base = median(&contenders[4].times);
    for contender in &contenders[4..] {
        row(contender, base, all_bytes as f64 / 1e6, bench.all.len());
    }
    let phases = bench.phases.lock().map(|p| p.clone()).unwrap_or_default();
    let loads: Vec<Duration> = phases.iter().map(|p| p.0).collect();
    let checks: Vec<Duration> = phases.iter().map(|p| p.1).collect();
    let whole = median(&contenders[5].times).as_secs_f64();
    println!(
        "    (e) phase 1, decode + load + pipeline rules {:>9.2} ms median ({:.0}% of (e)), {:.2}× (d)",
        ms(median(&loads)),
        100.0 * median(&loads).as_secs_f64() / whole,
        median(&loads).as_secs_f64() / base.as_secs_f64()
    );
    println!(
        "    (e) phase 2, check_all: graph + workspace rules  {:>9.2} ms median ({:.0}% of (e)), {:.2}× (d); {:.1} µs per pipeline",
        ms(median(&checks)),
        100.0 * median(&checks).as_secs_f64() / whole,
        median(&checks).as_secs_f64() / base.as_secs_f64(),
        median(&checks).as_secs_f64() * 1e6 / pipelines as f64
    );
    println!();

    // A ratio within one round compares runs a few milliseconds apart, so the median of those
    // is the figure least disturbed by other work on the machine.
    let ratio = |of: usize, to: usize| {
        let mut per_round: Vec<f64> = contenders[of]
            .times
            .iter()
            .zip(&contenders[to].times)
            .map(|(x, a)| x.as_secs_f64() / a.as_secs_f64())
            .collect();
        let of_medians = median(&contenders[of].times).as_secs_f64()
            / median(&contenders[to].times).as_secs_f64();
        let min = |c: &Contender| {
            c.times
                .iter()
                .min()
                .copied()
                .unwrap_or_default()
                .as_secs_f64()
        };
        (
            median_f64(&mut per_round),
            of_medians,
            min(&contenders[of]) / min(&contenders[to]),
        )
    };
    for (of, to, name) in [
        (1, 0, "(b)/(a) spanned parse / serde_json"),
        (2, 0, "(c)/(a) lint a file / serde_json"),
        (3, 0, "(c')/(a) the same, in the pool"),
        (5, 4, "(e)/(d) lint workspace / serde_json"),
    ] {
        let (per_round, of_medians, of_mins) = ratio(of, to);
        println!("{name:<36}  median of per-round ratios {per_round:.2}   ratio of medians {of_medians:.2}   ratio of mins {of_mins:.2}");
    }
    let (file_ratio, _, _) = ratio(2, 0);
    let (pool_ratio, _, _) = ratio(3, 0);
    let (parse_ratio, _, _) = ratio(1, 0);
    let (workspace_ratio, _, _) = ratio(5, 4);
    println!(
        "{:<36}  {:.2}: (b) is {:.0}% of the per-file lint in the pool; the rest is decoding, API-model validation, loading, accounts, rules and freeing",
        "(c')/(b) lint a file / spanned parse",
        pool_ratio / parse_ratio,
        100.0 * parse_ratio / pool_ratio
    );
    println!(
        "{:<36}  {:.0} µs per file: what calling lint_bytes from outside rayon's pool adds (check_all hands the workspace rules to the pool and waits, from 16 pipelines on)",
        "(c)-(c') the hand-off",
        (median(&contenders[2].times).as_secs_f64() - median(&contenders[3].times).as_secs_f64())
            * 1e6
            / pipelines as f64
    );
    println!();

    let tally = contenders[2].tally.unwrap_or_default();
    println!(
        "(c): {} of {pipelines} pipelines checked, {} findings ({} errors, {} warnings, {} info), {expected_per_file} expected from the injected pipeline mistakes",
        tally.ok,
        tally.findings,
        tally.errors,
        tally.warnings,
        tally.findings - tally.errors - tally.warnings
    );
    let tally = contenders[5].tally.unwrap_or_default();
    println!(
        "(e): {} of {} files checked, {} findings ({} errors, {} warnings, {} info) in {} files expected to have some",
        tally.ok,
        bench.all.len(),
        tally.findings,
        tally.errors,
        tally.warnings,
        tally.findings - tally.errors - tally.warnings,
        corpus.expected_findings().len()
    );
    println!("(e): {}", verify(&corpus, &bench));
    for (name, value) in [
        ("lint a file", file_ratio),
        ("lint a file in the pool", pool_ratio),
        ("lint the workspace", workspace_ratio),
    ] {
        let verdict = if value <= TARGET_RATIO {
            "met"
        } else {
            "NOT met"
        };
        println!(
            "target: {name} at most {TARGET_RATIO:.1}× plain parsing: {verdict} ({value:.2}×)"
        );
    }
}
