//! The walk that checks a JSON tree against a shape.
//!
//! It runs on every pipeline file, so the happy path allocates nothing: the path to the current
//! value is a chain of stack frames ([`Path`]) and is only turned into a string when an issue is
//! reported.

use std::fmt;

use xacct_syntax::json::{Member, Node, Value};
use xacct_syntax::Span;

use super::shapes::{PIPELINE_DECLARATION, PIPELINE_DOCUMENT};
use super::{Shape, ShapeId, ShapeIssue, ShapeIssueKind, ShapeKind};

/// Checks a pipeline file against the API model.
///
/// A root object with a `pipeline` member is read as a get-pipeline output or create-pipeline
/// input (members `pipeline`, `metadata`, `tags`; paths start with `pipeline.`); anything else as
/// a bare `PipelineDeclaration` (paths start at its members, as `stages[0].name`).
///
/// Issues come in traversal order: an object's members in document order, then its missing
/// required members. Every member of an object is checked, duplicates included.
pub fn validate_pipeline_document(root: &Node<'_>) -> Vec<ShapeIssue> {
    let shape = if root.member("pipeline").is_some() {
        &PIPELINE_DOCUMENT
    } else {
        PIPELINE_DECLARATION.shape()
    };
    let mut validator = Validator { issues: Vec::new() };
    validator.value(root, shape, Path::Root);
    validator.issues
}

/// Checks any JSON value against one shape; paths start at `node` (the empty path).
pub fn validate_node(node: &Node<'_>, shape: ShapeId) -> Vec<ShapeIssue> {
    let mut validator = Validator { issues: Vec::new() };
    validator.value(node, shape.shape(), Path::Root);
    validator.issues
}

