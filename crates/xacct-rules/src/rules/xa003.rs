//! XA003 unrecognized-shape: no document xacct knows, or a field of the wrong type.
//!
//! Three sources: the API-model validator's type errors on a pipeline (checked here); shapes
//! `xacct-input` finds wrong while loading any format (policies, CLI outputs, templates); and
//! policies nothing ties to a role, bucket or key (the workspace phase, [`unbound_policy`]).

use xacct_syntax::Span;

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

/// A policy whose subject neither the file, the config nor the folder tells: rules that need
/// it cannot use it. Info: the setup may be fine, xacct just cannot check it.
pub fn unbound_policy(
    unit: &xacct_model::workspace::PolicyUnit,
    path: &std::path::Path,
) -> Diagnostic {
    use xacct_model::policy_file::PolicyKind;
    let kind = unit.entry.kind;
    // A function policy has no binding: it is tied by the one ARN its statements name.
    if kind == Some(PolicyKind::Function) {
        let span = Span::new(
            unit.entry.document.span.start,
            unit.entry.document.span.start + 1,
        );
        return Diagnostic::new(
            &RULE,
            unit.file,
            span,
            "cannot tell which Lambda function this function policy governs",
        )
        .severity(crate::Severity::Info)
        .help("give each function's, version's or alias's policy on its own, as `aws lambda get-policy` prints it: every statement's `Resource` the one ARN it governs (the permission applies only to the ARN it names)");
    }
    let (key, example) = match kind {
        Some(PolicyKind::Key | PolicyKind::Grant) => {
            ("key", "\"arn:aws:kms:REGION:ACCOUNT:key/KEY-ID\"")
        }
        Some(PolicyKind::Bucket) => ("bucket", "\"BUCKET-NAME\""),
        // An event bus policy is read with its bus's ARN (`describe-event-bus`, a template):
        // never unbound; the role example stands for a file xacct cannot place at all.
        Some(PolicyKind::ServiceControl | PolicyKind::ResourceControl) => {
            ("accounts", "[\"ACCOUNT\"]")
        }
        Some(
            PolicyKind::Trust | PolicyKind::Identity | PolicyKind::EventBus | PolicyKind::Function,
        )
        | None => ("role", "\"arn:aws:iam::ACCOUNT:role/NAME\""),
    };
    let span = Span::new(
        unit.entry.document.span.start,
        unit.entry.document.span.start + 1,
    );
    let message = match kind {
        Some(kind) if kind.is_organization() => format!(
            "cannot tell which accounts this {} applies to",
            kind.describe()
        ),
        Some(kind) => format!("cannot tell which {key} this {} governs", kind.describe()),
        None => "cannot tell which role, bucket or key this policy governs".to_string(),
    };
    Diagnostic::new(&RULE, unit.file, span, message)
        .severity(crate::Severity::Info)
        .help(format!(
            "bind it in xacct.toml so the cross-account rules can use it:\n[[bind]]\nfile = \"{}\"\n{key} = {example}",
            path.display()
        ))
}
