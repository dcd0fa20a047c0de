//! The source lines shown under a finding, made safe and small before miette sees them.
//!
//! miette renders whatever text it is handed, and slices it by byte offsets. A file is input
//! from a stranger, so for each finding this builds an [`Excerpt`]: only the lines the finding's
//! spans touch (with one line of context), each cut to a window of [`Limits::line_width`]
//! characters around what is marked (a 59 KB minified line is not repeated per finding), every
//! control or reordering character written as an escape (`\u{1b}`), lines split wherever the file
//! breaks them (`\n`, `\r\n` or a lone `\r`). Spans are moved into the excerpt; the location in
//! the header stays the file's own line and column.
//!
//! [`Limits::line_width`]: xacct_input::Limits

use std::fmt::Write as _;

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};
use xacct_syntax::{LineCol, SourceFile, Span};

use crate::escape;

/// A run of consecutive lines of the file, as shown.
struct Region {
    /// Where it starts and ends in the excerpt's text (the end without a line break).
    start: usize,
    end: usize,
    /// The file's 0-based number of its first line.
    first_line: u32,
    /// Where each of its lines starts in the excerpt's text.
    line_starts: Vec<usize>,
}

/// One shown line: the excerpt's offsets of the file's bytes in its window.
struct ShownLine {
    /// (file offset, excerpt offset) of each character shown, and of the window's end.
    points: Vec<(u32, usize)>,
}

impl ShownLine {
    /// The excerpt offset of a file offset: its character's, or the window's edge when it lies
    /// outside the window.
    fn map(&self, offset: u32) -> usize {
        match self.points.binary_search_by_key(&offset, |p| p.0) {
            Ok(i) => self.points[i].1,
            Err(0) => self.points[0].1,
            Err(i) if i >= self.points.len() => self.points[self.points.len() - 1].1,
            // Inside a character (a span that splits one): its start.
            Err(i) => self.points[i - 1].1,
        }
    }
}

/// The lines of one file that one finding shows.
pub struct Excerpt {
    name: String,
    text: String,
    regions: Vec<Region>,
    /// The file's line and column of each span's start, by its excerpt offset.
    positions: Vec<(usize, LineCol)>,
    /// True when a line was cut to its window.
    pub cut: bool,
}

impl Excerpt {
    /// The excerpt of `file` for `spans`, each line at most `width` characters; gives each
    /// span's place in the excerpt as `(offset, length)`, in the order given.
    pub fn new(file: &SourceFile, spans: &[Span], width: u32) -> (Excerpt, Vec<(usize, usize)>) {
        let width = width.max(16) as usize;
        let len = file.text().len() as u32;
        let spans: Vec<Span> = spans
            .iter()
            .map(|s| {
                let start = file.floor_char_boundary(s.start.min(len));
                let end = file.floor_char_boundary(s.end.clamp(start, len));
                Span::new(start, end.max(start))
            })
            .collect();
        let last_line = file.line_count().saturating_sub(1);
        let line_of = |offset: u32| file.line_col(offset).line - 1;
        let end_line = |s: &Span| {
            if s.end > s.start {
                line_of(s.end - 1)
            } else {
                line_of(s.start)
            }
        };
        let mut shown: Vec<u32> = Vec::new();
        for span in &spans {
            let (first, last) = (line_of(span.start), end_line(span));
            shown.extend(first.saturating_sub(1)..=(last + 1).min(last_line));
        }
        shown.sort_unstable();
        shown.dedup();
        let mut excerpt = Excerpt {
            name: escape::path(file.path()),
            text: String::new(),
            regions: Vec::new(),
            positions: Vec::new(),
            cut: false,
        };
        let mut lines: Vec<(u32, ShownLine)> = Vec::with_capacity(shown.len());
        // The window of the last line that had a span, for context lines next to it.
        let mut last_window: Option<(usize, usize)> = None;
        let mut i = 0;
        while i < shown.len() {
            let mut j = i;
            while j + 1 < shown.len() && shown[j + 1] == shown[j] + 1 {
                j += 1;
            }
            if !excerpt.regions.is_empty() {
                // A blank line between regions: no context ever reaches across it.
                excerpt.text.push('\n');
            }
            let mut region = Region {
                start: excerpt.text.len(),
                end: 0,
                first_line: shown[i],
                line_starts: Vec::new(),
            };
            // Windows of the span lines first, so context lines can take a neighbour's.
            let windows: Vec<Option<(usize, usize)>> = shown[i..=j]
                .iter()
                .map(|&line| window(file, line, &spans, width))
                .collect();
            for (k, &line) in shown[i..=j].iter().enumerate() {
                if k > 0 {
                    excerpt.text.push('\n');
                }
                region.line_starts.push(excerpt.text.len());
                let neighbour = windows[k]
                    .or_else(|| windows.get(k + 1).copied().flatten())
                    .or_else(|| k.checked_sub(1).and_then(|p| windows[p]))
                    .or(last_window);
                if windows[k].is_some() {
                    last_window = windows[k];
                }
                let shown_line = excerpt.push_line(file, line, neighbour, width);
                lines.push((line, shown_line));
            }
            region.end = excerpt.text.len();
            excerpt.regions.push(region);
            i = j + 1;
        }
        let map = |offset: u32| {
            let line = line_of(offset);
            lines
                .binary_search_by_key(&line, |(l, _)| *l)
                .map(|at| lines[at].1.map(offset))
                .unwrap_or(0)
        };
        let placed: Vec<(usize, usize)> = spans
            .iter()
            .map(|span| {
                let start = map(span.start);
                let end = if span.end > span.start {
                    map(span.end).max(start)
                } else {
                    start
                };
                excerpt.positions.push((start, file.line_col(span.start)));
                (start, end - start)
            })
            .collect();
        (excerpt, placed)
    }

