//! Terraform values as xacct evaluates them: each with the file and span it is written at, a
//! string with the offset of each of its bytes where known (for JSON written in it), a JSON
//! document kept as the structure it was built from (`jsonencode`, a policy document's
//! `.json`), and values known only once applied as placeholders (`${aws_kms_key.k.key_id}`,
//! see `xacct_model::symbol`): never equal to anything but themselves, an unknown account or
//! region for every rule.

use std::borrow::Cow;

use xacct_syntax::json::{Member, Node, Value};
use xacct_syntax::Span;

/// Where a value is written: a file of the run (an index the loader gives) and a span in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct At {
    /// The file.
    pub file: u32,
    /// The span.
    pub span: Span,
}

/// A value.
#[derive(Clone, Debug)]
pub struct Val {
    /// Where it is written.
    pub at: At,
    /// What it is.
    pub v: V,
}

/// What a value is.
#[derive(Clone, Debug)]
pub enum V {
    /// `null`, or absent.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number.
    Number(f64),
    /// A string, with the offset in its file of each byte when known (`map[len]` is the end).
    Str(String, Option<Vec<u32>>),
    /// A list, tuple or set.
    List(Vec<Val>),
    /// A map or object: (key, key's place, value), in order.
    Map(Vec<(String, At, Val)>),
    /// A string of JSON made from a value (`jsonencode`, a policy document's `.json`): the
    /// value it encodes, with its spans.
    Json(Box<Val>),
    /// Known only once applied, or not to be known here: the placeholder's name.
    Unknown(String),
}

impl Val {
    /// A value at `at`.
    pub fn new(at: At, v: V) -> Val {
        Val { at, v }
    }

    /// A string with no known byte offsets.
    pub fn str(at: At, s: impl Into<String>) -> Val {
        Val::new(at, V::Str(s.into(), None))
    }

    /// An unknown value named `name`.
    pub fn unknown(at: At, name: impl Into<String>) -> Val {
        Val::new(at, V::Unknown(name.into()))
    }

    /// True for `null`.
    pub fn is_null(&self) -> bool {
        matches!(self.v, V::Null)
    }

    /// True when the value or anything in it is unknown.
    pub fn has_unknown(&self) -> bool {
        match &self.v {
            V::Unknown(_) => true,
            V::Str(s, _) => xacct_model::symbol::contains_placeholder(s),
            V::List(items) => items.iter().any(Val::has_unknown),
            V::Map(members) => members.iter().any(|(_, _, v)| v.has_unknown()),
            V::Json(inner) => inner.has_unknown(),
            _ => false,
        }
    }

    /// The value as text, as Terraform converts a primitive to a string (`true`, `3`), with
    /// placeholders for what is unknown; `None` for collections and `null`.
    pub fn text(&self) -> Option<Cow<'_, str>> {
        match &self.v {
            V::Str(s, _) => Some(Cow::Borrowed(s)),
            V::Bool(b) => Some(Cow::Owned(b.to_string())),
            V::Number(n) => Some(Cow::Owned(number_text(*n))),
            V::Unknown(name) => Some(Cow::Owned(xacct_model::symbol::placeholder(name))),
            V::Json(inner) => Some(Cow::Owned(to_json(inner))),
            V::Null | V::List(_) | V::Map(_) => None,
        }
    }

    /// The string, when the value is one that is fully known.
    pub fn known_str(&self) -> Option<&str> {
        match &self.v {
            V::Str(s, _) if !xacct_model::symbol::contains_placeholder(s) => Some(s),
            _ => None,
        }
    }

    /// The member `key` of a map.
    pub fn get(&self, key: &str) -> Option<&Val> {
        match &self.v {
            V::Map(members) => members.iter().find(|(k, _, _)| k == key).map(|(_, _, v)| v),
            _ => None,
        }
    }

    /// The items of a list (a single value that is no list is not one).
    pub fn items(&self) -> &[Val] {
        match &self.v {
            V::List(items) => items,
            _ => &[],
        }
    }

    /// The value placed at `at` when it is written in another file than `at`'s: a value read
    /// through a reference shows at the reference when its own text is elsewhere (its parts
    /// keep theirs, for a document built in another file).
    pub fn at_site(mut self, site: At) -> Val {
        if self.at.file != site.file {
            self.at = site;
            if let V::Str(_, map) = &mut self.v {
                *map = None;
            }
        }
        self
    }
}

/// A number as Terraform prints it: integers without a fraction.
pub fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// The JSON text of a value (as `jsonencode` writes it, placeholders for what is unknown).
pub fn to_json(value: &Val) -> String {
    let mut out = String::new();
    write_json(value, &mut out, 0);
    out
}

