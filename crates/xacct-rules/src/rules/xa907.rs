//! XA907 statement-without-principal: a statement of a trust, bucket or key policy has neither
//! `Principal` nor `NotPrincipal`.

use xacct_model::policy_file::PolicyKind;

use crate::registry::{declare_rule, Check};
use crate::rules::{policy_kind, written_statements, WorkspaceContext};
use crate::Diagnostic;

declare_rule!(
    "XA907",
    "statement-without-principal",
    Error,
    "A statement of a trust, bucket or key policy has no Principal: IAM, S3 and KMS refuse the policy.",
    Check::Workspace(check)
);

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    for (unit, statement) in written_statements(cx.workspace) {
        // A statement without `Effect` or `Action` is malformed already (XA003): one finding
        // says it must be rewritten.
        if statement.principal.is_some() || statement.effect.is_none() || statement.action.is_none()
        {
            continue;
        }
        let message = match policy_kind(unit) {
            Some(PolicyKind::Trust) => "this statement of a trust policy has no `Principal`: IAM refuses the policy (\"Invalid principal in policy: … The passed in policy has a statement with no principals!\")",
            Some(PolicyKind::Bucket) => "this statement of a bucket policy has no `Principal`: S3 refuses the policy (\"Missing required field Principal\")",
            Some(PolicyKind::Key) => "this statement of a key policy has no `Principal`: KMS refuses the policy (each statement of a key policy must name one or more principals)",
            // An identity policy names no principal: the role is the principal. An SCP names
            // none either; RCPs and grants are Organizations' and KMS's own documents, an event
            // bus policy EventBridge's.
            Some(
                PolicyKind::Identity
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
                .help("name who the statement is about, e.g. \"Principal\": {\"AWS\": \"arn:aws:iam::ACCOUNT:root\"} or {\"Service\": \"codepipeline.amazonaws.com\"}"),
        );
    }
}
