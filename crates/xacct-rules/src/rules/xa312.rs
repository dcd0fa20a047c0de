//! XA312 identity-policy-key-arn: a role's own policy names the pipeline key in a form that
//! never matches it.

use std::collections::HashSet;

use xacct_graph::EdgeKind;
use xacct_iam::Side;
use xacct_model::KeyRef;

use crate::registry::{declare_rule, Check};
use crate::rules::WorkspaceContext;
use crate::Diagnostic;

declare_rule!(
    "XA312",
    "identity-policy-key-arn",
    Error,
    "The other account's role policy does not name the key by its full ARN with the key's account ID.",
    Check::Workspace(check)
);

/// Why a `Resource` value written for the key cannot match its ARN, if it cannot.
fn mismatch(value: &str, key_arn: &str) -> Option<&'static str> {
    if value.contains('*') || value == key_arn {
        return None;
    }
    match KeyRef::parse(value).ok()? {
        KeyRef::AliasArn { .. } | KeyRef::AliasName { .. } => {
            Some("an alias, which a policy's `Resource` never matches against a key ARN")
        }
        KeyRef::KeyId(_) => Some("a bare key ID, not an ARN"),
        KeyRef::KeyArn { key_id, .. } if key_arn.ends_with(&format!("key/{key_id}")) => {
            Some("the key's ID with another account or region than the key's own")
        }
        KeyRef::KeyArn { .. } => None,
    }
}

pub(crate) fn findings(cx: &WorkspaceContext<'_>) -> Vec<(usize, Diagnostic)> {
    let mut found = Vec::new();
    let mut seen = HashSet::new();
    for (index, c) in cx
        .graph
        .checks_not_allowed_of(EdgeKind::CanDecrypt)
        .chain(cx.graph.checks_not_allowed_of(EdgeKind::CanEncrypt))
        // A build project's key is XA318's.
        .filter(|(_, c)| c.need.artifacts != xacct_graph::Artifacts::BuildOutput)
    {
        if !c.outcome.misses(Side::Identity) {
            continue;
        }
        for &policy in c.identity_policies.iter() {
            let unit = cx.policy(policy);
            for statement in unit.document().statements.iter().filter(|s| s.allows()) {
                let kms = statement.action.as_ref().is_some_and(|a| {
                    a.values
                        .iter()
                        .any(|v| v.value.to_ascii_lowercase().starts_with("kms:"))
                });
                let Some(resource) = statement.resource.as_ref().filter(|_| kms) else {
                    continue;
                };
                for value in &resource.values {
                    let Some(why) = mismatch(&value.value, &c.resource) else {
                        continue;
                    };
                    if !seen.insert((unit.file, value.span)) {
                        continue;
                    }
                    let diag = cx
                        .diag(&RULE, unit.file, value.span, format!(
                            "the policy of `{}` names the pipeline key as `{}`, {why}; the key is `{}`",
                            c.principal, value.value, c.resource
                        ))
                        .help(format!(
                            "name the key by its full ARN: \"Resource\": \"{}\" (the walkthrough: \"You must use the account ID of AccountA in this policy as part of the resource ARN for the AWS KMS key\")",
                            c.resource
                        ));
                    let diag = match cx.role_site(&c.need) {
                        Some((file, span, text)) => diag.label_in(file, span, text),
                        None => diag,
                    };
                    found.push((index, diag));
                }
            }
        }
    }
    found
}

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    out.extend(findings(cx).into_iter().map(|(_, d)| d));
}
