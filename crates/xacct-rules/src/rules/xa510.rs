//! XA510 assume-any-role: a role's identity policy allows `sts:AssumeRole` on every role.

use std::collections::HashSet;

use xacct_model::policy::Statement;
use xacct_model::policy_file::PolicyKind;
use xacct_model::workspace::Governs;

use crate::registry::{declare_rule, Check};
use crate::rules::scope::{every_role, granted_through, policy_of};
use crate::rules::WorkspaceContext;
use crate::Diagnostic;

declare_rule!(
    "XA510",
    "assume-any-role",
    Warning,
    "A role's identity policy allows sts:AssumeRole on every role (Resource \"*\"), with no condition on the role assumed.",
    Check::Workspace(check)
);

/// Condition keys that restrict which role may be assumed: the role's account, organization or
/// tags. A condition on one of them, of any operator, makes the grant deliberate enough.
fn narrows_target(statement: &Statement) -> bool {
    statement.conditions.iter().any(|c| {
        let key = c.key.value.to_ascii_lowercase();
        key.starts_with("aws:resource") || key.starts_with("iam:resourcetag/")
    })
}

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    for unit in &cx.workspace.policies {
        let (Some(PolicyKind::Identity), Some(Governs::RoleIdentity(role))) =
            (&unit.entry.kind, &unit.governs)
        else {
            continue;
        };
        for statement in &unit.document().statements {
            // An action `*` is an administrator's policy, a different matter; a policy
            // attached but not given is never the ground for a finding.
            if !statement.allows()
                || xacct_model::managed::is_stand_in(statement)
                || narrows_target(statement)
            {
                continue;
            }
            let Some(action) = &statement.action else {
                continue;
            };
            if !action.negated && action.values.iter().all(|v| v.value == "*") {
                continue;
            }
            // The resource test is a scan; the action test an evaluation: cheap one first.
            let Some((span, on)) = statement.resource.as_ref().and_then(every_role) else {
                continue;
            };
            let Some(through) = granted_through(action, "sts:AssumeRole") else {
                continue;
            };
            // A managed policy attached to many roles is one place to fix.
            if !seen.insert((unit.file, span)) {
                continue;
            }
            let source = policy_of(unit, role);
            out.push(
                cx.diag(
                    &RULE,
                    unit.file,
                    span,
                    format!("{source} allows sts:AssumeRole{through} on every role{on}: whoever can act as this role can become any role, in any account, that trusts it or its account"),
                )
                .help("name the roles it assumes, e.g. \"Resource\": \"arn:aws:iam::222222222222:role/deploy-role\", or restrict them with a condition on `aws:ResourceAccount` or `iam:ResourceTag/...`"),
            );
        }
    }
}
