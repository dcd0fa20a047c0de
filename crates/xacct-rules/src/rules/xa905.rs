//! XA905 principal-not-arn: a principal is no principal AWS reads: a role or user name where
//! its ARN belongs, an ARN with a malformed account, an ARN of something that is no principal.

use xacct_model::policy_file::PolicyKind;
use xacct_model::principal::{principal_problem, PrincipalProblem};

use crate::registry::{declare_rule, Check};
use crate::rules::{policy_kind, written_statements, WorkspaceContext};
use crate::Diagnostic;

declare_rule!(
    "XA905",
    "principal-not-arn",
    Error,
    "A Principal names a role or user by name, or is an ARN AWS cannot read as a principal: IAM, S3 and KMS refuse the policy.",
    Check::Workspace(check)
);

/// What AWS answers to a policy with an invalid principal, by kind of policy.
fn refusal(kind: Option<PolicyKind>) -> &'static str {
    match kind {
        Some(PolicyKind::Key) => "KMS refuses the key policy (\"Policy contains a statement with one or more invalid principals\")",
        Some(PolicyKind::Bucket) => "S3 refuses the bucket policy (\"Invalid principal in policy\")",
        Some(PolicyKind::Trust) => "IAM refuses the trust policy (\"Invalid principal in policy\")",
        _ => "AWS refuses the policy (\"Invalid principal in policy\")",
    }
}

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    for (unit, statement) in written_statements(cx.workspace) {
        let kind = policy_kind(unit);
        // A principal in an identity policy is a problem of its own, whatever it names; SCPs
        // name none, and a grant's principals come from KMS itself.
        if matches!(
            kind,
            Some(PolicyKind::Identity | PolicyKind::ServiceControl | PolicyKind::Grant)
        ) {
            continue;
        }
        let Some(block) = &statement.principal else {
            continue;
        };
        for entry in &block.entries {
            let value = entry.value.value.as_str();
            let Some(problem) = principal_problem(entry.kind, value) else {
                continue;
            };
            let refused = refusal(kind);
            let (message, help) = match problem {
                PrincipalProblem::ResourceName { what, name } => (
                    format!("this principal is the name of {what} `{name}`, not its ARN: {refused}"),
                    format!(
                        "name the {what} by its ARN, `arn:aws:iam::ACCOUNT:{what}/NAME` (a reference to a {what} resource gives its name; its `Arn` attribute gives the ARN)"
                    ),
                ),
                PrincipalProblem::NotArn => (
                    format!("`{value}` is no principal (an ARN, a 12-digit account ID or \"*\"): {refused}"),
                    format!(
                        "if it is a role or a user, give its ARN: `arn:aws:iam::ACCOUNT:role/{}`",
                        value.rsplit('/').next().unwrap_or(value)
                    ),
                ),
                PrincipalProblem::MalformedArn(error) => {
                    let why = match &error {
                        xacct_model::ArnError::BadAccount(account) if account.is_empty() => {
                            "its account field is empty".to_string()
                        }
                        other => other.to_string(),
                    };
                    (
                        format!("`{value}` is no valid principal ARN, {why}: {refused}"),
                        "write the principal as `arn:aws:iam::ACCOUNT:root` (the account), `…:role/NAME` or `…:user/NAME`, with the 12-digit account ID".to_string(),
                    )
                }
                // The CodeDeploy guide's bucket policy asks for "the name of the IAM instance
                // profile" where the role's ARN belongs: a common slip, with its own advice.
                PrincipalProblem::NotPrincipalArn if value.contains(":instance-profile/") => (
                    format!("`{value}` is an instance profile, no principal: the instances make their requests as the role the profile holds, and {refused}"),
                    "name the role of the instance profile, `arn:aws:iam::ACCOUNT:role/ROLE-NAME` (`aws iam get-instance-profile --instance-profile-name NAME --query 'InstanceProfile.Roles[].Arn'`)".to_string(),
                ),
                PrincipalProblem::NotPrincipalArn => (
                    format!("`{value}` names no principal (an account's root, a role, a user, or an assumed-role or federated-user session): {refused}"),
                    "name the role or user that makes the requests, or the account (`arn:aws:iam::ACCOUNT:root`); a group is no principal".to_string(),
                ),
                PrincipalProblem::Empty => (
                    format!("an empty principal: {refused}"),
                    "name the principal, or remove the entry".to_string(),
                ),
                PrincipalProblem::NotServiceName => (
                    format!("`{value}` is no service principal (a service name such as `codepipeline.amazonaws.com`): {refused}"),
                    "name the service by its principal, `SERVICE.amazonaws.com`; a role or an account goes under \"AWS\"".to_string(),
                ),
            };
            out.push(
                cx.diag(&RULE, unit.file, entry.value.span, message)
                    .help(help),
            );
        }
    }
}
