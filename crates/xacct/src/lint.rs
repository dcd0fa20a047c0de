//! Lints every discovered file: each is read and loaded on its own, so one broken file never
//! hides the others; then all are checked together, so findings can span files.

use std::path::Path;

use std::collections::HashMap;

use rayon::prelude::*;

use xacct_graph::TrustGraph;
use xacct_model::workspace::Binding;
use xacct_model::workspace::Workspace;
use xacct_rules::engine::{check_all, load, read_source, Checked, LoadedFile};
use xacct_rules::{Diagnostic, LintOptions, Outcome};
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
pub struct LintRun {
    /// The files.
    pub files: Vec<LintedFile>,
}

impl LintRun {
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

    /// Files that could not be read or parsed.
    pub fn broken_files(&self) -> usize {
        self.files
            .iter()
            .filter(|f| f.outcome == Outcome::Broken)
            .count()
    }
}

fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        // Reading a FIFO or a device would block or never end.
        return Err(std::io::Error::other("not a regular file"));
    }
    std::fs::read(path)
}

/// Phase 1 for one file: read, decode, load.
fn load_one(id: FileId, candidate: Candidate, options: &LintOptions) -> (SourceFile, LoadedFile) {
    let read = match candidate.error {
        Some(error) => Err(error),
        None => read_file(&candidate.path),
    };
    match read {
        Ok(bytes) => {
            let (source, decode_error) = read_source(&candidate.path, bytes);
            let loaded = load(
                id,
                &source,
                decode_error.as_ref(),
                candidate.explicit,
                options,
            );
            (source, loaded)
        }
        Err(error) => (
            SourceFile::new(&candidate.path, String::new()),
            LoadedFile::unreadable(id, &candidate.path, &error),
        ),
    }
}

/// Lints the files: each is loaded on its own, then all are checked together.
pub fn lint_all(
    candidates: Vec<Candidate>,
    bindings: &HashMap<FileId, Binding>,
    options: &LintOptions,
) -> LintRun {
    lint_with_graph(candidates, bindings, options, false).0
}

/// Lints the files and keeps the workspace and its trust graph (built even without policies
/// when `draw`, with the nodes and edges `xacct graph` draws).
pub fn lint_with_graph(
    candidates: Vec<Candidate>,
    bindings: &HashMap<FileId, Binding>,
    options: &LintOptions,
    draw: bool,
) -> (LintRun, Workspace, TrustGraph) {
    // Files are independent until the workspace phase: read, decode, parse and load them in
    // parallel. `collect` keeps the input order, so output never depends on the thread count.
    let (sources, loaded): (Vec<SourceFile>, Vec<LoadedFile>) = candidates
        .into_par_iter()
        .enumerate()
        .map(|(i, candidate)| load_one(FileId(i as u32), candidate, options))
        .unzip();
    let Checked {
        reports,
        workspace,
        graph,
    } = check_all(loaded, bindings, options, draw);
    // Only files with findings or labels are rendered: drop the others' text to bound memory.
    let shown: std::collections::HashSet<FileId> = reports
        .iter()
        .flat_map(|r| {
            r.diagnostics
                .iter()
                .chain(r.suppressed.iter().map(|(d, _)| d))
        })
        .flat_map(|d| std::iter::once(d.file).chain(d.labels.iter().map(|l| l.file)))
        .collect();
    let files = sources
        .into_iter()
        .zip(reports)
        .enumerate()
        .map(|(i, (source, report))| {
            let source = if shown.contains(&FileId(i as u32)) {
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
    (LintRun { files }, workspace, graph)
}
