//! A strict JSON parser (RFC 8259) that keeps the byte span of every key and value.
//!
//! Why not serde_json: it drops duplicate keys and positions. Why not a generic crate: measured
//! (docs/performance.md, rows (a) and (b): 0.41× serde_json's time), this small parser with `u32`
//! spans and borrowed strings is faster than `serde_json::Value` and reports what a linter needs
//! (duplicates, depth, a span on each error).

use std::borrow::Cow;
use std::collections::HashMap;

use crate::Span;

/// The default bound on nesting: deeper is an error rather than a risk to the stack.
pub const DEFAULT_DEPTH: usize = 256;

/// The most nesting any caller may allow: every recursive pass over a tree (here and in the
/// crates above) is tested at this depth on worker threads with a large stack.
pub const MAX_DEPTH: usize = 1000;

/// Bounds on what one parse may build.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParseLimits {
    /// Arrays and objects nested deeper than this are an error (at most [`MAX_DEPTH`]).
    pub depth: usize,
    /// YAML: the most bytes that aliases may expand into (copies of anchored nodes).
    pub alias_bytes: u64,
}

impl Default for ParseLimits {
    fn default() -> ParseLimits {
        ParseLimits {
            depth: DEFAULT_DEPTH,
            alias_bytes: 16 * 1024 * 1024,
        }
    }
}

/// A value with the span of its text (for strings, the span includes the quotes).
#[derive(Clone, Debug, PartialEq)]
pub struct Node<'s> {
    /// Where the value is in the file.
    pub span: Span,
    /// The value.
    pub value: Value<'s>,
}

/// A JSON value. Strings without escapes borrow from the source text.
#[derive(Clone, Debug, PartialEq)]
pub enum Value<'s> {
    /// `null`
    Null,
    /// `true` or `false`
    Bool(bool),
    /// A number, as written (validated against the JSON grammar, never rounded).
    Number(Cow<'s, str>),
    /// A string, unescaped.
    String(Cow<'s, str>),
    /// An array.
    Array(Vec<Node<'s>>),
    /// An object, members in source order, duplicates kept.
    Object(Vec<Member<'s>>),
}

/// One `"key": value` pair of an object.
#[derive(Clone, Debug, PartialEq)]
pub struct Member<'s> {
    /// The key, unescaped.
    pub key: Cow<'s, str>,
    /// The span of the key including its quotes.
    pub key_span: Span,
    /// The value.
    pub value: Node<'s>,
}

/// The same key twice in one object: the later value is the one AWS tools use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuplicateKey {
    /// The key.
    pub key: String,
    /// The earlier occurrence (its value is silently dropped by most tools).
    pub first: Span,
    /// The later occurrence.
    pub second: Span,
}

/// A parsed JSON file.
#[derive(Clone, Debug, PartialEq)]
pub struct Document<'s> {
    /// The top-level value.
    pub root: Node<'s>,
    /// Every duplicated key, in source order of the later occurrence.
    pub duplicates: Vec<DuplicateKey>,
    /// The span of a leading UTF-8 byte-order mark, which JSON forbids (RFC 8259 §8.1).
    pub bom: Option<Span>,
    /// YAML: where a second document of the stream starts (only the first is read).
    pub rest: Option<Span>,
}

