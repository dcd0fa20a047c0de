//! What is wrong with an input itself, found while reading it: the rules crate turns each
//! [`Issue`] into the finding of the rule its [`IssueKind`] names, without knowing the format.
//!
//! Messages are written here, where the format is known ("invalid YAML", "`Role` must be an
//! object"); anything in them that came from the input is escaped by the renderers.

use xacct_syntax::json::{DuplicateKey, ParseError};
use xacct_syntax::{SourceError, Span};

use crate::limits::Limit;

/// Which rule an issue belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IssueKind {
    /// xacct itself failed on the file: a bug, caught by the last net (XA000).
    Internal,
    /// The file cannot be read, decoded or parsed (XA001).
    Unreadable,
    /// A key twice in one object (XA002).
    DuplicateKey,
    /// A known document with a value of the wrong shape, or something the service rejects
    /// (XA003).
    Shape,
    /// A file named explicitly that is no document xacct knows (XA003).
    UnknownDocument,
    /// A limit xacct keeps on hostile input was reached (XA005).
    Limit(Limit),
    /// A value xacct cannot evaluate, so the checks that need it stay silent (XA006; reported
    /// with `--strict`).
    CannotEvaluate,
    /// Resources of a template that depend on each other in a circle (XA007).
    Cycle,
    /// A sub-project's `xacct.toml` that cannot be used (XA008).
    Config,
}

/// One problem of one file, at a span of that file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issue {
    /// Which rule reports it.
    pub kind: IssueKind,
    /// Where.
    pub span: Span,
    /// One line.
    pub message: String,
    /// Secondary spans in the same file.
    pub labels: Vec<(Span, String)>,
    /// The fix.
    pub help: Option<String>,
}

impl Issue {
    /// An issue with a message and no labels or help.
    pub fn new(kind: IssueKind, span: Span, message: impl Into<String>) -> Issue {
        Issue {
            kind,
            span,
            message: message.into(),
            labels: Vec::new(),
            help: None,
        }
    }

    /// Sets the help line.
    pub fn help(mut self, help: impl Into<String>) -> Issue {
        self.help = Some(help.into());
        self
    }

    /// Adds a secondary span.
    pub fn label(mut self, span: Span, message: impl Into<String>) -> Issue {
        self.labels.push((span, message.into()));
        self
    }

    /// A JSON syntax error at its span.
    pub fn json_syntax(error: &ParseError) -> Issue {
        Issue::syntax(error, "JSON", "fix the JSON syntax at this position; xacct reads strict JSON (RFC 8259): no comments, no trailing commas")
    }

    /// A YAML syntax error at its span.
    pub fn yaml_syntax(error: &ParseError) -> Issue {
        Issue::syntax(error, "YAML", "fix the YAML syntax at this position (CloudFormation reads YAML 1.1 and its short-form tags such as `!Sub`)")
    }

    /// A syntax error of `language`, or the limit a parse stopped at.
    fn syntax(error: &ParseError, language: &str, help: &str) -> Issue {
        Issue::parse_limit(error).unwrap_or_else(|| {
            Issue::new(
                IssueKind::Unreadable,
                error.span,
                format!("invalid {language}: {}", error.kind),
            )
            .help(help)
        })
    }

    /// A parse that stopped at a limit rather than at a fault.
    fn parse_limit(error: &ParseError) -> Option<Issue> {
        use xacct_syntax::json::ParseErrorKind;
        let limit = match &error.kind {
            ParseErrorKind::TooDeep { .. } => Limit::Depth,
            ParseErrorKind::AliasExpansion { .. } => Limit::AliasBytes,
            _ => return None,
        };
        Some(Issue::limit(limit, error.span, error.kind.to_string()))
    }

    /// A limit reached: what, and how to raise it.
    pub fn limit(limit: Limit, span: Span, what: impl Into<String>) -> Issue {
        Issue::new(IssueKind::Limit(limit), span, what).help(limit.how_to_raise())
    }

    /// Bytes that are not UTF-8 text.
    pub fn decode(error: &SourceError) -> Issue {
        let help = match error {
            SourceError::Empty => "an empty file is no document; delete it or exclude it with `--exclude`",
            SourceError::InvalidUtf8 { .. } => "save the file as UTF-8",
            SourceError::Utf16 => "convert it to UTF-8, e.g. `iconv -f UTF-16 -t UTF-8`, or in PowerShell use `Out-File -Encoding utf8`",
            SourceError::Binary { .. } => "exclude the file with `--exclude`, or name only the JSON files to lint",
            SourceError::TooLarge { .. } => {
                return Issue::limit(
                    Limit::FileSize,
                    error.span(),
                    format!("cannot read the file: {error}"),
                )
            }
        };
        Issue::new(
            IssueKind::Unreadable,
            error.span(),
            format!("cannot read the file: {error}"),
        )
        .help(help)
    }

    /// A UTF-8 byte-order mark, which JSON forbids; the rest of the file is still checked.
    pub fn bom(span: Span) -> Issue {
        Issue::new(
            IssueKind::Unreadable,
            span,
            "the file starts with a UTF-8 byte-order mark, which JSON text must not carry (RFC 8259 §8.1)",
        )
        .help("save the file as UTF-8 without BOM; many JSON readers, Python's `json` module among them, reject it")
    }

    /// A duplicated key: the primary span is the later key (whose value wins).
    pub fn duplicate(duplicate: &DuplicateKey) -> Issue {
        Issue::new(
            IssueKind::DuplicateKey,
            duplicate.second,
            format!(
                "key `{}` appears twice in this object; AWS tools keep only this later value",
                duplicate.key
            ),
        )
        .label(
            duplicate.first,
            "first occurrence: its value is silently ignored",
        )
        .help(format!(
            "keep one `{}`: delete the occurrence you do not mean",
            duplicate.key
        ))
    }

    /// A policy that breaks the IAM policy grammar.
    pub fn policy(issue: &xacct_model::policy::PolicyIssue) -> Issue {
        Issue::new(
            IssueKind::Shape,
            issue.span,
            format!("invalid policy: {}", issue.message),
        )
        .help("IAM rejects the policy (MalformedPolicyDocument); see the IAM JSON policy element reference")
    }

    /// A property CloudFormation does not know on a resource xacct reads.
    pub fn template(span: Span, message: impl Into<String>) -> Issue {
        Issue::new(IssueKind::Shape, span, message)
            .help("CloudFormation rejects the template (\"Encountered unsupported property\"); see the resource's page in the CloudFormation reference")
    }

    /// A value xacct cannot evaluate: the checks that need it stay silent.
    pub fn cannot_evaluate(span: Span, message: impl Into<String>) -> Issue {
        Issue::new(IssueKind::CannotEvaluate, span, message)
    }
}

/// "a number", "null", "an empty list"…: what a value is, for messages.
pub fn describe(node: &xacct_syntax::json::Node) -> String {
    use xacct_syntax::json::Value;
    match &node.value {
        Value::Null => "null".to_string(),
        Value::Array(items) if items.is_empty() => "an empty list".to_string(),
        Value::Array(_) => "a list".to_string(),
        Value::Object(_) => "an object".to_string(),
        _ => format!("a {}", node.kind_name()),
    }
}
