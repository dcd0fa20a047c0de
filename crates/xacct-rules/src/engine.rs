//! Lints one file: bytes → text → JSON tree → document → rules → diagnostics.
//!
//! Every failure along the way becomes a diagnostic of the XA0xx family; nothing here panics
//! on any input, and one broken file never stops the others (the caller lints each file on its
//! own).

use xacct_model::api::validate_pipeline_document;
use xacct_model::pipeline::load_pipeline;
use xacct_model::{Accounts, DocumentKind};
use xacct_syntax::json;
use xacct_syntax::{decode_source, FileId, SourceError, SourceFile, Span};

use crate::registry::{Check, RULES};
use crate::rules::{self, PipelineContext};
use crate::Diagnostic;

/// Settings that change what the rules may assume.
#[derive(Clone, Debug, Default)]
pub struct LintOptions {
    /// The pipeline region when a file does not say (`--region`).
    pub region: Option<String>,
}

/// What became of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Read and checked as this kind of document.
    Checked(DocumentKind),
    /// Readable, but no document xacct checks (skipped silently when found by walking).
    NotChecked,
    /// Could not be read or parsed.
    Broken,
}

/// The result of linting one file.
#[derive(Debug)]
pub struct FileReport {
    /// The findings, sorted by position then code.
    pub diagnostics: Vec<Diagnostic>,
    /// What became of the file.
    pub outcome: Outcome,
}

/// Decodes a file's bytes; on failure, keeps a lossy text so the finding can still be shown.
pub fn read_source(path: &std::path::Path, bytes: Vec<u8>) -> (SourceFile, Option<SourceError>) {
    match decode_source(bytes) {
        Ok(text) => (SourceFile::new(path, text), None),
        Err((error, bytes)) => {
            // Binary content is not shown: a lossy PNG would only garble the terminal.
            let text = match error {
                SourceError::Binary { .. } | SourceError::Utf16 | SourceError::TooLarge { .. } => {
                    String::new()
                }
                _ => String::from_utf8_lossy(&bytes).into_owned(),
            };
            (SourceFile::new(path, text), Some(error))
        }
    }
}

/// Lints one file. `explicit` is true when the user named the file (rather than it being
/// found in a folder): only then is an unrecognised document a finding.
pub fn lint_source(
    file: FileId,
    source: &SourceFile,
    decode_error: Option<&SourceError>,
    explicit: bool,
    options: &LintOptions,
) -> FileReport {
    let mut out = Vec::new();
    if let Some(error) = decode_error {
        out.push(rules::xa001::from_source_error(file, error));
        return FileReport {
            diagnostics: out,
            outcome: Outcome::Broken,
        };
    }
    let document = match json::parse(source.text()) {
        Ok(document) => document,
        Err(error) => {
            out.push(rules::xa001::from_parse_error(file, &error));
            return FileReport {
                diagnostics: out,
                outcome: Outcome::Broken,
            };
        }
    };
    if let Some(bom) = document.bom {
        out.push(rules::xa001::from_bom(file, bom));
    }
    for duplicate in &document.duplicates {
        out.push(rules::xa002::from_duplicate(file, duplicate));
    }
    let kind = DocumentKind::detect(&document.root);
    let outcome = match kind {
        DocumentKind::Pipeline => {
            lint_pipeline(file, &document.root, options, &mut out);
            Outcome::Checked(kind)
        }
        // Recognised, checked by the policy and template rules of later layers.
        DocumentKind::Policy | DocumentKind::Template => Outcome::NotChecked,
        DocumentKind::Unknown => {
            if explicit {
                out.push(rules::xa003::unknown_document(file, &document.root));
            }
            Outcome::NotChecked
        }
    };
    sort(&mut out);
    FileReport {
        diagnostics: out,
        outcome,
    }
}

fn lint_pipeline(
    file: FileId,
    root: &json::Node,
    options: &LintOptions,
    out: &mut Vec<Diagnostic>,
) {
    let issues = validate_pipeline_document(root);
    let doc = load_pipeline(root);
    let accounts = Accounts::resolve(&doc, options.region.as_deref());
    let cx = PipelineContext::new(file, &doc, &accounts, &issues);
    for rule in RULES {
        if let Check::Pipeline(check) = rule.check {
            check(&cx, out);
        }
    }
}

/// Orders findings by file, position, then code, so output is stable.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.file, a.span.start, a.span.end, a.code, &a.message).cmp(&(
            b.file,
            b.span.start,
            b.span.end,
            b.code,
            &b.message,
        ))
    });
}

/// The finding for a file that could not be read at all (permissions, a folder loop, …).
pub fn unreadable(file: FileId, error: &std::io::Error) -> Diagnostic {
    rules::xa001::from_io_error(file, error)
}

/// An empty span at the start of a file, for findings about the file as a whole.
pub const FILE_START: Span = Span::empty(0);
