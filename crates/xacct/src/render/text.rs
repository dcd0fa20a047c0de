//! Rich text output through miette, with a line-indexed source so that thousands of findings
//! in one large file render in linear time (miette's stock `SourceCode` for strings rescans the
//! text from the start for every label).

use std::fmt;
use std::io::{self, Write};

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use xacct_rules::{Diagnostic, Severity};
use xacct_syntax::SourceFile;

use crate::lint::LintRun;

/// A [`SourceCode`] over a [`SourceFile`] that finds lines through its index.
struct IndexedSource<'a>(&'a SourceFile);

impl SourceCode for IndexedSource<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_before: usize,
        context_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let file = self.0;
        let text = file.text();
        let start = span.offset().min(text.len());
        let end = (span.offset() + span.len()).min(text.len()).max(start);
        if span.offset() > text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let at = file.line_col(start as u32);
        let first = at.line - 1;
        if context_before == 0 && context_after == 0 {
            // miette asks for the bare span to print `path:line:column` in the header.
            return Ok(Box::new(MietteSpanContents::new_named(
                file.path().display().to_string(),
                &text.as_bytes()[start..end],
                (start, end - start).into(),
                first as usize,
                at.column as usize - 1,
                text[start..end].lines().count().max(1),
            )));
        }
        // A span ending right after a newline belongs to the line it ends.
        let last_offset = if end > start { end - 1 } else { end };
        let last = file.line_col(last_offset as u32).line - 1;
        let from_line = (first as usize).saturating_sub(context_before) as u32;
        let to_line = last + context_after as u32;
        let from = file.line_start(from_line).unwrap_or(0) as usize;
        let to = (to_line..=to_line)
            .find_map(|l| file.line_span(l))
            .map(|s| s.end as usize)
            .unwrap_or(text.len())
            .min(text.len());
        // Drop the final line break, as miette's own implementation does.
        let to = if text[from..to].ends_with("\r\n") {
            to - 2
        } else if text[from..to].ends_with('\n') {
            to - 1
        } else {
            to
        };
        let line_count = text[from..to].lines().count().max(1);
        Ok(Box::new(MietteSpanContents::new_named(
            file.path().display().to_string(),
            &text.as_bytes()[from..to],
            (from, to - from).into(),
            from_line as usize,
            0,
            line_count,
        )))
    }
}

/// One finding dressed for miette.
struct Report<'a> {
    diagnostic: &'a Diagnostic,
    source: IndexedSource<'a>,
    /// Labels in other files, each shown as a note with its own excerpt.
    elsewhere: Vec<Elsewhere<'a>>,
}

/// A label in another file than the finding's.
struct Elsewhere<'a> {
    message: &'a str,
    source: IndexedSource<'a>,
    span: (usize, usize),
}

impl fmt::Debug for Elsewhere<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message)
    }
}

impl fmt::Display for Elsewhere<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message)
    }
}

impl std::error::Error for Elsewhere<'_> {}

impl miette::Diagnostic for Elsewhere<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        (!self.source.0.text().is_empty()).then_some(&self.source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.source.0.text().is_empty() {
            return None;
        }
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(None, self.span),
        )))
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(format!(
            "{}({})",
            self.diagnostic.code, self.diagnostic.name
        )))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diagnostic
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        if self.source.0.text().is_empty() {
            None
        } else {
            Some(&self.source)
        }
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn miette::Diagnostic> + 'b>> {
        if self.elsewhere.is_empty() {
            return None;
        }
        Some(Box::new(
            self.elsewhere.iter().map(|e| e as &dyn miette::Diagnostic),
        ))
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.source.0.text().is_empty() {
            return None;
        }
        let d = self.diagnostic;
        let primary = LabeledSpan::new_primary_with_span(
            None,
            (d.span.start as usize, d.span.len() as usize),
        );
        let secondary = d.labels.iter().filter(|l| l.file == d.file).map(|l| {
            LabeledSpan::new_with_span(
                Some(l.message.clone()),
                (l.span.start as usize, l.span.len() as usize),
            )
        });
        Some(Box::new(std::iter::once(primary).chain(secondary)))
    }
}

/// How the text output is written.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// ANSI colours.
    pub color: bool,
    /// Counts per rule instead of the findings (`--statistics`).
    pub statistics: bool,
    /// How long the run took, for the summary line (`None` leaves it out, so that output that
    /// is compared or stored stays the same from run to run).
    pub elapsed: Option<std::time::Duration>,
}

/// Writes every finding (or, with `statistics`, the counts per rule), then a summary line.
pub fn write(out: &mut impl Write, run: &LintRun, options: &Options) -> io::Result<()> {
    if options.statistics {
        write_statistics(out, run)?;
    } else {
        write_findings(out, run, options.color)?;
    }
    writeln!(out, "{}", summary(run, options.elapsed))
}

fn write_findings(out: &mut impl Write, run: &LintRun, color: bool) -> io::Result<()> {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(100)
        // Values (ARNs, regions, names) must never be split across lines at `-` or `/`.
        .with_word_separator(textwrap::WordSeparator::AsciiSpace)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
        .with_break_words(false);
    let mut rendered = String::new();
    for d in run.diagnostics() {
        let source = run.source(d.file);
        let elsewhere = d
            .labels
            .iter()
            .filter(|l| l.file != d.file)
            .map(|l| Elsewhere {
                message: &l.message,
                source: IndexedSource(run.source(l.file)),
                span: (l.span.start as usize, l.span.len() as usize),
            })
            .collect();
        let report = Report {
            diagnostic: d,
            source: IndexedSource(source),
            elsewhere,
        };
        rendered.clear();
        if handler.render_report(&mut rendered, &report).is_err() {
            rendered = format!(
                "{}: {}[{}] {}\n",
                source.path().display(),
                d.severity,
                d.code,
                d.message
            );
        }
        // Without a source excerpt miette does not say which file: add it.
        if source.text().is_empty() {
            writeln!(out, "{}:", source.path().display())?;
        }
        write!(out, "{rendered}")?;
        writeln!(out)?;
    }
    Ok(())
}