/// What went wrong while parsing.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseErrorKind {
    /// Input ended inside a value.
    #[error("unexpected end of file, expected {expected}")]
    UnexpectedEof {
        /// What would have been valid here.
        expected: &'static str,
    },
    /// A character that cannot start or continue what is being read.
    #[error("unexpected {found}, expected {expected}")]
    Unexpected {
        /// Description of the character found.
        found: String,
        /// What would have been valid here.
        expected: &'static str,
    },
    /// Text after the top-level value.
    #[error("unexpected {found} after the end of the JSON value")]
    TrailingCharacters {
        /// Description of the character found.
        found: String,
    },
    /// An unknown `\x` escape or a bad `\u` sequence.
    #[error("invalid escape sequence in string")]
    InvalidEscape,
    /// A `\u` escape of a lone UTF-16 surrogate.
    #[error("`\\u` escape is a lone UTF-16 surrogate")]
    LoneSurrogate,
    /// A raw control character (U+0000–U+001F) inside a string.
    #[error("control character U+{0:04X} must be escaped in a string")]
    ControlCharacter(u32),
    /// A string that is never closed.
    #[error("string is never closed")]
    UnterminatedString,
    /// A string that runs past a typographic quote (`”`, pasted from a web page or a word
    /// processor) to the end of the line: the quote was meant to close it.
    #[error("typographic quote `{0}` cannot close a JSON string; use a plain `\"`")]
    TypographicQuote(char),
    /// A malformed number such as `01`, `1.` or `-`.
    #[error("invalid number")]
    InvalidNumber,
    /// Arrays and objects nested deeper than the limit.
    #[error("nesting is deeper than {limit} levels")]
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// Malformed YAML, in the YAML parser's words.
    #[error("{0}")]
    Yaml(String),
    /// YAML aliases that would expand into more bytes than the limit.
    #[error("aliases expand into more than {limit} bytes")]
    AliasExpansion {
        /// The limit, in bytes.
        limit: u64,
    },
}

/// A parse error with the span of the fault.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{kind}")]
pub struct ParseError {
    /// What went wrong.
    pub kind: ParseErrorKind,
    /// Where.
    pub span: Span,
}

/// Parses a whole file as one JSON value, within the default limits.
pub fn parse(text: &str) -> Result<Document<'_>, ParseError> {
    parse_with(text, &ParseLimits::default())
}

/// Parses a whole file as one JSON value; nesting deeper than `limits.depth` (itself capped at
/// [`MAX_DEPTH`]) is an error.
pub fn parse_with<'s>(text: &'s str, limits: &ParseLimits) -> Result<Document<'s>, ParseError> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        depth: 0,
        max_depth: limits.depth.min(MAX_DEPTH),
        duplicates: Vec::new(),
        members: Vec::new(),
        items: Vec::new(),
    };
    let bom = if text.starts_with('\u{feff}') {
        parser.pos = 3;
        Some(Span::new(0, 3))
    } else {
        None
    };
    parser.skip_whitespace();
    let root = parser.value()?;
    parser.skip_whitespace();
    if parser.pos < parser.bytes.len() {
        return Err(parser.error_here(|found| ParseErrorKind::TrailingCharacters { found }));
    }
    Ok(Document {
        root,
        duplicates: parser.duplicates,
        bom,
        rest: None,
    })
}

/// Where the string that runs from `from` stops being plain: the first `"`, `\` or
/// control character (below U+0020) at or after `from`, or the end.
///
/// Eight bytes at a time (a JSON file is mostly strings): a byte that is zero after XOR with
/// `"` or `\`, or that is below 0x20, sets its high bit in the word's mask. A borrow can set
/// high bits above a match too, never below one, so the lowest set bit is the first match.
fn string_stop(bytes: &[u8], from: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_bytes = |v: u64| v.wrapping_sub(ONES) & !v;
    let mut i = from;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let v = u64::from_le_bytes(word);
        let found = (zero_bytes(v ^ (ONES * u64::from(b'"')))
            | zero_bytes(v ^ (ONES * u64::from(b'\\')))
            | (v.wrapping_sub(ONES * 0x20) & !v))
            & HIGH;
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&b) = bytes.get(i) {
        if b == b'"' || b == b'\\' || b < 0x20 {
            break;
        }
        i += 1;
    }
    i
}

struct Parser<'s> {
    text: &'s str,
    bytes: &'s [u8],
    pos: usize,
    depth: usize,
    max_depth: usize,
    duplicates: Vec<DuplicateKey>,
    /// The members of the objects being read, innermost last: an object's members are moved
    /// into a vector of exactly their number once it closes (growing one per object, member
    /// by member, reallocated most of them along the way).
    members: Vec<Member<'s>>,
    /// The items of the arrays being read, the same way.
    items: Vec<Node<'s>>,
}

