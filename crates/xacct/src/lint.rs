//! Lints every discovered file: each is read and loaded on its own, so one broken file never
//! hides the others; then all are checked together, so findings can span files.

use std::path::Path;

use std::collections::HashMap;

use rayon::prelude::*;

use xacct_graph::TrustGraph;
use xacct_input::{Gate, Input};
use xacct_model::workspace::Binding;
use xacct_model::workspace::Workspace;
use xacct_rules::engine::{check_all_from, check_file, Checked, GraphFrom, LoadedFile};
use xacct_rules::{Diagnostic, FileReport, LintOptions, Outcome};
use xacct_syntax::{FileId, SourceFile};

use crate::discover::Candidate;

/// One file's source and findings.
pub struct LintedFile {
    /// The file (text may be empty when it could not be read).
    pub source: SourceFile,
    /// Findings, sorted.
    pub diagnostics: Vec<Diagnostic>,
    /// Findings a template suppresses, with the reason it gives.
    pub suppressed: Vec<(Diagnostic, Option<String>)>,
    /// What became of it.
    pub outcome: Outcome,
}

/// All files of a run, indexed by [`FileId`].
#[derive(Default)]
pub struct LintRun {
    /// The files.
    pub files: Vec<LintedFile>,
    /// The files whose config sets another `[limits] line-width` than the default.
    pub line_widths: HashMap<FileId, u32>,
    /// The lint roots, absolute (folders named; for a file named, its folder): what a
    /// fingerprint's path is relative to outside a repository.
    pub roots: Vec<std::path::PathBuf>,
    /// Every `[accounts]` name of the run's configs, taken out of messages for fingerprints.
    pub account_names: Vec<(xacct_model::AccountId, String)>,
    /// Files found by walking that were read but hold nothing xacct checks, and why.
    pub skipped: Vec<(FileId, &'static str)>,
    /// How long each phase took (`--timings`).
    pub phases: xacct_rules::Phases,
}

impl LintRun {
    /// The most characters of a line shown around a finding in `file`.
    pub fn line_width(&self, file: FileId) -> u32 {
        self.line_widths
            .get(&file)
            .copied()
            .unwrap_or(xacct_input::Limits::default().line_width)
    }

    /// Every finding, in file order.
    pub fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.files.iter().flat_map(|f| f.diagnostics.iter())
    }

    /// The file a finding refers to.
    pub fn source(&self, file: FileId) -> &SourceFile {
        &self.files[file.0 as usize].source
    }

    /// Files that were read and checked.
    pub fn checked_files(&self) -> usize {
        self.files
            .iter()
            .filter(|f| matches!(f.outcome, Outcome::Checked(_)))
            .count()
    }
}

/// What phase 1 gives for one file.
struct Loaded {
    /// The file; its text is empty when `reread` says how to get it back.
    source: SourceFile,
    file: LoadedFile,
    /// Why a walked file holds nothing to check (for `-v`).
    skipped: Option<&'static str>,
    /// How to read the text again to show findings in it.
    reread: Option<Reread>,
}

/// A file whose text was let go after loading: where it is and what it held, to tell the text
/// read again from one the file was changed into meanwhile.
struct Reread {
    canonical: Option<std::path::PathBuf>,
    digest: (usize, u64),
}

/// The length and a fast hash of a text (not a defence against anyone: the file is the user's).
fn digest(text: &str) -> (usize, u64) {
    use std::hash::BuildHasher;
    (
        text.len(),
        foldhash::fast::FixedState::with_seed(0).hash_one(text.as_bytes()),
    )
}

/// Reads a file again, through the gate, for its findings to be shown; `None` (said on
/// standard error) when it cannot be read or no longer holds what was linted.
fn read_again(
    gate: &Gate,
    path: &Path,
    reread: &Reread,
    options: &LintOptions,
) -> Option<SourceFile> {
    let limit = options.input.limits(path).file_size;
    let bytes = gate.read_resolved(path, reread.canonical.as_deref(), limit);
    let source = bytes.ok().map(|bytes| xacct_input::decode(path, bytes).0);
    match source {
        Some(source) if digest(source.text()) == reread.digest => Some(source),
        _ => {
            eprintln!(
                "warning: {} changed while it was linted: its findings are shown without its text",
                crate::escape::path(path)
            );
            None
        }
    }
}

