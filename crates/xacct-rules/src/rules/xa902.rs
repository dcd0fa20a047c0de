//! XA902 broad-foreign-grant: `kms:*`, `s3:*` or `*` granted to another account in a bucket or
//! key policy, or `iam:PassRole` on `*` in a cross-account action role's policy.

use std::collections::HashSet;

use xacct_graph::EdgeKind;
use xacct_model::policy::PrincipalKind;
use xacct_model::policy_file::PolicyKind;
use xacct_model::workspace::Governs;
use xacct_model::AccountId;

use crate::registry::{declare_rule, Check};
use crate::rules::PushAbout;
use crate::rules::{arn_account, WorkspaceContext};
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
    let mut bucket_owner = std::collections::HashMap::new();
    for unit in &cx.workspace.pipelines {
        let Some(home) = unit.accounts.pipeline_account() else {
            continue;
        };
        let pipeline = &unit.doc.pipeline;
        let stores = pipeline.artifact_store.iter().map(|s| &s.value).chain(
            pipeline
                .artifact_stores
                .iter()
                .flat_map(|s| s.value.iter().map(|r| &r.store)),
        );
        for store in stores {
            if let Some(bucket) = &store.location {
                bucket_owner.insert(bucket.value.clone(), home);
            }
        }
    }
    for unit in &cx.workspace.policies {
        let owner = match (&unit.entry.kind, &unit.governs) {
            (Some(PolicyKind::Key), Some(Governs::Key(arn))) => arn_account(arn),
            (Some(PolicyKind::Bucket), Some(Governs::Bucket(name))) => {
                bucket_owner.get(name).copied()
            }
            _ => None,
        };
        let Some(owner) = owner else { continue };
        for statement in unit.document().statements.iter().filter(|s| s.allows()) {
            let Some(principal) = statement.principal.as_ref().filter(|p| !p.negated) else {
                continue;
            };
            let foreign: Vec<AccountId> = principal
                .entries
                .iter()
                .filter(|e| e.kind == PrincipalKind::Aws)
                .filter_map(|e| principal_account(&e.value.value))
                .filter(|a| *a != owner)
                .collect();
            let Some(account) = foreign.first() else {
                continue;
            };
            let Some(actions) = statement.action.as_ref().filter(|a| !a.negated) else {
                continue;
            };
            for action in actions.values.iter().filter(|v| {
                matches!(
                    v.value.to_ascii_lowercase().as_str(),
                    "*" | "s3:*" | "kms:*"
                )
            }) {
                out.push(
                    cx.diag(&RULE, unit.file, action.span, format!(
                        "`{}` grants account {account} every action of the service on a resource of account {owner}",
                        action.value
                    ))
                    .help("grant only what the pipeline needs: s3:GetObject*, s3:PutObject and s3:ListBucket on the bucket; kms:Decrypt, kms:DescribeKey, kms:GenerateDataKey*, kms:Encrypt and kms:ReEncrypt* on the key"),
                );
            }
        }
    }
    // iam:PassRole on `*` in the policies of roles that pipelines use in other accounts.
    let mut seen = HashSet::new();
    for (check_index, c) in cx.graph.checks_of(EdgeKind::CanAssume) {
        if c.principal_account.is_none() || arn_account(&c.principal) == arn_account(&c.resource) {
            continue;
        }
        let role = c.resource.clone();
        for policy in cx.workspace.governing(&Governs::RoleIdentity(role.clone())) {
            for statement in policy.document().statements.iter().filter(|s| s.allows()) {
                let pass = statement.action.as_ref().is_some_and(|a| {
                    !a.negated
                        && a.values
                            .iter()
                            .any(|v| v.value.eq_ignore_ascii_case("iam:PassRole"))
                });
                let Some(resource) = statement.resource.as_ref().filter(|_| pass) else {
                    continue;
                };
                for value in resource.values.iter().filter(|v| v.value == "*") {
                    if !seen.insert((policy.file, value.span)) {
                        continue;
                    }
                    out.push_about(check_index,
                        cx.diag(&RULE, policy.file, value.span, format!(
                            "the policy of `{role}`, which the pipeline's role assumes from another account, allows iam:PassRole on every role"
                        ))
                        .help("name the deployment roles it passes, e.g. \"Resource\": \"arn:aws:iam::ACCOUNT:role/cloudformation-deploy-role\""),
                    );
                }
            }
        }
    }
}
