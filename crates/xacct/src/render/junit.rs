//! JUnit XML, for CI systems that show test reports (GitLab, Jenkins, Azure Pipelines, …).
//!
//! One `testsuite`; one `testcase` a file, named by its path; one `failure` a finding, with the
//! code as its `type`, the message as its `message` and the compact line (plus the help) as its
//! text. A file without findings passes; a walked file that is no document xacct checks is
//! `skipped`. The suite's `failures` counts failed test cases, as JUnit does.

use std::io::{self, Write};

use xacct_rules::Outcome;

use crate::fingerprint::portable_path;
use crate::lint::LintRun;

/// Text as XML character data or an attribute value: markup escaped, line breaks and tabs kept
/// as character references in attributes (where a parser would fold them into spaces), and
/// characters XML 1.0 cannot carry at all replaced by U+FFFD.
pub fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\'' if attribute => out.push_str("&apos;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            // A raw CR is turned into LF by every parser, in text too.
            '\r' => out.push_str("&#13;"),
            '\t' | '\n' => out.push(c),
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

/// XML 1.0's `Char` production.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Writes the report.
pub fn write(out: &mut impl Write, run: &LintRun) -> io::Result<()> {
    let tests = run.files.len();
    let failures = run
        .files
        .iter()
        .filter(|f| !f.diagnostics.is_empty())
        .count();
    let skipped = run
        .files
        .iter()
        .filter(|f| f.diagnostics.is_empty() && f.outcome == Outcome::NotChecked)
        .count();
    let counts = format!(r#"tests="{tests}" failures="{failures}" errors="0" skipped="{skipped}""#);
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(out, r#"<testsuites name="xacct" {counts}>"#)?;
    writeln!(out, r#"  <testsuite name="xacct" {counts}>"#)?;
    for file in &run.files {
        let path = escape(
            &crate::escape::line(&portable_path(file.source.path())),
            true,
        );
        let open = format!(r#"    <testcase name="{path}" classname="xacct" file="{path}""#);
        if file.diagnostics.is_empty() {
            if file.outcome == Outcome::NotChecked {
                writeln!(out, "{open}>")?;
                writeln!(
                    out,
                    r#"      <skipped message="not a document xacct checks"/>"#
                )?;
                writeln!(out, "    </testcase>")?;
            } else {
                writeln!(out, "{open}/>")?;
            }
            continue;
        }
        writeln!(out, "{open}>")?;
        for d in &file.diagnostics {
            let at = file.source.line_col(d.span.start);
            let message = crate::escape::line(&d.message);
            let mut body = format!(
                "{}:{}:{}: {}[{}] {message}",
                crate::escape::path(file.source.path()),
                at.line,
                at.column,
                d.severity,
                d.code,
            );
            if let Some(help) = &d.help {
                body.push_str("\nhelp: ");
                body.push_str(&crate::escape::lines(help));
            }
            writeln!(
                out,
                r#"      <failure type="{}" message="{}">{}</failure>"#,
                escape(d.code, true),
                escape(&message, true),
                escape(&body, false)
            )?;
        }
        writeln!(out, "    </testcase>")?;
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_quotes_are_escaped() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#, true),
            "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;"
        );
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#, false),
            r#"&lt;a href="x"&gt;'&amp;'&lt;/a&gt;"#
        );
    }

    #[test]
    fn line_breaks_survive_in_attributes_and_text() {
        assert_eq!(escape("a\nb\r\n\tc", true), "a&#10;b&#13;&#10;&#9;c");
        assert_eq!(escape("a\nb\r\n\tc", false), "a\nb&#13;\n\tc");
    }

    #[test]
    fn characters_xml_cannot_carry_are_replaced() {
        assert_eq!(
            escape("a\u{0}b\u{1b}c\u{FFFE}", false),
            "a\u{FFFD}b\u{FFFD}c\u{FFFD}"
        );
        assert_eq!(escape("é😀", true), "é😀");
    }
}