impl<'s> Parser<'s> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// An error at the current position describing the character found there.
    fn error_here(&self, kind: impl FnOnce(String) -> ParseErrorKind) -> ParseError {
        let rest = &self.text[self.pos..];
        let found = match rest.chars().next() {
            Some(c) if c.is_control() || c.is_whitespace() => {
                format!("character U+{:04X}", c as u32)
            }
            Some(c) => format!("`{c}`"),
            None => "end of file".to_string(),
        };
        let len = rest.chars().next().map_or(0, char::len_utf8) as u32;
        ParseError {
            kind: kind(found),
            span: Span::new(self.pos as u32, self.pos as u32 + len),
        }
    }

    fn expected(&self, expected: &'static str) -> ParseError {
        if self.pos >= self.bytes.len() {
            let at = self.bytes.len() as u32;
            return ParseError {
                kind: ParseErrorKind::UnexpectedEof { expected },
                span: Span::empty(at),
            };
        }
        self.error_here(|found| ParseErrorKind::Unexpected { found, expected })
    }

    fn value(&mut self) -> Result<Node<'s>, ParseError> {
        let start = self.pos;
        let value = match self.peek() {
            Some(b'{') => self.object()?,
            Some(b'[') => self.array()?,
            Some(b'"') => Value::String(self.string()?),
            Some(b't') => self.literal("true", Value::Bool(true))?,
            Some(b'f') => self.literal("false", Value::Bool(false))?,
            Some(b'n') => self.literal("null", Value::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            _ => return Err(self.expected("a JSON value")),
        };
        Ok(Node {
            span: Span::new(start as u32, self.pos as u32),
            value,
        })
    }

    fn literal(&mut self, word: &'static str, value: Value<'s>) -> Result<Value<'s>, ParseError> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.expected("a JSON value"))
        }
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > self.max_depth {
            let at = self.pos as u32;
            return Err(ParseError {
                kind: ParseErrorKind::TooDeep {
                    limit: self.max_depth,
                },
                span: Span::new(at, at + 1),
            });
        }
        Ok(())
    }

    fn array(&mut self) -> Result<Value<'s>, ParseError> {
        self.enter()?;
        self.pos += 1;
        let base = self.items.len();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Value::Array(Vec::new()));
        }
        loop {
            self.skip_whitespace();
            let item = self.value()?;
            self.items.push(item);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    break;
                }
                _ => return Err(self.expected("`,` or `]`")),
            }
        }
        self.depth -= 1;
        Ok(Value::Array(self.items.drain(base..).collect()))
    }

    fn object(&mut self) -> Result<Value<'s>, ParseError> {
        self.enter()?;
        self.pos += 1;
        let base = self.members.len();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Value::Object(Vec::new()));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.expected("a string key"));
            }
            let key_start = self.pos as u32;
            let key = self.string()?;
            let key_span = Span::new(key_start, self.pos as u32);
            self.skip_whitespace();
            if self.peek() != Some(b':') {
                return Err(self.expected("`:`"));
            }
            self.pos += 1;
            self.skip_whitespace();
            let value = self.value()?;
            self.members.push(Member {
                key,
                key_span,
                value,
            });
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                _ => return Err(self.expected("`,` or `}`")),
            }
        }
        self.depth -= 1;
        let members: Vec<Member<'s>> = self.members.drain(base..).collect();
        self.find_duplicates(&members);
        Ok(Value::Object(members))
    }

    fn find_duplicates(&mut self, members: &[Member<'s>]) {
        // Objects in AWS documents are small: a quadratic scan beats hashing below ~16 keys.
        if members.len() < 16 {
            for (i, later) in members.iter().enumerate() {
                if let Some(earlier) = members[..i].iter().rev().find(|m| m.key == later.key) {
                    self.duplicates.push(DuplicateKey {
                        key: later.key.to_string(),
                        first: earlier.key_span,
                        second: later.key_span,
                    });
                }
            }
        } else {
            let mut seen: HashMap<&str, Span> = HashMap::with_capacity(members.len());
            for member in members {
                if let Some(first) = seen.insert(&member.key, member.key_span) {
                    self.duplicates.push(DuplicateKey {
                        key: member.key.to_string(),
                        first,
                        second: member.key_span,
                    });
                }
            }
        }
    }

    fn string(&mut self) -> Result<Cow<'s, str>, ParseError> {
        let open = self.pos;
        self.pos += 1;
        let start = self.pos;
        // Fast path: no escapes, borrow the text.
        self.pos = string_stop(self.bytes, self.pos);
        match self.peek() {
            Some(b'"') => {
                let s = &self.text[start..self.pos];
                self.pos += 1;
                return Ok(Cow::Borrowed(s));
            }
            Some(b'\\') => {}
            Some(b) => return Err(self.control_character(open, b)),
            None => return Err(self.unterminated(open)),
        }
        let mut out = String::with_capacity(self.pos - start + 16);
        out.push_str(&self.text[start..self.pos]);
        loop {
            let run = self.pos;
            self.pos = string_stop(self.bytes, self.pos);
            out.push_str(&self.text[run..self.pos]);
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => self.escape(&mut out)?,
                Some(b) => return Err(self.control_character(open, b)),
                None => return Err(self.unterminated(open)),
            }
        }
    }

    fn control_character(&self, open: usize, b: u8) -> ParseError {
        if b == b'\n' || b == b'\r' {
            let text = &self.text[open + 1..self.pos];
            let typographic = text
                .char_indices()
                .find(|(_, c)| matches!(c, '\u{201C}' | '\u{201D}'));
            if let Some((i, quote)) = typographic {
                let at = (open + 1 + i) as u32;
                return ParseError {
                    kind: ParseErrorKind::TypographicQuote(quote),
                    span: Span::new(at, at + quote.len_utf8() as u32),
                };
            }
        }
        let at = self.pos as u32;
        ParseError {
            kind: ParseErrorKind::ControlCharacter(b as u32),
            span: Span::new(at, at + 1),
        }
    }

    fn unterminated(&self, open: usize) -> ParseError {
        ParseError {
            kind: ParseErrorKind::UnterminatedString,
            span: Span::new(open as u32, open as u32 + 1),
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), ParseError> {
        let start = self.pos;
        self.pos += 1;
        let invalid = |pos: usize| ParseError {
            kind: ParseErrorKind::InvalidEscape,
            span: Span::new(start as u32, pos as u32),
        };
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let high = self
                    .hex4()
                    .ok_or_else(|| invalid(self.pos.min(self.bytes.len())))?;
                let c = if (0xD800..0xDC00).contains(&high) {
                    let low = if self.bytes[self.pos..].starts_with(b"\\u") {
                        self.pos += 2;
                        self.hex4()
                            .ok_or_else(|| invalid(self.pos.min(self.bytes.len())))?
                    } else {
                        0
                    };
                    if !(0xDC00..0xE000).contains(&low) {
                        return Err(ParseError {
                            kind: ParseErrorKind::LoneSurrogate,
                            span: Span::new(start as u32, self.pos as u32),
                        });
                    }
                    char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
                } else {
                    char::from_u32(high)
                };
                let c = c.ok_or(ParseError {
                    kind: ParseErrorKind::LoneSurrogate,
                    span: Span::new(start as u32, self.pos as u32),
                })?;
                out.push(c);
                return Ok(());
            }
            _ => {
                let end = (self.pos
                    + self.text[self.pos..]
                        .chars()
                        .next()
                        .map_or(0, char::len_utf8))
                .min(self.bytes.len());
                return Err(invalid(end));
            }
        };
        self.pos += 1;
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.bytes.get(self.pos..self.pos + 4)?;
        let mut value = 0u32;
        for &d in digits {
            value = value * 16 + (d as char).to_digit(16)?;
        }
        self.pos += 4;
        Some(value)
    }

    fn number(&mut self) -> Result<Value<'s>, ParseError> {
        let start = self.pos;
        let invalid = |end: usize| ParseError {
            kind: ParseErrorKind::InvalidNumber,
            span: Span::new(start as u32, end.max(start + 1) as u32),
        };
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                if let Some(b'0'..=b'9') = self.peek() {
                    return Err(invalid(self.pos + 1));
                }
            }
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(invalid(self.pos)),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(invalid(self.pos));
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(invalid(self.pos));
            }
            self.digits();
        }
        Ok(Value::Number(Cow::Borrowed(&self.text[start..self.pos])))
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }
}

