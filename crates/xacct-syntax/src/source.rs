use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::Span;

/// Index of a file in the set of files of one lint run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A 1-based line and column; the column counts Unicode code points, not bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column, in characters (Unicode scalar values).
    pub column: u32,
}

/// Why a file's bytes are not usable text. Each variant carries the span of the fault.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    /// The file has no bytes, or only whitespace.
    #[error("the file is empty")]
    Empty,
    /// The bytes are not UTF-8.
    #[error("the file is not valid UTF-8 (invalid byte 0x{byte:02x} at offset {offset})")]
    InvalidUtf8 {
        /// Offset of the first invalid byte.
        offset: u32,
        /// The invalid byte.
        byte: u8,
    },
    /// A UTF-16 byte-order mark: typical of PowerShell's `>` redirection.
    #[error("the file is UTF-16 encoded (as PowerShell's `>` writes it); xacct reads UTF-8")]
    Utf16,
    /// NUL bytes or a known binary signature.
    #[error("the file is binary ({what}), not a text document")]
    Binary {
        /// What gave it away (e.g. "PNG image", "NUL byte at offset 12").
        what: String,
    },
    /// Larger than the 4 GiB that `u32` spans can address.
    #[error("the file is too large ({size} bytes; the limit is 4 GiB)")]
    TooLarge {
        /// Size in bytes.
        size: u64,
    },
}

impl SourceError {
    /// Where in the file the fault is.
    pub fn span(&self) -> Span {
        match self {
            SourceError::InvalidUtf8 { offset, .. } => Span::new(*offset, *offset + 1),
            SourceError::Utf16 => Span::new(0, 2),
            SourceError::Binary { .. } | SourceError::Empty | SourceError::TooLarge { .. } => {
                Span::empty(0)
            }
        }
    }
}

/// Turns raw bytes into text, or says precisely why they are not text.
///
/// A UTF-8 byte-order mark is kept in the text (so spans stay byte offsets of the file); the JSON
/// parser reports it.
pub fn decode_source(bytes: Vec<u8>) -> Result<String, (SourceError, Vec<u8>)> {
    if bytes.len() as u64 > u32::MAX as u64 {
        let size = bytes.len() as u64;
        return Err((SourceError::TooLarge { size }, bytes));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err((SourceError::Utf16, bytes));
    }
    if let Some(what) = binary_signature(&bytes) {
        return Err((SourceError::Binary { what }, bytes));
    }
    match String::from_utf8(bytes) {
        Ok(text) => {
            if text.trim_start_matches('\u{feff}').trim().is_empty() {
                Err((SourceError::Empty, text.into_bytes()))
            } else {
                Ok(text)
            }
        }
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let byte = bytes[offset];
            Err((
                SourceError::InvalidUtf8 {
                    offset: offset as u32,
                    byte,
                },
                bytes,
            ))
        }
    }
}

fn binary_signature(bytes: &[u8]) -> Option<String> {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"\x89PNG\r\n\x1a\n", "PNG image"),
        (b"\xff\xd8\xff", "JPEG image"),
        (b"GIF8", "GIF image"),
        (b"%PDF-", "PDF document"),
        (b"PK\x03\x04", "ZIP archive"),
        (b"\x1f\x8b", "gzip archive"),
        (b"\x7fELF", "ELF executable"),
    ];
    for (magic, what) in SIGNATURES {
        if bytes.starts_with(magic) {
            return Some((*what).to_string());
        }
    }
    // Text formats never hold NUL; looking at the head is enough and keeps this O(1).
    let head = &bytes[..bytes.len().min(8192)];
    // `contains` is a `memchr`; the position is wanted only when there is one.
    if !head.contains(&0) {
        return None;
    }
    head.iter()
        .position(|&b| b == 0)
        .map(|at| format!("NUL byte at offset {at}"))
}

/// Where each line of a text starts. A line ends at `\n`, `\r\n` or a lone `\r` (as old Mac
/// files and some generators write them), so line and column are the ones an editor shows.
#[derive(Debug)]
struct LineIndex {
    /// The byte offset where each line starts; the first is 0.
    starts: Vec<u32>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut after_cr = usize::MAX;
        for end in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            // The `\n` of a `\r\n` ends the line the `\r` ended.
            if bytes[end] == b'\n' && end == after_cr {
                *starts.last_mut().unwrap_or(&mut 0) = end as u32 + 1;
                continue;
            }
            starts.push(end as u32 + 1);
            after_cr = if bytes[end] == b'\r' {
                end + 1
            } else {
                usize::MAX
            };
        }
        LineIndex { starts }
    }

    /// The 0-based line holding byte `offset`.
    fn line_of(&self, offset: u32) -> u32 {
        (self.starts.partition_point(|&s| s <= offset) - 1) as u32
    }
}

/// One file of a lint run: its path as the user gave it, its text, and a line index built on
/// first use (most files never need one: only those with findings are rendered).
#[derive(Debug)]
pub struct SourceFile {
    path: PathBuf,
    text: String,
    lines: OnceLock<LineIndex>,
}

impl SourceFile {
    /// A file with the given path (used for display) and text.
    pub fn new(path: impl Into<PathBuf>, text: String) -> Self {
        SourceFile {
            path: path.into(),
            text,
            lines: OnceLock::new(),
        }
    }

