//! `xacct`: the command line. Parses arguments, finds files, lints each one, renders the
//! findings and sets the exit status; the work is in the `xacct` library beside this file
//! (`lib.rs`). Rule internals live in `xacct-rules`.

use xacct::baseline;
use xacct::inputs::{prepare, prepare_with, InputArgs};
use xacct::{
    access, changed, escape, fix, graph_cmd, init, lint, pool, render, select, EXIT_CLEAN,
    EXIT_FINDINGS, EXIT_TROUBLE,
};

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use xacct_rules::{Severity, RULES};

/// jemalloc instead of glibc's malloc (glibc Linux only; elsewhere the system's allocator). A
/// large run makes millions of small allocations (texts, parse trees, models, the graph's
/// checks) on every thread and keeps most until it ends: glibc's malloc spent a tenth of such a
/// run in `malloc`/`free` and another tenth in page faults, growing each thread's heap a page
/// at a time. Measured with `bench_org` against the same build on glibc (docs/performance.md):
/// faster at 5,000 and 20,000 pipelines, at no more peak memory (below). jemalloc keeps what a
/// run frees for ten seconds before giving it back, which suits both a `lint` (it ends first)
/// and the language server (idle memory returns).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read by jemalloc at its start (the `malloc_conf` string it looks for,
/// under the bindings' `_rjem_` prefix; the `_RJEM_MALLOC_CONF` environment variable still
/// overrides): blocks of a megabyte or more come from an arena that gives them back to the
/// system when freed, instead of keeping them for ten seconds. A large run frees such blocks
/// while it grows (the trust graph's parts when they are joined, large vectors grown by
/// copying), and kept, they add to the peak: 230–245 → 217–219 MB at 5,000 pipelines,
/// 816 → 754 MB at 20,000 (`/usr/bin/time`), with no change in time.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[export_name = "_rjem_malloc_conf"]
static JEMALLOC_OPTIONS: &[u8; 27] = b"oversize_threshold:1048576\0";

/// Static analyzer for cross-account AWS CodePipeline setups.
#[derive(Parser)]
#[command(name = "xacct", version = env!("XACCT_VERSION"), about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Lint pipeline declarations (files, or folders walked recursively).
    Lint(LintArgs),
    /// Print the cross-account trust graph (DOT, Mermaid or JSON); broken edges are red and
    /// carry the code of the finding that breaks them.
    Graph(GraphArgs),
    /// Answer offline whether a principal may perform an action on a resource, with the
    /// statements that decide it (exit status: 0 allowed, 1 denied, 3 unknown).
    Access(access::AccessArgs),
    /// List the rules.
    Rules {
        /// Output format.
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
    },
    /// Print a rule's page.
    Explain {
        /// A rule code (`XA201`) or name (`artifact-crosses-foreign-accounts`).
        rule: String,
    },
    /// Print a shell completion script (e.g. `xacct completions bash > /etc/bash_completion.d/xacct`).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page, in roff, generated from these very options (`xacct man > xacct.1`).
    Man {
        /// Write one page per command into this folder instead (xacct.1, xacct-lint.1, ...).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Run the language server on standard input and output (LSP): diagnostics as you type,
    /// hover on account IDs and ARNs, go to definition (docs/editors.md).
    Server,
    /// Write a commented starter `xacct.toml` in the current folder, with the accounts,
    /// region, bindings and stacks its files tell.
    Init {
        /// Overwrite an existing `xacct.toml`.
        #[arg(long)]
        force: bool,
    },
}