/// Where the walk is: a linked list through the callers' stack frames.
#[derive(Clone, Copy)]
enum Path<'p> {
    Root,
    /// A structure member (always an identifier in the model).
    Member(&'p Path<'p>, &'static str),
    /// A list item.
    Index(&'p Path<'p>, usize),
    /// A map entry (any string).
    Key(&'p Path<'p>, &'p str),
}

impl Path<'_> {
    fn render(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match *self {
            Path::Root => {}
            Path::Member(parent, name) => {
                parent.write(out);
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
            Path::Index(parent, index) => {
                parent.write(out);
                out.push('[');
                out.push_str(&index.to_string());
                out.push(']');
            }
            Path::Key(parent, key) => {
                parent.write(out);
                if is_identifier(key) {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(key);
                } else {
                    out.push('[');
                    // Writing to a String cannot fail.
                    let _ = write_json_string(out, key);
                    out.push(']');
                }
            }
        }
    }
}

fn is_identifier(s: &str) -> bool {
    let mut bytes = s.bytes();
    matches!(bytes.next(), Some(b'A'..=b'Z' | b'a'..=b'z' | b'_'))
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Writes `s` as a JSON string literal.
pub(super) fn write_json_string(out: &mut impl fmt::Write, s: &str) -> fmt::Result {
    out.write_char('"')?;
    for c in s.chars() {
        match c {
            '"' => out.write_str("\\\"")?,
            '\\' => out.write_str("\\\\")?,
            '\n' => out.write_str("\\n")?,
            '\r' => out.write_str("\\r")?,
            '\t' => out.write_str("\\t")?,
            c if c.is_control() => write!(out, "\\u{:04x}", u32::from(c))?,
            c => out.write_char(c)?,
        }
    }
    out.write_char('"')
}

struct Validator {
    issues: Vec<ShapeIssue>,
}

impl Validator {
    fn report(&mut self, path: &Path<'_>, span: Span, on_key: bool, kind: ShapeIssueKind) {
        self.issues.push(ShapeIssue {
            path: path.render(),
            span,
            on_key,
            kind,
        });
    }

    fn value(&mut self, node: &Node<'_>, shape: &'static Shape, path: Path<'_>) {
        match (&shape.kind, &node.value) {
            (ShapeKind::Structure { members, required }, Value::Object(found)) => {
                self.structure(node.span, found, members, required, &path);
            }
            (&ShapeKind::List { member, min, max }, Value::Array(items)) => {
                self.count(node.span, &path, items.len(), min, max);
                let member = member.shape();
                for (index, item) in items.iter().enumerate() {
                    self.value(item, member, Path::Index(&path, index));
                }
            }
            (
                &ShapeKind::Map {
                    key,
                    value,
                    min,
                    max,
                },
                Value::Object(entries),
            ) => {
                // AWS keeps the last of duplicated keys, so count distinct keys; that costs a
                // scan, done only when the raw count could give a different verdict.
                let may_be_under = min.is_some_and(|m| m > 0);
                let may_be_over = max.is_some_and(|m| entries.len() > m as usize);
                if may_be_under || may_be_over {
                    self.count(node.span, &path, distinct_keys(entries), min, max);
                }
                let (key, value) = (key.shape(), value.shape());
                for entry in entries {
                    let entry_path = Path::Key(&path, &entry.key);
                    self.string(&entry.key, entry.key_span, key, &entry_path, true);
                    self.value(&entry.value, value, entry_path);
                }
            }
            (ShapeKind::String { .. }, Value::String(s)) => {
                self.string(s, node.span, shape, &path, false)
            }
            (&ShapeKind::Integer { min, max }, Value::Number(raw)) => match parse_integer(raw) {
                Ok(n) => {
                    if min.is_some_and(|min| n < min) || max.is_some_and(|max| n > max) {
                        self.report(
                            &path,
                            node.span,
                            false,
                            ShapeIssueKind::OutOfRange { min, max, value: n },
                        );
                    }
                }
                Err(found) => {
                    self.report(
                        &path,
                        node.span,
                        false,
                        ShapeIssueKind::WrongType {
                            expected: "integer",
                            found,
                        },
                    );
                }
            },
            (ShapeKind::Boolean, Value::Bool(_))
            | (ShapeKind::Timestamp, Value::String(_) | Value::Number(_)) => {}
            // A template value fixed at deployment (`RunOrder: !Ref DeployRunOrder`): its type
            // is CloudFormation's to check then.
            (_, Value::String(s)) if crate::symbol::contains_placeholder(s) => {}
            (kind, _) => {
                let kind = ShapeIssueKind::WrongType {
                    expected: expected_type(kind),
                    found: node.kind_name(),
                };
                self.report(&path, node.span, false, kind);
            }
        }
    }

    fn structure(
        &mut self,
        span: Span,
        found: &[Member<'_>],
        members: &'static [(&'static str, ShapeId)],
        required: &'static [&'static str],
        path: &Path<'_>,
    ) {
        for member in found {
            match members.iter().find(|(name, _)| *name == member.key) {
                Some(&(name, id)) => {
                    self.value(&member.value, id.shape(), Path::Member(path, name))
                }
                None => {
                    let kind = ShapeIssueKind::UnknownMember {
                        name: member.key.to_string(),
                        allowed: members.iter().map(|&(name, _)| name).collect(),
                    };
                    self.report(path, member.key_span, false, kind);
                }
            }
        }
        for &name in required {
            if !found.iter().any(|m| m.key == name) {
                let brace = Span::new(span.start, span.start + 1);
                self.report(path, brace, false, ShapeIssueKind::MissingRequired { name });
            }
        }
    }

    fn count(
        &mut self,
        span: Span,
        path: &Path<'_>,
        len: usize,
        min: Option<u32>,
        max: Option<u32>,
    ) {
        let len = u32::try_from(len).unwrap_or(u32::MAX);
        if let Some(min) = min.filter(|&min| len < min) {
            self.report(path, span, false, ShapeIssueKind::TooFewItems { min, len });
        }
        if let Some(max) = max.filter(|&max| len > max) {
            self.report(path, span, false, ShapeIssueKind::TooManyItems { max, len });
        }
    }

    /// Checks a string value or map key; `span` includes the quotes.
    fn string(
        &mut self,
        s: &str,
        span: Span,
        shape: &'static Shape,
        path: &Path<'_>,
        on_key: bool,
    ) {
        let ShapeKind::String {
            min,
            max,
            pattern,
            enum_values,
        } = shape.kind
        else {
            // A map key whose shape is not a string: the model never does this, and a JSON key
            // cannot be anything else, so there is nothing to check.
            return;
        };

        let found_before = self.issues.len();

        // Lengths are in chars; a char is 1 to 4 bytes, so the byte length alone often settles
        // it and the count is skipped.
        let bytes = s.len();
        let may_be_too_long = max.is_some_and(|max| bytes > max as usize);
        let may_be_too_short = min.is_some_and(|min| bytes < 4 * min as usize);
        if may_be_too_long || may_be_too_short {
            let len = u32::try_from(s.chars().count()).unwrap_or(u32::MAX);
            if let Some(min) = min.filter(|&min| len < min) {
                self.report(path, span, on_key, ShapeIssueKind::TooShort { min, len });
            }
            if let Some(max) = max.filter(|&max| len > max) {
                self.report(path, span, on_key, ShapeIssueKind::TooLong { max, len });
            }
        }

        if let Some(pattern) = pattern {
            if let Some((offset, offending)) = pattern.first_mismatch(s) {
                // Without escapes the text between the quotes is `s` byte for byte, so the
                // char can be pointed at; with escapes, offsets no longer line up.
                let at = if span.len() as usize == bytes + 2 {
                    let start = span.start + 1 + offset as u32;
                    Span::new(start, start + offending.len_utf8() as u32)
                } else {
                    span
                };
                let kind = ShapeIssueKind::PatternMismatch {
                    pattern: pattern.source,
                    offending,
                    value: s.to_string(),
                };
                self.report(path, at, on_key, kind);
            }
        }

        if !enum_values.is_empty() && !enum_values.contains(&s) {
            self.report(
                path,
                span,
                on_key,
                ShapeIssueKind::NotInEnum {
                    allowed: enum_values,
                    value: s.to_string(),
                },
            );
        }

        // A template placeholder (`${DevAccountId}`) is a value fixed at deployment: whatever
        // stands there then is what CloudFormation checks, not this text. Asked only of a
        // value found wanting (nearly every value is fine).
        if self.issues.len() > found_before && crate::symbol::contains_placeholder(s) {
            self.issues.truncate(found_before);
        }
    }
}