/// Phase 1 for one file: read through the gate, decode, load, input findings and pipeline
/// rules. A panic (a bug: no known input reaches one) becomes an XA000 finding on the file, and
/// the other files go on.
fn load_one(
    gate: &Gate,
    id: FileId,
    candidate: Candidate,
    options: &LintOptions,
    keep: bool,
) -> Loaded {
    let path = candidate.path;
    let explicit = candidate.explicit;
    // A file read from disk (here, or before the run to link templates) can be read again to
    // be shown: its text goes as soon as it is loaded, and comes back only if it has findings
    // (few do). Standard input cannot be read again, and stays.
    let canonical = candidate.canonical.clone();
    let rereadable = !keep && candidate.error.is_none() && !candidate.from_stdin;
    let work = std::panic::AssertUnwindSafe(|| {
        let (source, input) = match candidate.error {
            Some(error) => (
                SourceFile::new(&path, String::new()),
                Input::unreadable(id, &path, &error),
            ),
            None => {
                panic_on_request(&path);
                match candidate.bytes {
                    // Read already (a CDK manifest, for its stacks).
                    Some(bytes) => {
                        let (source, issue) = xacct_input::decode(&path, bytes);
                        let input = xacct_input::load(
                            id,
                            &source,
                            issue,
                            candidate.explicit,
                            &options.input,
                        );
                        (source, input)
                    }
                    None => xacct_input::read_and_load(
                        gate,
                        id,
                        &path,
                        candidate.canonical.as_deref(),
                        candidate.explicit,
                        &options.input,
                    ),
                }
            }
        };
        let mut input = input;
        let mut skipped = None;
        if !candidate.explicit && json_with_comments(&source, &input) {
            // A `tsconfig.json`, an editor's settings: JSON with comments is never an AWS
            // document (the AWS CLI and CloudFormation refuse it). Found by walking, it is
            // skipped as any other file that is no document xacct knows; named, it is an error.
            skipped = Some("JSON with comments, no AWS document (name it to lint it)");
            input.outcome = xacct_rules::Outcome::NotChecked;
            input.issues.clear();
            input.documents = Default::default();
        }
        unknown_suppression_codes(&mut input);
        let loaded = check_file(input, options);
        // Found by walking, a file that holds nothing xacct checks is passed over in silence;
        // `-v` says so.
        if skipped.is_none() && !explicit && loaded.outcome == Outcome::NotChecked {
            skipped = Some("no document xacct checks");
        }
        let (source, reread) = if rereadable {
            let reread = Reread {
                canonical,
                digest: digest(source.text()),
            };
            (SourceFile::new(source.path(), String::new()), Some(reread))
        } else {
            (source, None)
        };
        Loaded {
            source,
            file: loaded,
            skipped,
            reread,
        }
    });
    match std::panic::catch_unwind(work) {
        Ok(loaded) => loaded,
        Err(panic) => Loaded {
            source: SourceFile::new(&path, String::new()),
            file: internal_error(id, &path, panic_message(&*panic), options),
            skipped: None,
            reread: None,
        },
    }
}

/// True when the file could not be parsed because of a comment (`//` or `/*` where JSON
/// wants a value or a key) in a `.json` file.
fn json_with_comments(source: &SourceFile, input: &Input) -> bool {
    let is_json = source
        .path()
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    is_json
        && matches!(input.outcome, xacct_rules::Outcome::Broken)
        && input.issues.iter().any(|issue| {
            let at = source.text().get(issue.span.start as usize..).unwrap_or("");
            issue.kind == xacct_input::IssueKind::Unreadable
                && (at.starts_with("//") || at.starts_with("/*"))
        })
}

