//! YAML into the same spanned tree as JSON ([`json::Node`]), for CloudFormation templates.
//!
//! Events come from `saphyr-parser` (a YAML 1.2 parser that reports a span per event, in
//! characters); this module builds the tree, converts positions to bytes and turns
//! CloudFormation's short-form tags into their long forms, so that everything after parsing
//! sees one shape whatever the file was written in:
//!
//! - `!Ref X` becomes `{"Ref": "X"}`, `!Condition X` becomes `{"Condition": "X"}`, and every
//!   other short form `!Name v` becomes `{"Fn::Name": v}`;
//! - `!GetAtt A.B` becomes `{"Fn::GetAtt": ["A", "B"]}`, each part with its own span.
//!
//! The member key of a converted tag spans the tag (`!Sub`), the value spans what follows it, and
//! the object spans both. Aliases are expanded into copies of the anchored node, which keep the
//! anchor's spans (that is where the text is); a budget on the copies defuses "billion laughs"
//! files. Plain scalars follow the YAML 1.2 core schema (`null`, `true`, numbers); numbers keep
//! their text, so `012345678901` is never rounded or stripped of its zero.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Tag};

use crate::json::{
    Document, DuplicateKey, Member, Node, ParseError, ParseErrorKind, ParseLimits, Value, MAX_DEPTH,
};
use crate::Span;

/// What an alias copy of a node costs, in bytes: its nodes and members, and its strings.
fn weight(node: &Node<'_>) -> u64 {
    let own = std::mem::size_of::<Node<'_>>() as u64;
    own + match &node.value {
        Value::String(s) | Value::Number(s) => s.len() as u64,
        Value::Array(items) => items.iter().map(weight).sum(),
        Value::Object(members) => members
            .iter()
            .map(|m| m.key.len() as u64 + weight(&m.value))
            .sum(),
        Value::Null | Value::Bool(_) => 0,
    }
}

/// The CloudFormation short-form tags and the long-form key each stands for.
const CFN_TAGS: &[(&str, &str)] = &[
    ("Ref", "Ref"),
    ("Condition", "Condition"),
    ("Sub", "Fn::Sub"),
    ("GetAtt", "Fn::GetAtt"),
    ("Join", "Fn::Join"),
    ("Select", "Fn::Select"),
    ("Split", "Fn::Split"),
    ("If", "Fn::If"),
    ("Equals", "Fn::Equals"),
    ("Not", "Fn::Not"),
    ("And", "Fn::And"),
    ("Or", "Fn::Or"),
    ("FindInMap", "Fn::FindInMap"),
    ("ImportValue", "Fn::ImportValue"),
    ("Base64", "Fn::Base64"),
    ("Cidr", "Fn::Cidr"),
    ("GetAZs", "Fn::GetAZs"),
    ("Transform", "Fn::Transform"),
    ("ToJsonString", "Fn::ToJsonString"),
    ("Length", "Fn::Length"),
];

/// The flow nesting saphyr's scanner allows (it stops deeper flow collections itself).
const SCANNER_DEPTH: usize = 255;

/// Parses the first YAML document of `text` (CloudFormation templates hold one), within the
/// default limits.
pub fn parse(text: &str) -> Result<Document<'_>, ParseError> {
    parse_with(text, &ParseLimits::default())
}