#[derive(clap::Args)]
struct LintArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Lowest severity that makes the exit status 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
    /// Also report, as info (XA004), each check that could not be verified because a document
    /// was not given.
    #[arg(long)]
    strict: bool,
    /// Colour in text output: auto (on a terminal, or when FORCE_COLOR is set and not empty;
    /// never when NO_COLOR is set and not empty), always, never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Print how many findings each rule has (count, code, name; most first) instead of the
    /// findings, as ruff does (text, or a JSON array with `--format json`).
    #[arg(long)]
    statistics: bool,
    /// Report only these rules: codes or prefixes (`XA5`, `XA503`, `ALL`), comma-separated;
    /// replaces the config's `select`, `extend-select` and `ignore`.
    #[arg(long, value_name = "CODE", value_delimiter = ',')]
    select: Option<Vec<String>>,
    /// Also report these rules (codes or prefixes), on top of the selection.
    #[arg(long, value_name = "CODE", value_delimiter = ',')]
    extend_select: Vec<String>,
    /// Do not report these rules (codes or prefixes; XA001 is always reported).
    #[arg(long, value_name = "CODE", value_delimiter = ',')]
    ignore: Vec<String>,
    /// Report only the findings this baseline file does not record.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    baseline: Option<PathBuf>,
    /// Record the findings in this baseline file (instead of reporting them) and exit 0.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// Write the output to this file (whole or not at all, never through a link) instead of
    /// standard output.
    #[arg(long, short = 'o', value_name = "PATH")]
    output_file: Option<PathBuf>,
    /// Exit 0 even when findings are at or above `--fail-on` (2 still says the run could not
    /// start).
    #[arg(long)]
    exit_zero: bool,
    /// Print the findings only: no summary line (text output).
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Apply the findings' safe fixes to the files (only files inside the folders being
    /// linted), lint again and report what remains; says `Fixed N findings (M remaining)` on
    /// standard error.
    #[arg(long, conflicts_with_all = ["write_baseline", "diff"])]
    fix: bool,
    /// With `--fix` or `--diff`, also apply the fixes that need review (a suppression).
    #[arg(long)]
    unsafe_fixes: bool,
    /// Print a unified diff of what `--fix` would change and write nothing (exit status 1
    /// when there is a change, else 0).
    #[arg(long, conflicts_with = "write_baseline")]
    diff: bool,
    /// Say on standard error which files found by walking were left out and why (an ignore
    /// file's pattern, a package manifest, JSON with comments, no document xacct checks).
    /// `--strict` says it too.
    #[arg(long, short = 'v', conflicts_with = "quiet")]
    verbose: bool,
    /// Say on standard error how long each phase of the run took (walk, configs, reading,
    /// loading, the workspace, the trust graph, the rules, the report): where a large run's
    /// time goes.
    #[arg(long)]
    timings: bool,
}

/// `xacct graph`.
#[derive(clap::Args)]
struct GraphArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = graph_cmd::GraphFormat::Mermaid)]
    format: graph_cmd::GraphFormat,
}

/// How findings are written.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Rich, with source excerpts (miette).
    Text,
    /// `path:line:col: severity[CODE] message`, one a line, for editors' quickfix lists.
    Compact,
    /// A JSON document (version 1) for other tools.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and SARIF viewers.
    Sarif,
    /// GitHub Actions annotations (`::error file=…,line=…::message`).
    Github,
    /// JUnit XML: a test case a file, a failure a finding.
    Junit,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RulesFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Info,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl From<FailOn> for Severity {
    fn from(f: FailOn) -> Severity {
        match f {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}

fn main() -> ExitCode {
    pool::quiet_panics();
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Lint(args) => pool::run(args.input.worker_threads(), || run_lint(args)),
        Command::Graph(args) => pool::run(args.input.worker_threads(), || {
            match prepare(&args.input, false) {
                Ok(prepared) => graph_cmd::run(prepared, args.format),
                Err(_) => EXIT_TROUBLE,
            }
        }),
        Command::Access(args) => pool::run(args.input.worker_threads(), || access::run(args)),
        Command::Rules { format } => {
            print_rules(format);
            EXIT_CLEAN
        }
        Command::Explain { rule } => match xacct_rules::rule(&rule) {
            Some(rule) => {
                print!("{}", rule.page);
                EXIT_CLEAN
            }
            None => {
                eprintln!(
                    "error: no rule `{}`; `xacct rules` lists them",
                    escape::line(&rule)
                );
                EXIT_TROUBLE
            }
        },
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "xacct", &mut script);
            let mut out = std::io::stdout().lock();
            // A closed pipe (`| head`) is no failure.
            let _ = out.write_all(&script).and_then(|()| out.flush());
            EXIT_CLEAN
        }
        Command::Man { dir } => print_man(dir),
        Command::Server => pool::run(None, xacct::server::run),
        Command::Init { force } => pool::run(None, || init::run(force)),
    };
    ExitCode::from(code)
}

