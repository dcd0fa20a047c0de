//! XA902 broad-foreign-grant: `kms:*`, `s3:*` or `*` granted to another account in a bucket or
//! key policy, or `iam:PassRole` on `*` in a cross-account action role's policy.

use std::collections::HashSet;

use xacct_graph::EdgeKind;
use xacct_model::policy::PolicyDocument;
use xacct_model::policy::PrincipalKind;
use xacct_model::policy_file::PolicyKind;
use xacct_model::workspace::Governs;
use xacct_model::AccountId;
use xacct_syntax::{FileId, Span};

use crate::registry::{declare_rule, Check};
use crate::rules::scope::{every_role, granted_through, policy_of};
use crate::rules::PushAbout;
use crate::rules::{action_matches, arn_account, WorkspaceContext};
use crate::Diagnostic;

declare_rule!(
    "XA902",
    "broad-foreign-grant",
    Warning,
    "kms:*, s3:* or iam:PassRole on * granted to another account.",
    Check::Workspace(check)
);

fn principal_account(value: &str) -> Option<AccountId> {
    AccountId::parse(value).or_else(|| arn_account(value))
}

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    // Owners: a key's account is in its ARN; an artifact bucket belongs to its pipeline's account.
    for unit in &cx.workspace.policies {
        // A key's account is in its ARN, else the folder of its policy; a bucket's is its
        // pipeline's (for an artifact store), else the folder of its policy.
        let owner = match (&unit.entry.kind, &unit.governs) {
            (Some(PolicyKind::Key), Some(Governs::Key(arn))) => arn_account(arn).or(unit.account),
            (Some(PolicyKind::Bucket), Some(Governs::Bucket(name))) => {
                cx.workspace.bucket_account(name)
            }
            _ => None,
        };
        let Some(owner) = owner else { continue };
        for statement in unit.document().statements.iter().filter(|s| s.allows()) {
            let Some(principal) = statement.principal.as_ref().filter(|p| !p.negated) else {
                continue;
            };
            let Some(account) = principal
                .entries
                .iter()
                .filter(|e| e.kind == PrincipalKind::Aws)
                .filter_map(|e| principal_account(&e.value.value))
                .find(|a| *a != owner)
            else {
                continue;
            };
            let Some(actions) = statement.action.as_ref().filter(|a| !a.negated) else {
                continue;
            };
            for action in actions.values.iter() {
                let value = action.value.as_str();
                let what = if value == "*" {
                    "every action"
                } else if value.eq_ignore_ascii_case("s3:*") || value.eq_ignore_ascii_case("kms:*")
                {
                    "every action of the service"
                } else {
                    continue;
                };
                out.push(
                    cx.diag(&RULE, unit.file, action.span, format!(
                        "`{}` grants account {account} {what} on a resource of account {owner}",
                        action.value
                    ))
                    .help("grant only what the pipeline needs: s3:GetObject*, s3:PutObject and s3:ListBucket on the bucket; kms:Decrypt, kms:DescribeKey, kms:GenerateDataKey*, kms:Encrypt and kms:ReEncrypt* on the key"),
                );
            }
        }
    }
    // iam:PassRole on `*` in the policies of roles another account may assume: the roles
    // pipelines use across accounts (tied to their checks), then every role whose trust
    // policy in the workspace names a principal of another account.
    let mut seen = HashSet::new();
    // A role's policies are read once: a shared role is assumed thousands of times.
    let mut roles_read: HashSet<String> = HashSet::new();
    for (check_index, c) in cx.graph.checks_of(EdgeKind::CanAssume) {
        // The accounts were parsed from the same ARNs when the check was asked.
        if c.principal_account.is_none()
            || c.principal_account == c.resource_account
            || roles_read.contains(&*c.resource)
        {
            continue;
        }
        roles_read.insert(c.resource.to_string());
        let role = c.resource.to_string();
        let who = "the pipeline's role assumes from another account";
        for (at, source, through_on) in pass_role_on_every_role(cx, &role, &mut seen) {
            out.push_about(
                check_index,
                pass_role_finding(at, &source, who, &through_on),
            );
        }
    }
    for unit in &cx.workspace.policies {
        let (Some(PolicyKind::Trust), Some(Governs::RoleTrust(role))) =
            (&unit.entry.kind, &unit.governs)
        else {
            continue;
        };
        let Some(home) = arn_account(role).or(unit.account) else {
            continue;
        };
        if roles_read.contains(role) {
            continue;
        }
        let Some(trustee) = foreign_trustee(unit.document(), home) else {
            continue;
        };
        roles_read.insert(role.clone());
        let who = format!("account {trustee} may assume (its trust policy says so)");
        for (at, source, through_on) in pass_role_on_every_role(cx, role, &mut seen) {
            out.push(pass_role_finding(at, &source, &who, &through_on));
        }
    }
}