/// Parses JSON held inside a JSON string, as `aws s3api get-bucket-policy` and
/// `aws kms get-key-policy` print policies: `{"Policy": "{\"Version\": …}"}`. A body that is
/// URL-encoded JSON (`%7B%22Version%22…`, as the IAM API returns policy documents) is decoded
/// too.
///
/// `string_span` is the span of the string node in `outer` (quotes included). Every span of the
/// result, and of an error, points at the bytes of `outer` that produced it, escapes included, so
/// a finding lands on the exact character the user sees in the file.
pub fn parse_embedded(
    outer: &str,
    string_span: Span,
    limits: &ParseLimits,
) -> Result<Document<'static>, ParseError> {
    let raw_start = string_span.start as usize + 1;
    let raw_end = (string_span.end as usize).saturating_sub(1).max(raw_start);
    let raw = outer.get(raw_start..raw_end).unwrap_or("");
    let (mut inner, mut map) = unescape_with_map(raw, raw_start as u32);
    if is_url_encoded_json(&inner) {
        match url_decode_with_map(&inner, &map) {
            Ok((decoded, decoded_map)) => {
                inner = decoded;
                map = decoded_map;
            }
            Err(at) => {
                return Err(not_utf8_escapes(Span::new(
                    map[at],
                    map[(at + 3).min(map.len() - 1)],
                )))
            }
        }
    }
    parse_mapped(&inner, &map, limits)
}