/// Where the output goes: standard output, or (`--output-file`) a file written atomically
/// through the gate's writer, which refuses links and anything but a regular file.
fn emit(args: &LintArgs, bytes: &[u8]) -> Result<(), String> {
    match &args.output_file {
        Some(path) => xacct_input::gate::write_atomic(path, bytes)
            .map_err(|e| format!("cannot write the output file {}: {e}", escape::path(path))),
        None => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`| head`) is not a lint failure worth a panic; the status counts.
            let _ = out.write_all(bytes).and_then(|()| out.flush());
            Ok(())
        }
    }
}

/// The run could not start: said on standard error already; with `--format sarif`, a valid
/// log says it too (`executionSuccessful: false`, a notification each), so that an upload step
/// gets a log rather than an empty file.
fn trouble(args: &LintArgs, troubles: &[xacct::Trouble]) -> u8 {
    if args.format == Format::Sarif {
        let mut out = Vec::new();
        let cwd = std::env::current_dir().ok();
        if render::sarif::write_failed(&mut out, troubles, cwd.as_deref()).is_ok() {
            if let Err(e) = emit(args, &out) {
                eprintln!("error: {}", escape::line(&e));
            }
        }
    }
    EXIT_TROUBLE
}

fn run_lint(args: LintArgs) -> u8 {
    let started = std::time::Instant::now();
    if args.statistics && !matches!(args.format, Format::Text | Format::Json) {
        let message = "--statistics is for --format text or json";
        eprintln!("error: {message}");
        return trouble(&args, &[xacct::Trouble::plain(message)]);
    }
    let cli_rules =
        match select::Layer::from_args(args.select.as_deref(), &args.extend_select, &args.ignore) {
            Ok(layer) => layer,
            Err(e) => {
                eprintln!("error: {}", escape::line(&e.to_string()));
                return trouble(&args, &[xacct::Trouble::plain(e.to_string())]);
            }
        };
    // A bad baseline stops the run before any work.
    let baseline = match args.baseline.as_deref().map(baseline::load).transpose() {
        Ok(baseline) => baseline,
        Err(e) => {
            eprintln!("error: {}", escape::line(&e));
            return trouble(&args, &[xacct::Trouble::plain(e)]);
        }
    };
    if (args.fix || args.diff) && args.input.paths.iter().any(|p| p.as_os_str() == "-") {
        let message = "--fix and --diff change files: standard input (`-`) has none to change";
        eprintln!("error: {message}");
        return trouble(&args, &[xacct::Trouble::plain(message)]);
    }
    // `--fix`/`--diff`: lint, apply the fixes in memory, lint the new text again, until no
    // fix is left or after a few rounds; the last run is the one reported.
    let mut changed_texts: std::collections::BTreeMap<PathBuf, (String, String)> =
        Default::default();
    let mut fixed = 0;
    let mut round = 0;
    let mut applied = None;
    let (mut run, prepared) = loop {
        let overrides = changed_texts
            .iter()
            .map(|(path, (_, text))| (path.clone(), text.clone()))
            .collect();
        let mut prepared = match prepare_with(&args.input, args.strict, &overrides) {
            Ok(prepared) => prepared,
            Err(troubles) => return trouble(&args, &troubles),
        };
        let walk_skipped = std::mem::take(&mut prepared.skipped);
        let files = std::mem::take(&mut prepared.files);
        let prepared_phases = std::mem::take(&mut prepared.phases);
        let (mut run, workspace, graph) = lint::lint_with_graph(
            &prepared.gate,
            files,
            &prepared.bindings,
            &prepared.options,
            false,
        );
        let mut phases = prepared_phases;
        phases.extend(std::mem::take(&mut run.phases));
        run.phases = phases;
        // The last round's workspace and graph are left to the process's end: the kernel
        // takes them back at once, where freeing them piece by piece cost a tenth of a large
        // run. An earlier round's are dropped (they would add up).
        let keep = |workspace, graph| std::mem::forget((workspace, graph));
        // Said once: later rounds walk the same files.
        if (args.verbose || args.strict) && round == 0 {
            lint::say_skipped(&walk_skipped, &run);
        }
        lint::add_broken_configs(&mut run, prepared.configs.broken());
        lint::name_accounts(&mut run, &prepared.configs, &args.input.paths);
        select::apply(&mut run, &prepared.configs, &cli_rules);
        changed::report_only_changed(&mut run, &prepared.companions);
        if !(args.fix || args.diff) || round == fix::MAX_ROUNDS {
            keep(workspace, graph);
            break (run, prepared);
        }
        // The baseline's findings are not reported, so not fixed either; the last round's
        // run, baseline applied, is the one reported.
        applied = baseline.as_ref().map(|b| b.apply(&mut run));
        let gate = &prepared.gate;
        let plan = fix::plan(&run, args.unsafe_fixes, |file| {
            gate.admit(run.source(file).path()).is_ok()
        });
        if plan.texts.is_empty() {
            keep(workspace, graph);
            break (run, prepared);
        }
        for (file, text) in plan.texts {
            let source = run.source(file);
            changed_texts
                .entry(source.path().to_path_buf())
                .or_insert_with(|| (source.text().to_string(), String::new()))
                .1 = text;
        }
        fixed += plan.fixed;
        round += 1;
        applied = None;
    };
    if let Some(path) = &args.write_baseline {
        return match baseline::write(path, &run) {
            Ok(count) => {
                eprintln!(
                    "recorded {count} finding{} in {}",
                    if count == 1 { "" } else { "s" },
                    escape::path(path)
                );
                EXIT_CLEAN
            }
            Err(e) => {
                eprintln!("error: {}", escape::line(&e));
                EXIT_TROUBLE
            }
        };
    }
    let baselined = baseline.as_ref().map(|b| {
        let applied = match applied.take() {
            Some(applied) => applied,
            None => b.apply(&mut run),
        };
        (applied, b.path())
    });
    if args.fix || args.diff {
        if let Some(code) = finish_fixes(&args, &prepared.gate, &changed_texts, fixed, &run) {
            return code;
        }
    }
    let terminal =
        args.output_file.is_none() && std::io::IsTerminal::is_terminal(&std::io::stdout());
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => render::text::auto_color(terminal),
    };
    // The time taken is for a person at a terminal; piped output stays the same from run to run.
    let elapsed = terminal.then(|| started.elapsed());
    let mut out: Vec<u8> = Vec::new();
    let mut since = std::time::Instant::now();
    let written = match args.format {
        Format::Text => render::text::write(
            &mut out,
            &run,
            &render::text::Options {
                color,
                statistics: args.statistics,
                elapsed,
                quiet: args.quiet,
            },
        ),
        Format::Compact => render::compact::write(&mut out, &run),
        Format::Json if args.statistics => render::json::write_statistics(&mut out, &run),
        Format::Json => render::json::write(&mut out, &run),
        Format::Sarif => {
            let cwd = std::env::current_dir().ok();
            render::sarif::write(&mut out, &run, cwd.as_deref())
        }
        Format::Github => render::github::write(&mut out, &run),
        Format::Junit => render::junit::write(&mut out, &run),
    };
    // The text summary says how many findings the baseline hid.
    let written = match (&baselined, args.format) {
        (Some((applied, path)), Format::Text) if !args.quiet => {
            written.and_then(|()| writeln!(out, "{}", baseline::summary(applied, path)))
        }
        _ => written,
    };
    if let Err(e) = written {
        eprintln!("error: cannot render the findings: {e}");
        return EXIT_TROUBLE;
    }
    if let Err(e) = emit(&args, &out) {
        eprintln!("error: {}", escape::line(&e));
        return EXIT_TROUBLE;
    }
    if args.timings {
        run.phases.mark("report", &mut since);
        eprintln!("timings: {}", run.phases.line());
    }
    let threshold = Severity::from(args.fail_on);
    let status = if !args.exit_zero && run.diagnostics().any(|d| d.severity >= threshold) {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    };
    // As for the workspace: the run's files and findings are the process's to the end.
    std::mem::forget((run, out));
    status
}

