//! XA902 broad-foreign-grant: `kms:*`, `s3:*` or `*` granted to another account in a bucket or
//! key policy, or `iam:PassRole` on `*` in a cross-account action role's policy.

use std::collections::HashSet;

use xacct_graph::EdgeKind;
use xacct_model::policy::PrincipalKind;
use xacct_model::policy::ValueBlock;
use xacct_model::policy_file::PolicyKind;
use xacct_model::workspace::Governs;
use xacct_model::{AccountId, Spanned};
use xacct_syntax::Span;

use crate::registry::{declare_rule, Check};
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
        let owner = match (&unit.entry.kind, &unit.governs) {
            (Some(PolicyKind::Key), Some(Governs::Key(arn))) => arn_account(arn),
            (Some(PolicyKind::Bucket), Some(Governs::Bucket(name))) => {
                cx.workspace.store_account(name)
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
    // iam:PassRole on `*` in the policies of roles that pipelines use in other accounts.
    let mut seen = HashSet::new();
    // A role's policies are read once, for the first check that assumes it from another
    // account: every later one would find the same statements (a shared role is assumed
    // thousands of times).
    let mut roles_read = HashSet::new();
    for (check_index, c) in cx.graph.checks_of(EdgeKind::CanAssume) {
        // The accounts were parsed from the same ARNs when the check was asked.
        if c.principal_account.is_none()
            || c.principal_account == c.resource_account
            || roles_read.contains(&c.resource)
        {
            continue;
        }
        roles_read.insert(c.resource.clone());
        let role = c.resource.to_string();
        for policy in cx.workspace.governing(&Governs::RoleIdentity(role.clone())) {
            // A policy attached but not given stands as an allow of unknown reach: never the
            // ground for a finding.
            let statements = policy.document().statements.iter();
            for statement in
                statements.filter(|s| s.allows() && !xacct_model::managed::is_stand_in(s))
            {
                let Some(through) = statement.action.as_ref().and_then(pass_role_through) else {
                    continue;
                };
                let Some((span, on)) = statement.resource.as_ref().and_then(every_role) else {
                    continue;
                };
                if !seen.insert((policy.file, span)) {
                    continue;
                }
                out.push_about(check_index,
                    cx.diag(&RULE, policy.file, span, format!(
                        "the policy of `{role}`, which the pipeline's role assumes from another account, allows iam:PassRole{through} on every role{on}"
                    ))
                    .help("name the deployment roles it passes, e.g. \"Resource\": \"arn:aws:iam::ACCOUNT:role/cloudformation-deploy-role\""),
                );
            }
        }
    }
}

/// Whether an `Action`/`NotAction` block allows `iam:PassRole`, as IAM matches actions, and
/// how, for the message: "" when it names iam:PassRole, " (through `iam:*`)" when a wildcard
/// covers it, " (through NotAction `s3:*`)" when a `NotAction` leaves it in.
fn pass_role_through(block: &ValueBlock) -> Option<String> {
    if !action_matches(block, "iam:PassRole") {
        return None;
    }
    let listed = |v: &Spanned<String>| format!("`{}`", v.value);
    if block.negated {
        let values: Vec<String> = block.values.iter().map(listed).collect();
        return Some(format!(" (through NotAction {})", values.join(", ")));
    }
    let single = |v: &Spanned<String>| ValueBlock {
        negated: false,
        key_span: block.key_span,
        values: vec![v.clone()],
    };
    let value = block
        .values
        .iter()
        .find(|v| action_matches(&single(v), "iam:PassRole"))?;
    Some(if value.value.eq_ignore_ascii_case("iam:PassRole") {
        String::new()
    } else {
        format!(" (through {})", listed(value))
    })
}

/// Where a `Resource`/`NotResource` block covers every role, and how, for the message:
/// `"Resource": "*"` (at the `*`), or a `NotResource` none of whose values can match an IAM
/// role ARN (at the key), since it then excludes no role. `"NotResource": "*"` excludes
/// everything and grants nothing.
fn every_role(block: &ValueBlock) -> Option<(Span, &'static str)> {
    if !block.negated {
        let star = block.values.iter().find(|v| v.value == "*")?;
        return Some((star.span, ""));
    }
    // An ARN pattern excludes no role when its service is spelled out and is not `iam`.
    let excludes_no_role = |v: &Spanned<String>| {
        let mut fields = v.value.split(':');
        let (Some("arn"), Some(_), Some(service)) = (fields.next(), fields.next(), fields.next())
        else {
            return false;
        };
        !service.contains(['*', '?']) && !service.eq_ignore_ascii_case("iam")
    };
    block
        .values
        .iter()
        .all(excludes_no_role)
        .then_some((block.key_span, " (its NotResource excludes no role)"))
}

#[cfg(test)]
mod tests {
    use xacct_model::policy::ValueBlock;
    use xacct_model::Spanned;
    use xacct_syntax::Span;

    use crate::rules::{action_matches, resource_matches};

    fn block(negated: bool, values: &[&str]) -> ValueBlock {
        ValueBlock {
            negated,
            key_span: Span::default(),
            values: values
                .iter()
                .map(|v| Spanned::new(v.to_string(), Span::default()))
                .collect(),
        }
    }

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
