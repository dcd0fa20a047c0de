//! XA003 unrecognized-shape: no document xacct knows, or a field of the wrong type.

use xacct_syntax::json::Node;
use xacct_syntax::{FileId, Span};

use crate::registry::{declare_rule, Check};
use crate::rules::PipelineContext;
use crate::Diagnostic;

declare_rule!(
    "XA003",
    "unrecognized-shape",
    Error,
    "A file named explicitly is no document xacct knows, or a known document has a field of the wrong type.",
    Check::Pipeline(check)
);

fn check(cx: &PipelineContext<'_>, out: &mut Vec<Diagnostic>) {
    for issue in cx.shape_issues.iter().filter(|issue| issue.is_type_error()) {
        out.push(
            cx.diag(&RULE, issue.span, issue.to_string())
                .help("the AWS CLI and API reject the whole document; see the CodePipeline API reference for the field"),
        );
    }
}

/// A file the user named that holds no document xacct knows.
pub fn unknown_document(file: FileId, root: &Node) -> Diagnostic {
    let what = match root.as_object() {
        Some(members) if !members.is_empty() => {
            let keys: Vec<String> = members
                .iter()
                .take(4)
                .map(|m| format!("`{}`", m.key))
                .collect();
            format!("an object with keys {}", keys.join(", "))
        }
        _ => format!("a JSON {}", root.kind_name()),
    };
    Diagnostic::new(
        &RULE,
        file,
        Span::new(root.span.start, root.span.start + 1),
        format!("not a document xacct knows: found {what}"),
    )
    .help("xacct reads pipeline declarations (`aws codepipeline get-pipeline` output or the bare declaration with `stages`); IAM policies and templates are recognised and checked by their own rules")
}