/// A code in a template's `Metadata: {xacct: {ignore: [...]}}` that is no rule code nor prefix
/// of codes suppresses nothing: an XA003 finding at it, with the code it was probably meant
/// to be, as the config's `ignore` says.
fn unknown_suppression_codes(input: &mut Input) {
    let mut issues = Vec::new();
    for suppression in &input.documents.suppressions {
        for code in &suppression.codes {
            if let Err(why) = crate::select::Selector::parse(&code.value) {
                issues.push(xacct_input::Issue::new(
                    xacct_input::IssueKind::Shape,
                    code.span,
                    format!(
                        "`Metadata.xacct.ignore` of resource `{}`: {why}",
                        suppression.resource
                    ),
                ));
            }
        }
    }
    input.issues.extend(issues);
}

/// The run's reports when the workspace phase failed: each file's own findings, and an XA000
/// finding on the first file saying the cross-file rules could not run.
fn workspace_failed(
    so_far: Vec<(Vec<Diagnostic>, Outcome)>,
    panic: &(dyn std::any::Any + Send),
) -> Checked {
    let message = panic_message(panic);
    let mut reports: Vec<FileReport> = so_far
        .into_iter()
        .map(|(mut diagnostics, outcome)| {
            xacct_rules::engine::sort(&mut diagnostics);
            FileReport {
                diagnostics,
                suppressed: Vec::new(),
                outcome,
            }
        })
        .collect();
    if let Some(first) = reports.first_mut() {
        let issue = xacct_input::Issue::new(
            xacct_input::IssueKind::Internal,
            xacct_syntax::Span::empty(0),
            format!("xacct failed while relating the files to each other (internal error: {message}); the cross-file findings of this run are missing"),
        )
        .help("this is a bug in xacct: please report it at https://github.com/xacct/xacct/issues");
        first
            .diagnostics
            .insert(0, xacct_rules::engine::issue_diagnostic(FileId(0), issue));
    }
    Checked {
        reports,
        workspace: Workspace::default(),
        graph: TrustGraph::empty(),
        sides: Vec::new(),
        phases: Default::default(),
    }
}

/// Tests of the last net: a debug build panics on a file whose path contains the value of
/// `XACCT_PANIC_ON` (release builds have no such door).
fn panic_on_request(path: &Path) {
    if cfg!(debug_assertions) {
        if let Some(needle) = std::env::var_os("XACCT_PANIC_ON") {
            let needle = needle.to_string_lossy();
            if !needle.is_empty() && path.to_string_lossy().contains(needle.as_ref()) {
                panic!("XACCT_PANIC_ON matched this file");
            }
        }
    }
}

/// What a panic said, if it said it in text.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_string())
}

/// The file's finding when xacct itself failed on it.
fn internal_error(id: FileId, path: &Path, message: String, options: &LintOptions) -> LoadedFile {
    let issue = xacct_input::Issue::new(
        xacct_input::IssueKind::Internal,
        xacct_syntax::Span::empty(0),
        format!("xacct failed on this file (internal error: {message}); its other findings are missing"),
    )
    .help("this is a bug in xacct, not in the file: please report it with the file (or a copy with its secrets removed) at https://github.com/xacct/xacct/issues");
    check_file(Input::broken(id, path, issue), options)
}

/// Lints the files: each is loaded on its own, then all are checked together.
pub fn lint_all(
    gate: &Gate,
    candidates: Vec<Candidate>,
    bindings: &HashMap<FileId, Binding>,
    options: &LintOptions,
) -> LintRun {
    lint_with_graph(gate, candidates, bindings, options, false).0
}

/// Lints the files and keeps the workspace and its trust graph (built even without policies
/// when `draw`, with the nodes and edges `xacct graph` draws).
pub fn lint_with_graph(
    gate: &Gate,
    candidates: Vec<Candidate>,
    bindings: &HashMap<FileId, Binding>,
    options: &LintOptions,
    draw: bool,
) -> (LintRun, Workspace, TrustGraph) {
    lint_into(gate, candidates, bindings, options, draw, false)
}

