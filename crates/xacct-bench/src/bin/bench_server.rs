//! The language server's answer time against a cold lint, on the same generated workspace
//! (see `docs/performance.md`, "The language server"):
//!
//! ```sh
//! cargo build --release -p xacct -p xacct-bench
//! target/release/bench_server [-- --files 1000 --rounds 10 --seed 1 --xacct target/release/xacct]
//! ```
//!
//! It writes `gen`'s corpus to a temporary folder, times `xacct lint DIR` (cold: a new
//! process each round, as a user or CI runs it), then starts `xacct server` on the folder over
//! stdio, as an editor does, and times each `didChange` of one bucket policy (broken, then
//! fixed again, in turn) until the server has published every diagnostic that change moved
//! (a request sent right after the change is answered only then). With `trace: verbose`, the
//! server says how long the changed file's load and the workspace phase took; the bench
//! prints their medians.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const USAGE: &str = "usage: bench_server [--files N (pipelines, default 1000)] [--rounds R (default 10)] [--seed S (default 1)] [--edit bucket|key|role (the file edited: the first bucket policy, key policy, or cross-account role; default bucket)] [--xacct PATH (default: beside this program)]";

/// Which file the bench edits: a bucket policy (one pipeline's store), a key policy (a team's
/// pipelines in one region), a cross-account role (`get-role`: every pipeline of the teams
/// that deploy with it).
#[derive(Clone, Copy)]
enum Edit {
    Bucket,
    Key,
    Role,
}

impl Edit {
    /// True for the corpus files of this kind.
    fn fits(self, name: &str) -> bool {
        match self {
            Edit::Bucket => name.contains("/s3/"),
            Edit::Key => name.contains("/kms/"),
            Edit::Role => name.contains("/iam/") && name.ends_with("-cross-account.json"),
        }
    }
}

struct Args {
    edit: Edit,
    files: usize,
    rounds: usize,
    seed: u64,
    xacct: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let beside = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(|d| d.join("xacct")))
        .unwrap_or_else(|| PathBuf::from("xacct"));
    let mut parsed = Args {
        edit: Edit::Bucket,
        files: 1000,
        rounds: 10,
        seed: 1,
        xacct: beside,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--files" => parsed.files = value()?.parse().map_err(|e| format!("--files: {e}"))?,
            "--rounds" => parsed.rounds = value()?.parse().map_err(|e| format!("--rounds: {e}"))?,
            "--seed" => parsed.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--xacct" => parsed.xacct = PathBuf::from(value()?),
            "--edit" => {
                parsed.edit = match value()?.as_str() {
                    "bucket" => Edit::Bucket,
                    "key" => Edit::Key,
                    "role" => Edit::Role,
                    other => return Err(format!("--edit: unknown file kind `{other}`")),
                }
            }
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if parsed.rounds == 0 {
        return Err("--rounds must be at least 1".to_string());
    }
    Ok(parsed)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("bench_server: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench_server: {e}");
            ExitCode::FAILURE
        }
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn run(args: &Args) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("xacct-bench-server-{}", std::process::id()));
    let corpus =
        xacct_bench::generate_with(args.files, args.seed, &xacct_bench::Options::default());
    let mut policy = None;
    for file in corpus.files() {
        let path = dir.join(file.name);
        std::fs::create_dir_all(path.parent().unwrap_or(&dir)).map_err(|e| e.to_string())?;
        std::fs::write(&path, file.json).map_err(|e| e.to_string())?;
        if policy.is_none() && args.edit.fits(file.name) {
            policy = Some((path, file.json.to_string()));
        }
    }
    std::fs::write(dir.join("xacct.toml"), corpus.config_toml()).map_err(|e| e.to_string())?;
    let (policy, text) = policy.ok_or("the corpus has no file of the kind `--edit` names")?;
    let result = measure(args, &dir, &policy, &text);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn measure(args: &Args, dir: &Path, policy: &Path, text: &str) -> Result<(), String> {
    let mut cold = Vec::new();
    for _ in 0..args.rounds {
        let started = Instant::now();
        let status = Command::new(&args.xacct)
            .args(["lint", "--format", "compact", "--exit-zero"])
            .arg(dir)
            .stdout(Stdio::null())
            .status()
            .map_err(|e| format!("{}: {e}", args.xacct.display()))?;
        cold.push(started.elapsed());
        if !status.success() {
            return Err(format!("xacct lint failed: {status}"));
        }
    }
    let mut server = Server::start(&args.xacct)?;
    let started = Instant::now();
    let uri = |p: &Path| format!("file://{}", p.display());
    server.request(
        "initialize",
        json!({"processId": null, "rootUri": uri(dir), "capabilities": {}, "trace": "verbose"}),
    )?;
    server.notify("initialized", json!({}))?;
    server.sync()?;
    let initial = started.elapsed();
    let policy_uri = uri(policy);
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": policy_uri, "languageId": "json", "version": 1, "text": text}}),
    )?;
    server.sync()?;
    // Broken: the policy's document loses its statements (the file parses, the grants go).
    let broken = text.replacen("Statement", "Statements", 1);
    let mut changes = Vec::new();
    for round in 0..args.rounds * 2 {
        let body = if round % 2 == 0 { &broken } else { text };
        let started = Instant::now();
        server.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": policy_uri, "version": round + 2}, "contentChanges": [{"text": body}]}),
        )?;
        let published = server.sync()?;
        changes.push(started.elapsed());
        if !published.contains(&policy_uri) {
            return Err(format!(
                "round {round}: no diagnostics published for the changed policy"
            ));
        }
    }
    server.request("shutdown", json!(null))?;
    server.notify("exit", json!(null))?;
    let traces = std::mem::take(&mut server.traces);
    let status = server.wait()?;
    let cold = median(cold);
    let change = median(changes);
    println!(
        "workspace: {} pipelines, {} files; {} rounds; edited: {}",
        args.files,
        count_files(dir),
        args.rounds,
        policy.strip_prefix(dir).unwrap_or(policy).display()
    );
    println!("cold `xacct lint DIR` (median): {:.1} ms", ms(cold));
    println!("server start to first diagnostics: {:.1} ms", ms(initial));
    println!(
        "didChange to diagnostics published (median): {:.1} ms",
        ms(change)
    );
    println!(
        "ratio change/cold: {:.3}",
        change.as_secs_f64() / cold.as_secs_f64()
    );
    // What the server said each change cost: the changed file's load, the workspace phase.
    let parts: Vec<(f64, f64, f64, f64)> = traces
        .iter()
        .filter(|t| t.starts_with("xacct: loaded 1 file "))
        .filter_map(|t| {
            let numbers: Vec<f64> = t
                .split_whitespace()
                .filter_map(|w| w.parse::<f64>().ok())
                .collect();
            // loaded 1 file in L ms, workspace phase over F files in W ms (copying the
            // documents C ms), asking again A of P pipelines
            Some((
                *numbers.get(1)?,
                *numbers.get(3)?,
                *numbers.get(4)?,
                *numbers.get(5)?,
            ))
        })
        .collect();
    if !parts.is_empty() {
        let mut load: Vec<f64> = parts.iter().map(|p| p.0).collect();
        let mut check: Vec<f64> = parts.iter().map(|p| p.1).collect();
        let mut copy: Vec<f64> = parts.iter().map(|p| p.2).collect();
        let mut asked: Vec<f64> = parts.iter().map(|p| p.3).collect();
        asked.sort_by(f64::total_cmp);
        load.sort_by(f64::total_cmp);
        check.sort_by(f64::total_cmp);
        copy.sort_by(f64::total_cmp);
        println!(
            "  of which (server's own medians): changed file's load {:.1} ms, workspace phase {:.1} ms (copying the loaded documents {:.1} ms of it); pipelines asked again: {}",
            load[load.len() / 2],
            check[check.len() / 2],
            copy[copy.len() / 2],
            asked[asked.len() / 2]
        );
    }
    if !status.success() {
        return Err(format!("xacct server exited with {status}"));
    }
    Ok(())
}

