//! XA515 principal-role-deploy-order: a trust, bucket, key or event bus policy that a template
//! or configuration creates names, as principal, a role of another account that another
//! template or configuration of the run creates. Deployed first, the policy is refused
//! ("Policy contains a statement with one or more invalid principals", run-time failure E14):
//! the role's stack must be deployed before the policy's.
//!
//! Information: the order is a fact of the deployment, not a mistake the inputs show. Only
//! when both the policy and the role's definition are among the inputs; a role given as
//! `get-role` output exists already. One finding a policy and role.

use std::collections::HashSet;

use xacct_model::policy::PrincipalKind;
use xacct_model::workspace::{role_key, Governs};
use xacct_model::Arn;

use crate::registry::{declare_rule, Check};
use crate::rules::WorkspaceContext;
use crate::Diagnostic;

declare_rule!(
    "XA515",
    "principal-role-deploy-order",
    Info,
    "A policy a template creates names as principal a role of another account that another template creates: that template must be deployed first, or the policy is refused (\"invalid principals\").",
    Check::Workspace(check)
);

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    let workspace = cx.workspace;
    let declarations = &workspace.declarations;
    for unit in &workspace.policies {
        if !declarations.is_deployed(unit.file) {
            continue;
        }
        let account = match &unit.governs {
            Some(
                Governs::RoleTrust(arn)
                | Governs::Key(arn)
                | Governs::EventBus(arn)
                | Governs::Function(arn),
            ) => Arn::parse(arn).ok().and_then(|a| a.account_id()),
            Some(Governs::Bucket(bucket)) => workspace.bucket_account(bucket),
            _ => None,
        };
        let Some(account) = account else {
            continue;
        };
        let what = unit.entry.kind.map_or("policy", |kind| kind.describe());
        let mut seen = HashSet::new();
        let principals = unit
            .document()
            .statements
            .iter()
            .filter_map(|s| s.principal.as_ref())
            .flat_map(|block| &block.entries)
            .filter(|entry| entry.kind == PrincipalKind::Aws);
        for entry in principals {
            let Ok(arn) = Arn::parse(&entry.value.value) else {
                continue;
            };
            let Some(role_account) = arn.account_id() else {
                continue;
            };
            if arn.service != "iam" || !arn.resource.starts_with("role/") || role_account == account
            {
                continue;
            }
            let Some((file, definition)) = declarations.role(&entry.value.value) else {
                continue;
            };
            // The same stack, or one the inputs already deploy after the role's (`cdk deploy`
            // deploys a stack's dependencies first): the order is kept.
            if file == unit.file
                || declarations.deployed_after(unit.file, file)
                || !seen.insert(role_key(&entry.value.value))
            {
                continue;
            }
            out.push(
                cx.diag(
                    &RULE,
                    unit.file,
                    entry.value.span,
                    format!(
                        "this {what} names role `{}` of account {role_account}, which another template of the run creates: deploy that one first, or the policy is refused until the role exists (\"Policy contains a statement with one or more invalid principals\")",
                        entry.value.value
                    ),
                )
                .label_in(
                    file,
                    definition.span,
                    format!("role `{}` is created here, in account {role_account}: deploy this first", definition.value),
                )
                .help(format!(
                    "deploy the stack or configuration that creates the role in account {role_account} before the one holding this {what} (in account {account}); when each names a role of the other, deploy one first with the other account's root (`arn:aws:iam::ACCOUNT:root`) as principal and narrow it once both exist"
                )),
            );
        }
    }
}
