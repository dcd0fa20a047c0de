//! Lint cost of CloudFormation YAML templates against parsing the same YAML into the tree
//! alone, measured in one run (see `docs/performance.md`):
//!
//! ```sh
//! cargo run -p xacct-bench --release --bin bench_templates [-- --files 1000 --rounds 15 --seed 1]
//! ```
//!
//! The templates are the corpus's pipelines as a team writes them (`xacct_bench::templates`).
//! Contenders run interleaved, round by round, on one thread; the figure to quote is the
//! median of per-round ratios of (b) to (a).

use std::hint::black_box;
use std::time::{Duration, Instant};

use xacct_rules::{lint_bytes, LintOptions};
use xacct_syntax::FileId;

struct Input {
    yaml: String,
    region: String,
}

fn parse_only(inputs: &[Input]) -> usize {
    let mut ok = 0;
    for input in inputs {
        let text = black_box(input.yaml.clone());
        if let Ok(doc) = xacct_syntax::yaml::parse(&text) {
            ok += usize::from(black_box(&doc).root.as_object().is_some());
        }
    }
    ok
}

fn lint(inputs: &[Input]) -> usize {
    let mut findings = 0;
    for input in inputs {
        let options = LintOptions {
            input: xacct_input::Options {
                region: Some(input.region.clone()),
                ..Default::default()
            },
            ..LintOptions::default()
        };
        let (_, report) = lint_bytes(
            FileId(0),
            std::path::Path::new("template.yaml"),
            black_box(input.yaml.clone().into_bytes()),
            true,
            &options,
        );
        findings += report.diagnostics.len();
    }
    findings
}

fn median(times: &mut [f64]) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn main() {
    let mut files = 1000;
    let mut rounds = 15;
    let mut seed = 1;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().and_then(|v| v.parse::<u64>().ok());
        match (flag.as_str(), value) {
            ("--files", Some(v)) => files = v as usize,
            ("--rounds", Some(v)) => rounds = v as usize,
            ("--seed", Some(v)) => seed = v,
            _ => {
                eprintln!("usage: bench_templates [--files N] [--rounds R] [--seed S]");
                std::process::exit(2);
            }
        }
    }
    // One thread, like the per-file contenders of `bench`.
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build_global();
    let corpus = xacct_bench::generate(files, seed);
    let inputs: Vec<Input> = corpus
        .pipelines
        .iter()
        .filter_map(|f| xacct_bench::templates::template(&f.json))
        .map(|(yaml, region)| Input { yaml, region })
        .collect();
    let bytes: usize = inputs.iter().map(|i| i.yaml.len()).sum();
    println!(
        "CloudFormation templates: {} files, {:.2} MB ({:.1} KB/file), seed {seed}; {rounds} rounds (+1 warm-up), interleaved, order alternating, one thread",
        inputs.len(),
        bytes as f64 / 1e6,
        bytes as f64 / 1e3 / inputs.len().max(1) as f64
    );
    let (mut parse_times, mut lint_times, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let mut findings = 0;
    for round in 0..=rounds {
        let time = |f: &dyn Fn(&[Input]) -> usize| {
            let start = Instant::now();
            let n = f(&inputs);
            (start.elapsed(), n)
        };
        let ((parse, _), (linted, n)) = if round % 2 == 0 {
            let p = time(&parse_only);
            (p, time(&lint))
        } else {
            let l = time(&lint);
            (time(&parse_only), l)
        };
        findings = n;
        if round > 0 {
            let secs = |d: Duration| d.as_secs_f64();
            parse_times.push(secs(parse) * 1e3);
            lint_times.push(secs(linted) * 1e3);
            ratios.push(secs(linted) / secs(parse));
        }
    }
    let (p, l) = (median(&mut parse_times), median(&mut lint_times));
    println!(
        "(a) xacct_syntax::yaml::parse          median {p:8.2} ms   {:6.1} MB/s",
        bytes as f64 / 1e3 / p
    );
    println!(
        "(b) lint: lint_bytes (decode, load, rules)    median {l:8.2} ms   {:6.1} MB/s",
        bytes as f64 / 1e3 / l
    );
    println!(
        "(b)/(a) lint / parse into the tree     median of per-round ratios {:.2}   ratio of medians {:.2}",
        median(&mut ratios),
        l / p
    );
    println!("lint: {findings} findings over {} templates", inputs.len());
}