/// Parses JSON held in a string whose bytes cannot be mapped back one by one (a YAML scalar,
/// folded or escaped its own way): every span of the result, and of an error, is `span`, the
/// string's. A URL-encoded body is decoded first.
pub fn parse_detached(
    value: &str,
    span: Span,
    limits: &ParseLimits,
) -> Result<Document<'static>, ParseError> {
    if is_url_encoded_json(value) {
        let map: Vec<u32> = (0..=value.len() as u32).collect();
        let (decoded, _) = url_decode_with_map(value, &map).map_err(|_| not_utf8_escapes(span))?;
        return parse_moved(&decoded, limits, &|_| span);
    }
    parse_moved(value, limits, &|_| span)
}

/// The error of URL-encoded text whose escapes do not make UTF-8.
fn not_utf8_escapes(span: Span) -> ParseError {
    ParseError {
        kind: ParseErrorKind::Unexpected {
            found: "a percent-escape that is not UTF-8".to_string(),
            expected: "URL-encoded UTF-8 JSON",
        },
        span,
    }
}

/// Where each byte of `value` comes from in `text`, when the source at `span` is a string
/// that reads as exactly `value`: a JSON or YAML double-quoted string (JSON escapes), a YAML
/// single-quoted string, a YAML literal block (`|`), or a plain scalar. `map[i]` is the offset
/// of the character that produced byte `i`, `map[len]` the end. `None` for anything else (a
/// folded block, a value an intrinsic function made): spans cannot then be exact.
pub fn string_map(text: &str, span: Span, value: &str) -> Option<Vec<u32>> {
    let (made, map) = read_string(text, span)?;
    // A literal block's final line breaks depend on its chomping: what is read must start the
    // same and differ only by them.
    let matches = made == value
        || (made.starts_with(value) && made[value.len()..].bytes().all(|b| b == b'\n'));
    if !matches {
        return None;
    }
    let mut map = map;
    let end = map.get(value.len()).copied();
    map.truncate(value.len());
    map.push(end.unwrap_or_else(|| map.last().map_or(span.start, |&m| m + 1)));
    Some(map)
}