/// Lints the files and keeps the workspace and its checks, with the text of every file (for
/// `xacct access`, which shows where the statements that decided are, findings or not).
pub fn lint_keeping_sources(
    gate: &Gate,
    candidates: Vec<Candidate>,
    bindings: &HashMap<FileId, Binding>,
    options: &LintOptions,
) -> (LintRun, Workspace, TrustGraph) {
    lint_into(gate, candidates, bindings, options, false, true)
}

/// The run: with `draw`, the graph's nodes and edges too; with `keep`, every file's text.
fn lint_into(
    gate: &Gate,
    candidates: Vec<Candidate>,
    bindings: &HashMap<FileId, Binding>,
    options: &LintOptions,
    draw: bool,
    keep: bool,
) -> (LintRun, Workspace, TrustGraph) {
    let mut since = std::time::Instant::now();
    let mut phases = xacct_rules::Phases::default();
    // Files are independent until the workspace phase: read, decode, parse and load them in
    // parallel. `collect` keeps the input order, so output never depends on the thread count.
    let results: Vec<Loaded> = candidates
        .into_par_iter()
        .enumerate()
        .map(|(i, candidate)| load_one(gate, FileId(i as u32), candidate, options, keep))
        .collect();
    let mut sources = Vec::with_capacity(results.len());
    let mut loaded = Vec::with_capacity(results.len());
    let mut skipped = Vec::new();
    let mut rereads = Vec::with_capacity(results.len());
    for (i, result) in results.into_iter().enumerate() {
        sources.push(result.source);
        loaded.push(result.file);
        if let Some(why) = result.skipped {
            skipped.push((FileId(i as u32), why));
        }
        rereads.push(result.reread);
    }
    phases.mark("load", &mut since);
    let Checked {
        reports,
        workspace,
        graph,
        phases: checked_phases,
        ..
    } = check_loaded(loaded, bindings, options, GraphFrom::Fresh { draw });
    phases.extend(checked_phases);
    since = std::time::Instant::now();
    // Only files with findings or labels are rendered.
    let shown: std::collections::HashSet<FileId> = reports
        .iter()
        .flat_map(|r| {
            r.diagnostics
                .iter()
                .chain(r.suppressed.iter().map(|(d, _)| d))
        })
        .flat_map(|d| std::iter::once(d.file).chain(d.labels.iter().map(|l| l.file)))
        .collect();
    let mut files: Vec<LintedFile> = sources
        .into_iter()
        .zip(reports)
        .enumerate()
        .map(|(i, (source, report))| {
            // Only files with findings or labels are shown: their texts come back (in
            // parallel, below); the others' were let go after loading or go now.
            let source = if keep || shown.contains(&FileId(i as u32)) {
                source
            } else {
                SourceFile::new(source.path(), String::new())
            };
            LintedFile {
                source,
                diagnostics: report.diagnostics,
                suppressed: report.suppressed,
                outcome: report.outcome,
            }
        })
        .collect();
    files
        .par_iter_mut()
        .zip(rereads.par_iter())
        .enumerate()
        .for_each(|(i, (file, reread))| {
            if let Some(reread) = reread
                .as_ref()
                .filter(|_| shown.contains(&FileId(i as u32)))
            {
                if let Some(source) = read_again(gate, file.source.path(), reread, options) {
                    file.source = source;
                }
            }
        });
    let default_width = xacct_input::Limits::default().line_width;
    let other_widths = options
        .input
        .files
        .values()
        .any(|s| s.limits.line_width != default_width);
    let line_widths = if other_widths {
        files
            .iter()
            .enumerate()
            .filter_map(|(i, f): (usize, &LintedFile)| {
                let width = options.input.limits(f.source.path()).line_width;
                (width != default_width).then_some((FileId(i as u32), width))
            })
            .collect()
    } else {
        HashMap::new()
    };
    phases.mark("texts", &mut since);
    (
        LintRun {
            files,
            line_widths,
            skipped,
            phases,
            ..LintRun::default()
        },
        workspace,
        graph,
    )
}

