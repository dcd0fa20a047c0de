//! Fixes: the exact text edits that resolve a finding, for `xacct lint --fix`/`--diff` and for an
//! editor's code actions alike. A fix is plain data (file, byte span, replacement), so each
//! consumer applies it its own way: the CLI to files on disk through the gate, a language server
//! as a `WorkspaceEdit`.

use xacct_syntax::{FileId, Span};

/// Whether a fix may be applied without a person reading it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    /// The edit does exactly what the finding asks and nothing else: `xacct lint --fix`
    /// applies it.
    Safe,
    /// The edit is plausible but changes what the setup means beyond the finding (a grant
    /// whose values a person should check): applied only with `--unsafe-fixes`.
    NeedsReview,
    /// Offered, never applied by `--fix`: the edit only starts what a person must finish (a
    /// suppression, whose reason someone has to write). An editor shows it as a code action;
    /// JSON and SARIF carry it. ruff keeps `--add-noqa` apart from `--fix` for the same reason.
    Manual,
}

impl Applicability {
    /// `safe`, `needs-review` or `manual`, as the JSON and SARIF outputs write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::NeedsReview => "needs-review",
            Applicability::Manual => "manual",
        }
    }
}

/// One text edit: replace the bytes of `span` in `file` with `replacement`. Spans are byte
/// ranges into the file as it is on disk (as every span of xacct); an empty span inserts.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Edit {
    /// The file to edit.
    pub file: FileId,
    /// The bytes to replace; empty to insert at `span.start`.
    pub span: Span,
    /// The new text.
    pub replacement: String,
}

impl Edit {
    /// Inserts `text` at byte `offset` of `file`.
    pub fn insert(file: FileId, offset: u32, text: impl Into<String>) -> Edit {
        Edit {
            file,
            span: Span::empty(offset),
            replacement: text.into(),
        }
    }

    /// Replaces `span` of `file` with `text`.
    pub fn replace(file: FileId, span: Span, text: impl Into<String>) -> Edit {
        Edit {
            file,
            span,
            replacement: text.into(),
        }
    }
}

/// A fix: a title for a menu ("Add the statement to the key policy") and its edits, which are
/// applied together or not at all. Edits of one fix never overlap one another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// What the fix does, one line.
    pub title: String,
    /// Whether `--fix` applies it without `--unsafe-fixes`.
    pub applicability: Applicability,
    /// The edits, in any order; none overlaps another.
    pub edits: Vec<Edit>,
}

impl Fix {
    /// A safe fix.
    pub fn safe(title: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            title: title.into(),
            applicability: Applicability::Safe,
            edits,
        }
    }

    /// A fix that needs review.
    pub fn needs_review(title: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            title: title.into(),
            applicability: Applicability::NeedsReview,
            edits,
        }
    }

    /// A fix offered to a person and never applied by `--fix`.
    pub fn manual(title: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            title: title.into(),
            applicability: Applicability::Manual,
            edits,
        }
    }

    /// The files the fix edits, each once, in order.
    pub fn files(&self) -> Vec<FileId> {
        let mut files: Vec<FileId> = self.edits.iter().map(|e| e.file).collect();
        files.sort();
        files.dedup();
        files
    }
}

/// Applies `edits` (all of one file) to `text`: in order of position, an edit that overlaps one
/// already taken (or reaches outside the text, or cuts a character) is left out. Returns the new
/// text and how many edits were left out.
pub fn apply_edits(text: &str, edits: &[&Edit]) -> (String, usize) {
    let mut sorted: Vec<&Edit> = edits.to_vec();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0usize;
    let mut skipped = 0;
    let mut last_insert: Option<usize> = None;
    for edit in sorted {
        let (start, end) = (edit.span.start as usize, edit.span.end as usize);
        let inside = start <= end
            && end <= text.len()
            && text.is_char_boundary(start)
            && text.is_char_boundary(end);
        // Two insertions at one offset would land in an order no one chose: the first wins.
        let same_insertion = start == end && last_insert == Some(start);
        if !inside || start < at || same_insertion {
            skipped += 1;
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str(&edit.replacement);
        at = end;
        if start == end {
            last_insert = Some(start);
        }
    }
    out.push_str(&text[at..]);
    (out, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(start: u32, end: u32, text: &str) -> Edit {
        Edit::replace(FileId(0), Span::new(start, end), text)
    }

    #[test]
    fn edits_apply_in_position_order_and_overlaps_are_left_out() {
        let a = edit(6, 11, "there");
        let b = edit(0, 5, "howdy");
        let c = edit(8, 9, "X");
        let (text, skipped) = apply_edits("hello world", &[&a, &b, &c]);
        assert_eq!(text, "howdy there");
        assert_eq!(skipped, 1);
    }

    #[test]
    fn insertions_and_bad_spans() {
        let a = Edit::insert(FileId(0), 5, ",");
        let b = Edit::insert(FileId(0), 5, ";");
        let c = edit(3, 40, "");
        let (text, skipped) = apply_edits("hello world", &[&a, &b, &c]);
        assert_eq!(text, "hello, world");
        assert_eq!(skipped, 2);
        let d = edit(1, 2, "x");
        let (text, skipped) = apply_edits("é", &[&d]);
        assert_eq!((text.as_str(), skipped), ("é", 1));
    }
}