    /// The path, as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The full text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text a span covers (empty when the span is out of range or splits a character).
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }

    fn line_index(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }

    /// The 1-based line and character column of a byte offset (clamped to the text, and
    /// down to a character boundary). Columns count characters, whatever the line's length.
    pub fn line_col(&self, offset: u32) -> LineCol {
        let offset = self.floor_char_boundary(offset);
        let line = self.line_index().line_of(offset);
        let start = self.line_index().starts[line as usize] as usize;
        let column = count_chars(&self.text.as_bytes()[start..offset as usize]);
        LineCol {
            line: line + 1,
            column: column + 1,
        }
    }

    /// How many lines the text has (a text ending in a line break has an empty last line).
    pub fn line_count(&self) -> u32 {
        self.line_index().starts.len() as u32
    }

    /// The byte offset where 0-based `line` starts, if the file has that line.
    pub fn line_start(&self, line: u32) -> Option<u32> {
        self.line_index().starts.get(line as usize).copied()
    }

    /// The byte range of 0-based `line`, including its line terminator.
    pub fn line_span(&self, line: u32) -> Option<Span> {
        let starts = &self.line_index().starts;
        let start = *starts.get(line as usize)?;
        let end = starts
            .get(line as usize + 1)
            .copied()
            .unwrap_or(self.text.len() as u32);
        Some(Span::new(start, end))
    }

    /// The text of 0-based `line`, without its line terminator.
    pub fn line_text(&self, line: u32) -> &str {
        let Some(span) = self.line_span(line) else {
            return "";
        };
        self.text
            .get(span.range())
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }

    /// `offset` clamped to the text and moved down to a character boundary.
    pub fn floor_char_boundary(&self, offset: u32) -> u32 {
        let mut at = (offset as usize).min(self.text.len());
        while !self.text.is_char_boundary(at) {
            at -= 1;
        }
        at as u32
    }
}

/// The characters in UTF-8 bytes: those that do not continue one.
fn count_chars(bytes: &[u8]) -> u32 {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_ending_ends_a_line() {
        // LF, CRLF and a lone CR (old Mac), then text with no ending.
        let file = SourceFile::new("t.json", "a\nb\r\nc\rd".to_string());
        let at = |c: char| file.line_col(file.text().find(c).unwrap() as u32);
        assert_eq!(at('a'), LineCol { line: 1, column: 1 });
        assert_eq!(at('b'), LineCol { line: 2, column: 1 });
        assert_eq!(at('c'), LineCol { line: 3, column: 1 });
        assert_eq!(at('d'), LineCol { line: 4, column: 1 });
        assert_eq!(file.line_count(), 4);
        assert_eq!(file.line_text(1), "b");
        assert_eq!(file.line_text(2), "c");
        // The `\r` of a CRLF belongs to its line.
        assert_eq!(file.line_col(3), LineCol { line: 2, column: 2 });
    }

    /// Line starts the plain way: after each `\n`, and after each `\r` not followed by `\n`.
    fn naive_starts(text: &str) -> Vec<u32> {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                starts.push(i as u32 + 1);
            }
        }
        starts
    }

    proptest::proptest! {
        #[test]
        fn line_starts_agree_with_the_plain_way(text in "[a\r\né]{0,40}") {
            proptest::prop_assert_eq!(LineIndex::new(&text).starts, naive_starts(&text));
        }
    }

    #[test]
    fn columns_past_65535_are_exact() {
        let mut text = "x".repeat(100_000);
        text.push('é');
        text.push('y');
        let file = SourceFile::new("min.json", text);
        assert_eq!(
            file.line_col(100_002),
            LineCol {
                line: 1,
                column: 100_002
            }
        );
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let file = SourceFile::new("t.json", "{\"ä€\": 1,\n  \"b\": 2}".to_string());
        // `1` sits after `{"ä€": ` = 7 characters but 10 bytes.
        let one = file.text().find('1').unwrap() as u32;
        assert_eq!(file.line_col(one), LineCol { line: 1, column: 8 });
        let b = file.text().find('b').unwrap() as u32;
        assert_eq!(file.line_col(b), LineCol { line: 2, column: 4 });
    }

    #[test]
    fn offsets_past_the_end_are_clamped() {
        let file = SourceFile::new("t.json", "ab\n".to_string());
        assert_eq!(file.line_col(99), LineCol { line: 2, column: 1 });
    }

    #[test]
    fn decode_reports_each_kind_of_non_text() {
        assert_eq!(decode_source(vec![]).unwrap_err().0, SourceError::Empty);
        assert_eq!(
            decode_source(b" \n\t".to_vec()).unwrap_err().0,
            SourceError::Empty
        );
        assert_eq!(
            decode_source(b"\xff\xfe{\0".to_vec()).unwrap_err().0,
            SourceError::Utf16
        );
        assert_eq!(
            decode_source(b"\x89PNG\r\n\x1a\n....".to_vec())
                .unwrap_err()
                .0,
            SourceError::Binary {
                what: "PNG image".into()
            }
        );
        assert_eq!(
            decode_source(b"{\"a\":\0}".to_vec()).unwrap_err().0,
            SourceError::Binary {
                what: "NUL byte at offset 5".into()
            }
        );
        assert_eq!(
            decode_source(b"{\"a\": \"\xc3\x28\"}".to_vec())
                .unwrap_err()
                .0,
            SourceError::InvalidUtf8 {
                offset: 7,
                byte: 0xc3
            }
        );
        assert_eq!(decode_source(b"{}".to_vec()).unwrap(), "{}");
    }
}