fn expected_type(kind: &ShapeKind) -> &'static str {
    match kind {
        ShapeKind::Structure { .. } | ShapeKind::Map { .. } => "object",
        ShapeKind::List { .. } => "array",
        ShapeKind::String { .. } => "string",
        ShapeKind::Integer { .. } => "integer",
        ShapeKind::Boolean => "boolean",
        ShapeKind::Timestamp => "timestamp (string or number)",
    }
}

/// An integer as AWS reads one: no fraction or exponent (even `1.0`), within `i64`.
fn parse_integer(raw: &str) -> Result<i64, &'static str> {
    if raw.bytes().any(|b| matches!(b, b'.' | b'e' | b'E')) {
        return Err("number with a fraction or exponent");
    }
    raw.parse().map_err(|_| "integer outside the 64-bit range")
}

/// The number of distinct keys (AWS keeps only the last of duplicates).
fn distinct_keys(entries: &[Member<'_>]) -> usize {
    if entries.len() <= 32 {
        // Quadratic but allocation-free; maps in pipelines are small.
        (0..entries.len())
            .filter(|&i| {
                !entries[i + 1..]
                    .iter()
                    .any(|later| later.key == entries[i].key)
            })
            .count()
    } else {
        entries
            .iter()
            .map(|e| &*e.key)
            .collect::<std::collections::HashSet<&str>>()
            .len()
    }
}