/// Counts per rule, most frequent first (ties by code), as ruff's `--statistics` prints them:
/// count, code and name, tab-separated, the count right-aligned.
pub fn statistics(run: &LintRun) -> Vec<(usize, &'static str, &'static str)> {
    let mut counts: std::collections::BTreeMap<&'static str, (usize, &'static str)> =
        std::collections::BTreeMap::new();
    for d in run.diagnostics() {
        counts.entry(d.code).or_insert((0, d.name)).0 += 1;
    }
    let mut rows: Vec<_> = counts
        .into_iter()
        .map(|(code, (count, name))| (count, code, name))
        .collect();
    // Stable: equal counts stay in code order.
    rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    rows
}

fn write_statistics(out: &mut impl Write, run: &LintRun) -> io::Result<()> {
    let rows = statistics(run);
    let count_width = rows
        .iter()
        .map(|r| r.0.to_string().len())
        .max()
        .unwrap_or(1);
    let code_width = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
    for (count, code, name) in rows {
        writeln!(out, "{count:>count_width$}\t{code:<code_width$}\t{name}")?;
    }
    Ok(())
}

/// How long a run took, to the millisecond below a second and to the hundredth above.
pub fn duration(elapsed: std::time::Duration) -> String {
    if elapsed.as_secs() == 0 {
        format!("{} ms", elapsed.as_millis())
    } else {
        format!("{:.2} s", elapsed.as_secs_f64())
    }
}

/// `1 error, 0 warnings, 2 infos in 12 files (12 checked)`, the time in the parenthesis when
/// given: `(12 checked, 41 ms)`.
pub fn summary(run: &LintRun, elapsed: Option<std::time::Duration>) -> String {
    let count = |s: Severity| run.diagnostics().filter(|d| d.severity == s).count();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let time = elapsed
        .map(|e| format!(", {}", duration(e)))
        .unwrap_or_default();
    format!(
        "{} in {} ({} checked{time})",
        [
            plural(count(Severity::Error), "error"),
            plural(count(Severity::Warning), "warning"),
            plural(count(Severity::Info), "info"),
        ]
        .join(", "),
        plural(run.files.len(), "file"),
        run.checked_files()
    )
}

/// Prints a config mistake to stderr with the config excerpt.
pub fn config_error(error: &crate::config::ConfigError) {
    let diagnostic = miette::MietteDiagnostic::new(format!("invalid config: {}", error.message))
        .with_code("config")
        .with_label(LabeledSpan::new_primary_with_span(None, error.span.clone()));
    let report = miette::Report::new(diagnostic).with_source_code(miette::NamedSource::new(
        error.path.display().to_string(),
        error.text.clone(),
    ));
    let color = std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os("NO_COLOR").is_none();
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_links(false);
    let mut out = String::new();
    if handler.render_report(&mut out, report.as_ref()).is_err() {
        out = format!(
            "{}: invalid config: {}\n",
            error.path.display(),
            error.message
        );
    }
    eprint!("{out}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use xacct_rules::Outcome;
    use xacct_syntax::{FileId, SourceFile, Span};

    use crate::lint::LintedFile;

    fn run_with(codes: &[&str]) -> LintRun {
        let diagnostics = codes
            .iter()
            .map(|code| {
                let rule = xacct_rules::rule(code).unwrap();
                Diagnostic::new(rule, FileId(0), Span::empty(0), "m")
            })
            .collect();
        LintRun {
            files: vec![
                LintedFile {
                    source: SourceFile::new("a.json", "{}".to_string()),
                    diagnostics,
                    suppressed: Vec::new(),
                    outcome: Outcome::Broken,
                },
                LintedFile {
                    source: SourceFile::new("b.json", String::new()),
                    diagnostics: Vec::new(),
                    suppressed: Vec::new(),
                    outcome: Outcome::NotChecked,
                },
            ],
        }
    }

    #[test]
    fn the_summary_counts_severities_and_files_and_says_how_long_it_took() {
        let run = run_with(&["XA001", "XA902", "XA004", "XA004"]);
        assert_eq!(
            summary(&run, None),
            "1 error, 1 warning, 2 infos in 2 files (0 checked)"
        );
        assert_eq!(
            summary(&run, Some(Duration::from_micros(41_700))),
            "1 error, 1 warning, 2 infos in 2 files (0 checked, 41 ms)"
        );
        assert_eq!(duration(Duration::from_millis(1234)), "1.23 s");
        assert_eq!(duration(Duration::from_micros(400)), "0 ms");
    }

    #[test]
    fn statistics_are_sorted_by_count_then_code_and_aligned() {
        let mut codes = vec!["XA902"; 2];
        codes.extend(["XA201", "XA004", "XA004", "XA201"]);
        codes.extend(["XA004"; 10]);
        let run = run_with(&codes);
        assert_eq!(
            statistics(&run),
            [
                (12, "XA004", "unverified-check"),
                (2, "XA201", "artifact-crosses-foreign-accounts"),
                (2, "XA902", "broad-foreign-grant"),
            ]
        );
        let mut out = Vec::new();
        write(
            &mut out,
            &run,
            &Options {
                statistics: true,
                ..Options::default()
            },
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "12\tXA004\tunverified-check");
        assert_eq!(lines[1], " 2\tXA201\tartifact-crosses-foreign-accounts");
        assert_eq!(
            lines[3],
            "2 errors, 2 warnings, 12 infos in 2 files (0 checked)"
        );
    }
}
