//! The AWS CodePipeline API model as data, and a validator that checks a pipeline document
//! against it the way `aws codepipeline create-pipeline` parameter validation would.
//!
//! Every number, pattern and enum here comes from the vendored botocore model
//! (`api/codepipeline-service-2.json`) through the generated [`shapes`] table; nothing is retyped
//! by hand, so updating the model file and regenerating is the whole upgrade.
//!
//! Paths in findings use `a.b[3].c`; a map entry whose key is an identifier
//! (`[A-Za-z_][A-Za-z0-9_]*`) is written `configuration.RoleArn`, any other key as a JSON string
//! in brackets: `artifactStores["us-east-1"]`.

use std::fmt;

use xacct_syntax::Span;

pub mod shapes;
mod validate;

pub use shapes::SHAPES;
pub use validate::{validate_node, validate_pipeline_document};

/// A shape of the API model: an index into [`SHAPES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ShapeId(pub u16);

impl ShapeId {
    /// The shape this id names.
    pub fn shape(self) -> &'static Shape {
        &SHAPES[usize::from(self.0)]
    }
}

/// The generated shape with this model name, if it is one of [`SHAPES`].
pub fn shape_by_name(name: &str) -> Option<ShapeId> {
    // SHAPES is sorted by name (byte order) by the generator.
    let index = SHAPES.binary_search_by(|s| s.name.cmp(name)).ok()?;
    Some(ShapeId(index as u16))
}

/// One shape of the API model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    /// The model's name for the shape, such as `ActionRunOrder`.
    pub name: &'static str,
    /// What values the shape admits.
    pub kind: ShapeKind,
}

/// What values a shape admits; absent bounds are unbounded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShapeKind {
    /// A JSON object with a fixed set of members.
    Structure {
        /// Member names in model order, with their shapes.
        members: &'static [(&'static str, ShapeId)],
        /// Members that must be present.
        required: &'static [&'static str],
    },
    /// A JSON array.
    List {
        /// The shape of every item.
        member: ShapeId,
        /// Fewest items.
        min: Option<u32>,
        /// Most items.
        max: Option<u32>,
    },
    /// A JSON object with arbitrary keys.
    Map {
        /// The shape of every key (a string shape).
        key: ShapeId,
        /// The shape of every value.
        value: ShapeId,
        /// Fewest entries.
        min: Option<u32>,
        /// Most entries.
        max: Option<u32>,
    },
    /// A JSON string.
    String {
        /// Shortest length, in chars.
        min: Option<u32>,
        /// Longest length, in chars.
        max: Option<u32>,
        /// A whole-string pattern, when the generator could compile it (see
        /// [`shapes::UNENFORCED_PATTERNS`] for those it could not).
        pattern: Option<Pattern>,
        /// The only values allowed; empty for "any".
        enum_values: &'static [&'static str],
    },
    /// A JSON number without fraction or exponent.
    Integer {
        /// Smallest value.
        min: Option<i64>,
        /// Largest value.
        max: Option<i64>,
    },
    /// `true` or `false`.
    Boolean,
    /// A date: a string (ISO 8601) or a number (epoch seconds), as the AWS CLI accepts either.
    Timestamp,
}

/// A model pattern of the form `[CLASS]+`, compiled to the chars the class admits.
///
/// The pattern is matched against the whole string (botocore's patterns are unanchored, AWS
/// applies them whole). The empty string is left to the shape's `min`: the generator only
/// compiles patterns on shapes with `min >= 1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pattern {
    /// The pattern as written in the model, for messages.
    pub source: &'static str,
    /// Inclusive char ranges, sorted and disjoint.
    pub ranges: &'static [(char, char)],
}

impl Pattern {
    /// Whether the class admits `c`.
    pub fn allows(&self, c: char) -> bool {
        self.ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi)
    }

    /// The first char of `s` the class does not admit, with its byte offset.
    pub fn first_mismatch(&self, s: &str) -> Option<(usize, char)> {
        // ASCII bytes are tested against a bitmap of the class, built from its few ranges:
        // every ARN and name of a pipeline is checked so.
        let ascii = self.ascii_mask();
        for (i, &b) in s.as_bytes().iter().enumerate() {
            if !b.is_ascii() {
                // Every byte before was a char of its own: `i` starts one.
                return s[i..]
                    .char_indices()
                    .map(|(j, c)| (i + j, c))
                    .find(|&(_, c)| !self.allows(c));
            }
            if ascii & (1u128 << b) == 0 {
                return Some((i, char::from(b)));
            }
        }
        None
    }

    /// The ASCII chars the class admits, as bits.
    fn ascii_mask(&self) -> u128 {
        let mut mask = 0u128;
        for &(lo, hi) in self.ranges {
            let (lo, hi) = (u32::from(lo), u32::from(hi).min(127));
            if lo > hi {
                continue;
            }
            let width = hi - lo + 1;
            let bits = if width >= 128 {
                u128::MAX
            } else {
                ((1u128 << width) - 1) << lo
            };
            mask |= bits;
        }
        mask
    }
}

/// One way a document departs from the API model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShapeIssue {
    /// Where, as `pipeline.stages[0].actions[1].runOrder` (empty for the document root).
    pub path: String,
    /// The offending bytes: the value, the key, or the char that breaks a pattern.
    pub span: Span,
    /// True when the issue is about a map key (the path then ends with that key) rather than a
    /// value.
    pub on_key: bool,
    /// What is wrong.
    pub kind: ShapeIssueKind,
}

