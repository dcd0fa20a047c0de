//! XA503 action-role-trust-too-broad: an action role trusts a whole account, or everyone.

use std::collections::HashSet;

use xacct_graph::EdgeKind;
use xacct_model::policy::PrincipalKind;

use crate::registry::{declare_rule, Check};
use crate::rules::PushAbout;
use crate::rules::{arn_account, statement_json, WorkspaceContext};
use crate::{Diagnostic, Severity};

declare_rule!(
    "XA503",
    "action-role-trust-too-broad",
    Warning,
    "An action role trusts the whole pipeline account (:root, warning) or everyone (*, error) rather than the pipeline role.",
    Check::Workspace(check)
);

/// Condition keys that pin who may assume: with one of them, a broad principal is narrowed.
const NARROWING_KEYS: &[&str] = &[
    "aws:principalarn",
    "aws:sourcearn",
    "aws:principalorgid",
    "sts:externalid",
    "aws:userid",
    "aws:sourceaccount",
];

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    for (check_index, c) in cx.graph.checks_of(EdgeKind::CanAssume) {
        let (Some(trust), Some(home)) = (c.resource_policy, arn_account(&c.principal)) else {
            continue;
        };
        // Only action roles: the pipeline role's own trust (of the service) is XA504's.
        if c.principal_account.is_none() || !seen.insert(trust) {
            continue;
        }
        let unit = cx.policy(trust);
        for statement in &unit.document().statements {
            let assume = statement.action.as_ref().is_some_and(|a| {
                !a.negated
                    && a.values.iter().any(|v| {
                        let v = v.value.to_ascii_lowercase();
                        v == "*" || v == "sts:*" || v == "sts:assumerole"
                    })
            });
            let narrowed = statement
                .conditions
                .iter()
                .any(|c| NARROWING_KEYS.contains(&c.key.value.to_ascii_lowercase().as_str()));
            let Some(principal) = &statement.principal else {
                continue;
            };
            if !statement.allows() || !assume || narrowed || principal.negated {
                continue;
            }
            for entry in &principal.entries {
                let everyone = entry.kind == PrincipalKind::Everyone
                    || (entry.kind == PrincipalKind::Aws && entry.value.value == "*");
                let root = entry.kind == PrincipalKind::Aws
                    && (entry.value.value == home.as_str()
                        || entry.value.value.ends_with(&format!(":{home}:root")));
                let (severity, what) = if everyone {
                    (Severity::Error, "everyone (`*`)".to_string())
                } else if root {
                    (
                        Severity::Warning,
                        format!(
                            "every principal of `{}`, the pipeline account {home},",
                            entry.value.value
                        ),
                    )
                } else {
                    continue;
                };
                out.push_about(check_index,
                    cx.diag(
                        &RULE,
                        unit.file,
                        entry.value.span,
                        format!("the trust policy of `{}` lets {what} assume it, where the pipeline role `{}` alone needs to", c.resource, c.principal),
                    )
                    .severity(severity)
                    .help(format!(
                        "trust the pipeline role only (the walkthrough recommends scoping it down to the CodePipeline service role): {}",
                        statement_json(Some(&c.principal), &["sts:AssumeRole"], None)
                    )),
                );
            }
        }
    }
}
