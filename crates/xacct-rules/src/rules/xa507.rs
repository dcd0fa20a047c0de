//! XA507 instance-role-missing-artifact-access: the role the CodeDeploy agents of a deployment
//! group's instances use cannot fetch or decrypt the revision from the pipeline's bucket.
//!
//! Where the inputs lead from the action's deployment group to its instances' profiles and
//! roles, those roles are checked and a refusal is an error. Where they do not (the group or
//! part of the way is not among the inputs), each role of the account that EC2 may assume and
//! that is about the deployment is a candidate, and a refusal is a warning that says what is
//! missing.

use std::collections::HashSet;

use xacct_graph::{Deployment, EdgeKind, InstanceSource};
use xacct_iam::Side;
use xacct_model::compute::{Link, Target};

use crate::registry::{declare_rule, Check};
use crate::rules::xa401::bucket_objects;
use crate::rules::{deny_on, statement_json, PushAbout, WorkspaceContext};
use crate::{Diagnostic, Severity};

declare_rule!(
    "XA507",
    "instance-role-missing-artifact-access",
    Error,
    "The instance role of a CodeDeploy deployment group (or, where the inputs do not say which, an EC2 role of the deploy account) cannot get the artifacts (s3:Get*) or decrypt them with the pipeline's key (an error), or cannot list the artifact bucket (a warning).",
    Check::Workspace(check)
);

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    let deployments = cx.graph.deployments();
    let explained = crate::rules::xa508::explained(cx);
    // The roles the instances certainly use first: such a role is reported once, as theirs,
    // and not again as a candidate of another action.
    let mut checks: Vec<_> = cx
        .graph
        .instance_role_checks_with_source()
        .filter(|(_, c, _)| c.outcome.is_refused())
        // A condition that never holds is the root cause: XA508's one finding.
        .filter(|(index, _, _)| !explained.contains(index))
        .collect();
    checks.sort_by_key(|(index, _, source)| {
        (matches!(source, InstanceSource::Candidate { .. }), *index)
    });
    // Buckets whose policy XA403 already reports for lacking s3:ListBucket: one statement for
    // the account fixes the instance role too, so it is not reported again.
    let lists_reported: HashSet<&str> = cx
        .graph
        .checks_not_allowed_of(EdgeKind::CanList)
        .filter(|(_, c)| c.outcome.misses(Side::Resource))
        .map(|(_, c)| &*c.resource)
        .collect();
    let mut seen = HashSet::new();
    for (index, c, source) in checks {
        if !seen.insert((c.principal.clone(), c.kind)) {
            continue;
        }
        if c.kind == EdgeKind::CanList
            && c.outcome.misses(Side::Resource)
            && lists_reported.contains(&*c.resource)
        {
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
        let (deployment, link) = match source {
            InstanceSource::Linked { deployment, link } => {
                let Some(d) = deployments.get(deployment as usize) else {
                    continue;
                };
                (d, d.resolution.links.get(link as usize))
            }
            InstanceSource::Candidate { deployment } => {
                let Some(d) = deployments.get(deployment as usize) else {
                    continue;
                };
                (d, None)
            }
        };
        let shown = format!("{} on `{}`", c.iam_action, c.resource_shown());
        let who = cx.who(&c.need);
        let mut message = match (link, deployment.group) {
            (Some(link), Some(group)) => format!(
                "the instance role `{}` of deployment group `{}` (instance profile `{}`), which the CodeDeploy agents of {who} use, cannot {what} ({shown})",
                c.principal,
                cx.workspace.compute.deployment_groups[group].name.value,
                cx.workspace.compute.instance_profiles[link.profile].display_name(),
            ),
            _ => format!(
                "the EC2 instance role `{}`, which CodeDeploy agents of {who} may use, cannot {what} ({shown})",
                c.principal,
            ),
        };
        // A permissions boundary that does not allow it: the fix is in the boundary.
        if let Some(mut diag) = cx.boundary_refusal(&RULE, c, what) {
            if link.is_none() {
                diag.message
                    .push_str(&format!("; {}", candidate_reason(cx, deployment)));
            }
            out.push_about(index, with_path_labels(cx, diag, deployment, link));
            continue;
        }
        // A Deny, in the role's own policies or in the bucket or key policy, overrides any
        // Allow: the fix is at the Deny.
        let diag = if let Some(proof) = deny_on(&c.outcome, Side::Both) {
            message.push_str(&format!(": a Deny in {} blocks it", cx.deny_origin(proof)));
            if link.is_none() {
                message.push_str(&format!("; {}", candidate_reason(cx, deployment)));
            }
            cx.at_deny(
                &RULE,
                proof,
                &c.need,
                message,
                &format!("{} by `{}`", shown, c.principal),
            )
        } else {
            if link.is_none() {
                message.push_str(&format!(": {}", candidate_reason(cx, deployment)));
            }
            // Fix where the allow is missing: the role's own policy, or the resource's policy.
            let on_resource = c.outcome.misses(Side::Resource) && !c.outcome.misses(Side::Identity);
            let (target, help, fix) =
                match (on_resource, c.resource_policy, c.identity_policies.first()) {
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
                        cx.add_statement(
                            policy,
                            if c.kind == EdgeKind::CanDecrypt {
                                "the key policy"
                            } else {
                                "the bucket policy"
                            },
                            Some(&c.principal),
                            actions,
                            Some(if c.kind == EdgeKind::CanDecrypt {
                                "*"
                            } else {
                                &resource
                            }),
                        ),
                    ),
                    (false, _, Some(_)) => {
                        let target = cx.identity_policy_for(&c.identity_policies, c.iam_action);
                        (
                            target,
                            format!(
                                "add to a policy of the instance role: {}",
                                statement_json(None, actions, Some(&resource))
                            ),
                            cx.add_statement(
                                target,
                                "the instance role's policy",
                                None,
                                actions,
                                Some(&resource),
                            ),
                        )
                    }
                    _ => continue,
                };
            let (file, span) = cx.policy_anchor(target);
            let mut diag = cx.diag(&RULE, file, span, message);
            if let Some((file, span, text)) = cx.role_site(&c.need) {
                diag = diag.label_in(file, span, text);
            }
            diag.help(help).fix_opt(fix)
        };
        let diag = with_path_labels(cx, diag, deployment, link);
        // Without s3:ListBucket the agent still gets an object that exists: the walkthrough's
        // grant is advice, not a cause of failure.
        let diag = if c.kind == EdgeKind::CanList {
            diag.severity(Severity::Warning)
        } else {
            diag
        };
        out.push_about(index, diag);
    }
}

