//! `path:line:col: severity[CODE] message`, one finding a line: the format of Vim's
//! `errorformat`, Emacs' compilation mode and VS Code problem matchers.

use std::io::{self, Write};

use crate::lint::LintRun;

/// Writes the findings, one a line.
pub fn write(out: &mut impl Write, run: &LintRun) -> io::Result<()> {
    for d in run.diagnostics() {
        let source = run.source(d.file);
        let at = source.line_col(d.span.start);
        writeln!(
            out,
            "{}:{}:{}: {}[{}] {}",
            crate::escape::path(source.path()),
            at.line,
            at.column,
            d.severity,
            d.code,
            crate::escape::line(&d.message)
        )?;
    }
    Ok(())
}