/// The first account other than `home` that an Allow of `sts:AssumeRole` in a trust policy
/// names, by a whole account or one of its roles or users.
fn foreign_trustee(document: &PolicyDocument, home: AccountId) -> Option<AccountId> {
    document
        .statements
        .iter()
        .filter(|s| {
            s.allows()
                && s.action
                    .as_ref()
                    .is_some_and(|a| action_matches(a, "sts:AssumeRole"))
        })
        .filter_map(|s| s.principal.as_ref().filter(|p| !p.negated))
        .flat_map(|p| &p.entries)
        .filter(|e| e.kind == PrincipalKind::Aws)
        .filter_map(|e| principal_account(&e.value.value))
        .find(|a| *a != home)
}

/// The finding on a statement at `at` of a role's policies (`source` names the policy), which
/// `who` describes assuming it, granting iam:PassRole as `through_on` says.
fn pass_role_finding(
    (file, span): (FileId, Span),
    source: &str,
    who: &str,
    through_on: &str,
) -> Diagnostic {
    Diagnostic::new(
        &RULE,
        file,
        span,
        format!("{source}, which {who}, allows iam:PassRole{through_on}"),
    )
    .help("name the deployment roles it passes, e.g. \"Resource\": \"arn:aws:iam::ACCOUNT:role/cloudformation-deploy-role\"")
}

/// Each statement of `role`'s identity policies that allows `iam:PassRole` on every role, once
/// per place in the run.
fn pass_role_on_every_role(
    cx: &WorkspaceContext<'_>,
    role: &str,
    seen: &mut HashSet<(FileId, Span)>,
) -> Vec<((FileId, Span), String, String)> {
    let mut found = Vec::new();
    for policy in cx
        .workspace
        .governing(&Governs::RoleIdentity(role.to_string()))
    {
        // A policy attached but not given stands as an allow of unknown reach: never the
        // ground for a finding.
        let statements = policy.document().statements.iter();
        for statement in statements.filter(|s| s.allows() && !xacct_model::managed::is_stand_in(s))
        {
            let Some(through) = statement
                .action
                .as_ref()
                .and_then(|a| granted_through(a, "iam:PassRole"))
            else {
                continue;
            };
            let Some((span, on)) = statement.resource.as_ref().and_then(every_role) else {
                continue;
            };
            if seen.insert((policy.file, span)) {
                found.push((
                    (policy.file, span),
                    policy_of(policy, role),
                    format!("{through} on every role{on}"),
                ));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::block;
    use crate::rules::{action_matches, resource_matches};

    #[test]
    fn actions_match_as_iam_matches_them() {
        for pattern in [
            "iam:PassRole",
            "IAM:passrole",
            "iam:*",
            "iam:Pass*",
            "*",
            "iam:PassRol?",
        ] {
            assert!(
                action_matches(&block(false, &[pattern]), "iam:PassRole"),
                "{pattern}"
            );
        }
        assert!(!action_matches(
            &block(false, &["s3:*", "iam:Get*"]),
            "iam:PassRole"
        ));
        assert!(action_matches(&block(true, &["s3:*"]), "iam:PassRole"));
        assert!(!action_matches(&block(true, &["iam:*"]), "iam:PassRole"));
    }

    #[test]
    fn resources_match_field_by_field() {
        let objects = "arn:aws:s3:::bucket/";
        assert!(resource_matches(
            &block(false, &["arn:aws:s3:::bucket/*"]),
            objects
        ));
        assert!(resource_matches(&block(false, &["*"]), objects));
        assert!(!resource_matches(
            &block(false, &["arn:aws:s3:::bucket"]),
            objects
        ));
        assert!(!resource_matches(&block(true, &["*"]), objects));
    }
}
