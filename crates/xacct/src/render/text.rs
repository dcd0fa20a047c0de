//! Rich text output through miette. miette never sees a file's text: each finding gets an
//! [`Excerpt`] of the lines it marks, escaped and cut to a window (see `excerpt.rs`), and its
//! message, labels, help and path are escaped too, so nothing from the input reaches the
//! terminal raw.

use std::borrow::Cow;
use std::fmt;
use std::io::{self, Write};

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};
use xacct_rules::{Diagnostic, Severity};

use super::excerpt::Excerpt;
use crate::escape;
use crate::lint::LintRun;

/// One finding dressed for miette.
struct Report<'a> {
    diagnostic: &'a Diagnostic,
    message: Cow<'a, str>,
    help: Option<Cow<'a, str>>,
    /// The lines of the finding's file, and where its spans lie in them (primary first, then
    /// the labels in the same file); `None` when the file has no text to show.
    source: Option<(Excerpt, Vec<(usize, usize)>)>,
    /// The labels in the same file, escaped, in the order of their spans above.
    labels: Vec<Cow<'a, str>>,
    /// Labels in other files, each shown as a note with its own excerpt.
    elsewhere: Vec<Elsewhere<'a>>,
}

/// A label in another file than the finding's.
struct Elsewhere<'a> {
    message: Cow<'a, str>,
    source: Option<(Excerpt, (usize, usize))>,
}

impl fmt::Debug for Elsewhere<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Elsewhere<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Elsewhere<'_> {}

impl miette::Diagnostic for Elsewhere<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source
            .as_ref()
            .map(|(excerpt, _)| excerpt as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (_, span) = self.source.as_ref()?;
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(None, *span),
        )))
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
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
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source
            .as_ref()
            .map(|(excerpt, _)| excerpt as &dyn SourceCode)
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
        let (_, placed) = self.source.as_ref()?;
        let primary = LabeledSpan::new_primary_with_span(None, placed[0]);
        let secondary = placed[1..]
            .iter()
            .zip(&self.labels)
            .map(|(span, message)| LabeledSpan::new_with_span(Some(message.to_string()), *span));
        Some(Box::new(std::iter::once(primary).chain(secondary)))
    }
}

impl<'a> Report<'a> {
    /// True when a line of an excerpt was cut to its window.
    fn cut(&self) -> bool {
        self.source.as_ref().is_some_and(|(e, _)| e.cut)
            || self
                .elsewhere
                .iter()
                .any(|e| e.source.as_ref().is_some_and(|(x, _)| x.cut))
    }

    fn new(run: &'a LintRun, d: &'a Diagnostic) -> Report<'a> {
        let file = run.source(d.file);
        let width = run.line_width(d.file);
        let same: Vec<_> = d.labels.iter().filter(|l| l.file == d.file).collect();
        let source = (!file.text().is_empty()).then(|| {
            let spans: Vec<_> = std::iter::once(d.span)
                .chain(same.iter().map(|l| l.span))
                .collect();
            Excerpt::new(file, &spans, width)
        });
        let elsewhere = d
            .labels
            .iter()
            .filter(|l| l.file != d.file)
            .map(|l| {
                let other = run.source(l.file);
                Elsewhere {
                    message: escape::line(&l.message),
                    source: (!other.text().is_empty()).then(|| {
                        let (excerpt, placed) =
                            Excerpt::new(other, &[l.span], run.line_width(l.file));
                        (excerpt, placed[0])
                    }),
                }
            })
            .collect();
        Report {
            diagnostic: d,
            message: escape::line(&d.message),
            help: d.help.as_deref().map(escape::lines),
            source,
            labels: same.iter().map(|l| escape::line(&l.message)).collect(),
            elsewhere,
        }
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
    /// The findings only, without the summary line (`--quiet`).
    pub quiet: bool,
}

/// Writes every finding (or, with `statistics`, the counts per rule), then a summary line
/// (unless `quiet`).
pub fn write(out: &mut impl Write, run: &LintRun, options: &Options) -> io::Result<()> {
    if options.statistics {
        write_statistics(out, run)?;
    } else {
        write_findings(out, run, options.color)?;
    }
    if options.quiet {
        return Ok(());
    }
    writeln!(out, "{}", summary(run, options.elapsed))
}

/// Whether text is coloured when `--color auto`: `NO_COLOR` set and not empty says no, else
/// `FORCE_COLOR` set and not empty says yes (as no-color.org and force-color.org define them),
/// else only on a terminal.
pub fn auto_color(terminal: bool) -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    if set("NO_COLOR") {
        false
    } else if set("FORCE_COLOR") {
        true
    } else {
        terminal
    }
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
        let report = Report::new(run, d);
        rendered.clear();
        if handler.render_report(&mut rendered, &report).is_err() {
            rendered = format!(
                "{}: {}[{}] {}\n",
                escape::path(source.path()),
                d.severity,
                d.code,
                report.message
            );
        }
        // Without a source excerpt miette does not say which file: add it.
        if source.text().is_empty() {
            writeln!(out, "{}:", escape::path(source.path()))?;
        }
        write!(out, "{rendered}")?;
        if report.cut() {
            writeln!(
                out,
                "  note: long lines are shown {} characters around the finding (`[limits] line-width` in xacct.toml shows more)",
                run.line_width(d.file)
            )?;
        }
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

/// Prints a config mistake to stderr with the config excerpt (escaped and windowed, as a
/// finding's).
pub fn config_error(error: &crate::config::ConfigError) {
    one_config_error(error);
    for more in &error.more {
        one_config_error(more);
    }
}

fn one_config_error(error: &crate::config::ConfigError) {
    let file = xacct_syntax::SourceFile::new(&error.path, error.text.clone());
    let len = error.text.len();
    let span = xacct_syntax::Span::new(
        error.span.start.min(len) as u32,
        error.span.end.clamp(error.span.start.min(len), len) as u32,
    );
    let (excerpt, placed) = Excerpt::new(&file, &[span], xacct_input::Limits::default().line_width);
    let diagnostic =
        miette::MietteDiagnostic::new(format!("invalid config: {}", escape::line(&error.message)))
            .with_code("config")
            .with_label(LabeledSpan::new_primary_with_span(None, placed[0]));
    let report = miette::Report::new(diagnostic).with_source_code(excerpt);
    let color = auto_color(std::io::IsTerminal::is_terminal(&std::io::stderr()));
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
            escape::path(&error.path),
            escape::line(&error.message)
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
            ..Default::default()
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