/// Parses the first YAML document of `text`; [`Document::rest`] says where a second one starts.
pub fn parse_with<'s>(text: &'s str, limits: &ParseLimits) -> Result<Document<'s>, ParseError> {
    let positions = Positions::new(text);
    let mut builder = Builder {
        text,
        stack: Vec::new(),
        anchors: HashMap::new(),
        alias_bytes: 0,
        limits: ParseLimits {
            depth: limits.depth.min(MAX_DEPTH),
            ..*limits
        },
        duplicates: Vec::new(),
        root: None,
    };
    let bom = text.starts_with('\u{feff}').then(|| Span::new(0, 3));
    let error = |e: saphyr_parser::ScanError| {
        let at = positions.byte(e.marker().index());
        // The scanner bounds flow nesting itself; say it as for block nesting.
        let kind = match e.info() {
            "recursion limit exceeded" => ParseErrorKind::TooDeep {
                limit: SCANNER_DEPTH.min(builder_depth(limits)),
            },
            info => ParseErrorKind::Yaml(info.to_string()),
        };
        ParseError {
            kind,
            span: Span::new(at, positions.next_char_end(at)),
        }
    };
    let bytes = |span: saphyr_parser::Span| {
        Span::new(
            positions.byte(span.start.index()),
            positions.byte(span.end.index()),
        )
    };
    let mut events = Parser::new_from_str(text);
    for item in events.by_ref() {
        let (event, span) = item.map_err(error)?;
        if builder.event(event, bytes(span))? {
            break;
        }
    }
    // A second document: its start, unless it is empty (a trailing `---`). Its faults are not
    // the first document's: a scan error here only ends the look.
    let mut rest = None;
    if let Some(Ok((Event::DocumentStart(_), start))) = events.next() {
        let empty = matches!(
            events.next(),
            Some(Ok((Event::Scalar(ref v, ScalarStyle::Plain, 0, None), _))) if v.is_empty()
        ) && matches!(events.next(), Some(Ok((Event::DocumentEnd, _))) | None);
        if !empty {
            let at = bytes(start);
            rest = Some(Span::new(at.start, positions.next_char_end(at.start)));
        }
    }
    let root = builder.root.unwrap_or(Node {
        span: Span::empty(bom.map_or(0, |b| b.end)),
        value: Value::Null,
    });
    // YAML allows a byte-order mark (JSON does not): it is no finding here.
    Ok(Document {
        root,
        duplicates: builder.duplicates,
        bom: None,
        rest,
    })
}

fn builder_depth(limits: &ParseLimits) -> usize {
    limits.depth.min(MAX_DEPTH)
}

/// Character index → byte offset. The parser counts characters; spans are bytes.
struct Positions<'s> {
    text: &'s str,
    ascii: bool,
    /// Byte offset of every `STRIDE`-th character, so a lookup walks at most `STRIDE` of them.
    checkpoints: Vec<u32>,
}

const STRIDE: usize = 256;

impl<'s> Positions<'s> {
    fn new(text: &'s str) -> Positions<'s> {
        let ascii = text.is_ascii();
        let checkpoints = if ascii {
            Vec::new()
        } else {
            text.char_indices()
                .step_by(STRIDE)
                .map(|(byte, _)| byte as u32)
                .collect()
        };
        Positions {
            text,
            ascii,
            checkpoints,
        }
    }

    fn byte(&self, char_index: usize) -> u32 {
        let len = self.text.len() as u32;
        if self.ascii {
            return (char_index.min(u32::MAX as usize) as u32).min(len);
        }
        let Some(&from) = self.checkpoints.get(char_index / STRIDE) else {
            return len;
        };
        let tail = self.text.get(from as usize..).unwrap_or("");
        let within = tail
            .char_indices()
            .nth(char_index % STRIDE)
            .map_or(tail.len(), |(i, _)| i);
        from + within as u32
    }

    /// The end of the character at byte `at` (for a one-character error span).
    fn next_char_end(&self, at: u32) -> u32 {
        self.text
            .get(at as usize..)
            .and_then(|rest| rest.chars().next())
            .map_or(at, |c| at + c.len_utf8() as u32)
    }
}

/// A collection being built.
enum Frame<'s> {
    Sequence {
        start: Span,
        tag: Option<TagInfo>,
        anchor: usize,
        items: Vec<Node<'s>>,
    },
    Mapping {
        start: Span,
        tag: Option<TagInfo>,
        anchor: usize,
        members: Vec<Member<'s>>,
        key: Option<(Cow<'s, str>, Span)>,
        seen: HashMap<String, Span>,
    },
}

/// A CloudFormation short-form tag and where it is written.
#[derive(Clone, Copy)]
struct TagInfo {
    long: &'static str,
    get_att: bool,
    span: Span,
}

/// Where an anchored node is: a mapping key is kept as a copy (a scalar), anything else is
/// found by its path of child indexes from the root, in the tree being built.
enum Anchor<'s> {
    Key(Node<'s>),
    At(Vec<u32>),
}

struct Builder<'s> {
    text: &'s str,
    stack: Vec<Frame<'s>>,
    anchors: HashMap<usize, Anchor<'s>>,
    /// Bytes copied by aliases so far.
    alias_bytes: u64,
    limits: ParseLimits,
    duplicates: Vec<DuplicateKey>,
    root: Option<Node<'s>>,
}