    /// Appends file line `line` cut to the window `(first character, characters)`, escaped;
    /// gives where its characters went.
    fn push_line(
        &mut self,
        file: &SourceFile,
        line: u32,
        window: Option<(usize, usize)>,
        width: usize,
    ) -> ShownLine {
        let start = file.line_start(line).unwrap_or(0);
        let text = file.line_text(line);
        let count = text.chars().count();
        let (from, take) = match window {
            Some(w) if count > width => w,
            _ if count > width => (0, width),
            _ => (0, count),
        };
        let mut points = Vec::with_capacity(take.min(count) + 1);
        self.cut |= count > take;
        if from > 0 {
            self.text.push('…');
        }
        let mut end_offset = start + text.len() as u32;
        let mut chars = text.char_indices().skip(from);
        for _ in 0..take {
            let Some((at, c)) = chars.next() else {
                break;
            };
            points.push((start + at as u32, self.text.len()));
            if escape::is_unsafe(c, false) {
                let _ = write!(self.text, "\\u{{{:x}}}", c as u32);
            } else {
                self.text.push(c);
            }
        }
        if let Some((at, _)) = chars.next() {
            end_offset = start + at as u32;
            points.push((end_offset, self.text.len()));
            self.text.push('…');
        } else {
            points.push((end_offset, self.text.len()));
        }
        ShownLine { points }
    }

    /// The region holding excerpt offset `at`.
    fn region(&self, at: usize) -> Option<&Region> {
        self.regions.iter().find(|r| r.start <= at && at <= r.end)
    }
}