/// What is wrong with a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShapeIssueKind {
    /// The JSON type does not fit the shape.
    WrongType {
        /// "string", "object", "array", "integer", "boolean" or "timestamp (string or number)".
        expected: &'static str,
        /// The JSON type found, or a description such as "number with a fraction or exponent".
        found: &'static str,
    },
    /// A structure member the model does not define; the span is the key's.
    UnknownMember {
        /// The key as written.
        name: String,
        /// The structure's members, in model order.
        allowed: Vec<&'static str>,
    },
    /// A required structure member is absent; the span is the object's opening brace.
    MissingRequired {
        /// The member.
        name: &'static str,
    },
    /// A string shorter than the shape's `min` (in chars).
    TooShort {
        /// The model's minimum.
        min: u32,
        /// The string's length in chars.
        len: u32,
    },
    /// A string longer than the shape's `max` (in chars).
    TooLong {
        /// The model's maximum.
        max: u32,
        /// The string's length in chars.
        len: u32,
    },
    /// A list or map with fewer items than the shape's `min`.
    TooFewItems {
        /// The model's minimum.
        min: u32,
        /// The item count (distinct keys, for a map).
        len: u32,
    },
    /// A list or map with more items than the shape's `max`.
    TooManyItems {
        /// The model's maximum.
        max: u32,
        /// The item count (distinct keys, for a map).
        len: u32,
    },
    /// A char the shape's pattern does not admit. The span is that char when the string is
    /// written without escapes, otherwise the whole string.
    PatternMismatch {
        /// The model's pattern.
        pattern: &'static str,
        /// The first char that breaks it.
        offending: char,
        /// The whole string, for the message.
        value: String,
    },
    /// A string that is not one of the shape's enum values.
    NotInEnum {
        /// The values the model allows.
        allowed: &'static [&'static str],
        /// The string found.
        value: String,
    },
    /// An integer outside the shape's range.
    OutOfRange {
        /// The model's minimum.
        min: Option<i64>,
        /// The model's maximum.
        max: Option<i64>,
        /// The integer found.
        value: i64,
    },
}

impl ShapeIssue {
    /// True when the document does not have the model's structure (wrong JSON type, unknown or
    /// missing member); false when a value of the right type breaks a constraint (length,
    /// count, pattern, enum, range).
    pub fn is_type_error(&self) -> bool {
        matches!(
            self.kind,
            ShapeIssueKind::WrongType { .. }
                | ShapeIssueKind::UnknownMember { .. }
                | ShapeIssueKind::MissingRequired { .. }
        )
    }
}

impl fmt::Display for ShapeIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str("(root): ")?;
        } else {
            write!(f, "{}: ", self.path)?;
        }
        let what = if self.on_key { "key" } else { "value" };
        match &self.kind {
            ShapeIssueKind::WrongType { expected, found } => {
                write!(
                    f,
                    "expected {} {expected}, found {found}",
                    article(expected)
                )
            }
            ShapeIssueKind::UnknownMember { name, allowed } => {
                write!(f, "unknown field {}", Quoted(name))?;
                if let Some(near) = allowed.iter().find(|a| a.eq_ignore_ascii_case(name)) {
                    write!(f, " (did you mean {}?)", Quoted(near))?;
                }
                f.write_str(", must be one of: ")?;
                write_list(f, allowed)
            }
            ShapeIssueKind::MissingRequired { name } => {
                write!(f, "missing required field {}", Quoted(name))
            }
            ShapeIssueKind::TooShort { min, len } => {
                write!(
                    f,
                    "{what} is {len} {} long (at least {min})",
                    plural(*len, "character", "characters")
                )
            }
            ShapeIssueKind::TooLong { max, len } => {
                write!(
                    f,
                    "{what} is {len} {} long (at most {max})",
                    plural(*len, "character", "characters")
                )
            }
            ShapeIssueKind::TooFewItems { min, len } => {
                write!(
                    f,
                    "has {len} {} (at least {min})",
                    plural(*len, "item", "items")
                )
            }
            ShapeIssueKind::TooManyItems { max, len } => {
                write!(
                    f,
                    "has {len} {} (at most {max})",
                    plural(*len, "item", "items")
                )
            }
            ShapeIssueKind::PatternMismatch {
                pattern,
                offending,
                value,
            } => {
                write!(f, "{} contains ", Quoted(value))?;
                if offending.is_control() || (offending.is_whitespace() && *offending != ' ') {
                    write!(f, "U+{:04X}", u32::from(*offending))?;
                } else {
                    write!(f, "`{offending}`")?;
                }
                write!(f, " (allowed: {pattern})")
            }
            ShapeIssueKind::NotInEnum { allowed, value } => {
                write!(f, "{} is not one of: ", Quoted(value))?;
                write_list(f, allowed)
            }
            ShapeIssueKind::OutOfRange { min, max, value } => {
                write!(f, "{value} is out of range (")?;
                match (min, max) {
                    (Some(min), Some(max)) => write!(f, "{min}..={max}")?,
                    (Some(min), None) => write!(f, "at least {min}")?,
                    (None, Some(max)) => write!(f, "at most {max}")?,
                    (None, None) => f.write_str("unbounded")?,
                }
                f.write_str(")")
            }
        }
    }
}

/// A string as a JSON literal, so that quotes and control chars in the document stay readable.
struct Quoted<'a>(&'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        validate::write_json_string(f, self.0)
    }
}

fn write_list(f: &mut fmt::Formatter<'_>, items: &[&str]) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        f.write_str(item)?;
    }
    Ok(())
}

fn article(noun: &str) -> &'static str {
    match noun.as_bytes().first() {
        Some(b'a' | b'e' | b'i' | b'o' | b'u') => "an",
        _ => "a",
    }
}

fn plural(n: u32, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

#[cfg(test)]
mod tests;