fn write_json(value: &Val, out: &mut String, depth: usize) {
    if depth > xacct_syntax::json::MAX_DEPTH {
        out.push_str("null");
        return;
    }
    match &value.v {
        V::Null => out.push_str("null"),
        V::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        V::Number(n) => out.push_str(&number_text(*n)),
        V::Str(s, _) => quote(s, out),
        V::Unknown(name) => quote(&xacct_model::symbol::placeholder(name), out),
        V::Json(inner) => quote(&to_json(inner), out),
        V::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out, depth + 1);
            }
            out.push(']');
        }
        V::Map(members) => {
            out.push('{');
            for (i, (key, _, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                quote(key, out);
                out.push(':');
                write_json(item, out, depth + 1);
            }
            out.push('}');
        }
    }
}

fn quote(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A value as a JSON tree (the model's input type) for `file`: the parts written in `file`
/// keep their spans, the others show at `fallback` (or their nearest part that is in `file`).
pub fn to_node(value: &Val, file: u32, fallback: Span) -> Node<'static> {
    to_node_at(value, file, fallback, 0)
}

fn to_node_at(value: &Val, file: u32, fallback: Span, depth: usize) -> Node<'static> {
    let span = if value.at.file == file {
        value.at.span
    } else {
        fallback
    };
    if depth > xacct_syntax::json::MAX_DEPTH {
        return Node {
            span,
            value: Value::Null,
        };
    }
    let node_value = match &value.v {
        V::Null => Value::Null,
        V::Bool(b) => Value::Bool(*b),
        V::Number(n) => Value::Number(Cow::Owned(number_text(*n))),
        V::Str(s, _) => Value::String(Cow::Owned(s.clone())),
        V::Unknown(name) => Value::String(Cow::Owned(xacct_model::symbol::placeholder(name))),
        V::Json(inner) => Value::String(Cow::Owned(to_json(inner))),
        V::List(items) => Value::Array(
            items
                .iter()
                .map(|i| to_node_at(i, file, span, depth + 1))
                .collect(),
        ),
        V::Map(members) => Value::Object(
            members
                .iter()
                .map(|(key, key_at, item)| Member {
                    key: Cow::Owned(key.clone()),
                    key_span: if key_at.file == file {
                        key_at.span
                    } else {
                        span
                    },
                    value: to_node_at(item, file, span, depth + 1),
                })
                .collect(),
        ),
    };
    Node {
        span,
        value: node_value,
    }
}

/// A JSON tree as a value of `file` (a plan's values, a decoded string).
pub fn from_node(node: &Node<'_>, file: u32, text: Option<&str>, depth: usize) -> Val {
    let at = At {
        file,
        span: node.span,
    };
    if depth > xacct_syntax::json::MAX_DEPTH {
        return Val::new(at, V::Null);
    }
    let v = match &node.value {
        Value::Null => V::Null,
        Value::Bool(b) => V::Bool(*b),
        Value::Number(n) => V::Number(n.parse().unwrap_or(f64::NAN)),
        Value::String(s) => {
            // A JSON string of the file: its bytes map back through its escapes.
            let map = text.and_then(|t| xacct_syntax::json::string_map(t, node.span, s));
            V::Str(s.to_string(), map)
        }
        Value::Array(items) => V::List(
            items
                .iter()
                .map(|i| from_node(i, file, text, depth + 1))
                .collect(),
        ),
        Value::Object(members) => V::Map(
            members
                .iter()
                .map(|m| {
                    (
                        m.key.to_string(),
                        At {
                            file,
                            span: m.key_span,
                        },
                        from_node(&m.value, file, text, depth + 1),
                    )
                })
                .collect(),
        ),
    };
    Val::new(at, v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_text_and_nodes() {
        let at = |s: u32| At {
            file: 0,
            span: Span::new(s, s + 1),
        };
        let value = Val::new(
            at(0),
            V::Map(vec![
                ("a".into(), at(1), Val::str(at(2), "x\"y")),
                ("n".into(), at(3), Val::new(at(4), V::Number(3.0))),
                ("u".into(), at(5), Val::unknown(at(6), "var.x")),
            ]),
        );
        assert_eq!(to_json(&value), r#"{"a":"x\"y","n":3,"u":"${var.x}"}"#);
        let other = Val::new(
            At {
                file: 1,
                span: Span::new(9, 10),
            },
            V::List(vec![Val::str(at(7), "z")]),
        );
        let node = to_node(&other, 1, Span::new(0, 0));
        // A part written in another file shows at its nearest part in this one.
        assert_eq!(node.as_array().unwrap()[0].span, Span::new(9, 10));
    }
}