/// The string the source at `span` reads as, with the offset of each byte (see
/// [`string_map`]): quoted strings, YAML literal blocks (a span at the `|`, or at the block's
/// first content line, as the YAML parser gives it), plain scalars.
pub fn read_string(text: &str, span: Span) -> Option<(String, Vec<u32>)> {
    let source = text.get(span.range())?;
    let base = span.start;
    Some(match source.as_bytes().first()? {
        b'"' => {
            let raw = source.strip_prefix('"')?.strip_suffix('"')?;
            unescape_with_map(raw, base + 1)
        }
        b'\'' => {
            let raw = source.strip_prefix('\'')?.strip_suffix('\'')?;
            let mut made = String::with_capacity(raw.len());
            let mut map = Vec::with_capacity(raw.len() + 1);
            let mut chars = raw.char_indices().peekable();
            while let Some((at, c)) = chars.next() {
                if c == '\'' && chars.peek().map(|(_, n)| *n) == Some('\'') {
                    chars.next();
                }
                made.push(c);
                map.extend(std::iter::repeat_n(base + 1 + at as u32, c.len_utf8()));
            }
            map.push(base + 1 + raw.len() as u32);
            (made, map)
        }
        b'|' => {
            let header_end = source.find('\n')?;
            let header = source[..header_end]
                .split('#')
                .next()
                .unwrap_or("")
                .trim_end();
            let explicit = header
                .bytes()
                .find(u8::is_ascii_digit)
                .map(|d| usize::from(d - b'0'));
            literal_block(text, base + header_end as u32 + 1, span.end, explicit)?
        }
        _ => match block_body(text, span) {
            Some(read) => read,
            None => (
                source.to_string(),
                (base..=base + source.len() as u32).collect(),
            ),
        },
    })
}

/// A literal block whose span starts at its first content line: the line before ends with
/// the `|` header, and the span starts after the line's indentation.
fn block_body(text: &str, span: Span) -> Option<(String, Vec<u32>)> {
    let start = span.start as usize;
    let line_start = text.get(..start)?.rfind('\n').map_or(0, |i| i + 1);
    if line_start == 0 || !text[line_start..start].bytes().all(|b| b == b' ') {
        return None;
    }
    let previous = text[..line_start - 1].rsplit('\n').next().unwrap_or("");
    let header = previous.split(" #").next().unwrap_or("").trim_end();
    let indicator = header.rsplit(' ').next().unwrap_or("");
    let rest = indicator.strip_prefix('|')?;
    if !rest
        .bytes()
        .all(|b| b == b'-' || b == b'+' || b.is_ascii_digit())
    {
        return None;
    }
    literal_block(text, line_start as u32, span.end, Some(start - line_start))
}

/// The lines of a literal block from `from` (the start of its first content line) to `end`,
/// each less `indent` spaces (the first content line's when not given), with the offset of
/// each byte.
fn literal_block(
    text: &str,
    from: u32,
    end: u32,
    indent: Option<usize>,
) -> Option<(String, Vec<u32>)> {
    let body = text.get(from as usize..(end as usize).max(from as usize))?;
    let indent = indent.unwrap_or_else(|| {
        body.lines()
            .find(|l| !l.trim().is_empty())
            .map_or(0, |l| l.len() - l.trim_start_matches(' ').len())
    });
    let mut made = String::with_capacity(body.len());
    let mut map = Vec::with_capacity(body.len() + 1);
    let mut at = from as usize;
    for line in body.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if bare.len() < indent && !bare.trim().is_empty() {
            // Less indented than the block: the block ends before it.
            break;
        }
        let content = line.get(indent.min(line.len())..).unwrap_or("");
        let skip = line.len() - content.len();
        for (i, c) in content.char_indices() {
            made.push(c);
            map.extend(std::iter::repeat_n((at + skip + i) as u32, c.len_utf8()));
        }
        at += line.len();
    }
    map.push(at as u32);
    Some((made, map))
}

