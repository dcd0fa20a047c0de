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

/// A policy that breaks the IAM policy grammar.
pub fn from_policy_issue(file: FileId, issue: &xacct_model::policy::PolicyIssue) -> Diagnostic {
    Diagnostic::new(&RULE, file, issue.span, format!("invalid policy: {}", issue.message))
        .help("IAM rejects the policy (MalformedPolicyDocument); see the IAM JSON policy element reference")
}

/// A property CloudFormation does not know on a resource xacct reads.
pub fn template_issue(file: FileId, span: xacct_syntax::Span, message: &str) -> Diagnostic {
    Diagnostic::new(&RULE, file, span, message.to_string())
        .help("CloudFormation rejects the template (\"Encountered unsupported property\"); see the resource's page in the CloudFormation reference")
}

/// A policy whose subject neither the file, the config nor the folder tells: rules that need
/// it cannot use it. Info: the setup may be fine, xacct just cannot check it.
pub fn unbound_policy(
    unit: &xacct_model::workspace::PolicyUnit,
    path: &std::path::Path,
) -> Diagnostic {
    use xacct_model::policy_file::PolicyKind;
    let kind = unit.entry.kind;
    let (what, key, example) = match kind {
        Some(PolicyKind::Key) => ("key policy", "key", "arn:aws:kms:REGION:ACCOUNT:key/KEY-ID"),
        Some(PolicyKind::Bucket) => ("bucket policy", "bucket", "BUCKET-NAME"),
        Some(PolicyKind::Trust) => ("trust policy", "role", "arn:aws:iam::ACCOUNT:role/NAME"),
        Some(PolicyKind::Identity) => ("identity policy", "role", "arn:aws:iam::ACCOUNT:role/NAME"),
        None => ("policy", "role", "arn:aws:iam::ACCOUNT:role/NAME"),
    };
    let span = Span::new(
        unit.entry.document.span.start,
        unit.entry.document.span.start + 1,
    );
    let message = match kind {
        Some(_) => format!(
            "cannot tell which {} this {what} governs",
            if key == "role" { "role" } else { key }
        ),
        None => "cannot tell which role, bucket or key this policy governs".to_string(),
    };
    Diagnostic::new(&RULE, unit.file, span, message)
        .severity(crate::Severity::Info)
        .help(format!(
            "bind it in xacct.toml so the cross-account rules can use it:\n[[bind]]\nfile = \"{}\"\n{key} = \"{example}\"",
            path.display()
        ))
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
