//! XA901 public-principal: a bucket or key policy allows everyone without a narrowing condition.

use xacct_model::policy::PrincipalKind;
use xacct_model::policy_file::PolicyKind;

use crate::registry::{declare_rule, Check};
use crate::rules::WorkspaceContext;
use crate::Diagnostic;

declare_rule!(
    "XA901",
    "public-principal",
    Error,
    "A bucket or key policy allows Principal \"*\" (or {\"AWS\": \"*\"}) without a condition that narrows it.",
    Check::Workspace(check)
);

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    for unit in &cx.workspace.policies {
        let what = match unit.entry.kind {
            Some(PolicyKind::Bucket) => "bucket policy",
            Some(PolicyKind::Key) => "key policy",
            _ => continue,
        };
        for statement in unit
            .document()
            .statements
            .iter()
            .filter(|s| s.allows() && s.conditions.is_empty())
        {
            let Some(principal) = statement.principal.as_ref().filter(|p| !p.negated) else {
                continue;
            };
            for entry in &principal.entries {
                let public = entry.kind == PrincipalKind::Everyone
                    || (entry.kind == PrincipalKind::Aws && entry.value.value == "*");
                if !public {
                    continue;
                }
                let actions: Vec<&str> = statement
                    .action
                    .iter()
                    .flat_map(|a| a.values.iter().map(|v| v.value.as_str()))
                    .collect();
                out.push(
                    cx.diag(&RULE, unit.file, entry.value.span, format!(
                        "this {what} allows everyone ({}) to {} with no condition",
                        entry.value.value,
                        actions.join(", ")
                    ))
                    .help("name the principals (the pipeline role, the action roles), or add a condition such as `aws:PrincipalOrgID` or `aws:PrincipalArn`"),
                );
            }
        }
    }
}
