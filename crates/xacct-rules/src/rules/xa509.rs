//! XA509 role-trust-too-broad: any role's trust policy lets a whole other account, or everyone,
//! assume it with no condition that names who. XA503 says the same of the roles a pipeline
//! assumes, in the pipeline's terms; this rule covers every other role and principal.

use std::collections::{HashMap, HashSet};

use xacct_graph::EdgeKind;
use xacct_model::policy_file::PolicyKind;
use xacct_model::workspace::Governs;
use xacct_model::AccountId;

use crate::registry::{declare_rule, Check};
use crate::rules::scope::{everyone, unnarrowed_assume, unnarrowed_phrase, whole_account};
use crate::rules::{arn_account, WorkspaceContext};
use crate::{Diagnostic, Severity};

declare_rule!(
    "XA509",
    "role-trust-too-broad",
    Warning,
    "A role's trust policy lets a whole other account (warning) or everyone (error) assume it, with no condition naming who.",
    Check::Workspace(check)
);

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    // What XA503 reports: for the trust policy of a role that a pipeline role assumes, the
    // pipeline account's root and everyone.
    let mut reported_by_xa503: HashMap<usize, HashSet<AccountId>> = HashMap::new();
    for (_, c) in cx.graph.checks_of(EdgeKind::CanAssume) {
        if let (Some(trust), Some(home)) = (c.resource_policy, c.principal_account) {
            reported_by_xa503.entry(trust).or_default().insert(home);
        }
    }
    for (index, unit) in cx.workspace.policies.iter().enumerate() {
        let (Some(PolicyKind::Trust), Some(Governs::RoleTrust(role))) =
            (&unit.entry.kind, &unit.governs)
        else {
            continue;
        };
        let owner = arn_account(role).or(unit.account);
        let xa503 = reported_by_xa503.get(&index);
        for statement in &unit.document().statements {
            let Some(principal) = statement.principal.as_ref().filter(|p| !p.negated) else {
                continue;
            };
            if !unnarrowed_assume(statement) {
                continue;
            }
            // Conditions there are, but none pins the caller: say which, so that the reader
            // sees why they do not count.
            let unnarrowed = match unnarrowed_phrase(statement) {
                phrase if phrase.is_empty() => ", with no condition naming who".to_string(),
                phrase => phrase,
            };
            for entry in &principal.entries {
                let (severity, who) = if everyone(entry) {
                    if xa503.is_some() {
                        continue;
                    }
                    (Severity::Error, "everyone (`*`)".to_string())
                } else if let Some(account) = whole_account(entry) {
                    // The role's own account is delegation to its own administrators; an
                    // unknown owner could be either.
                    if owner.is_none_or(|o| o == account)
                        || xa503.is_some_and(|homes| homes.contains(&account))
                    {
                        continue;
                    }
                    (
                        Severity::Warning,
                        format!("every principal of account {account} whose own policies allow it"),
                    )
                } else {
                    continue;
                };
                out.push(
                    cx.diag(
                        &RULE,
                        unit.file,
                        entry.value.span,
                        format!(
                            "the trust policy of `{role}` lets {who} assume it{unnarrowed}"
                        ),
                    )
                    .severity(severity)
                    .help("name the role that needs it as principal (`arn:aws:iam::ACCOUNT:role/NAME`), or keep the account and pin the caller: `\"Condition\": {\"ArnEquals\": {\"aws:PrincipalArn\": \"arn:aws:iam::ACCOUNT:role/NAME\"}}`"),
                );
            }
        }
    }
}
