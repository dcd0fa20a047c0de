//! XA906 statement-without-resource: a statement of an identity, bucket or key policy has
//! neither `Resource` nor `NotResource`.

use xacct_model::policy_file::PolicyKind;

use crate::registry::{declare_rule, Check};
use crate::rules::{policy_kind, written_statements, WorkspaceContext};
use crate::Diagnostic;

declare_rule!(
    "XA906",
    "statement-without-resource",
    Error,
    "A statement of an identity, bucket or key policy has neither Resource nor NotResource: IAM and S3 refuse the policy, KMS accepts it but the statement has no effect.",
    Check::Workspace(check)
);

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    for (unit, statement) in written_statements(cx.workspace) {
        // A statement without `Effect` or `Action` is malformed already (XA003): one finding
        // says it must be rewritten.
        if statement.resource.is_some() || statement.effect.is_none() || statement.action.is_none()
        {
            continue;
        }
        let (message, severity, resource) = match policy_kind(unit) {
            Some(PolicyKind::Identity) => (
                "this statement has neither `Resource` nor `NotResource`: IAM refuses the policy (\"Policy statement must contain resources\")",
                crate::Severity::Error,
                "the ARNs it is about, or \"*\"",
            ),
            Some(PolicyKind::Bucket) => (
                "this statement of a bucket policy has neither `Resource` nor `NotResource`: S3 refuses the policy (\"Statement is missing required element\")",
                crate::Severity::Error,
                "the bucket's ARN and/or `arn:aws:s3:::BUCKET/*`",
            ),
            // KMS: "If either of the required Resource or Action elements are missing from a
            // key policy statement, the policy statement has no effect", yet CreateKey and
            // PutKeyPolicy succeed.
            Some(PolicyKind::Key) => (
                "this statement of a key policy has no `Resource`: KMS accepts the policy, but the statement has no effect",
                crate::Severity::Warning,
                "\"*\" (in a key policy, this key)",
            ),
            // A trust policy names no resource: the role is the resource. SCPs, RCPs and
            // grants are Organizations' and KMS's own documents; an event bus policy is
            // EventBridge's, whose rules on a missing element xacct has not checked.
            Some(
                PolicyKind::Trust
                | PolicyKind::ServiceControl
                | PolicyKind::ResourceControl
                | PolicyKind::Grant
                | PolicyKind::EventBus
                | PolicyKind::Function,
            )
            | None => continue,
        };
        out.push(
            cx.diag(&RULE, unit.file, statement.anchor(), message)
                .severity(severity)
                .help(format!("add \"Resource\": {resource}")),
        );
    }
}
