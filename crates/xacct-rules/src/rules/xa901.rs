//! XA901 public-principal: a bucket or key policy allows everyone without a narrowing condition.

use xacct_model::policy::Statement;
use xacct_model::policy_file::PolicyKind;

use crate::registry::{declare_rule, Check};
use crate::rules::scope::{conditions_listed, everyone};
use crate::rules::{narrows_caller, WorkspaceContext};
use crate::Diagnostic;

declare_rule!(
    "XA901",
    "public-principal",
    Error,
    "A bucket or key policy allows Principal \"*\" (or {\"AWS\": \"*\"}) without a condition that narrows it.",
    Check::Workspace(check)
);

/// Condition keys that pin the caller (who, from which organization, account, network or
/// source resource): with a positive comparison on one of them, `*` is no longer everyone.
const CALLER_KEYS: &[&str] = &[
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalarn",
    "aws:principalaccount",
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourcevpce",
    "aws:sourcevpc",
    "aws:sourceip",
    "aws:userid",
    // KMS's own: the account of the caller (the statement AWS managed keys carry, with
    // `kms:ViaService`, lets in only principals of the key's account calling through a service).
    "kms:calleraccount",
];

/// "s3:GetObject, s3:PutObject", or "everything except s3:DeleteObject" for `NotAction`.
fn actions_phrase(statement: &Statement) -> String {
    let Some(block) = &statement.action else {
        return String::new();
    };
    let list: Vec<&str> = block.values.iter().map(|v| v.value.as_str()).collect();
    if block.negated {
        format!("everything except {}", list.join(", "))
    } else {
        list.join(", ")
    }
}

/// "with no condition", or which conditions there are and that none narrows the caller.
fn conditions_phrase(statement: &Statement) -> String {
    conditions_listed(&statement.conditions).map_or_else(
        || "with no condition".to_string(),
        |listed| format!("and its conditions ({listed}) do not narrow who may call"),
    )
}

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    for unit in &cx.workspace.policies {
        let Some(kind @ (PolicyKind::Key | PolicyKind::Bucket)) = unit.entry.kind else {
            continue;
        };
        let what = kind.describe();
        for statement in
            unit.document().statements.iter().filter(|s| {
                s.allows() && !s.conditions.iter().any(|c| narrows_caller(c, CALLER_KEYS))
            })
        {
            let Some(principal) = statement.principal.as_ref() else {
                continue;
            };
            let (actions, conditions) = (actions_phrase(statement), conditions_phrase(statement));
            let help = "name the principals (the pipeline role, the action roles), or add a condition that narrows the caller, such as `\"StringEquals\": {\"aws:PrincipalOrgID\": \"o-…\"}` or `aws:PrincipalArn`";
            // An Allow with `NotPrincipal` allows everyone but the principals it lists.
            if principal.negated {
                let listed: Vec<String> = principal
                    .entries
                    .iter()
                    .map(|e| format!("`{}`", e.value.value))
                    .collect();
                out.push(
                    cx.diag(&RULE, unit.file, principal.key_span, format!(
                        "this {what} allows everyone except {} (an Allow with NotPrincipal) to {actions} {conditions}",
                        listed.join(", ")
                    ))
                    .help(help),
                );
                continue;
            }
            for entry in &principal.entries {
                if !everyone(entry) {
                    continue;
                }
                out.push(
                    cx.diag(
                        &RULE,
                        unit.file,
                        entry.value.span,
                        format!(
                            "this {what} allows everyone ({}) to {actions} {conditions}",
                            entry.value.value,
                        ),
                    )
                    .help(help),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use xacct_model::policy::Condition;
    use xacct_model::Spanned;
    use xacct_syntax::Span;

    use super::CALLER_KEYS;
    use crate::rules::narrows_caller;

    fn narrows(operator: &str, key: &str, values: &[&str]) -> bool {
        let spanned = |s: &str| Spanned::new(xacct_model::Text::from(s), Span::default());
        let condition = Condition {
            operator: spanned(operator),
            key: spanned(key),
            values: values.iter().map(|v| spanned(v)).collect(),
        };
        narrows_caller(&condition, CALLER_KEYS)
    }

    #[test]
    fn positive_comparisons_of_the_caller_narrow() {
        assert!(narrows(
            "StringEquals",
            "aws:PrincipalOrgID",
            &["o-a1b2c3d4e5"]
        ));
        assert!(narrows(
            "ForAnyValue:StringLikeIfExists",
            "aws:principalarn",
            &["arn:aws:iam::111111111111:role/*"]
        ));
        assert!(narrows(
            "ArnEquals",
            "aws:SourceArn",
            &["arn:aws:codepipeline:us-east-2:111111111111:P"]
        ));
        assert!(narrows("IpAddress", "aws:SourceIp", &["203.0.113.0/24"]));
        // StringEquals compares literally: "*" matches no caller.
        assert!(narrows("StringEquals", "aws:PrincipalAccount", &["*"]));
    }

    #[test]
    fn other_conditions_do_not_narrow() {
        assert!(!narrows("Bool", "aws:SecureTransport", &["true"]));
        assert!(!narrows("StringLike", "aws:PrincipalArn", &["*"]));
        assert!(!narrows("ArnLike", "aws:SourceArn", &["o-1", "**"]));
        assert!(!narrows(
            "StringNotEquals",
            "aws:PrincipalOrgID",
            &["o-a1b2c3d4e5"]
        ));
        assert!(!narrows(
            "ForAllValues:StringEquals",
            "aws:PrincipalOrgID",
            &["o-a1b2c3d4e5"]
        ));
        assert!(!narrows("IpAddress", "aws:SourceIp", &["0.0.0.0/0"]));
        assert!(!narrows("StringEquals", "aws:SourceIp", &["203.0.113.7"]));
        assert!(!narrows("StringEquals", "aws:PrincipalOrgID", &[]));
    }
}
