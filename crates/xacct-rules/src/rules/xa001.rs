//! XA001 parse-error: a file cannot be read or parsed.

use xacct_syntax::json::ParseError;
use xacct_syntax::{FileId, SourceError, Span};

use crate::registry::{declare_rule, Check};
use crate::{Diagnostic, Severity};

declare_rule!(
    "XA001",
    "parse-error",
    Error,
    "A file cannot be read or parsed as JSON.",
    Check::Input
);

/// A syntax error at its span.
pub fn from_parse_error(file: FileId, error: &ParseError) -> Diagnostic {
    Diagnostic::new(&RULE, file, error.span, format!("invalid JSON: {}", error.kind))
        .help("fix the JSON syntax at this position; xacct reads strict JSON (RFC 8259): no comments, no trailing commas")
}

/// A YAML syntax error at its span.
pub fn from_yaml_error(file: FileId, error: &ParseError) -> Diagnostic {
    Diagnostic::new(&RULE, file, error.span, format!("invalid YAML: {}", error.kind))
        .help("fix the YAML syntax at this position (CloudFormation reads YAML 1.1 and its short-form tags such as `!Sub`)")
}

/// Bytes that are not UTF-8 text.
pub fn from_source_error(file: FileId, error: &SourceError) -> Diagnostic {
    let help = match error {
        SourceError::Empty => "an empty file is no document; delete it or exclude it with `--exclude`",
        SourceError::InvalidUtf8 { .. } => "save the file as UTF-8",
        SourceError::Utf16 => "convert it to UTF-8, e.g. `iconv -f UTF-16 -t UTF-8`, or in PowerShell use `Out-File -Encoding utf8`",
        SourceError::Binary { .. } => "exclude the file with `--exclude`, or name only the JSON files to lint",
        SourceError::TooLarge { .. } => "split the file",
    };
    Diagnostic::new(
        &RULE,
        file,
        error.span(),
        format!("cannot read the file: {error}"),
    )
    .help(help)
}

/// A UTF-8 byte-order mark, which JSON forbids; the rest of the file is still checked.
pub fn from_bom(file: FileId, bom: Span) -> Diagnostic {
    Diagnostic::new(
        &RULE,
        file,
        bom,
        "the file starts with a UTF-8 byte-order mark, which JSON text must not carry (RFC 8259 §8.1)",
    )
    .help("save the file as UTF-8 without BOM; many JSON readers, Python's `json` module among them, reject it")
    .severity(Severity::Error)
}

/// An I/O failure while reading.
pub fn from_io_error(file: FileId, error: &std::io::Error) -> Diagnostic {
    Diagnostic::new(
        &RULE,
        file,
        Span::empty(0),
        format!("cannot read the file: {error}"),
    )
    .help("check that the path exists, is a regular file and is readable")
}
