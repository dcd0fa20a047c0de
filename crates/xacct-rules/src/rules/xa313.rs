//! XA313 key-root-needs-delegation: the key policy lets the other account in, but no policy of
//! the role in that account allows the key.

use std::collections::HashSet;

use xacct_graph::EdgeKind;
use xacct_iam::Side;
use xacct_model::policy::PrincipalKind;

use crate::registry::{declare_rule, Check};
use crate::rules::xa311::kms_actions;
use crate::rules::{statement_json, WorkspaceContext};
use crate::Diagnostic;

declare_rule!(
    "XA313",
    "key-root-needs-delegation",
    Error,
    "The key policy grants the other account, and no identity policy there grants the action role the KMS actions.",
    Check::Workspace(check)
);

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    // Checks whose identity policy names the key wrongly are XA312's, more precise, finding.
    let named_wrongly: HashSet<usize> = crate::rules::xa312::findings(cx)
        .into_iter()
        .map(|(i, _)| i)
        .collect();
    let mut seen = HashSet::new();
    for (index, c) in cx
        .graph
        .checks_of(EdgeKind::CanDecrypt)
        .chain(cx.graph.checks_of(EdgeKind::CanEncrypt))
    {
        if !c.outcome.misses(Side::Identity)
            || c.outcome.misses(Side::Resource)
            || named_wrongly.contains(&index)
        {
            continue;
        }
        let (Some(&first), Some(account)) = (c.identity_policies.first(), c.principal_account)
        else {
            continue;
        };
        if !seen.insert((c.kind, c.principal.clone())) {
            continue;
        }
        let (what, actions) = kms_actions(c.kind);
        let (file, span) = cx
            .identity_anchor(&c.identity_policies, &c.iam_action)
            .unwrap_or(cx.policy_anchor(first));
        let mut diag = cx.diag(&RULE, file, span, format!(
            "no policy of `{}` ({}) allows {} on the pipeline key `{}`, so it cannot {what}: the key policy trusts account {account}, which delegates the decision to that account's IAM policies",
            c.principal,
            cx.who(&c.need),
            c.iam_action,
            c.resource
        ));
        // Point at the key policy statement that grants the account.
        if let Some(key_policy) = c.resource_policy {
            let unit = cx.policy(key_policy);
            let root = format!("arn:aws:iam::{account}:root");
            let grant = unit.document().statements.iter().find(|s| {
                s.allows()
                    && s.principal.as_ref().is_some_and(|p| {
                        p.entries.iter().any(|e| {
                            e.kind == PrincipalKind::Aws
                                && (e.value.value == root || e.value.value == account.as_str())
                        })
                    })
            });
            if let Some(statement) = grant {
                diag = diag.label_in(
                    unit.file,
                    statement.anchor(),
                    format!("the key policy grants account {account} here"),
                );
            }
        }
        if let Some((file, span, text)) = cx.role_site(&c.need) {
            diag = diag.label_in(file, span, text);
        }
        out.push(diag.help(format!(
            "add to a policy of `{}`: {}",
            c.principal,
            statement_json(None, actions, Some(&c.resource))
        )));
    }
}
