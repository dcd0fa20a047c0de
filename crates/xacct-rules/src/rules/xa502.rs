//! XA502 action-role-untrusting: an action role's trust policy does not let the pipeline role in.

use xacct_graph::EdgeKind;
use xacct_iam::Side;

use crate::registry::{declare_rule, Check};
use crate::rules::PushAbout;
use crate::rules::{arn_account, deny_on, statement_json, WorkspaceContext};
use crate::Diagnostic;

declare_rule!(
    "XA502",
    "action-role-untrusting",
    Error,
    "An action role's trust policy lets neither the pipeline role nor the pipeline account assume it.",
    Check::Workspace(check)
);

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut once = crate::rules::OncePer::default();
    let explained = crate::rules::xa508::explained(cx);
    for (check_index, c) in cx.graph.checks_not_allowed_of(EdgeKind::CanAssume) {
        // A condition that never holds is the root cause: XA508's one finding.
        if explained.contains(&check_index) {
            continue;
        }
        if c.principal_account.is_none() {
            continue;
        }
        let Some(trust) = c.resource_policy else {
            continue;
        };
        let deny = deny_on(&c.outcome, Side::Resource);
        if !c.outcome.misses(Side::Resource) && deny.is_none() {
            continue;
        }
        // Every action that runs as the role meets the same refusal: one finding.
        if !once.first(
            (c.principal.clone(), c.resource.clone()),
            out,
            cx,
            &c.need,
            Some(check_index),
        ) {
            continue;
        }
        let diag = match deny {
            Some(proof) => cx.at_deny(
                &RULE,
                proof,
                &c.need,
                match proof.side {
                    Side::Resource => format!(
                        "a Deny in the trust policy of `{}` (the role of {}) blocks the pipeline role `{}` from assuming it",
                        c.resource,
                        cx.who(&c.need),
                        c.principal
                    ),
                    _ => format!(
                        "a Deny in {} blocks the pipeline role `{}` from assuming `{}` (the role of {})",
                        cx.deny_origin(proof),
                        c.principal,
                        c.resource,
                        cx.who(&c.need),
                    ),
                },
                &format!("sts:AssumeRole by `{}`", c.principal),
            ),
            None => {
                let home = arn_account(&c.principal)
                    .map(|a| a.to_string())
                    .unwrap_or_default();
                cx.at_policy(&RULE, trust, &c.need, format!(
                    "the trust policy of `{}` (the role of {}) lets neither the pipeline role `{}` nor its account {home} assume it",
                    c.resource,
                    cx.who(&c.need),
                    c.principal
                ))
                .help(format!(
                    "add to the trust policy of `{}`: {}",
                    c.resource,
                    statement_json(Some(&c.principal), &["sts:AssumeRole"], None)
                ))
                .fix_opt(cx.add_statement(
                    trust,
                    "the trust policy",
                    Some(&c.principal),
                    &["sts:AssumeRole"],
                    None,
                ))
            }
        };
        out.push_about(check_index, diag);
    }
}
