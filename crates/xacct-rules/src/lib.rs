//! The rules of xacct.
//!
//! - [`registry`]: every rule's code, kebab-case name, default severity, summary and page;
//! - [`rules`]: one module per rule (`xa201.rs` checks XA201);
//! - [`Diagnostic`]: what a rule reports, with spans, labels and a help line;
//! - [`engine`]: reads one file's bytes, parses, loads and runs the rules on it.
//!
//! Depends on `xacct-syntax` and `xacct-model`; knows nothing of the CLI or of output formats.

mod diagnostic;
pub mod engine;
pub mod registry;
pub mod rules;

pub use diagnostic::{Diagnostic, Label, Severity};
pub use engine::{lint_source, FileReport, FileSettings, LintOptions, Outcome};
pub use registry::{rule, Rule, RULES};