/// Parses JSON held in a string of `text` whose bytes `map` places (see [`string_map`]).
pub fn parse_in_place(
    value: &str,
    map: &[u32],
    limits: &ParseLimits,
) -> Result<Document<'static>, ParseError> {
    parse_mapped(value, map, limits)
}

/// True when a string body is URL-encoded JSON: it opens with `%7B` (`{`) after blanks.
pub fn is_url_encoded_json(inner: &str) -> bool {
    let rest = inner.trim_start();
    rest.get(..3)
        .is_some_and(|head| head.eq_ignore_ascii_case("%7b"))
}

/// Parses `inner`, whose byte `i` came from offset `map[i]` of the outer text (`map[len]` is
/// the end), and moves every span there.
fn parse_mapped(
    inner: &str,
    map: &[u32],
    limits: &ParseLimits,
) -> Result<Document<'static>, ParseError> {
    parse_moved(inner, limits, &|span: Span| {
        Span::new(map[span.start as usize], map[span.end as usize])
    })
}

/// Parses `inner` and moves every span of the result, and of an error, with `to_outer`.
fn parse_moved(
    inner: &str,
    limits: &ParseLimits,
    to_outer: &dyn Fn(Span) -> Span,
) -> Result<Document<'static>, ParseError> {
    match parse_with(inner, limits) {
        Ok(doc) => Ok(Document {
            root: remap(doc.root, &to_outer),
            duplicates: doc
                .duplicates
                .into_iter()
                .map(|d| DuplicateKey {
                    key: d.key,
                    first: to_outer(d.first),
                    second: to_outer(d.second),
                })
                .collect(),
            bom: doc.bom.map(to_outer),
            rest: None,
        }),
        Err(e) => Err(ParseError {
            kind: e.kind,
            span: to_outer(e.span),
        }),
    }
}

/// Decodes `%XX` escapes (RFC 3986; `+` stays `+`), carrying the map of `text` along: a
/// decoded byte maps to where its escape starts. Fails (with the index of the escape) when
/// the decoded bytes are not UTF-8.
fn url_decode_with_map(text: &str, map: &[u32]) -> Result<(String, Vec<u32>), usize> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut out_map = Vec::with_capacity(bytes.len() + 1);
    let hex = |b: u8| (b as char).to_digit(16);
    let mut i = 0;
    while i < bytes.len() {
        match (
            bytes[i],
            bytes.get(i + 1).and_then(|&b| hex(b)),
            bytes.get(i + 2).and_then(|&b| hex(b)),
        ) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                out_map.push(map[i]);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                out_map.push(map[i]);
                i += 1;
            }
        }
    }
    out_map.push(map[bytes.len()]);
    match String::from_utf8(out) {
        Ok(decoded) => Ok((decoded, out_map)),
        Err(e) => {
            // The escape that produced the first bad byte.
            let bad = e.utf8_error().valid_up_to();
            let at = map.iter().position(|&m| m == out_map[bad]).unwrap_or(0);
            Err(at)
        }
    }
}

