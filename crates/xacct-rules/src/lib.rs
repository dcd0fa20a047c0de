//! The rules of xacct.
//!
//! - [`registry`]: every rule's code, kebab-case name, default severity, summary and page;
//! - [`rules`]: one module per rule (`xa201.rs` checks XA201);
//! - [`Diagnostic`]: what a rule reports, with spans, labels, a help line and [`fix`]es (text
//!   edits `--fix` and editors apply);
//! - [`engine`]: turns loaded inputs into findings: input issues and pipeline rules per file,
//!   then the workspace rules over all files.
//!
//! Depends on `xacct-input` for loaded documents, `xacct-model`, `xacct-iam` and `xacct-graph`;
//! knows no input format, opens no file, and knows nothing of the CLI or of output formats.

mod diagnostic;
pub mod engine;
pub mod fix;
pub mod phases;
pub mod registry;
pub mod rules;

pub use diagnostic::{Diagnostic, Label, Severity};
pub use engine::{lint_bytes, lint_source, FileReport, LintOptions, Outcome};
pub use fix::{Applicability, Edit, Fix};
pub use phases::Phases;
pub use registry::{rule, Rule, RULES};
