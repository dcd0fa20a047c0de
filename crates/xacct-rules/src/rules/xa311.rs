//! XA311 key-policy-missing-grant: the key policy does not let a role that needs the pipeline
//! key use it.

use std::collections::HashSet;

use xacct_graph::EdgeKind;
use xacct_iam::Side;

use crate::registry::{declare_rule, Check};
use crate::rules::PushAbout;
use crate::rules::{deny_on, statement_json, WorkspaceContext};
use crate::Diagnostic;

declare_rule!(
    "XA311",
    "key-policy-missing-grant",
    Error,
    "The key policy does not let a cross-account reader decrypt or a writer encrypt artifacts (nor the pipeline role).",
    Check::Workspace(check)
);

/// The KMS actions a reader or a writer of artifacts needs, as the walkthrough grants them.
pub(crate) fn kms_actions(c: &xacct_graph::Check) -> (&'static str, &'static [&'static str]) {
    if c.need.artifacts == xacct_graph::Artifacts::Replica {
        return (
            "copy the action's input artifacts into the store of its region (replication)",
            &[
                "kms:GenerateDataKey*",
                "kms:Encrypt",
                "kms:ReEncrypt*",
                "kms:DescribeKey",
            ],
        );
    }
    match c.kind {
        EdgeKind::CanDecrypt if c.need.artifacts == xacct_graph::Artifacts::Stack => (
            "decrypt the artifact its stack deploys",
            &["kms:Decrypt", "kms:DescribeKey"],
        ),
        EdgeKind::CanDecrypt => (
            "decrypt its input artifacts",
            &["kms:Decrypt", "kms:DescribeKey"],
        ),
        _ => (
            "encrypt its output artifacts",
            &[
                "kms:GenerateDataKey*",
                "kms:Encrypt",
                "kms:ReEncrypt*",
                "kms:DescribeKey",
            ],
        ),
    }
}

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    let explained = crate::rules::xa508::explained(cx);
    for (check_index, c) in cx
        .graph
        .checks_not_allowed_of(EdgeKind::CanDecrypt)
        .chain(cx.graph.checks_not_allowed_of(EdgeKind::CanEncrypt))
        // A build project's key is XA318's.
        .filter(|(_, c)| c.need.artifacts != xacct_graph::Artifacts::BuildOutput)
    {
        // A condition that never holds is the root cause: XA508's one finding.
        if explained.contains(&check_index) {
            continue;
        }
        let Some(key_policy) = c.resource_policy else {
            continue;
        };
        let deny = deny_on(&c.outcome, Side::Resource);
        if !c.outcome.misses(Side::Resource) && deny.is_none() {
            continue;
        }
        if !seen.insert((c.kind, c.principal.clone(), key_policy)) {
            continue;
        }
        let (what, actions) = kms_actions(c);
        let account = c
            .principal_account
            .map(|a| format!(", account {a}"))
            .unwrap_or_default();
        let diag = match deny {
            Some(proof) => cx.at_deny(
                &RULE,
                proof,
                &c.need,
                format!(
                    "a Deny in {} blocks `{}` ({}{account}) from {}, which it needs to {what}: the action fails with KMS AccessDenied",
                    cx.deny_place(proof, format!("the key policy of `{}`", c.resource)),
                    c.principal,
                    cx.who(&c.need),
                    c.iam_action
                ),
                &format!("{} by `{}`", c.iam_action, c.principal),
            ),
            None => cx
                .at_policy(&RULE, key_policy, &c.need, format!(
                    "the key policy of `{}` does not let `{}` ({}{account}) {what} ({}): the action fails with KMS AccessDenied",
                    c.resource,
                    c.principal,
                    cx.who(&c.need),
                    c.iam_action
                ))
                .help(format!(
                    "add to the key policy: {}",
                    statement_json(Some(&c.principal), actions, Some("*"))
                ))
                .fix_opt(cx.add_statement(key_policy, "the key policy", Some(&c.principal), actions, Some("*"))),
        };
        out.push_about(check_index, diag);
    }
}
