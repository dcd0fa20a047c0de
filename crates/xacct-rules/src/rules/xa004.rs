//! XA004 unverified-check: with `--strict`, a check that could not be decided, with what would
//! settle it: a document that was not given, or what in the given ones is unknown.

use std::collections::HashSet;

use xacct_graph::Outcome;
use xacct_iam::Side;
use xacct_model::arn::Arn;
use xacct_model::compute::Missing;

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
    attached_not_given(cx, out);
    deployment_gaps(cx, out);
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
                // A Lambda function's (version's, alias's) policy: `lambda:InvokeFunction` of a
                // function of another account.
                _ if Arn::parse(&c.resource).is_ok_and(|a| a.is_lambda_function()) => {
                    format!("the policy of the Lambda function `{}`", c.resource)
                }
                _ => format!(
                    "the bucket policy of `{}`",
                    xacct_model::arn::s3_bucket(&c.resource)
                ),
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

/// Each managed policy attached to a role the pipeline uses whose text is not among the
/// inputs (a customer managed policy, an AWS managed policy newer than the vendored catalogue).
/// xacct takes nothing from it, so a check it could settle may pass unseen; said once per
/// attachment, at the place that attaches it.
fn attached_not_given(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut roles = HashSet::new();
    let mut seen = HashSet::new();
    for c in &cx.graph.checks {
        if c.principal_account.is_none() || !roles.insert(c.principal.clone()) {
            continue;
        }
        let governs = xacct_model::workspace::Governs::RoleIdentity(c.principal.to_string());
        for policy in cx.workspace.governing(&governs) {
            for statement in &policy.document().statements {
                if !xacct_model::managed::is_stand_in(statement) {
                    continue;
                }
                let Some(name) = statement
                    .conditions
                    .iter()
                    .find(|k| k.key.value == xacct_model::managed::NOT_GIVEN_KEY)
                    .and_then(|k| k.values.first())
                else {
                    continue;
                };
                if !seen.insert((policy.file, statement.span)) {
                    continue;
                }
                out.push(
                    cx.diag(&RULE, policy.file, statement.span, format!("`{}`, attached to `{}`, is not among the inputs: what it allows or denies is unknown, so no access it could grant is reported missing", name.value, c.principal))
                        .help("add its text (`aws iam get-policy-version`, or `aws iam get-account-authorization-details`), with a [[bind]] entry in xacct.toml naming the role where the file cannot say"),
                );
            }
        }
    }
}

/// Where the way from a CodeDeploy action's deployment group to the roles of its instances
/// stops (an instance profile, an Auto Scaling group, a launch template not given; no instance
/// selected): the instances may use roles xacct does not see, so only candidates are checked
/// (XA507). Said once per gap, in the deployment group's file; and, where several groups of
/// the inputs may be the one the action names, at the action.
fn deployment_gaps(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    for deployment in cx.graph.deployments() {
        let who = cx.who(&deployment.need);
        let Some(g) = deployment.group else {
            let unit = cx.pipeline(&deployment.need);
            let Some(name) = cx
                .action(&deployment.need)
                .and_then(|a| a.config("DeploymentGroupName"))
            else {
                continue;
            };
            let message = match deployment.maybe.len() {
                0 => continue,
                1 => format!("could not tell whether deployment group `{}` of the inputs is the one {who} deploys to: its account or region is not known", name.value),
                n => format!("could not tell which deployment group {who} deploys to: {n} deployment groups named `{}` may be the one in its account and region", name.value),
            };
            out.push(
                cx.diag(&RULE, unit.file, name.span, message)
                    .help("lint only the declaration that is deployed, and say where each deployment group is: a folder named after its account (`prod-222222222222/`), `region` in xacct.toml or the stack's `[[stack]]`"),
            );
            continue;
        };
        let Some(group) = cx.workspace.compute.deployment_groups.get(g) else {
            continue;
        };
        for gap in &deployment.resolution.gaps {
            if !seen.insert((group.place.file, gap.at, gap.what.clone())) {
                continue;
            }
            out.push(
                cx.diag(
                    &RULE,
                    group.place.file,
                    gap.at,
                    format!(
                        "could not tell which role the CodeDeploy agents of {who} use: {}",
                        gap.what
                    ),
                )
                .help(settle(gap.missing)),
            );
        }
    }
}

/// What to add to the lint to follow a deployment group further.
fn settle(missing: Missing) -> String {
    let output = match missing {
        Missing::DeploymentGroup => "`aws deploy get-deployment-group`",
        Missing::Instances => "`aws ec2 describe-instances`",
        // Not read: the advice is what to check by hand.
        Missing::OnPremisesInstances => {
            return "xacct does not read on-premises instance registrations: check that the IAM user or role each registers with may get and decrypt the revision".to_string()
        }
        Missing::AutoScalingGroup => "`aws autoscaling describe-auto-scaling-groups`",
        Missing::LaunchTemplate => "`aws ec2 describe-launch-template-versions`",
        Missing::LaunchConfiguration => "`aws autoscaling describe-launch-configurations`",
        Missing::InstanceProfile => "`aws iam get-instance-profile`",
    };
    format!("add {output} output, or the template that declares it, to the lint")
}
