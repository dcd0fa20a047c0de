//! XA506 action-role-missing-permissions: the action role lacks an API permission its provider
//! needs.

use std::collections::{BTreeMap, BTreeSet};

use xacct_graph::EdgeKind;
use xacct_iam::Side;
use xacct_syntax::Span;

use crate::registry::{declare_rule, Check};
use crate::rules::{deny_on, statement_json, ActionIndex, PushAbout, WorkspaceContext};
use crate::Diagnostic;

declare_rule!(
    "XA506",
    "action-role-missing-permissions",
    Error,
    "The action role lacks the API calls its provider needs (the provider models of docs/providers.md).",
    Check::Workspace(check)
);

/// Pipeline, action, and the policy and span of the Deny statement that refuses calls.
type DeniedBy = (usize, ActionIndex, usize, Span);

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    // One finding per action: every missing call of that action, on the same resource or not;
    // and one per action and Deny statement for the calls an explicit Deny refuses (the fix
    // differs: an added Allow does not override a Deny).
    let mut missing: BTreeMap<(usize, ActionIndex), Vec<usize>> = BTreeMap::new();
    let mut denied: BTreeMap<DeniedBy, Vec<usize>> = BTreeMap::new();
    let explained = crate::rules::xa508::explained(cx);
    for (index, c) in cx.graph.checks_not_allowed_of(EdgeKind::CanCall) {
        // A condition that never holds is the root cause: XA508's one finding.
        if explained.contains(&index) {
            continue;
        }
        let Some(at) = c.need.action_index() else {
            continue;
        };
        if c.identity_policies.is_empty() {
            continue;
        }
        if let Some(diag) = cx.boundary_refusal(&RULE, c, "make the calls its provider needs") {
            out.push_about(index, diag);
            continue;
        }
        if let Some(proof) = deny_on(&c.outcome, Side::Identity) {
            denied
                .entry((c.need.pipeline_index(), at, proof.policy, proof.span))
                .or_default()
                .push(index);
        } else if c.outcome.misses(Side::Identity) {
            missing
                .entry((c.need.pipeline_index(), at))
                .or_default()
                .push(index);
        }
    }
    for indexes in missing.values() {
        let first = &cx.graph.checks[indexes[0]];
        let calls = calls_of(cx, indexes);
        let provider = cx.action(&first.need).map_or("?", |a| a.provider());
        let (file, span) = cx
            .identity_anchor(&first.identity_policies, first.iam_action)
            .unwrap_or(cx.policy_anchor(first.identity_policies[0]));
        let mut diag = cx.diag(
            &RULE,
            file,
            span,
            format!(
                "no policy of `{}` allows {} for the {provider} {}: the action fails with AccessDenied",
                first.principal,
                calls.join(", "),
                cx.who(&first.need)
            ),
        );
        let resource = shared_resource(cx, indexes);
        if let Some((file, span, text)) = cx.role_site(&first.need) {
            diag = diag.label_in(file, span, text);
        }
        for (file, span, text) in task_role_sites(cx, indexes) {
            diag = diag.label_in(file, span, text);
        }
        // Roles to pass are granted by name, never with `*`: one statement names them all,
        // for ECS tasks only (the passes asked are an ECS action's; a fix adds one resource,
        // so none is offered then).
        let passes: BTreeSet<&str> = indexes
            .iter()
            .map(|&i| &cx.graph.checks[i])
            .filter(|c| c.iam_action == "iam:PassRole")
            .map(|c| &*c.resource)
            .collect();
        if calls == ["iam:PassRole"] && passes.len() > 1 {
            let roles: Vec<String> = passes.iter().map(|r| format!("\"{r}\"")).collect();
            out.push_about(
                indexes[0],
                diag.help(format!(
                    "add to a policy of `{}`: {{\"Effect\": \"Allow\", \"Action\": \"iam:PassRole\", \"Resource\": [{}], \"Condition\": {{\"StringEquals\": {{\"iam:PassedToService\": \"ecs-tasks.amazonaws.com\"}}}}}}",
                    first.principal,
                    roles.join(", ")
                )),
            );
            continue;
        }
        out.push_about(
            indexes[0],
            diag.help(format!(
                "add to a policy of `{}`: {}",
                first.principal,
                statement_json(None, &calls, resource.as_deref())
            ))
            .fix_opt(cx.add_statement(
                cx.identity_policy_for(&first.identity_policies, first.iam_action),
                "the role's policy",
                None,
                &calls,
                resource.as_deref(),
            )),
        );
    }
    for indexes in denied.values() {
        let first = &cx.graph.checks[indexes[0]];
        let Some(proof) = deny_on(&first.outcome, Side::Identity) else {
            continue;
        };
        let calls = calls_of(cx, indexes);
        let provider = cx.action(&first.need).map_or("?", |a| a.provider());
        let on = match shared_resource(cx, indexes) {
            Some(resource) if resource != "*" => format!(" on `{resource}`"),
            _ => String::new(),
        };
        out.push_about(
            indexes[0],
            cx.at_deny(
                &RULE,
                proof,
                &first.need,
                format!(
                    "a Deny in {} blocks {} for the {provider} {}: the action fails with AccessDenied",
                    cx.deny_place(proof, format!("a policy of `{}`", first.principal)),
                    calls.join(", "),
                    cx.who(&first.need)
                ),
                &format!("{}{on}", calls.join(", ")),
            ),
        );
    }
}