/// A linked role's finding with the labels of the way to it (an error); a candidate's with the
/// label where the way stops, as a warning.
fn with_path_labels(
    cx: &WorkspaceContext<'_>,
    diag: Diagnostic,
    deployment: &Deployment,
    link: Option<&Link>,
) -> Diagnostic {
    match link {
        Some(link) => with_link_labels(cx, diag, deployment, link),
        None => with_gap_label(cx, diag, deployment).severity(Severity::Warning),
    }
}

/// Why a role is only a candidate: what the inputs do not say of the action's deployment
/// group and its instances.
fn candidate_reason(cx: &WorkspaceContext<'_>, deployment: &Deployment) -> String {
    let named = |key: &str| {
        cx.action(&deployment.need)
            .and_then(|a| a.config(key))
            .map_or("?", |v| v.value.as_str())
    };
    let (group, application) = (named("DeploymentGroupName"), named("ApplicationName"));
    if deployment.group.is_none() {
        return match deployment.maybe.len() {
            0 => format!(
                "a candidate, as deployment group `{group}` of application `{application}` is not among the inputs"
            ),
            1 => format!(
                "a candidate, as deployment group `{group}` of application `{application}` is among the inputs, but not known to be in the action's account and region"
            ),
            n => format!(
                "a candidate, as {n} deployment groups `{group}` of application `{application}` may be the one the action deploys to"
            ),
        };
    }
    let gaps = &deployment.resolution.gaps;
    match gaps.len() {
        0 => "a candidate".to_string(),
        1 => format!("a candidate, as {}", gaps[0].what),
        n => format!("a candidate, as {} (and {} more)", gaps[0].what, n - 1),
    }
}

/// Labels where the deployment group selects the target, where the target names its
/// instance profile, and where the profile names the role.
fn with_link_labels(
    cx: &WorkspaceContext<'_>,
    diag: Diagnostic,
    deployment: &Deployment,
    link: &Link,
) -> Diagnostic {
    let compute = &cx.workspace.compute;
    let Some(group) = deployment
        .group
        .and_then(|g| compute.deployment_groups.get(g))
    else {
        return diag;
    };
    let selects = match link.target {
        Target::Instance(i) => format!(
            "deployment group `{}` selects instance `{}` by this tag filter",
            group.name.value, compute.instances[i].id.value
        ),
        Target::AutoScalingGroup(a) => format!(
            "deployment group `{}` deploys to Auto Scaling group `{}`",
            group.name.value, compute.auto_scaling_groups[a].name.value
        ),
    };
    let profile = &compute.instance_profiles[link.profile];
    let (profile_file, profile_span) = link.profile_at;
    diag.label_in(group.place.file, link.selected_at, selects)
        .label_in(
            profile_file,
            profile_span,
            format!(
                "{} names instance profile `{}`",
                link.profile_by,
                profile.display_name()
            ),
        )
        .label_in(
            profile.place.file,
            link.role_at,
            format!(
                "instance profile `{}` holds this role",
                profile.display_name()
            ),
        )
}

/// For a candidate of a deployment group that is among the inputs: a label where the way to
/// its instances' roles stops.
fn with_gap_label(
    cx: &WorkspaceContext<'_>,
    diag: Diagnostic,
    deployment: &Deployment,
) -> Diagnostic {
    let compute = &cx.workspace.compute;
    let (Some(group), Some(gap)) = (
        deployment
            .group
            .and_then(|g| compute.deployment_groups.get(g)),
        deployment.resolution.gaps.first(),
    ) else {
        return diag;
    };
    diag.label_in(
        group.place.file,
        gap.at,
        format!(
            "deployment group `{}`: which role its instances use is not known here",
            group.name.value
        ),
    )
}
