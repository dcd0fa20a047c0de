//! The floor any linter of a folder of JSON must pay, as a process of its own: walk the folder,
//! read every `*.json` file and parse it with `serde_json` into a `Value`, keeping them all (a
//! linter relates files to each other, so it holds them), on N threads; then exit without
//! freeing them, as the lint does. `bench_org` times it against `xacct lint` of the same
//! folder in a clean process each, so neither inherits the other's heap.
//!
//! ```sh
//! floor [--threads N] DIR
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use rayon::prelude::*;

fn main() -> ExitCode {
    let mut threads = 1;
    let mut dir = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--threads" => match args.next().and_then(|v| v.parse().ok()) {
                Some(n) if n > 0 => threads = n,
                _ => {
                    eprintln!("floor: --threads needs a number of at least 1");
                    return ExitCode::from(2);
                }
            },
            _ if dir.is_none() => dir = Some(PathBuf::from(arg)),
            other => {
                eprintln!("floor: unexpected argument `{other}`\nusage: floor [--threads N] DIR");
                return ExitCode::from(2);
            }
        }
    }
    let Some(dir) = dir else {
        eprintln!("usage: floor [--threads N] DIR");
        return ExitCode::from(2);
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool");
    let paths = xacct_bench::json_files(&dir);
    let values: Vec<serde_json::Value> = pool.install(|| {
        paths
            .par_iter()
            .map(|path| {
                let bytes = std::fs::read(path).unwrap_or_default();
                serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null)
            })
            .collect()
    });
    let parsed = values.iter().filter(|v| !v.is_null()).count();
    println!("{parsed} of {} files parsed", paths.len());
    // Exit without freeing, as the lint does: the kernel takes the memory back at once.
    std::mem::forget(values);
    ExitCode::SUCCESS
}
