//! XA004 unverified-check: with `--strict`, a check that could not be decided, with what would
//! settle it: a document that was not given, or what in the given ones is unknown.

use std::collections::HashSet;

use xacct_graph::Outcome;
use xacct_iam::Side;

use crate::registry::{declare_rule, Check};
use crate::rules::WorkspaceContext;
use crate::Diagnostic;

declare_rule!(
    "XA004",
    "unverified-check",
    Info,
    "With --strict: a check that could not be decided (names the document, condition key, policy variable or undocumented case that would settle it).",
    Check::Workspace(check)
);

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    if !cx.strict {
        return;
    }
    let mut seen = HashSet::new();
    for c in cx.graph.checks_not_allowed() {
        let Outcome::Unknown { missing, reasons } = &c.outcome else {
            continue;
        };
        // Undecided with every document at hand: say what in them is unknown (a condition
        // key's value, a policy variable, a value fixed at deployment, a case the AWS
        // documentation leaves open), once per role and set of reasons.
        if missing.is_empty() && !reasons.is_empty() {
            let Some((file, span, _)) = cx.role_site(&c.need) else {
                continue;
            };
            if !seen.insert(format!("{}\n{}", c.principal, reasons.join("\n"))) {
                continue;
            }
            out.push(
                cx.diag(&RULE, file, span, format!("could not verify that `{}` may {} on `{}`: {}", c.principal, c.iam_action, c.resource_shown(), reasons.join("; ")))
                    .help("the answer depends on what the policies leave to run time or to an undocumented case: make the statement independent of it to have the access verified"),
            );
            continue;
        }
        for side in missing {
            let document = match (side, c.kind) {
                (Side::Identity, _) => format!("the identity policies of `{}`", c.principal),
                (Side::Boundary, _) => match cx.workspace.boundary_of(&c.principal) {
                    Some(named) => format!(
                        "the permissions boundary `{}` of `{}`",
                        named.boundary.policy.value, c.principal
                    ),
                    None => format!("the permissions boundary of `{}`", c.principal),
                },
                (Side::Scp, _) => format!(
                    "the content of an SCP of account {}",
                    c.principal_account
                        .map_or("?".to_string(), |a| a.to_string())
                ),
                (_, xacct_graph::EdgeKind::CanAssume) => {
                    format!("the trust policy of `{}`", c.resource)
                }
                (_, xacct_graph::EdgeKind::CanDecrypt | xacct_graph::EdgeKind::CanEncrypt) => {
                    format!("the key policy of `{}`", c.resource)
                }
                _ => {
                    let bucket = c
                        .resource
                        .trim_start_matches("arn:aws:s3:::")
                        .split('/')
                        .next()
                        .unwrap_or_default();
                    format!("the bucket policy of `{bucket}`")
                }
            };
            // Marked as reported only once there is a place to report it at, so that a later
            // check for the same document still can.
            let Some((file, span, _)) = cx.role_site(&c.need) else {
                continue;
            };
            if !seen.insert(document.clone()) {
                continue;
            }
            out.push(
                cx.diag(&RULE, file, span, format!("could not verify that `{}` may {} on `{}`: {document} {} not given", c.principal, c.iam_action, c.resource_shown(), if side == &Side::Identity { "were" } else { "was" }))
                    .help("add the document to the lint (e.g. `aws iam get-role`, `aws iam get-account-authorization-details`, `aws s3api get-bucket-policy`, `aws kms get-key-policy`, `aws iam get-policy-version` for a permissions boundary, `aws organizations describe-policy` output), with a [[bind]] entry in xacct.toml where the file cannot say what it governs"),
            );
        }
    }
}
