//! XA511 pipeline-role-shared: the pipeline role's trust policy lets others than CodePipeline
//! assume it, while it reaches action roles in other accounts.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use xacct_graph::EdgeKind;
use xacct_model::policy::PrincipalKind;
use xacct_model::AccountId;

use crate::registry::{declare_rule, Check};
use crate::rules::scope::{everyone, whole_account};
use crate::rules::{action_matches, arn_account, WorkspaceContext};
use crate::Diagnostic;

declare_rule!(
    "XA511",
    "pipeline-role-shared",
    Warning,
    "The pipeline role, which may assume action roles in other accounts, is also trusted by other services or principals than CodePipeline.",
    Check::Workspace(check)
);

/// The service that runs pipelines.
const CODEPIPELINE: &str = "codepipeline.amazonaws.com";

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    // Each pipeline role's reach: the accounts of the action roles it assumes elsewhere.
    let mut reach: BTreeMap<&str, BTreeSet<AccountId>> = BTreeMap::new();
    for (_, c) in cx.graph.checks_of(EdgeKind::CanAssume) {
        if let (Some(from), Some(to)) = (c.principal_account, c.resource_account) {
            if from != to {
                reach.entry(&c.principal).or_default().insert(to);
            }
        }
    }
    let mut seen = HashSet::new();
    for (_, c) in cx.graph.checks_of(EdgeKind::CanAssume) {
        // The service's own question (may CodePipeline assume the pipeline role?) names the
        // pipeline role and its trust policy.
        let (None, Some(trust)) = (c.principal_account, c.resource_policy) else {
            continue;
        };
        let Some(accounts) = reach.get(&*c.resource) else {
            continue;
        };
        if !seen.insert(trust) {
            continue;
        }
        let home = arn_account(&c.resource);
        let unit = cx.policy(trust);
        for statement in &unit.document().statements {
            let assumes = statement.action.as_ref().is_some_and(|a| {
                [
                    "sts:AssumeRole",
                    "sts:AssumeRoleWithWebIdentity",
                    "sts:AssumeRoleWithSAML",
                ]
                .iter()
                .any(|action| action_matches(a, action))
            });
            let Some(principal) = statement.principal.as_ref().filter(|p| !p.negated) else {
                continue;
            };
            if !statement.allows() || !assumes {
                continue;
            }
            // Everyone and other accounts as a whole are XA509's.
            let others: Vec<_> = principal
                .entries
                .iter()
                .filter(|e| !(e.kind == PrincipalKind::Service && e.value.value == CODEPIPELINE))
                .filter(|e| !everyone(e))
                .filter(|e| whole_account(e).is_none_or(|a| Some(a) == home))
                .collect();
            let Some(first) = others.first() else {
                continue;
            };
            let listed: Vec<String> = others
                .iter()
                .map(|e| format!("`{}`", e.value.value))
                .collect();
            let accounts: Vec<String> = accounts.iter().map(|a| format!("account {a}")).collect();
            out.push(
                cx.diag(
                    &RULE,
                    unit.file,
                    first.value.span,
                    format!(
                        "the pipeline role `{}` is also trusted by {}: whatever runs as it there (a build's commands, a stack, a function, a user) can assume the pipeline's action roles in {}",
                        c.resource,
                        listed.join(", "),
                        accounts.join(", ")
                    ),
                )
                .help("give each of them a role of its own, and keep the pipeline role's trust to `codepipeline.amazonaws.com`"),
            );
        }
    }
}
