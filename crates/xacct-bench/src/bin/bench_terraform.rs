//! Lint cost of a Terraform tree against parsing its files alone, measured in one run (see
//! `docs/performance.md`):
//!
//! ```sh
//! cargo run -p xacct-bench --release --bin bench_terraform [-- --teams 100 --rounds 15]
//! cargo run -p xacct-bench --release --bin bench_terraform -- --teams 2 --write /tmp/tree
//! ```
//!
//! `--write DIR` writes the tree there instead, to lint it with the binary.
//!
//! The tree is `xacct_bench::terraform::tree`: a root module with two providers a team and two
//! modules a team, ten resources a team (1,000 for 100 teams). (a) parses every file into the
//! spanned tree (`hcl-edit`, then xacct's own); (b) is the whole lint: the configuration
//! evaluated together (modules, providers, references), each file loaded into documents, the
//! pipeline rules, the workspace and every workspace rule. One thread; the figure to quote is
//! the median of per-round ratios of (b) to (a).

use std::collections::HashMap;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use xacct_input::terraform::{eval::Settings, link, Source};
use xacct_input::FileSettings;
use xacct_rules::engine::{check, check_file};
use xacct_rules::LintOptions;
use xacct_syntax::{FileId, SourceFile};

/// The tree's files: (path, text).
type Files = [(PathBuf, String)];

fn parse_only(files: &Files) -> usize {
    files
        .iter()
        .filter(|(_, text)| xacct_input::terraform::hcl::parse(black_box(text)).is_ok())
        .count()
}

fn lint(files: &Files) -> usize {
    let sources: Vec<Source<'_>> = files
        .iter()
        .map(|(path, text)| Source {
            path,
            text,
            settings: Settings::default(),
        })
        .collect();
    let mut options = LintOptions::default();
    for (path, contents) in link(&sources) {
        options.input.files.insert(
            path,
            FileSettings {
                terraform: Some(contents),
                ..FileSettings::default()
            },
        );
    }
    let loaded = files
        .iter()
        .enumerate()
        .map(|(i, (path, text))| {
            let source = SourceFile::new(path, text.clone());
            let input = xacct_input::load(FileId(i as u32), &source, None, false, &options.input);
            check_file(input, &options)
        })
        .collect();
    let reports = check(loaded, &HashMap::new(), &options);
    reports.iter().map(|r| r.diagnostics.len()).sum()
}

fn median(times: &mut [f64]) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn main() {
    let mut teams = 100;
    let mut rounds = 15;
    let mut write: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next();
        let number = value.as_deref().and_then(|v| v.parse::<usize>().ok());
        match (flag.as_str(), number) {
            ("--teams", Some(v)) => teams = v,
            ("--rounds", Some(v)) => rounds = v,
            ("--write", _) if value.is_some() => write = value.map(PathBuf::from),
            _ => {
                eprintln!("usage: bench_terraform [--teams N] [--rounds R] [--write DIR]");
                std::process::exit(2);
            }
        }
    }
    if let Some(dir) = write {
        for (path, text) in xacct_bench::terraform::tree(teams) {
            let path = dir.join(path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).expect("create the folder");
            }
            std::fs::write(&path, text).expect("write the file");
        }
        return;
    }
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build_global();
    let files: Vec<(PathBuf, String)> = xacct_bench::terraform::tree(teams)
        .into_iter()
        .map(|(path, text)| (Path::new("/bench").join(path), text))
        .collect();
    let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();
    println!(
        "Terraform tree: {teams} teams, {} resources, {} files, {:.2} MB; {rounds} rounds (+1 warm-up), interleaved, order alternating, one thread",
        teams * 10,
        files.len(),
        bytes as f64 / 1e6
    );
    let (mut parse_times, mut lint_times, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let mut findings = 0;
    for round in 0..=rounds {
        let time = |f: &dyn Fn(&Files) -> usize| {
            let start = Instant::now();
            let n = f(&files);
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
    println!("(a) parse every file (hcl-edit, spanned tree)   median {p:8.2} ms");
    println!("(b) lint: link, load, rules, workspace         median {l:8.2} ms");
    println!(
        "(b)/(a) lint / parse    median of per-round ratios {:.2}   ratio of medians {:.2}",
        median(&mut ratios),
        l / p
    );
    println!("lint: {findings} findings over {} files", files.len());
}
