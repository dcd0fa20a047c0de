//! XA208 deploy-target-in-other-account: the CodeDeploy application and deployment group an
//! action names are declared in another account than the one the action runs in.
//!
//! CodeDeploy looks the application and the group up in the account of the role that calls it:
//! the action's `roleArn` account, else the pipeline account. A group the inputs declare only in
//! other accounts is not there. Silent when some group of that name is, or may be, in the
//! action's account (its account not known).

use xacct_model::arn::AccountId;
use xacct_model::symbol::contains_placeholder;

use crate::registry::{declare_rule, Check};
use crate::rules::{account_phrase, has_variable, WorkspaceContext};
use crate::Diagnostic;

declare_rule!(
    "XA208",
    "deploy-target-in-other-account",
    Error,
    "A CodeDeploy action's application and deployment group are declared in another account than the one the action runs in.",
    Check::Workspace(check)
);

/// The providers whose action names a CodeDeploy application and deployment group.
const PROVIDERS: &[&str] = &["CodeDeploy", "CodeDeployToECS"];

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    let groups = &cx.workspace.compute.deployment_groups;
    if groups.is_empty() {
        return;
    }
    for unit in &cx.workspace.pipelines {
        let pipeline = &unit.doc.pipeline;
        let home = unit.accounts.pipeline_account();
        for (s, a, action) in pipeline.actions() {
            if !PROVIDERS.iter().any(|p| action.is("AWS", p)) {
                continue;
            }
            let (Some(application), Some(name)) = (
                action.config("ApplicationName"),
                action.config("DeploymentGroupName"),
            ) else {
                continue;
            };
            // A name fixed only at run time or at deployment names no group for certain.
            if [&application.value, &name.value]
                .iter()
                .any(|t| has_variable(t) || contains_placeholder(t))
            {
                continue;
            }
            let placement = unit.accounts.of(s, a);
            let Some(runs_in) = &placement.account else {
                continue;
            };
            let named: Vec<_> = groups
                .iter()
                .filter(|g| g.application.value == application.value && g.name.value == name.value)
                .collect();
            // Only groups known to be elsewhere: one in the action's account, or whose account
            // is not known, may be the one CodeDeploy finds.
            let elsewhere: Vec<(AccountId, _)> = named
                .iter()
                .filter_map(|g| g.place.account.map(|account| (account, *g)))
                .filter(|(account, _)| *account != runs_in.value)
                .collect();
            if elsewhere.is_empty() || elsewhere.len() != named.len() {
                continue;
            }
            let mut accounts: Vec<String> = elsewhere.iter().map(|(a, _)| a.to_string()).collect();
            accounts.sort();
            accounts.dedup();
            let where_phrase = account_phrase(placement, home).unwrap_or_default();
            let mut diag = cx
                .diag(
                    &RULE,
                    unit.file,
                    name.span,
                    format!(
                        "deployment group `{}` of application `{}`, which CodeDeploy action `{}` deploys to, is declared in account {}, but the action runs in {where_phrase}: CodeDeploy looks the application and group up in the account of the role that runs the action, and the deployment fails",
                        name.value,
                        application.value,
                        action.display_name(),
                        accounts.join(" and "),
                    ),
                )
                .label(
                    application.span,
                    format!(
                        "application `{}` is looked up in account {}",
                        application.value, runs_in.value
                    ),
                );
            diag = match &action.role_arn {
                Some(role) => diag.label(
                    role.span,
                    format!(
                        "the action runs in account {} with this role",
                        runs_in.value
                    ),
                ),
                None => diag.label_opt_in(
                    unit.file,
                    runs_in.origin.span(),
                    format!(
                        "the action has no `roleArn`, so it runs in the pipeline account {}",
                        runs_in.value
                    ),
                ),
            };
            for (account, group) in &elsewhere {
                diag = diag.label_in(
                    group.place.file,
                    group.name.span,
                    format!(
                        "deployment group `{}` is declared in account {account}",
                        group.name.value
                    ),
                );
            }
            out.push(diag.help(format!(
                "deploy with a `roleArn` in account {} (a role the pipeline role may assume, allowed codedeploy:CreateDeployment there), or create the application and deployment group in account {}; a deployment group deploys only to instances of its own account",
                accounts[0], runs_in.value
            )));
        }
    }
}
