//! Byte offsets into a file and LSP positions, both ways. Spans are byte ranges; an LSP
//! position is a 0-based line and a character counted in UTF-16 code units (the protocol's
//! default encoding, the only one every client supports), so a character outside the Basic
//! Multilingual Plane counts two and an `é` one, while it is 4 and 2 bytes.

use lsp_types::{Position, Range};
use xacct_syntax::{SourceFile, Span};

/// The LSP position of a byte offset (clamped to the text, and down to a character boundary).
pub fn position(source: &SourceFile, offset: u32) -> Position {
    let offset = source.floor_char_boundary(offset);
    let line = source.line_col(offset).line.saturating_sub(1);
    let start = source.line_start(line).unwrap_or(0);
    let before = source
        .text()
        .get(start as usize..offset as usize)
        .unwrap_or("");
    Position {
        line,
        character: utf16_len(before),
    }
}

/// The LSP range of a span.
pub fn range(source: &SourceFile, span: Span) -> Range {
    Range {
        start: position(source, span.start),
        end: position(source, span.end.max(span.start)),
    }
}

/// The byte offset of an LSP position: past the end of its line, the line's end (the
/// protocol says a client may send that); past the last line, the end of the text; inside a
/// surrogate pair, the character's start.
pub fn offset(source: &SourceFile, at: Position) -> u32 {
    let Some(span) = source.line_span(at.line) else {
        return source.text().len() as u32;
    };
    let line = source.line_text(at.line);
    let mut units = 0u32;
    for (i, c) in line.char_indices() {
        units += c.len_utf16() as u32;
        if units > at.character {
            return span.start + i as u32;
        }
    }
    span.start + line.len() as u32
}

fn utf16_len(text: &str) -> u32 {
    text.chars().map(|c| c.len_utf16() as u32).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::new("f.json", text.to_string())
    }

    #[test]
    fn characters_are_utf16_code_units() {
        // `é` is 2 bytes and 1 unit, `𝄞` 4 bytes and 2 units, `日` 3 bytes and 1 unit.
        let text = "{\n  \"é𝄞日\": 1\r\n}";
        let source = file(text);
        let one = text.find('1').unwrap() as u32;
        assert_eq!(position(&source, one), Position::new(1, 10));
        assert_eq!(offset(&source, Position::new(1, 10)), one);
        let brace = text.rfind('}').unwrap() as u32;
        assert_eq!(position(&source, brace), Position::new(2, 0));
        // Inside the surrogate pair of `𝄞`: its start.
        let clef = text.find('𝄞').unwrap() as u32;
        assert_eq!(position(&source, clef), Position::new(1, 4));
        assert_eq!(offset(&source, Position::new(1, 5)), clef);
        // Inside the bytes of `é`: its start.
        let e = text.find('é').unwrap() as u32;
        assert_eq!(position(&source, e + 1), Position::new(1, 3));
    }

    #[test]
    fn positions_past_the_text_are_clamped() {
        let source = file("ab\ncd");
        assert_eq!(offset(&source, Position::new(0, 99)), 2);
        assert_eq!(offset(&source, Position::new(7, 0)), 5);
        assert_eq!(position(&source, 99), Position::new(1, 2));
        let empty = file("");
        assert_eq!(position(&empty, 0), Position::new(0, 0));
        assert_eq!(offset(&empty, Position::new(0, 3)), 0);
    }
}
