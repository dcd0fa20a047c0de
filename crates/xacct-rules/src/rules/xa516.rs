//! XA516 stackset-role-unassumable: a role of a StackSets action's chain cannot be assumed:
//! CloudFormation may not assume the administration role, or the administration role may not
//! assume the execution role of a target account.

use xacct_graph::StackSetStep;
use xacct_iam::Side;

use crate::registry::{declare_rule, Check};
use crate::rules::PushAbout;
use crate::rules::{arn_account, deny_on, statement_json, WorkspaceContext};
use crate::Diagnostic;

declare_rule!(
    "XA516",
    "stackset-role-unassumable",
    Error,
    "CloudFormation may not assume a StackSets action's administration role, or the administration role may not assume a target account's execution role.",
    Check::Workspace(check)
);

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut once = crate::rules::OncePer::default();
    let explained = crate::rules::xa508::explained(cx);
    for (check_index, c) in cx.graph.stack_set_checks_not_allowed() {
        // A condition that never holds is the root cause: XA508's one finding.
        if explained.contains(&check_index) {
            continue;
        }
        let Some(step) = c.need.stack_set else {
            continue;
        };
        let name = cx.action(&c.need).map_or("?", |a| a.display_name());
        let diag = match step {
            StackSetStep::Administration => administration(cx, c, name),
            StackSetStep::Execution => execution(cx, c, name),
        };
        let Some(diag) = diag else {
            continue;
        };
        // Every action of the same chain meets the same refusal: one finding.
        if !once.first(
            (c.principal.clone(), c.resource.clone()),
            out,
            cx,
            &c.need,
            Some(check_index),
        ) {
            continue;
        }
        out.push_about(check_index, diag);
    }
}

/// CloudFormation assuming the administration role: only its trust policy speaks.
fn administration(
    cx: &WorkspaceContext<'_>,
    c: &xacct_graph::Check,
    name: &str,
) -> Option<Diagnostic> {
    let trust = c.resource_policy?;
    let deny = deny_on(&c.outcome, Side::Resource);
    if !c.outcome.misses(Side::Resource) && deny.is_none() {
        return None;
    }
    Some(match deny {
        Some(proof) => cx.at_deny(
            &RULE,
            proof,
            &c.need,
            format!(
                "a Deny in {} blocks CloudFormation (`{}`) from assuming it: the stack set operations of action `{name}` fail",
                cx.deny_place(
                    proof,
                    format!("the trust policy of the StackSets administration role `{}`", c.resource)
                ),
                c.principal
            ),
            &format!("sts:AssumeRole by `{}`", c.principal),
        ),
        None => cx
            .at_policy(&RULE, trust, &c.need, format!(
                "the trust policy of the StackSets administration role `{}` does not let CloudFormation (`{}`) assume it: the stack set operations of action `{name}` fail",
                c.resource, c.principal
            ))
            .help(format!(
                "add to the trust policy: {{\"Effect\": \"Allow\", \"Principal\": {{\"Service\": \"{}\"}}, \"Action\": \"sts:AssumeRole\"}}",
                c.principal
            )),
    })
}

/// The administration role assuming a target account's execution role: across accounts both
/// the administration role's policies and the execution role's trust policy must allow.
fn execution(cx: &WorkspaceContext<'_>, c: &xacct_graph::Check, name: &str) -> Option<Diagnostic> {
    let target = c
        .resource_account
        .map_or("?".to_string(), |a| a.to_string());
    let fails = format!("the stack instances of action `{name}` in account {target} fail");
    // The execution role's trust policy first: it is what each target account must set up.
    if let Some(trust) = c.resource_policy {
        if let Some(proof) = deny_on(&c.outcome, Side::Resource) {
            return Some(cx.at_deny(
                &RULE,
                proof,
                &c.need,
                format!(
                    "a Deny in {} blocks the StackSets administration role `{}` from assuming it: {fails}",
                    cx.deny_place(
                        proof,
                        format!("the trust policy of the execution role `{}`", c.resource)
                    ),
                    c.principal
                ),
                &format!("sts:AssumeRole by `{}`", c.principal),
            ));
        }
        if c.outcome.misses(Side::Resource) {
            let home = arn_account(&c.principal)
                .map(|a| a.to_string())
                .unwrap_or_default();
            return Some(
                cx.at_policy(&RULE, trust, &c.need, format!(
                    "the trust policy of the StackSets execution role `{}` lets neither the administration role `{}` nor its account {home} assume it: {fails}",
                    c.resource, c.principal
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
                )),
            );
        }
    }
    if c.identity_policies.is_empty() {
        return None;
    }
    if let Some(diag) = cx.boundary_refusal(
        &RULE,
        c,
        &format!("assume the execution role of account {target}"),
    ) {
        return Some(diag);
    }
    let message = format!(
        "the StackSets administration role `{}` may not assume the execution role `{}`: {fails}",
        c.principal, c.resource
    );
    if let Some(proof) = deny_on(&c.outcome, Side::Identity) {
        return Some(cx.at_deny(
            &RULE,
            proof,
            &c.need,
            message,
            &format!("sts:AssumeRole on `{}`", c.resource),
        ));
    }
    if !c.outcome.misses(Side::Identity) {
        return None;
    }
    Some(cx.assume_missing_in_identity(&RULE, c, message, "the administration role"))
}