/// Writes the fixed files (`--fix`) or prints their diff (`--diff`, which then ends the run:
/// its status is 1 when there is a change). Says how many findings were fixed.
fn finish_fixes(
    args: &LintArgs,
    gate: &xacct_input::Gate,
    changed: &std::collections::BTreeMap<PathBuf, (String, String)>,
    fixed: usize,
    run: &lint::LintRun,
) -> Option<u8> {
    let remaining = run.diagnostics().count();
    let findings = |n: usize| if n == 1 { "finding" } else { "findings" };
    if args.diff {
        let mut out = String::new();
        for (path, (old, new)) in changed {
            let shown = path.strip_prefix(".").unwrap_or(path);
            out.push_str(&fix::unified_diff(&escape::path(shown), old, new));
        }
        // What the files hold may be hostile as any input: escaped as findings are.
        let out = escape::lines(&out);
        if let Err(e) = emit(args, out.as_bytes()) {
            eprintln!("error: {}", escape::line(&e));
            return Some(EXIT_TROUBLE);
        }
        eprintln!(
            "Would fix {fixed} {} ({remaining} remaining)",
            findings(fixed)
        );
        return Some(if changed.is_empty() {
            EXIT_CLEAN
        } else {
            EXIT_FINDINGS
        });
    }
    let mut failed = false;
    for (path, (old, new)) in changed {
        // The file must still be what was read: a change since is not overwritten.
        let current = gate.read(path, u64::MAX).ok();
        if current.as_deref() != Some(old.as_bytes()) {
            eprintln!(
                "error: {} changed while xacct was fixing it; left as it is",
                escape::path(path)
            );
            failed = true;
            continue;
        }
        if let Err(e) = gate.write(path, new.as_bytes()) {
            eprintln!("error: cannot write {}: {e}", escape::path(path));
            failed = true;
        }
    }
    eprintln!("Fixed {fixed} {} ({remaining} remaining)", findings(fixed));
    failed.then_some(EXIT_TROUBLE)
}