impl<'s> Frame<'s> {
    /// How many children it has so far: the index of the next one.
    fn len(&self) -> usize {
        match self {
            Frame::Sequence { items, .. } => items.len(),
            Frame::Mapping { members, .. } => members.len(),
        }
    }

    fn child(&self, index: usize) -> Option<&Node<'s>> {
        match self {
            Frame::Sequence { items, .. } => items.get(index),
            Frame::Mapping { members, .. } => members.get(index).map(|m| &m.value),
        }
    }
}

fn child<'n, 's>(node: &'n Node<'s>, index: usize) -> Option<&'n Node<'s>> {
    match &node.value {
        Value::Array(items) => items.get(index),
        Value::Object(members) => members.get(index).map(|m| &m.value),
        _ => None,
    }
}

impl<'s> Builder<'s> {
    /// Handles one event; true when the first document is complete.
    fn event(&mut self, event: Event<'s>, span: Span) -> Result<bool, ParseError> {
        match event {
            Event::StreamStart | Event::DocumentStart(_) | Event::Nothing => {}
            Event::StreamEnd | Event::DocumentEnd => return Ok(self.root.is_some()),
            Event::Alias(id) => {
                let Some(cost) = self.anchored(id).map(weight) else {
                    return Err(ParseError {
                        kind: ParseErrorKind::Yaml("alias to an unknown anchor".to_string()),
                        span,
                    });
                };
                // Counted before the copy is made.
                self.alias_bytes = self.alias_bytes.saturating_add(cost);
                if self.alias_bytes > self.limits.alias_bytes {
                    return Err(ParseError {
                        kind: ParseErrorKind::AliasExpansion {
                            limit: self.limits.alias_bytes,
                        },
                        span,
                    });
                }
                if let Some(node) = self.anchored(id).cloned() {
                    self.push(node, span, 0)?;
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                let tag = self.tag(tag.as_deref(), span);
                let node = self.scalar(value, style, tag.as_ref(), span);
                let whole = Span::new(span.start, node.span.end.max(span.start));
                let node = wrap(node, tag, whole);
                self.push(node, span, anchor)?;
            }
            Event::SequenceStart(anchor, tag) => {
                self.enter(span)?;
                let tag = self.tag(tag.as_deref(), span);
                self.stack.push(Frame::Sequence {
                    start: span,
                    tag,
                    anchor,
                    items: Vec::new(),
                });
            }
            Event::MappingStart(anchor, tag) => {
                self.enter(span)?;
                let tag = self.tag(tag.as_deref(), span);
                self.stack.push(Frame::Mapping {
                    start: span,
                    tag,
                    anchor,
                    members: Vec::new(),
                    key: None,
                    seen: HashMap::new(),
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Ok(false);
                };
                let (start, tag, anchor, value) = match frame {
                    Frame::Sequence {
                        start,
                        tag,
                        anchor,
                        items,
                    } => (start, tag, anchor, Value::Array(items)),
                    Frame::Mapping {
                        start,
                        tag,
                        anchor,
                        members,
                        ..
                    } => (start, tag, anchor, Value::Object(members)),
                };
                let whole = self.collection_span(start, span, &value);
                let inner_start = tag.map_or(whole.start, |t| self.after_tag(t.span.end));
                let node = Node {
                    span: Span::new(inner_start.min(whole.end), whole.end),
                    value,
                };
                let node = wrap(node, tag, whole);
                self.push(node, whole, anchor)?;
            }
        }
        Ok(false)
    }

    /// The node an anchor names, where it sits in the tree being built.
    fn anchored(&self, id: usize) -> Option<&Node<'s>> {
        let path = match self.anchors.get(&id)? {
            Anchor::Key(node) => return Some(node),
            Anchor::At(path) => path,
        };
        // Down the frames still open while the path leads into the child being built, then
        // down finished nodes.
        let mut level = 0;
        let mut node = loop {
            let frame = self.stack.get(level)?;
            let index = *path.get(level)? as usize;
            match index.cmp(&frame.len()) {
                std::cmp::Ordering::Less => break frame.child(index)?,
                std::cmp::Ordering::Equal => level += 1,
                std::cmp::Ordering::Greater => return None,
            }
        };
        for &index in &path[level + 1..] {
            node = child(node, index as usize)?;
        }
        Some(node)
    }

    fn enter(&self, span: Span) -> Result<(), ParseError> {
        if self.stack.len() >= self.limits.depth {
            return Err(ParseError {
                kind: ParseErrorKind::TooDeep {
                    limit: self.limits.depth,
                },
                span: Span::new(span.start, span.start.max(span.end)),
            });
        }
        Ok(())
    }

    /// The span of a finished collection. A flow collection (`[…]`, `{…}`) spans its
    /// brackets; a block collection's events are empty and may sit on the next line, so it
    /// spans from its first `-` or key to the end of its last value.
    fn collection_span(&self, start: Span, end: Span, value: &Value<'s>) -> Span {
        let (first, last) = match value {
            Value::Array(items) => (
                items.first().map(|n| n.span.start),
                items.last().map(|n| n.span.end),
            ),
            Value::Object(members) => (
                members.first().map(|m| m.key_span.start),
                members.last().map(|m| m.value.span.end),
            ),
            _ => (None, None),
        };
        if !end.is_empty() {
            return Span::new(start.start, end.end.max(start.start));
        }
        let dash = self.text.as_bytes().get(start.start as usize) == Some(&b'-');
        let from = if dash {
            start.start
        } else {
            first.unwrap_or(start.start)
        };
        Span::new(from, last.unwrap_or(from).max(from))
    }

    /// The first byte after a tag and the blanks that follow it.
    fn after_tag(&self, tag_end: u32) -> u32 {
        let rest = self.text.get(tag_end as usize..).unwrap_or("");
        let blanks = rest
            .bytes()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
            .count();
        tag_end + blanks as u32
    }

    fn tag(&self, tag: Option<&Tag>, span: Span) -> Option<TagInfo> {
        let tag = tag?;
        if tag.handle != "!" {
            return None;
        }
        let (short, long) = CFN_TAGS.iter().find(|(short, _)| *short == tag.suffix)?;
        // The tag is written where the node starts, after an anchor if there is one.
        // Only an anchor can come first, so a short window suffices (and keeps this linear).
        let window_end = (span.start as usize + 256).min(span.end.max(span.start) as usize + 1);
        let text = self
            .text
            .get(span.start as usize..window_end.min(self.text.len()))
            .or_else(|| self.text.get(span.start as usize..))
            .unwrap_or("");
        let offset = text.find(&format!("!{short}")).unwrap_or(0) as u32;
        let start = span.start + offset;
        Some(TagInfo {
            long,
            get_att: *short == "GetAtt",
            span: Span::new(start, start + 1 + short.len() as u32),
        })
    }

    fn scalar(
        &self,
        value: Cow<'s, str>,
        style: ScalarStyle,
        tag: Option<&TagInfo>,
        span: Span,
    ) -> Node<'s> {
        // The value's own span: after the tag, if any.
        let start = tag.map_or(span.start, |t| self.after_tag(t.span.end).min(span.end));
        let end = match style {
            // saphyr-parser 0.3.4 ends a quoted scalar's span at the end of its line, comment
            // included: end it at its closing quote.
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                closing_quote(self.text, start).map_or(span.end, |end| end.min(span.end))
            }
            _ => span.end,
        };
        let span = Span::new(start, end.max(start));
        if tag.is_some_and(|t| t.get_att) {
            return self.get_att(value, style, span);
        }
        let value = if style == ScalarStyle::Plain && tag.is_none() {
            plain_value(value)
        } else {
            Value::String(value)
        };
        Node { span, value }
    }

    /// `!GetAtt Resource.Attribute`: the attribute is everything after the first dot.
    fn get_att(&self, value: Cow<'s, str>, style: ScalarStyle, span: Span) -> Node<'s> {
        let quote = u32::from(matches!(
            style,
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted
        ));
        let written = self.text.get(span.range()).unwrap_or("");
        // Sub-spans are exact only when the text is written as it reads (no escapes).
        let exact = written.len() == value.len() + 2 * quote as usize;
        let Some(dot) = value.find('.') else {
            return Node {
                span,
                value: Value::Array(vec![Node {
                    span,
                    value: Value::String(value),
                }]),
            };
        };
        let (resource, attribute) = (value[..dot].to_string(), value[dot + 1..].to_string());
        let (resource_span, attribute_span) = if exact {
            let at = span.start + quote + dot as u32;
            (
                Span::new(span.start + quote, at),
                Span::new(at + 1, span.end - quote),
            )
        } else {
            (span, span)
        };
        Node {
            span,
            value: Value::Array(vec![
                Node {
                    span: resource_span,
                    value: Value::String(Cow::Owned(resource)),
                },
                Node {
                    span: attribute_span,
                    value: Value::String(Cow::Owned(attribute)),
                },
            ]),
        }
    }

    /// Adds a finished node to the collection being built, or makes it the root, and
    /// remembers where it is when it carries an anchor.
    fn push(&mut self, node: Node<'s>, span: Span, anchor: usize) -> Result<(), ParseError> {
        if anchor > 0 {
            let is_key = matches!(self.stack.last(), Some(Frame::Mapping { key: None, .. }));
            let place = if is_key {
                Anchor::Key(node.clone())
            } else {
                Anchor::At(self.stack.iter().map(|f| f.len() as u32).collect())
            };
            self.anchors.insert(anchor, place);
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame::Sequence { items, .. }) => items.push(node),
            Some(Frame::Mapping {
                members, key, seen, ..
            }) => match key.take() {
                None => {
                    let text = match node.value {
                        Value::String(s) | Value::Number(s) => s,
                        Value::Bool(b) => Cow::Borrowed(if b { "true" } else { "false" }),
                        Value::Null => Cow::Borrowed(""),
                        Value::Array(_) | Value::Object(_) => {
                            return Err(ParseError {
                                kind: ParseErrorKind::Yaml(
                                    "a mapping key must be a scalar".to_string(),
                                ),
                                span,
                            })
                        }
                    };
                    if let Some(first) = seen.insert(text.to_string(), node.span) {
                        self.duplicates.push(DuplicateKey {
                            key: text.to_string(),
                            first,
                            second: node.span,
                        });
                    }
                    *key = Some((text, node.span));
                }
                Some((key, key_span)) => members.push(Member {
                    key,
                    key_span,
                    value: node,
                }),
            },
        }
        Ok(())
    }
}

