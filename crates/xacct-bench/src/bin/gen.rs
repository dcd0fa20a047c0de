//! Writes the benchmark corpus to a folder, to look at it or to lint it with the CLI:
//!
//! ```sh
//! cargo run -p xacct-bench --release --bin gen -- --files 1000 --seed 1 --out /tmp/corpus
//! cargo run --release -- lint /tmp/corpus --format compact
//! ```
//!
//! Beside the pipelines, `expected-findings.txt` lists each broken file with its mistake and the
//! codes xacct must report; every other file must lint clean.

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: gen --out DIR [--files N (default 1000)] [--seed S (default 1)]";

struct Args {
    files: usize,
    seed: u64,
    out: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let mut files = 1000;
    let mut seed = 1;
    let mut out = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--files" => files = value()?.parse().map_err(|e| format!("--files: {e}"))?,
            "--seed" => seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--out" => out = Some(PathBuf::from(value()?)),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let out = out.ok_or("--out is required")?;
    Ok(Args { files, seed, out })
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
        Ok((bytes, broken)) => {
            println!(
                "wrote {} files ({:.1} MB, {broken} with an injected mistake) to {}",
                args.files,
                bytes as f64 / 1e6,
                args.out.display()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("gen: {}: {error}", args.out.display());
            ExitCode::FAILURE
        }
    }
}

fn write_corpus(args: &Args) -> std::io::Result<(usize, usize)> {
    std::fs::create_dir_all(&args.out)?;
    let corpus = xacct_bench::generate(args.files, args.seed);
    let mut expected = String::new();
    let mut bytes = 0;
    for file in &corpus {
        std::fs::write(args.out.join(&file.name), &file.json)?;
        bytes += file.json.len();
        if let Some(mistake) = file.mistake {
            expected.push_str(&format!(
                "{} {mistake:?} {}\n",
                file.name,
                file.expected_codes.join(",")
            ));
        }
    }
    std::fs::write(args.out.join("expected-findings.txt"), &expected)?;
    Ok((bytes, corpus.iter().filter(|f| f.mistake.is_some()).count()))
}
