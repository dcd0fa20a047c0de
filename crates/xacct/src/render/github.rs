//! GitHub Actions workflow commands: one annotation a finding, which the runner shows on the
//! file and line in the run's summary and a pull request's diff.
//!
//! `::error file=F,line=L,col=C,endLine=EL,endColumn=EC,title=XA201::message` (warnings are
//! `::warning`, infos `::notice`). The escaping is the one the Actions toolkit applies
//! (`@actions/core`, `command.ts`) and the runner undoes: in the message `%`, CR and LF; in a
//! property also `:` and `,`, which would end the property or the command. Positions are those
//! of the toolkit's `AnnotationProperties`: lines and columns from 1, the end inclusive, and
//! columns only when the finding starts and ends on one line (GitHub ignores them otherwise).

use std::io::{self, Write};

use xacct_rules::{Diagnostic, Severity};

use crate::fingerprint::portable_path;
use crate::lint::LintRun;

/// The workflow command of a severity.
pub fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// Escapes a command's message (`escapeData` in the toolkit). Text from the input has had its
/// other control characters written as escapes before (the runner would pass them raw to the
/// log viewer).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (`escapeProperty` in the toolkit).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The annotation of one finding, without the line break.
pub fn annotation(run: &LintRun, d: &Diagnostic) -> String {
    let source = run.source(d.file);
    let start = source.line_col(d.span.start);
    // The toolkit's end column is the last character's: step back from the exclusive end.
    let last = if d.span.end > d.span.start {
        d.span.end - 1
    } else {
        d.span.start
    };
    let end = source.line_col(last);
    let mut properties = vec![
        (
            "file",
            crate::escape::line(&portable_path(source.path())).into_owned(),
        ),
        ("line", start.line.to_string()),
    ];
    if end.line == start.line {
        properties.push(("col", start.column.to_string()));
        properties.push(("endLine", end.line.to_string()));
        properties.push(("endColumn", end.column.to_string()));
    } else {
        properties.push(("endLine", end.line.to_string()));
    }
    properties.push(("title", d.code.to_string()));
    let properties: Vec<String> = properties
        .into_iter()
        .map(|(key, value)| format!("{key}={}", escape_property(&value)))
        .collect();
    // The message is one line (an input's newline in it is escaped); the help may span lines.
    let message = match &d.help {
        Some(help) => format!(
            "{}\nhelp: {}",
            crate::escape::line(&d.message),
            crate::escape::lines(help)
        ),
        None => crate::escape::line(&d.message).into_owned(),
    };
    format!(
        "::{} {}::{}",
        command(d.severity),
        properties.join(","),
        escape_data(&message)
    )
}

/// Writes one annotation a finding.
pub fn write(out: &mut impl Write, run: &LintRun) -> io::Result<()> {
    for d in run.diagnostics() {
        writeln!(out, "{}", annotation(run, d))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use xacct_rules::Outcome;
    use xacct_syntax::{FileId, SourceFile, Span};

    use crate::lint::LintedFile;

    #[test]
    fn data_escapes_percent_cr_and_lf_only() {
        assert_eq!(
            escape_data("100% a:b, c\r\nd\n%0A"),
            "100%25 a:b, c%0D%0Ad%0A%250A"
        );
    }

    #[test]
    fn properties_also_escape_colon_and_comma() {
        assert_eq!(
            escape_property("a:b,c%d\re\nf::,,"),
            "a%3Ab%2Cc%25d%0De%0Af%3A%3A%2C%2C"
        );
        // `%` first, so an escape already in the text is not taken for one.
        assert_eq!(escape_property("%3A"), "%253A");
        // The string `tests/formats.rs` gives the Actions toolkit, with its answers.
        let tricky = "a\rb\r\nc%0A%25::,x";
        assert_eq!(escape_data(tricky), "a%0Db%0D%0Ac%250A%2525::,x");
        assert_eq!(escape_property(tricky), "a%0Db%0D%0Ac%250A%2525%3A%3A%2Cx");
    }

    fn one_finding(path: &str, text: &str, span: Span, help: Option<&str>) -> LintRun {
        let rule = xacct_rules::rule("XA201").unwrap();
        let mut d = Diagnostic::new(rule, FileId(0), span, "a message: with, punctuation\n100%");
        d.help = help.map(str::to_string);
        LintRun {
            files: vec![LintedFile {
                source: SourceFile::new(path, text.to_string()),
                diagnostics: vec![d],
                suppressed: Vec::new(),
                outcome: Outcome::NotChecked,
            }],
            ..Default::default()
        }
    }

    #[test]
    fn a_one_line_finding_has_columns_with_an_inclusive_end() {
        // `é` is one column: columns count code points.
        let text = "{\n  \"é\": \"value\"\n}\n";
        let start = text.find("\"value").unwrap() as u32;
        let run = one_finding(
            "./dir,1/p:q.json",
            text,
            Span::new(start, start + 7),
            Some("add `x`"),
        );
        assert_eq!(
            annotation(&run, &run.files[0].diagnostics[0]),
            "::error file=dir%2C1/p%3Aq.json,line=2,col=8,endLine=2,endColumn=14,title=XA201\
             ::a message: with, punctuation\\u{a}100%25%0Ahelp: add `x`"
        );
    }

    #[test]
    fn a_multi_line_finding_has_lines_only() {
        let text = "{\n  \"a\": [\n    1\n  ]\n}\n";
        let start = text.find('[').unwrap() as u32;
        let end = text.find(']').unwrap() as u32 + 1;
        let run = one_finding("p.json", text, Span::new(start, end), None);
        assert_eq!(
            annotation(&run, &run.files[0].diagnostics[0]),
            "::error file=p.json,line=2,endLine=4,title=XA201::a message: with, punctuation\\u{a}100%25"
        );
    }

    #[test]
    fn an_empty_span_is_one_column_and_a_span_ending_at_a_line_break_stays_on_its_line() {
        let text = "ab\ncd\n";
        let run = one_finding("p.json", text, Span::empty(1), None);
        assert!(annotation(&run, &run.files[0].diagnostics[0])
            .contains("line=1,col=2,endLine=1,endColumn=2,"));
        let run = one_finding("p.json", text, Span::new(0, 3), None);
        assert!(annotation(&run, &run.files[0].diagnostics[0])
            .contains("line=1,col=1,endLine=1,endColumn=3,"));
    }

    #[test]
    fn severities_map_to_error_warning_notice() {
        assert_eq!(command(Severity::Error), "error");
        assert_eq!(command(Severity::Warning), "warning");
        assert_eq!(command(Severity::Info), "notice");
    }
}