/// The window of file line `line` for the spans on it: `(first character, characters)`, or
/// `None` when no span touches it.
fn window(file: &SourceFile, line: u32, spans: &[Span], width: usize) -> Option<(usize, usize)> {
    let bounds = file.line_span(line)?;
    let text = file.line_text(line);
    let line_end = bounds.start + text.len() as u32;
    let column = |offset: u32| {
        let offset = offset.clamp(bounds.start, line_end);
        text.get(..(offset - bounds.start) as usize)
            .map_or(0, |t| t.chars().count())
    };
    let mut interest: Option<(usize, usize)> = None;
    for span in spans {
        let touches = span.start <= line_end && span.end.max(span.start) >= bounds.start;
        if !touches {
            continue;
        }
        let (lo, hi) = (column(span.start), column(span.end.max(span.start)));
        interest = Some(match interest {
            None => (lo, hi),
            Some((a, b)) => (a.min(lo), b.max(hi)),
        });
    }
    let (lo, hi) = interest?;
    let count = text.chars().count();
    if count <= width {
        return Some((0, count));
    }
    let wanted = hi - lo;
    let from = if wanted + 16 >= width {
        lo.saturating_sub(8)
    } else {
        lo.saturating_sub((width - wanted) / 2)
    };
    Some((from.min(count.saturating_sub(width)), width))
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_before: usize,
        context_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let region = self.region(span.offset()).ok_or(MietteError::OutOfBounds)?;
        let line_in = |at: usize| region.line_starts.partition_point(|&s| s <= at) - 1;
        let first = line_in(span.offset());
        let end = (span.offset() + span.len()).min(region.end);
        let last = line_in(if end > span.offset() { end - 1 } else { end });
        if context_before == 0 && context_after == 0 {
            // The header's `path:line:column`: the file's own.
            let at = self
                .positions
                .iter()
                .find(|(offset, _)| *offset == span.offset())
                .map(|(_, lc)| *lc)
                .unwrap_or(LineCol {
                    line: region.first_line + first as u32 + 1,
                    column: 1,
                });
            let data = &self.text.as_bytes()[span.offset()..end.max(span.offset())];
            return Ok(Box::new(MietteSpanContents::new_named(
                self.name.clone(),
                data,
                (span.offset(), data.len()).into(),
                at.line as usize - 1,
                at.column as usize - 1,
                last - first + 1,
            )));
        }
        let from_line = first.saturating_sub(context_before);
        let to_line = (last + context_after).min(region.line_starts.len() - 1);
        let from = region.line_starts[from_line];
        let to = region
            .line_starts
            .get(to_line + 1)
            .map_or(region.end, |next| next - 1);
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            &self.text.as_bytes()[from..to],
            (from, to - from).into(),
            region.first_line as usize + from_line,
            0,
            to_line - from_line + 1,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn excerpt(text: &str, spans: &[Span], width: u32) -> (Excerpt, Vec<(usize, usize)>) {
        Excerpt::new(&SourceFile::new("t.json", text.to_string()), spans, width)
    }

    #[test]
    fn only_the_lines_around_the_spans_and_escaped() {
        let text = "one\ntwo \u{1b}[31m\nthree\nfour\nfive\nsix\n";
        let at = text.find("three").unwrap() as u32;
        let (e, placed) = excerpt(text, &[Span::new(at, at + 5)], 80);
        assert_eq!(e.text, "two \\u{1b}[31m\nthree\nfour");
        assert_eq!(&e.text[placed[0].0..placed[0].0 + placed[0].1], "three");
        assert_eq!(e.regions[0].first_line, 1);
        assert_eq!(e.positions[0].1, LineCol { line: 3, column: 1 });
    }

    #[test]
    fn a_long_line_is_cut_to_a_window_around_the_span() {
        let mut text = "a".repeat(5000);
        text.push_str("TARGET");
        text.push_str(&"b".repeat(5000));
        let at = 5000;
        let (e, placed) = excerpt(&text, &[Span::new(at, at + 6)], 40);
        let shown: Vec<char> = e.text.chars().collect();
        // Forty characters and the two cut marks.
        assert_eq!(shown.len(), 42, "{}", e.text);
        assert!(e.text.starts_with('…') && e.text.ends_with('…'));
        assert_eq!(&e.text[placed[0].0..placed[0].0 + placed[0].1], "TARGET");
        assert_eq!(
            e.positions[0].1,
            LineCol {
                line: 1,
                column: 5001
            }
        );
    }

    #[test]
    fn lone_carriage_returns_end_lines() {
        let text = "a\rb\rc\rd";
        let at = text.find('c').unwrap() as u32;
        let (e, placed) = excerpt(text, &[Span::new(at, at + 1)], 80);
        assert_eq!(e.text, "b\nc\nd");
        assert_eq!(&e.text[placed[0].0..placed[0].0 + 1], "c");
        assert_eq!(e.positions[0].1, LineCol { line: 3, column: 1 });
    }

    #[test]
    fn far_apart_spans_are_separate_regions_and_odd_offsets_are_safe() {
        let text: String = (0..100).map(|i| format!("line {i}\n")).collect();
        let a = text.find("line 3\n").unwrap() as u32;
        let b = text.find("line 90").unwrap() as u32;
        let (e, placed) = excerpt(
            &text,
            &[
                Span::new(a, a + 6),
                Span::new(b, b + 7),
                Span::new(99_999, 5),
            ],
            80,
        );
        assert_eq!(e.regions.len(), 3, "{}", e.text);
        assert_eq!(&e.text[placed[1].0..placed[1].0 + placed[1].1], "line 90");
        // An out-of-range span lands at the end of the text, on its last line.
        assert_eq!(placed[2].1, 0);
    }
}
