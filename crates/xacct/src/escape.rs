//! Text from the input shown safely: every output format and every message on stderr passes
//! what came from a file (names, keys, values, paths, config keys, arguments) through here, so a
//! crafted file cannot forge lines, move the cursor or recolour the terminal.
//!
//! What is escaped, as `\u{1b}`: the C0 controls but tab (newline too, in one-line text), DEL,
//! the C1 controls (U+0080–U+009F, which some terminals obey as 8-bit escapes), and the
//! invisible characters that reorder or hide text (bidirectional overrides and isolates, the
//! Arabic letter mark, zero-width marks). A backslash is left as it is: escaping it would
//! change every Windows path for nothing, and no sequence above can be forged with one.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::Path;

/// True for a character that must not reach a terminal raw.
pub fn is_unsafe(c: char, keep_newlines: bool) -> bool {
    match c {
        '\t' => false,
        '\n' => !keep_newlines,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        // Bidirectional embeddings, overrides and isolates ("Trojan Source"), the Arabic
        // letter mark, left-to-right and right-to-left marks, zero-width joiners and spaces,
        // the line and paragraph separators, the byte-order mark inside text.
        '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        | '\u{061c}'
        | '\u{200b}'..='\u{200f}'
        | '\u{2028}'
        | '\u{2029}'
        | '\u{feff}' => true,
        _ => false,
    }
}

fn escape(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    if !s.chars().any(|c| is_unsafe(c, keep_newlines)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c, keep_newlines) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One-line text (a message, a label, a name): every unsafe character escaped, newlines too.
pub fn line(s: &str) -> Cow<'_, str> {
    escape(s, false)
}

/// Text that may span lines by design (a help text with a policy statement to paste):
/// newlines kept, every other unsafe character escaped.
pub fn lines(s: &str) -> Cow<'_, str> {
    escape(s, true)
}

/// A path as shown: its lossy text, escaped as one line.
pub fn path(p: &Path) -> String {
    line(&p.to_string_lossy()).into_owned()
}

/// Serialised JSON with the controls serde_json leaves raw (DEL, C1) and the invisible
/// reordering characters written as `\u` escapes: the same JSON value, safe on a terminal.
/// Those characters can only be inside strings, so replacing them there is exact.
pub fn json(text: String) -> String {
    if !text.chars().any(|c| is_unsafe(c, true)) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unsafe(c, true) && c != '\n' {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_reordering_marks_are_escaped() {
        assert_eq!(
            line("plain `x` ünïcode\tand tab"),
            "plain `x` ünïcode\tand tab"
        );
        assert_eq!(line("a\u{1b}[31mred\r\nb"), "a\\u{1b}[31mred\\u{d}\\u{a}b");
        assert_eq!(lines("a\nb\u{7}"), "a\nb\\u{7}");
        assert_eq!(line("\u{9b}2J \u{202e}evil"), "\\u{9b}2J \\u{202e}evil");
        assert!(matches!(line("clean"), Cow::Borrowed(_)));
    }

    #[test]
    fn json_keeps_its_value() {
        let raw =
            serde_json::to_string(&serde_json::json!({"k": "a\u{1b}b\u{9b}c\u{202e}d"})).unwrap();
        let safe = json(raw.clone());
        assert!(!safe.chars().any(|c| is_unsafe(c, false)), "{safe}");
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back["k"], "a\u{1b}b\u{9b}c\u{202e}d");
    }
}
