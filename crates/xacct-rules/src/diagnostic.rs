use std::fmt;

use xacct_syntax::{FileId, Span};

use crate::fix::Fix;
use crate::registry::Rule;

/// How serious a finding is. Ordered: `Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth knowing; never fails a run unless `--fail-on info`.
    Info,
    /// Likely to break or to be unsafe.
    Warning,
    /// Will break at run time.
    Error,
}

impl Severity {
    /// `error`, `warning` or `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secondary span with a message ("produced here").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// The file the span is in.
    pub file: FileId,
    /// The span.
    pub span: Span,
    /// What is there.
    pub message: String,
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The rule's code, e.g. `XA201`.
    pub code: &'static str,
    /// The rule's kebab-case name.
    pub name: &'static str,
    /// Severity (the rule's default unless the rule's page documents otherwise).
    pub severity: Severity,
    /// One line naming the values involved.
    pub message: String,
    /// The file of the primary span.
    pub file: FileId,
    /// The primary span: where to fix.
    pub span: Span,
    /// Secondary spans.
    pub labels: Vec<Label>,
    /// The fix, in one or two sentences.
    pub help: Option<String>,
    /// The trust-graph check this finding is about (index into `TrustGraph::checks`), so a
    /// picture of the graph can mark the edge.
    pub check: Option<usize>,
    /// Further checks the same root cause refuses (the same role assumed by other actions),
    /// which the finding covers too: one finding, every broken edge marked.
    pub also_about: Vec<usize>,
    /// Machine-applicable fixes, the first the one `--fix` takes (see [`Fix`]); empty when
    /// xacct does not know the exact change.
    pub fixes: Vec<Fix>,
}

impl Diagnostic {
    /// A finding of `rule` at `span` with the rule's default severity.
    pub fn new(rule: &Rule, file: FileId, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code: rule.code,
            name: rule.name,
            severity: rule.severity,
            message: message.into(),
            file,
            span,
            labels: Vec::new(),
            help: None,
            check: None,
            also_about: Vec::new(),
            fixes: Vec::new(),
        }
    }

    /// Adds a secondary label in the same file.
    pub fn label(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            file: self.file,
            span,
            message: message.into(),
        });
        self
    }

    /// Adds a secondary label in another file (or the same).
    pub fn label_in(mut self, file: FileId, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            file,
            span,
            message: message.into(),
        });
        self
    }

    /// Adds a secondary label in a file when there is a span for it.
    pub fn label_opt_in(
        self,
        file: FileId,
        span: Option<Span>,
        message: impl Into<String>,
    ) -> Diagnostic {
        match span {
            Some(span) => self.label_in(file, span, message),
            None => self,
        }
    }

    /// Adds a secondary label when there is a span for it.
    pub fn label_opt(self, span: Option<Span>, message: impl Into<String>) -> Diagnostic {
        match span {
            Some(span) => self.label(span, message),
            None => self,
        }
    }

    /// Sets the help line.
    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Ties the finding to a trust-graph check.
    pub fn about(mut self, check: usize) -> Diagnostic {
        self.check = Some(check);
        self
    }

    /// Overrides the severity, for rules whose page documents more than one.
    pub fn severity(mut self, severity: Severity) -> Diagnostic {
        self.severity = severity;
        self
    }

    /// Adds a fix.
    pub fn fix(mut self, fix: Fix) -> Diagnostic {
        self.fixes.push(fix);
        self
    }

    /// Adds a fix when there is one: rules offer none where the change is uncertain.
    pub fn fix_opt(self, fix: Option<Fix>) -> Diagnostic {
        match fix {
            Some(fix) => self.fix(fix),
            None => self,
        }
    }
}
