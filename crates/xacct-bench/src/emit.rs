//! An ordered JSON value, the AWS CLI's pretty printer (2-space indent, `[]`/`{}` when empty) and
//! a compact printer (for policies that S3 and KMS hand back as a JSON string).
//!
//! Why not `serde_json::Value`: without serde_json's `preserve_order` feature (which no crate of
//! the workspace enables) its objects sort their keys, and `get-pipeline` output has its own
//! member order (`name`, `roleArn`, `artifactStore`, `stages`, …), which the corpus keeps.

use std::fmt::Write;

/// A JSON value whose objects keep their member order.
#[derive(Clone, Debug)]
pub(crate) enum J {
    Str(String),
    Int(u64),
    Bool(bool),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

/// Shorthand for a string value.
pub(crate) fn s(text: impl Into<String>) -> J {
    J::Str(text.into())
}

/// Shorthand for an object from `(key, value)` pairs.
pub(crate) fn obj<const N: usize>(members: [(&str, J); N]) -> J {
    J::Obj(
        members
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

/// A string when there is one item (as people write policies), else an array.
pub(crate) fn one_or_many<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> J {
    let mut items: Vec<J> = items.into_iter().map(|t| s(t.as_ref())).collect();
    if items.len() == 1 {
        items.pop().unwrap_or(J::Arr(Vec::new()))
    } else {
        J::Arr(items)
    }
}

/// The pretty-printed text, with a final newline as the CLI prints it.
pub(crate) fn to_pretty(value: &J) -> String {
    let mut out = String::with_capacity(16 * 1024);
    write_value(value, 0, &mut out);
    out.push('\n');
    out
}

/// The pretty-printed text without the final newline (KMS hands back the console's key
/// policies pretty-printed, inside a JSON string).
pub(crate) fn to_pretty_inner(value: &J) -> String {
    let mut out = String::with_capacity(2 * 1024);
    write_value(value, 0, &mut out);
    out
}

/// The text on one line, with no spaces (S3 returns bucket policies so).
pub(crate) fn to_compact(value: &J) -> String {
    let mut out = String::with_capacity(2 * 1024);
    write_compact(value, &mut out);
    out
}

fn write_compact(value: &J, out: &mut String) {
    match value {
        J::Str(text) => write_string(text, out),
        J::Int(n) => {
            let _ = write!(out, "{n}");
        }
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Arr(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_compact(item, out);
            }
            out.push(']');
        }
        J::Obj(members) => {
            out.push('{');
            for (index, (key, member)) in members.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write_compact(member, out);
            }
            out.push('}');
        }
    }
}

fn indent(depth: usize, out: &mut String) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

fn write_value(value: &J, depth: usize, out: &mut String) {
    match value {
        J::Str(text) => write_string(text, out),
        J::Int(n) => {
            // Writing to a String cannot fail.
            let _ = write!(out, "{n}");
        }
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Arr(items) if items.is_empty() => out.push_str("[]"),
        J::Obj(members) if members.is_empty() => out.push_str("{}"),
        J::Arr(items) => {
            out.push_str("[\n");
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push_str(",\n");
                }
                indent(depth + 1, out);
                write_value(item, depth + 1, out);
            }
            out.push('\n');
            indent(depth, out);
            out.push(']');
        }
        J::Obj(members) => {
            out.push_str("{\n");
            for (index, (key, member)) in members.iter().enumerate() {
                if index > 0 {
                    out.push_str(",\n");
                }
                indent(depth + 1, out);
                write_string(key, out);
                out.push_str(": ");
                write_value(member, depth + 1, out);
            }
            out.push('\n');
            indent(depth, out);
            out.push('}');
        }
    }
}

fn write_string(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}