/// `xacct man`: the page of `xacct` on standard output, or every command's page into `dir`.
fn print_man(dir: Option<PathBuf>) -> u8 {
    let command = Cli::command();
    let written = match &dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).and_then(|()| clap_mangen::generate_to(command, dir))
        }
        None => {
            let mut out = std::io::stdout().lock();
            clap_mangen::Man::new(command)
                .render(&mut out)
                .and_then(|()| out.flush())
        }
    };
    match written {
        Ok(()) => EXIT_CLEAN,
        Err(error) if dir.is_none() && error.kind() == std::io::ErrorKind::BrokenPipe => EXIT_CLEAN,
        Err(error) => {
            let place = dir.map_or_else(
                || "standard output".to_string(),
                |d| d.display().to_string(),
            );
            eprintln!("error: cannot write the man page to {place}: {error}");
            EXIT_TROUBLE
        }
    }
}

fn print_rules(format: RulesFormat) {
    let text = match format {
        RulesFormat::Text => RULES
            .iter()
            .map(|rule| {
                format!(
                    "{}  {:<36} {:<8} {}\n",
                    rule.code, rule.name, rule.severity, rule.summary
                )
            })
            .collect::<String>(),
        RulesFormat::Json => {
            let rules: Vec<_> = RULES
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "code": r.code, "name": r.name, "severity": r.severity.as_str(), "summary": r.summary,
                        // Its page says `xacct lint --fix` fixes it.
                        "fixable": r.page.contains("`xacct lint --fix`"),
                    })
                })
                .collect();
            format!(
                "{}\n",
                serde_json::to_string_pretty(&rules).unwrap_or_default()
            )
        }
    };
    let mut out = std::io::stdout().lock();
    // A closed pipe (`xacct rules | head`) is no failure.
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}
