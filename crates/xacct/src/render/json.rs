//! The JSON output, version 1: a contract other tools parse. Fields are only ever added.

use std::io::{self, Write};

use serde::Serialize;
use xacct_rules::Severity;
use xacct_syntax::{FileId, SourceFile, Span};

use crate::lint::LintRun;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    /// Findings that a template's `Metadata: {xacct: {ignore: [...]}}` suppresses.
    suppressed: Vec<JsonSuppressed<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct JsonSuppressed<'a> {
    #[serde(flatten)]
    diagnostic: JsonDiagnostic<'a>,
    reason: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    name: &'a str,
    severity: &'a str,
    message: &'a str,
    path: String,
    start: Position,
    end: Position,
    labels: Vec<JsonLabel<'a>>,
    help: Option<&'a str>,
    /// What the finding is, however the files were named and wherever xacct ran
    /// (`crate::fingerprint`): 16 hex digits, as SARIF's `partialFingerprints` and baselines.
    fingerprint: String,
    /// Machine-applicable fixes (an added field: the version stays 1).
    fixes: Vec<JsonFix<'a>>,
}

/// A fix: its edits are applied together (`xacct lint --fix` takes the first `safe` one).
#[derive(Serialize)]
struct JsonFix<'a> {
    title: &'a str,
    /// `safe`, `needs-review` or `manual`.
    applicability: &'static str,
    edits: Vec<JsonEdit<'a>>,
}

/// Replace `start..end` of `path` (as on disk) with `replacement`; `start == end` inserts.
#[derive(Serialize)]
struct JsonEdit<'a> {
    path: String,
    start: Position,
    end: Position,
    replacement: &'a str,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    path: String,
    start: Position,
    end: Position,
    message: &'a str,
}

/// A position: 1-based line, 1-based column in characters, 0-based byte offset.
#[derive(Serialize)]
struct Position {
    line: u32,
    column: u32,
    offset: u32,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
}

fn position(source: &SourceFile, offset: u32) -> Position {
    let at = source.line_col(offset);
    Position {
        line: at.line,
        column: at.column,
        offset,
    }
}

fn range(run: &LintRun, file: FileId, span: Span) -> (String, Position, Position) {
    let source = run.source(file);
    (
        source.path().display().to_string(),
        position(source, span.start),
        position(source, span.end),
    )
}

fn diagnostic<'a>(
    run: &'a LintRun,
    d: &'a xacct_rules::Diagnostic,
    fingerprint: String,
) -> JsonDiagnostic<'a> {
    let (path, start, end) = range(run, d.file, d.span);
    JsonDiagnostic {
        code: d.code,
        name: d.name,
        severity: d.severity.as_str(),
        message: &d.message,
        path,
        start,
        end,
        labels: d
            .labels
            .iter()
            .map(|l| {
                let (path, start, end) = range(run, l.file, l.span);
                JsonLabel {
                    path,
                    start,
                    end,
                    message: &l.message,
                }
            })
            .collect(),
        help: d.help.as_deref(),
        fingerprint,
        fixes: d
            .fixes
            .iter()
            .map(|f| JsonFix {
                title: &f.title,
                applicability: f.applicability.as_str(),
                edits: f
                    .edits
                    .iter()
                    .map(|e| {
                        let (path, start, end) = range(run, e.file, e.span);
                        JsonEdit {
                            path,
                            start,
                            end,
                            replacement: &e.replacement,
                        }
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// Writes the document.
pub fn write(out: &mut impl Write, run: &LintRun) -> io::Result<()> {
    let diagnostics = run
        .diagnostics()
        .zip(crate::fingerprint::fingerprints(run))
        .map(|(d, fp)| diagnostic(run, d, fp))
        .collect();
    let suppressed = run
        .files
        .iter()
        .flat_map(|f| f.suppressed.iter())
        .zip(crate::fingerprint::suppressed_fingerprints(run))
        .map(|((d, reason), fp)| JsonSuppressed {
            diagnostic: diagnostic(run, d, fp),
            reason: reason.as_deref(),
        })
        .collect();
    let count = |s: Severity| run.diagnostics().filter(|d| d.severity == s).count();
    let output = Output {
        version: 1,
        diagnostics,
        suppressed,
        summary: Summary {
            files: run.files.len(),
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
        },
    };
    let text = serde_json::to_string_pretty(&output).map_err(io::Error::other)?;
    writeln!(out, "{}", crate::escape::json(text))
}

/// `--statistics --format json`: the counts per rule, most first, as ruff writes them:
/// `[{"code": "XA202", "name": "…", "count": 3}]`.
pub fn write_statistics(out: &mut impl Write, run: &LintRun) -> io::Result<()> {
    let rows: Vec<serde_json::Value> = super::text::statistics(run)
        .into_iter()
        .map(|(count, code, name)| serde_json::json!({"code": code, "name": name, "count": count}))
        .collect();
    let text = serde_json::to_string_pretty(&rows).map_err(io::Error::other)?;
    writeln!(out, "{text}")
}
