//! Findings as LSP diagnostics: exact ranges, severity, the rule's code with its page, each
//! label as related information; and which files to publish after a run (those whose
//! diagnostics changed, and those that have none any more, with an empty list).

use std::collections::HashMap;
use std::str::FromStr;

use lsp_types::{
    CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
    Uri,
};
use xacct_rules::{Diagnostic, Severity};

use super::position::range;
use super::session::Session;
use super::uri::from_path;

/// The LSP form of a finding, or `None` when its file is unknown to the session.
pub fn to_lsp(session: &Session, d: &Diagnostic) -> Option<lsp_types::Diagnostic> {
    let source = session.source(d.file)?;
    let related: Vec<DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .filter_map(|label| {
            let at = session.source(label.file)?;
            Some(DiagnosticRelatedInformation {
                location: Location {
                    uri: from_path(&session.path(label.file)?),
                    range: range(at, label.span),
                },
                message: label.message.clone(),
            })
        })
        .collect();
    let message = match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    };
    Some(lsp_types::Diagnostic {
        range: range(source, d.span),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Info => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(d.code.to_string())),
        code_description: Uri::from_str(&crate::render::sarif::help_uri(d.code))
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some("xacct".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    })
}

/// What was last published, by URI text: to publish only what changed.
#[derive(Default)]
pub struct Published {
    by_uri: HashMap<String, (Uri, Vec<lsp_types::Diagnostic>)>,
}

impl Published {
    /// The files whose diagnostics differ from what was last published, with their new
    /// diagnostics (empty for a file that has none any more); remembers them as published.
    pub fn update(&mut self, session: &Session) -> Vec<(Uri, Vec<lsp_types::Diagnostic>)> {
        let mut now: HashMap<String, (Uri, Vec<lsp_types::Diagnostic>)> = HashMap::new();
        for (file, findings) in session.findings() {
            if findings.is_empty() {
                continue;
            }
            let Some(path) = session.path(file) else {
                continue;
            };
            let uri = from_path(&path);
            let diagnostics: Vec<_> = findings.iter().filter_map(|d| to_lsp(session, d)).collect();
            now.entry(uri.as_str().to_string())
                .or_insert_with(|| (uri, Vec::new()))
                .1
                .extend(diagnostics);
        }
        let mut out = Vec::new();
        for (key, (uri, _)) in &self.by_uri {
            if !now.contains_key(key) {
                out.push((uri.clone(), Vec::new()));
            }
        }
        for (key, (uri, diagnostics)) in &now {
            if self
                .by_uri
                .get(key)
                .is_none_or(|(_, old)| old != diagnostics)
            {
                out.push((uri.clone(), diagnostics.clone()));
            }
        }
        // A stable order: the client sees files in path order.
        out.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        self.by_uri = now;
        out
    }
}
