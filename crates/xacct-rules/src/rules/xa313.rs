//! XA313 key-root-needs-delegation: the key policy lets the other account in, but no policy of
//! the role in that account allows the key.

use std::collections::HashSet;

use xacct_graph::EdgeKind;
use xacct_iam::Side;
use xacct_model::policy::PrincipalKind;

use crate::registry::{declare_rule, Check};
use crate::rules::xa311::kms_actions;
use crate::rules::{action_matches, statement_json, PushAbout, WorkspaceContext};
use crate::Diagnostic;

declare_rule!(
    "XA313",
    "key-root-needs-delegation",
    Error,
    "The key policy grants the other account, and no identity policy there grants the action role the KMS actions.",
    Check::Workspace(check)
);

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    // Roles whose policy names the key wrongly are XA312's, more precise, finding: XA312
    // reports each wrong value once, so every check of such a role is left to it, not only
    // the check that found the value.
    let named_wrongly: HashSet<std::sync::Arc<str>> = crate::rules::xa312::findings(cx)
        .into_iter()
        .map(|(i, _)| cx.graph.checks[i].principal.clone())
        .collect();
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
        // A Deny of the role's own (a guardrail `Deny` with `NotAction` on KMS, say) defeats
        // whatever the key policy and the role's allows say.
        if let Some(diag) = cx.identity_deny(&RULE, c, kms_actions(c).0) {
            if seen.insert((c.kind, c.principal.clone())) {
                out.push_about(check_index, diag);
            }
            continue;
        }
        if !c.outcome.misses(Side::Identity)
            || c.outcome.misses(Side::Resource)
            || named_wrongly.contains(&c.principal)
        {
            continue;
        }
        let (Some(&first), Some(account)) = (c.identity_policies.first(), c.principal_account)
        else {
            continue;
        };
        let (what, actions) = kms_actions(c);
        let (file, span) = cx
            .identity_anchor(&c.identity_policies, c.iam_action)
            .unwrap_or(cx.policy_anchor(first));
        // Why the role's own policies must allow: the key policy statement that lets the role
        // in says which (naming the account delegates; naming the role still needs both sides
        // across accounts). Without a key policy only the cross-account rule is known.
        let root = format!("arn:aws:iam::{account}:root");
        let grant = |names: &dyn Fn(&str) -> bool| {
            let unit = cx.policy(c.resource_policy?);
            let statement = unit.document().statements.iter().find(|s| {
                s.allows()
                    && s.action
                        .as_ref()
                        .is_some_and(|a| action_matches(a, c.iam_action))
                    && s.principal.as_ref().is_some_and(|p| {
                        !p.negated
                            && p.entries
                                .iter()
                                .any(|e| e.kind == PrincipalKind::Aws && names(&e.value.value))
                    })
            })?;
            Some((unit.file, statement.anchor()))
        };
        let via_account = grant(&|v| v == root || v == account.as_str());
        let via_role = grant(&|v| v == &*c.principal);
        let cross = c.resource_account != Some(account);
        let (why, label) = match (via_account, via_role) {
            (Some(at), _) => (
                format!("the key policy trusts account {account}, which delegates the decision to that account's IAM policies"),
                Some((at, format!("the key policy grants account {account} here"))),
            ),
            (None, Some(at)) if cross => (
                "the key policy names the role, but cross-account use of a key needs an allow in the role's own policies too".to_string(),
                Some((at, "the key policy names the role here".to_string())),
            ),
            (None, None) if cross => (
                "cross-account use of a key needs an allow in the role's own policies, whatever the key policy says".to_string(),
                None,
            ),
            // In the key's own account a key policy that names the role needs no identity
            // allow; whatever else let the role in, xacct cannot say why it is not enough.
            _ => continue,
        };
        if !seen.insert((c.kind, c.principal.clone())) {
            continue;
        }
        let mut diag = cx.diag(
            &RULE,
            file,
            span,
            format!(
            "no policy of `{}` ({}) allows {} on the pipeline key `{}`, so it cannot {what}: {why}",
            c.principal,
            cx.who(&c.need),
            c.iam_action,
            c.resource
        ),
        );
        if let Some(((file, span), text)) = label {
            diag = diag.label_in(file, span, text);
        }
        if let Some((file, span, text)) = cx.role_site(&c.need) {
            diag = diag.label_in(file, span, text);
        }
        let fix = (!c.identity_policies.is_empty())
            .then(|| {
                cx.add_statement(
                    cx.identity_policy_for(&c.identity_policies, c.iam_action),
                    "the role's policy",
                    None,
                    actions,
                    Some(&c.resource),
                )
            })
            .flatten();
        out.push(
            diag.help(format!(
                "add to a policy of `{}`: {}",
                c.principal,
                statement_json(None, actions, Some(&c.resource))
            ))
            .fix_opt(fix),
        );
    }
}
