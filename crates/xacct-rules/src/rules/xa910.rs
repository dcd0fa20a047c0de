//! XA910 service-principal-without-source: a bucket or key policy grants an AWS service with no
//! condition on the resource or account the service acts for (the confused deputy).

use xacct_model::policy::{Condition, PrincipalKind};
use xacct_model::policy_file::PolicyKind;

use crate::registry::{declare_rule, Check};
use crate::rules::scope::conditions_listed;
use crate::rules::WorkspaceContext;
use crate::Diagnostic;

declare_rule!(
    "XA910",
    "service-principal-without-source",
    Warning,
    "A bucket or key policy allows a service principal with no aws:SourceArn, aws:SourceAccount (or like) condition: any customer's use of that service can reach it.",
    Check::Workspace(check)
);

/// Condition keys that tie a service's request to the resource or account it acts for: the
/// global source keys AWS recommends, and KMS's own keys that carry the same fact (the
/// encryption context a service sets names its resource; `kms:ViaService` with
/// `kms:CallerAccount` limits the calls to one account's use of a service).
const SOURCE_KEY_PREFIXES: &[&str] = &[
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:sourceowner",
    "kms:encryptioncontext:",
    "kms:calleraccount",
    "kms:viaservice",
];

/// True when `condition` compares a source key positively: a negated operator or `Null` keeps
/// every other source in.
fn ties_source(condition: &Condition) -> bool {
    let key = condition.key.value.to_ascii_lowercase();
    let operator = condition.operator.value.to_ascii_lowercase();
    SOURCE_KEY_PREFIXES.iter().any(|p| key.starts_with(p))
        && !operator.contains("not")
        && operator != "null"
}

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    for unit in &cx.workspace.policies {
        let Some(kind @ (PolicyKind::Key | PolicyKind::Bucket)) = unit.entry.kind else {
            continue;
        };
        let what = kind.describe();
        for statement in &unit.document().statements {
            if !statement.allows() || statement.conditions.iter().any(ties_source) {
                continue;
            }
            let Some(principal) = statement.principal.as_ref().filter(|p| !p.negated) else {
                continue;
            };
            let unbound = conditions_listed(&statement.conditions).map_or_else(
                || "with no condition on whose behalf it acts".to_string(),
                |listed| {
                    format!("and its conditions ({listed}) do not say on whose behalf it acts")
                },
            );
            for entry in principal
                .entries
                .iter()
                .filter(|e| e.kind == PrincipalKind::Service)
            {
                out.push(
                    cx.diag(
                        &RULE,
                        unit.file,
                        entry.value.span,
                        format!(
                            "this {what} allows the service `{}` {unbound}: any AWS customer's use of the service could reach this resource (the confused deputy)",
                            entry.value.value
                        ),
                    )
                    .help("add a condition naming your source: `\"Condition\": {\"StringEquals\": {\"aws:SourceAccount\": \"ACCOUNT\"}, \"ArnLike\": {\"aws:SourceArn\": \"arn:aws:SERVICE:REGION:ACCOUNT:...\"}}`"),
                );
            }
        }
    }
}
