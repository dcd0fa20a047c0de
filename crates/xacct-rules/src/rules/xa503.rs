//! XA503 action-role-trust-too-broad: an action role trusts a whole account, or everyone.

use std::collections::HashSet;

use xacct_graph::EdgeKind;

use crate::registry::{declare_rule, Check};
use crate::rules::scope::{everyone, unnarrowed_assume, unnarrowed_phrase, whole_account};
use crate::rules::PushAbout;
use crate::rules::{statement_json, WorkspaceContext};
use crate::{Diagnostic, Severity};

declare_rule!(
    "XA503",
    "action-role-trust-too-broad",
    Warning,
    "An action role trusts the whole pipeline account (:root, warning) or everyone (*, error) rather than the pipeline role.",
    Check::Workspace(check)
);

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    for (check_index, c) in cx.graph.checks_of(EdgeKind::CanAssume) {
        // Only action roles, which the pipeline role assumes: the pipeline role's own trust
        // (of the service, which has no account) is XA504's.
        let (Some(trust), Some(home)) = (c.resource_policy, c.principal_account) else {
            continue;
        };
        if !seen.insert(trust) {
            continue;
        }
        let unit = cx.policy(trust);
        for statement in &unit.document().statements {
            let Some(principal) = &statement.principal else {
                continue;
            };
            if !unnarrowed_assume(statement) || principal.negated {
                continue;
            }
            // Conditions there are, but none pins the caller: say which, so that the reader
            // sees why they do not count.
            let unnarrowed = unnarrowed_phrase(statement);
            for entry in &principal.entries {
                let everyone = everyone(entry);
                let root = whole_account(entry) == Some(home);
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
                        format!("the trust policy of `{}` lets {what} assume it, where the pipeline role `{}` alone needs to{unnarrowed}", c.resource, c.principal),
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
