//! Writes the benchmark corpus to a folder, to look at it or to lint it with the CLI:
//!
//! ```sh
//! cargo run -p xacct-bench --release --bin gen -- --files 1000 --seed 1 --out /tmp/corpus
//! cd /tmp/corpus && xacct lint . --format compact
//! ```
//!
//! The folder holds one folder per account (`tools-ID/` with the pipelines, artifact bucket and
//! key policies and pipeline roles; `workload-ID/` with the cross-account, CodeDeploy instance
//! and CloudFormation roles), `xacct.toml` with the `[[bind]]` entries for the files that cannot
//! say what they govern (lint from that folder, or pass `--config`), and
//! `expected-findings.txt`: each file xacct must report, with its codes and the mistake behind
//! them; every other file must lint clean.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use xacct_bench::Options;

const USAGE: &str = "usage: gen --out DIR [--files N (pipelines, default 1000)] [--accounts N (default 50)] [--seed S (default 1)] [--clean] [--templates (the pipelines alone, as CloudFormation YAML templates)]";

struct Args {
    files: usize,
    accounts: usize,
    seed: u64,
    clean: bool,
    templates: bool,
    out: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let mut files = 1000;
    let mut accounts = Options::default().accounts;
    let mut seed = 1;
    let mut clean = false;
    let mut templates = false;
    let mut out = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--files" => files = value()?.parse().map_err(|e| format!("--files: {e}"))?,
            "--accounts" => accounts = value()?.parse().map_err(|e| format!("--accounts: {e}"))?,
            "--seed" => seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--clean" => clean = true,
            "--templates" => templates = true,
            "--out" => out = Some(PathBuf::from(value()?)),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if accounts < 2 {
        return Err("--accounts must be at least 2".to_string());
    }
    let out = out.ok_or("--out is required")?;
    Ok(Args {
        files,
        accounts,
        seed,
        clean,
        templates,
        out,
    })
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("gen: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match write_corpus(&args) {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("gen: {}: {error}", args.out.display());
            ExitCode::FAILURE
        }
    }
}

fn write(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)
}

fn write_corpus(args: &Args) -> std::io::Result<String> {
    let mut options = Options {
        accounts: args.accounts,
        ..Options::default()
    };
    if args.clean {
        options.mistake_percent = 0;
        options.policy_mistake_percent = 0;
    }
    let corpus = xacct_bench::generate_with(args.files, args.seed, &options);
    if args.templates {
        // The pipelines alone, as a team writes them in CloudFormation (for the peers table:
        // scripts/bench-peers.sh), each with its region in the file name's folder.
        let mut written = 0;
        for file in &corpus.pipelines {
            if let Some((yaml, _region)) = xacct_bench::templates::template(&file.json) {
                let name = Path::new(&file.name).with_extension("yaml");
                write(&args.out.join(name), &yaml)?;
                written += 1;
            }
        }
        return Ok(format!(
            "wrote {written} CloudFormation templates to {}",
            args.out.display()
        ));
    }
    corpus.write_to(&args.out)?;

    // Why each file must be reported.
    let mut why: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for file in &corpus.pipelines {
        if let Some(mistake) = file.mistake {
            why.entry(&file.name)
                .or_default()
                .push(format!("{mistake:?}"));
        }
    }
    for mistake in &corpus.policy_mistakes {
        for (file, _) in &mistake.expected {
            why.entry(file).or_default().push(format!(
                "{:?} in {}: {}",
                mistake.mistake, mistake.file, mistake.detail
            ));
        }
    }
    let mut expected = String::from(
        "# file codes (each reported at least once; every other file lints clean) -- why\n",
    );
    for (file, codes) in corpus.expected_findings() {
        let codes: Vec<&str> = codes.into_iter().collect();
        let mut reasons = why.remove(file.as_str()).unwrap_or_default();
        reasons.dedup();
        expected.push_str(&format!(
            "{file} {} -- {}\n",
            codes.join(","),
            reasons.join("; ")
        ));
    }
    let tolerated = corpus.tolerated_findings();
    if !tolerated.is_empty() {
        expected.push_str(
            "# known xacct issue, may also be reported: XA313 repeating the XA312 of a key named by alias\n",
        );
        for (file, codes) in tolerated {
            let codes: Vec<&str> = codes.into_iter().collect();
            expected.push_str(&format!("# {file} {}\n", codes.join(",")));
        }
    }
    write(&args.out.join("expected-findings.txt"), &expected)?;
    Ok(format!(
        "wrote {} pipelines and {} policy files ({:.1} MB; {} pipelines and {} policies with an injected mistake; {} accounts) to {}",
        corpus.pipelines.len(),
        corpus.policies.len(),
        corpus.bytes() as f64 / 1e6,
        corpus.pipelines.iter().filter(|f| f.mistake.is_some()).count(),
        corpus.policy_mistakes.len(),
        corpus.accounts,
        args.out.display()
    ))
}