/// Where the task definition of an ECS action's service names the roles its checks ask to
/// pass (`iam:PassRole`): the role the fix must name.
fn task_role_sites(
    cx: &WorkspaceContext<'_>,
    indexes: &[usize],
) -> Vec<(xacct_syntax::FileId, Span, String)> {
    let mut sites = Vec::new();
    for &i in indexes {
        let c = &cx.graph.checks[i];
        if c.iam_action != "iam:PassRole" {
            continue;
        }
        let (Some(action), Some((s, a))) = (cx.action(&c.need), c.need.action_index()) else {
            continue;
        };
        let placement = cx.pipeline(&c.need).accounts.of(s, a);
        let Some(region) = placement.region.as_ref().map(|r| r.value.as_str()) else {
            continue;
        };
        let Some(account) = xacct_model::Arn::parse(&c.principal)
            .ok()
            .and_then(|arn| arn.account_id())
        else {
            continue;
        };
        let roles = xacct_graph::ecs_task_roles(cx.workspace, action, account, region);
        if let Some((_, site)) = roles.iter().find(|(arn, _)| **arn == *c.resource) {
            sites.push((
                site.file,
                site.role.span,
                "the service's task definition names this role, which the action passes to ECS"
                    .to_string(),
            ));
        }
    }
    sites
}

/// The IAM actions of some checks, in order, each once (a role passes several roles).
fn calls_of<'c>(cx: &'c WorkspaceContext<'_>, indexes: &[usize]) -> Vec<&'c str> {
    let mut calls: Vec<&str> = Vec::new();
    for &i in indexes {
        let call = cx.graph.checks[i].iam_action;
        if !calls.contains(&call) {
            calls.push(call);
        }
    }
    calls
}

/// The resource some checks share (as messages show it: the objects an S3 deploy action
/// extracts as `arn:aws:s3:::bucket/prefix/*`, not the one object that stands for them), else
/// `"*"`: one statement then covers them all.
fn shared_resource(cx: &WorkspaceContext<'_>, indexes: &[usize]) -> Option<String> {
    let mut resources: BTreeSet<String> = indexes
        .iter()
        .map(|&i| cx.graph.checks[i].resource_shown())
        .collect();
    if resources.len() == 1 {
        resources.pop_first()
    } else {
        Some("*".to_string())
    }
}