fn count_files(dir: &Path) -> usize {
    let mut n = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                n += 1;
            }
        }
    }
    n
}

/// A client of `xacct server` over its standard input and output.
struct Server {
    child: std::process::Child,
    stdin: std::process::ChildStdin,
    stdout: BufReader<std::process::ChildStdout>,
    next_id: i64,
    traces: Vec<String>,
}

impl Server {
    fn start(xacct: &Path) -> Result<Server, String> {
        let mut child = Command::new(xacct)
            .arg("server")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("{}: {e}", xacct.display()))?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
        Ok(Server {
            child,
            stdin,
            stdout,
            next_id: 1,
            traces: Vec::new(),
        })
    }

    fn send(&mut self, message: Value) -> Result<(), String> {
        let body = serde_json::to_vec(&message).map_err(|e| e.to_string())?;
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).map_err(|e| e.to_string())?;
        self.stdin.write_all(&body).map_err(|e| e.to_string())?;
        self.stdin.flush().map_err(|e| e.to_string())
    }

    fn notify(&mut self, method: &str, params: Value) -> Result<(), String> {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}))
    }

    fn read(&mut self) -> Result<Value, String> {
        let mut length = None;
        loop {
            let mut line = String::new();
            if self
                .stdout
                .read_line(&mut line)
                .map_err(|e| e.to_string())?
                == 0
            {
                return Err("the server closed its output".to_string());
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("Content-Length: ") {
                length = n.parse::<usize>().ok();
            }
        }
        let mut body = vec![0; length.ok_or("no Content-Length")?];
        self.stdout
            .read_exact(&mut body)
            .map_err(|e| e.to_string())?;
        serde_json::from_slice(&body).map_err(|e| e.to_string())
    }

    /// Sends a request and reads until its response; returns the URIs published before it.
    fn request_collecting(&mut self, method: &str, params: Value) -> Result<Vec<String>, String> {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))?;
        let mut published = Vec::new();
        loop {
            let message = self.read()?;
            if message.get("id") == Some(&json!(id)) && message.get("method").is_none() {
                return Ok(published);
            }
            match message["method"].as_str() {
                Some("textDocument/publishDiagnostics") => {
                    published.push(message["params"]["uri"].as_str().unwrap_or("").to_string())
                }
                Some("$/logTrace") => self.traces.push(
                    message["params"]["message"]
                        .as_str()
                        .unwrap_or("")
                        .to_string(),
                ),
                _ => {}
            }
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Result<(), String> {
        self.request_collecting(method, params).map(drop)
    }

    /// Waits until the server has handled everything sent before: a request it does not
    /// answer but with an error, after all it published.
    fn sync(&mut self) -> Result<Vec<String>, String> {
        self.request_collecting("xacct/sync", json!(null))
    }

    fn wait(mut self) -> Result<std::process::ExitStatus, String> {
        drop(self.stdin);
        self.child.wait().map_err(|e| e.to_string())
    }
}
