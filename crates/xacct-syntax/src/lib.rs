//! The syntax layer of xacct: source files, byte spans, line/column conversion and one spanned
//! tree, read from JSON or YAML, in which every key and value remembers the exact bytes it came
//! from.
//!
//! This crate knows nothing about AWS. Its invariants:
//! - a [`Span`] is a half-open byte range into one [`SourceFile`]'s text;
//! - parsing never panics and never recurses deeper than its limit ([`json::ParseLimits`],
//!   at most [`json::MAX_DEPTH`]);
//! - duplicate object keys are kept (and reported), never silently merged.

pub mod json;
mod source;
mod span;
pub mod yaml;

pub use source::{decode_source, FileId, LineCol, SourceError, SourceFile};
pub use span::Span;
