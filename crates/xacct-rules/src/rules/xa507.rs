//! XA507 instance-role-missing-artifact-access: a CodeDeploy instance role in the deploy account
//! cannot fetch or decrypt the revision from the pipeline's bucket.

use std::collections::HashSet;

use xacct_graph::EdgeKind;
use xacct_iam::Side;

use crate::registry::{declare_rule, Check};
use crate::rules::xa401::bucket_objects;
use crate::rules::{deny_on, statement_json, PushAbout, WorkspaceContext};
use crate::Diagnostic;

declare_rule!(
    "XA507",
    "instance-role-missing-artifact-access",
    Warning,
    "A CodeDeploy instance role in the deploy account cannot get the artifacts (s3:Get*, s3:ListBucket) or decrypt them with the pipeline's key.",
    Check::Workspace(check)
);

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    for (index, c) in cx.graph.instance_role_checks() {
        if !c.outcome.is_refused() || !seen.insert((c.principal.clone(), c.kind)) {
            continue;
        }
        let (what, actions, resource): (&str, &[&str], String) = match c.kind {
            EdgeKind::CanRead => (
                "get the revision",
                &["s3:Get*"],
                bucket_objects(&c.resource),
            ),
            EdgeKind::CanList => (
                "list the artifact bucket",
                &["s3:ListBucket"],
                c.resource.to_string(),
            ),
            EdgeKind::CanDecrypt => (
                "decrypt the revision",
                &["kms:Decrypt", "kms:DescribeKey"],
                c.resource.to_string(),
            ),
            _ => continue,
        };
        let shown = format!("{} on `{}`", c.iam_action, c.resource_shown());
        let message = format!(
            "the EC2 instance role `{}`, which CodeDeploy agents of {} use, cannot {what} ({shown})",
            c.principal,
            cx.who(&c.need),
        );
        if let Some(diag) = cx.boundary_refusal(&RULE, c, what) {
            out.push_about(index, diag);
            continue;
        }
        // A Deny, in the role's own policies or in the bucket or key policy, overrides any
        // Allow: the fix is at the Deny.
        if let Some(proof) = deny_on(&c.outcome, Side::Both) {
            out.push_about(
                index,
                cx.at_deny(
                    &RULE,
                    proof,
                    &c.need,
                    format!("{message}: a Deny in {} blocks it", cx.deny_origin(proof)),
                    &format!("{} by `{}`", shown, c.principal),
                ),
            );
            continue;
        }
        // Fix where the allow is missing: the role's own policy, or the resource's policy.
        let on_resource = c.outcome.misses(Side::Resource) && !c.outcome.misses(Side::Identity);
        let (target, help) = match (on_resource, c.resource_policy, c.identity_policies.first()) {
            (true, Some(policy), _) => (
                policy,
                format!(
                    "add to the {} policy: {}",
                    if c.kind == EdgeKind::CanDecrypt {
                        "key"
                    } else {
                        "bucket"
                    },
                    statement_json(
                        Some(&c.principal),
                        actions,
                        Some(if c.kind == EdgeKind::CanDecrypt {
                            "*"
                        } else {
                            &resource
                        })
                    )
                ),
            ),
            (false, _, Some(_)) => (
                cx.identity_policy_for(&c.identity_policies, c.iam_action),
                format!(
                    "add to a policy of the instance role: {}",
                    statement_json(None, actions, Some(&resource))
                ),
            ),
            _ => continue,
        };
        let (file, span) = cx.policy_anchor(target);
        let mut diag = cx.diag(&RULE, file, span, message);
        if let Some((file, span, text)) = cx.role_site(&c.need) {
            diag = diag.label_in(file, span, text);
        }
        out.push_about(index, diag.help(help));
    }
}
