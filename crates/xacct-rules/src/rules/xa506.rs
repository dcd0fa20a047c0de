//! XA506 action-role-missing-permissions: the action role lacks an API permission its provider
//! needs.

use std::collections::BTreeMap;

use xacct_graph::EdgeKind;
use xacct_iam::Side;

use crate::registry::{declare_rule, Check};
use crate::rules::{statement_json, PushAbout, WorkspaceContext};
use crate::Diagnostic;

declare_rule!(
    "XA506",
    "action-role-missing-permissions",
    Error,
    "The action role lacks what its provider needs (CodeDeploy, CloudFormation, CodeBuild API calls).",
    Check::Workspace(check)
);

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    // One finding per action: every missing call of that action, on the same resource or not.
    let mut missing: BTreeMap<(usize, (usize, usize)), Vec<usize>> = BTreeMap::new();
    for (index, c) in cx.graph.checks_of(EdgeKind::CanCall) {
        let Some(at) = c.need.action else { continue };
        if c.identity_policies.is_empty() || !c.outcome.misses(Side::Identity) {
            continue;
        }
        missing
            .entry((c.need.pipeline, at))
            .or_default()
            .push(index);
    }
    for indexes in missing.values() {
        let first = &cx.graph.checks[indexes[0]];
        let calls: Vec<&str> = indexes
            .iter()
            .map(|&i| cx.graph.checks[i].iam_action.as_str())
            .collect();
        let provider = cx.action(&first.need).map_or("?", |a| a.provider());
        let (file, span) = cx
            .identity_anchor(&first.identity_policies, &first.iam_action)
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
        if let Some((file, span, text)) = cx.role_site(&first.need) {
            diag = diag.label_in(file, span, text);
        }
        // Group the statement by resource when all calls share one.
        let resources: std::collections::BTreeSet<&str> = indexes
            .iter()
            .map(|&i| cx.graph.checks[i].resource.as_str())
            .collect();
        let resource = if resources.len() == 1 {
            resources.iter().next().copied()
        } else {
            Some("*")
        };
        out.push_about(
            indexes[0],
            diag.help(format!(
                "add to a policy of `{}`: {}",
                first.principal,
                statement_json(None, &calls, resource)
            )),
        );
    }
}