/// Says on standard error which files the run left out and why: first what the walk passed
/// over (ignore files, package manifests), then what was read but holds nothing to check.
pub fn say_skipped(walked: &[(std::path::PathBuf, crate::discover::SkipReason)], run: &LintRun) {
    use crate::discover::SkipReason;
    use std::io::Write;
    // An ignore file is known by its canonical path: shown below the current folder as the
    // walked paths are.
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|d| d.canonicalize().ok());
    let mut err = std::io::stderr().lock();
    for (path, why) in walked {
        let why = match why {
            SkipReason::Ignored { file, pattern } => SkipReason::Ignored {
                file: crate::paths::display(file, cwd.as_deref()),
                pattern: pattern.clone(),
            },
            other => other.clone(),
        };
        let _ = writeln!(err, "note: skipped {}: {why}", crate::escape::path(path));
    }
    for (file, why) in &run.skipped {
        let path = run.source(*file).path();
        let _ = writeln!(err, "note: skipped {}: {why}", crate::escape::path(path));
    }
}

/// Phase 1 for one file, keeping its text (`xacct server`, which converts every span of the
/// run to editor positions): read through the gate, or taken from the candidate's bytes when
/// it holds them already (a CDK manifest, an editor's unsaved buffer).
pub fn load_file(
    gate: &Gate,
    id: FileId,
    candidate: Candidate,
    options: &LintOptions,
) -> (SourceFile, LoadedFile) {
    let loaded = load_one(gate, id, candidate, options, true);
    (loaded.source, loaded.file)
}

/// [`load_file`] for every file, in parallel (`collect` keeps the input order).
pub fn load_files(
    gate: &Gate,
    candidates: Vec<Candidate>,
    options: &LintOptions,
) -> (Vec<SourceFile>, Vec<LoadedFile>) {
    candidates
        .into_par_iter()
        .enumerate()
        .map(|(i, candidate)| load_file(gate, FileId(i as u32), candidate, options))
        .unzip()
}

/// Phase 2 over loaded files, under the last net: the per-file findings survive a bug there.
pub fn check_loaded(
    loaded: Vec<LoadedFile>,
    bindings: &HashMap<FileId, Binding>,
    options: &LintOptions,
    from: GraphFrom<'_>,
) -> Checked {
    let so_far: Vec<(Vec<Diagnostic>, Outcome)> = loaded
        .iter()
        .map(|l| (l.findings().cloned().collect(), l.outcome))
        .collect();
    let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        check_all_from(loaded, bindings, options, from)
    }));
    checked.unwrap_or_else(|panic| workspace_failed(so_far, &*panic))
}

/// Adds a file to the run for each sub-project config that could not be used, with its XA008
/// finding at the fault (the config's files were left out of the run).
pub fn add_broken_configs(run: &mut LintRun, broken: &[crate::config::BrokenConfig]) {
    let cwd = std::env::current_dir()
        .ok()
        .map(|d| crate::paths::absolute(&d));
    for config in broken {
        let error = &config.error;
        let id = FileId(run.files.len() as u32);
        // Every mistake of the config, each a finding at its place.
        let diagnostics = std::iter::once(error)
            .chain(error.more.iter())
            .map(|error| {
                let start = error.span.start.min(error.text.len()) as u32;
                let end = error.span.end.clamp(error.span.start, error.text.len()) as u32;
                let issue = xacct_input::Issue::new(
                    xacct_input::IssueKind::Config,
                    xacct_syntax::Span::new(start, end),
                    format!(
                        "invalid config: {}; the {} file{} it governs {} not linted",
                        error.message,
                        config.files,
                        if config.files == 1 { "" } else { "s" },
                        if config.files == 1 { "is" } else { "are" },
                    ),
                )
                .help("fix this xacct.toml (docs/configuration.md lists its keys); the rest of the run used the other configs");
                xacct_rules::engine::issue_diagnostic(id, issue)
            })
            .collect();
        run.files.push(LintedFile {
            source: SourceFile::new(
                crate::paths::display(&crate::paths::absolute(&error.path), cwd.as_deref()),
                error.text.clone(),
            ),
            diagnostics,
            suppressed: Vec::new(),
            outcome: Outcome::Broken,
        });
    }
}