/// Decodes the escapes of a JSON string body; `map[i]` is the outer offset of the escape or
/// character that produced inner byte `i`, and `map[len]` the offset just past the body.
/// The body was validated by the outer parse, so escapes are well formed; anything else is kept.
fn unescape_with_map(raw: &str, base: u32) -> (String, Vec<u32>) {
    let mut inner = String::with_capacity(raw.len());
    let mut map = Vec::with_capacity(raw.len() + 1);
    let bytes = raw.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let at = base + i as u32;
        let (c, len) = if bytes[i] == b'\\' && i + 1 < bytes.len() {
            match bytes[i + 1] {
                b'u' => {
                    let hex = |from: usize| {
                        raw.get(from..from + 4)
                            .and_then(|h| u32::from_str_radix(h, 16).ok())
                    };
                    match hex(i + 2) {
                        Some(high @ 0xD800..=0xDBFF) if raw.get(i + 6..i + 8) == Some("\\u") => {
                            let low = hex(i + 8).unwrap_or(0);
                            let c = char::from_u32(
                                0x10000
                                    + ((high - 0xD800) << 10)
                                    + (low.wrapping_sub(0xDC00) & 0x3FF),
                            );
                            (c.unwrap_or('\u{FFFD}'), 12)
                        }
                        Some(code) => (char::from_u32(code).unwrap_or('\u{FFFD}'), 6),
                        None => ('\\', 1),
                    }
                }
                b'n' => ('\n', 2),
                b't' => ('\t', 2),
                b'r' => ('\r', 2),
                b'b' => ('\u{8}', 2),
                b'f' => ('\u{c}', 2),
                other => (other as char, 2),
            }
        } else {
            let c = raw[i..].chars().next().unwrap_or('\u{FFFD}');
            (c, c.len_utf8())
        };
        inner.push(c);
        map.extend(std::iter::repeat_n(at, c.len_utf8()));
        i += len.min(bytes.len() - i).max(1);
    }
    map.push(base + raw.len() as u32);
    (inner, map)
}

fn remap(node: Node<'_>, to_outer: &impl Fn(Span) -> Span) -> Node<'static> {
    let value = match node.value {
        Value::Null => Value::Null,
        Value::Bool(b) => Value::Bool(b),
        Value::Number(n) => Value::Number(Cow::Owned(n.into_owned())),
        Value::String(s) => Value::String(Cow::Owned(s.into_owned())),
        Value::Array(items) => {
            Value::Array(items.into_iter().map(|n| remap(n, to_outer)).collect())
        }
        Value::Object(members) => Value::Object(
            members
                .into_iter()
                .map(|m| Member {
                    key: Cow::Owned(m.key.into_owned()),
                    key_span: to_outer(m.key_span),
                    value: remap(m.value, to_outer),
                })
                .collect(),
        ),
    };
    Node {
        span: to_outer(node.span),
        value,
    }
}

impl<'s> Node<'s> {
    /// A copy that owns its strings.
    pub fn to_static(&self) -> Node<'static> {
        let value = match &self.value {
            Value::Null => Value::Null,
            Value::Bool(b) => Value::Bool(*b),
            Value::Number(n) => Value::Number(Cow::Owned(n.to_string())),
            Value::String(s) => Value::String(Cow::Owned(s.to_string())),
            Value::Array(items) => Value::Array(items.iter().map(Node::to_static).collect()),
            Value::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|m| Member {
                        key: Cow::Owned(m.key.to_string()),
                        key_span: m.key_span,
                        value: m.value.to_static(),
                    })
                    .collect(),
            ),
        };
        Node {
            span: self.span,
            value,
        }
    }

    /// The string value, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The members, if this is an object.
    pub fn as_object(&self) -> Option<&[Member<'s>]> {
        match &self.value {
            Value::Object(members) => Some(members),
            _ => None,
        }
    }

    /// The items, if this is an array.
    pub fn as_array(&self) -> Option<&[Node<'s>]> {
        match &self.value {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The member with this key; with duplicates, the last one (as AWS tools read it).
    pub fn member(&self, key: &str) -> Option<&Member<'s>> {
        self.as_object()?.iter().rev().find(|m| m.key == key)
    }

    /// The value of the member with this key (the last one if duplicated).
    pub fn get(&self, key: &str) -> Option<&Node<'s>> {
        self.member(key).map(|m| &m.value)
    }

    /// "object", "array", "string", "number", "boolean" or "null", for messages.
    pub fn kind_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }
}

#[cfg(test)]
mod tests;