/// The end (just past the closing quote) of the quoted scalar that starts at byte `start`.
fn closing_quote(text: &str, start: u32) -> Option<u32> {
    let bytes = text.as_bytes();
    let start = start as usize;
    let quote = *bytes.get(start)?;
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == quote => return Some(i as u32 + 1),
            _ => i += 1,
        }
    }
    None
}

/// Wraps a node in the long form of its CloudFormation tag: `{"Fn::Sub": node}`.
fn wrap<'s>(node: Node<'s>, tag: Option<TagInfo>, whole: Span) -> Node<'s> {
    let Some(tag) = tag else { return node };
    Node {
        span: Span::new(
            tag.span.start.min(whole.start),
            whole.end.max(node.span.end),
        ),
        value: Value::Object(vec![Member {
            key: Cow::Borrowed(tag.long),
            key_span: tag.span,
            value: node,
        }]),
    }
}

/// A plain scalar under the YAML 1.2 core schema.
fn plain_value(text: Cow<'_, str>) -> Value<'_> {
    match &*text {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        t if is_core_number(t) => Value::Number(text),
        _ => Value::String(text),
    }
}

fn is_core_number(t: &str) -> bool {
    let digits = |s: &str, radix: u32| !s.is_empty() && s.chars().all(|c| c.is_digit(radix));
    if let Some(hex) = t.strip_prefix("0x") {
        return digits(hex, 16);
    }
    if let Some(oct) = t.strip_prefix("0o") {
        return digits(oct, 8);
    }
    if matches!(
        t,
        ".inf" | ".Inf" | ".INF" | "-.inf" | "+.inf" | ".nan" | ".NaN" | ".NAN"
    ) {
        return true;
    }
    let unsigned = t.strip_prefix(['-', '+']).unwrap_or(t);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => {
            (digits(int, 10) || int.is_empty())
                && (frac.is_empty() || digits(frac, 10))
                && !(int.is_empty() && frac.is_empty())
        }
        None => digits(mantissa, 10),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e), 10));
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests;