/// Names the accounts of each finding's messages after the `[accounts]` of its own file's
/// config (`account 111111111111 (tools)`), so that a sibling setup's names never reach the
/// messages of a setup without config; records the paths named and all names for
/// fingerprints.
pub fn name_accounts(
    run: &mut LintRun,
    configs: &crate::config::ConfigSet,
    paths: &[std::path::PathBuf],
) {
    run.account_names = configs.account_names();
    run.roots = paths
        .iter()
        .map(|p| {
            let p = crate::paths::absolute(p);
            if p.is_dir() {
                p
            } else {
                p.parent()
                    .map_or_else(|| p.clone(), std::path::Path::to_path_buf)
            }
        })
        .collect();
    if run.account_names.is_empty() {
        return;
    }
    for file in &mut run.files {
        let Some(config) = configs.of(file.source.path()) else {
            continue;
        };
        let mut names: Vec<(xacct_model::AccountId, String)> = Vec::new();
        for (name, id) in &config.accounts {
            // One name an account: the first in the table's order.
            if !names.iter().any(|(known, _)| known == id) {
                names.push((*id, name.clone()));
            }
        }
        if names.is_empty() {
            continue;
        }
        for d in file
            .diagnostics
            .iter_mut()
            .chain(file.suppressed.iter_mut().map(|(d, _)| d))
        {
            name_in(&mut d.message, &names);
            for label in &mut d.labels {
                name_in(&mut label.message, &names);
            }
            if let Some(help) = &mut d.help {
                name_in(help, &names);
            }
        }
    }
}

/// `account 111111111111` becomes `account 111111111111 (tools)`, once however often named.
fn name_in(text: &mut String, names: &[(xacct_model::AccountId, String)]) {
    for (id, name) in names {
        let plain = format!("account {id}");
        if text.contains(&plain) {
            let named = format!("account {id} ({name})");
            *text = text.replace(&named, &plain).replace(&plain, &named);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text read again to show findings is the one that was linted, or none at all: a file
    /// changed between the two reads must not lend its new lines to the old spans.
    #[test]
    fn a_text_read_again_must_be_the_one_linted() {
        let dir = std::env::temp_dir().join(format!("xacct-reread-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("p.json");
        std::fs::write(&path, "{\"a\": 1}\n").unwrap();
        let mut gate = Gate::new();
        gate.add_root(&dir);
        let options = LintOptions::default();
        let reread = Reread {
            canonical: None,
            digest: digest("{\"a\": 1}\n"),
        };
        let again = read_again(&gate, &path, &reread, &options).map(|s| s.text().to_string());
        assert_eq!(again.as_deref(), Some("{\"a\": 1}\n"));
        // Same length, other bytes: refused.
        std::fs::write(&path, "{\"b\": 1}\n").unwrap();
        assert!(read_again(&gate, &path, &reread, &options).is_none());
        // Gone: refused, no panic.
        std::fs::remove_file(&path).unwrap();
        assert!(read_again(&gate, &path, &reread, &options).is_none());
        // Outside the roots: never read.
        let outside =
            std::env::temp_dir().join(format!("xacct-reread-out-{}.json", std::process::id()));
        std::fs::write(&outside, "{\"a\": 1}\n").unwrap();
        assert!(read_again(&gate, &outside, &reread, &options).is_none());
        let _ = std::fs::remove_file(&outside);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
