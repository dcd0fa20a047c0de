//! XA513 action-role-s3-on-every-bucket: a role that a pipeline's actions run as in another
//! account may read or write every bucket, where the action needs the artifact bucket only.
//!
//! The cross-account walkthrough's console wizard makes `CrossAccount_Role` with
//! AmazonS3ReadOnlyAccess attached only because "You must choose a policy to complete the
//! wizard", says "This is not the policy you will use", and has it detached once the role's own
//! S3 policy is in place. Left attached, it (or any grant like it) lets whoever may assume the
//! role, another account's pipeline included, read every bucket of the role's account and any
//! bucket of another account whose policy trusts it.

use std::collections::{BTreeMap, HashSet};

use xacct_graph::EdgeKind;
use xacct_model::pipeline::Action;
use xacct_model::policy::{Statement, ValueBlock};
use xacct_model::workspace::Governs;
use xacct_model::{AccountId, Spanned};

use crate::registry::{declare_rule, Check};
use crate::rules::scope::{granted_through, policy_of};
use crate::rules::{resource_matches, WorkspaceContext};
use crate::Diagnostic;

declare_rule!(
    "XA513",
    "action-role-s3-on-every-bucket",
    Warning,
    "A role that a pipeline's actions run as in another account may read or write objects of every bucket (such as the walkthrough's placeholder AmazonS3ReadOnlyAccess left attached), where the action needs the artifact bucket only.",
    Check::Workspace(check)
);

/// Two object ARNs of buckets nothing names: a value that matches both covers every bucket.
const PROBES: [&str; 2] = [
    "arn:aws:s3:::xacct-probe-bucket-a/key",
    "arn:aws:s3:::another-xacct-probe/a/b",
];

/// The S3 object actions an artifact needs, read first.
const OBJECT_ACTIONS: [(&str, &str); 2] = [("s3:GetObject", "read"), ("s3:PutObject", "write")];

/// The value of a `Resource` block that takes in the objects of every bucket (for a
/// `NotResource`, the key), when the block does.
fn every_bucket(block: &ValueBlock) -> Option<&Spanned<xacct_model::Text>> {
    let covers = |b: &ValueBlock| PROBES.iter().all(|p| resource_matches(b, p));
    if !covers(block) {
        return None;
    }
    if block.negated {
        return block.values.first();
    }
    block.values.iter().find(|v| {
        covers(&ValueBlock {
            negated: false,
            key_span: block.key_span,
            values: vec![(*v).clone()],
        })
    })
}

/// What the statement lets the role do on every bucket: ("read", " (through `s3:Get*`)").
fn reach(
    statement: &Statement,
) -> Option<(Vec<&'static str>, String, &Spanned<xacct_model::Text>)> {
    // A condition may narrow the buckets (s3:ResourceAccount, aws:ResourceOrgID...): a
    // deliberate grant, whatever it says.
    if !statement.allows() || !statement.conditions.is_empty() {
        return None;
    }
    if xacct_model::managed::is_stand_in(statement) {
        return None;
    }
    let action = statement.action.as_ref()?;
    let at = every_bucket(statement.resource.as_ref()?)?;
    let mut verbs = Vec::new();
    let mut through = String::new();
    for (iam_action, verb) in OBJECT_ACTIONS {
        if let Some(how) = granted_through(action, iam_action) {
            if verbs.is_empty() {
                through = how;
            }
            verbs.push(verb);
        }
    }
    (!verbs.is_empty()).then_some((verbs, through, at))
}

/// Providers whose action role touches no bucket but the artifact store: it reads and writes
/// artifacts and calls its service's API (a CloudFormation stack's own needs are its
/// deployment role's, a build's its project role's). Elastic Beanstalk, S3 deploy and others
/// write into buckets of their own, so a wider S3 grant may be what they need.
fn artifacts_only(action: &Action) -> bool {
    action.owner() == "AWS"
        && matches!(
            action.provider(),
            "CodeDeploy" | "CloudFormation" | "CodeCommit" | "CodeBuild" | "Manual"
        )
}

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    // Each action role of another account than its pipeline's, and whether every action that
    // runs as it needs the artifact bucket only.
    let mut roles: BTreeMap<&str, (AccountId, bool)> = BTreeMap::new();
    for (_, c) in cx.graph.checks_of(EdgeKind::CanAssume) {
        let (Some(from), Some(to)) = (c.principal_account, c.resource_account) else {
            continue;
        };
        if from == to {
            continue;
        }
        let only = cx.action(&c.need).is_some_and(artifacts_only);
        let entry = roles.entry(&c.resource).or_insert((from, true));
        entry.1 &= only;
    }
    let mut seen = HashSet::new();
    for (role, (from, only)) in roles {
        if !only {
            continue;
        }
        for unit in cx
            .workspace
            .governing(&Governs::RoleIdentity(role.to_string()))
        {
            for statement in &unit.document().statements {
                let Some((verbs, through, at)) = reach(statement) else {
                    continue;
                };
                // A managed policy attached to several action roles is one place to fix.
                if !seen.insert((unit.file, at.span)) {
                    continue;
                }
                let placeholder = if unit
                    .entry
                    .name
                    .as_deref()
                    .is_some_and(|n| n.ends_with(":policy/AmazonS3ReadOnlyAccess"))
                {
                    "; the walkthrough's wizard attaches this policy only to finish (\"This is not the policy you will use\") and detaches it"
                } else {
                    ""
                };
                out.push(
                    Diagnostic::new(
                        &RULE,
                        unit.file,
                        at.span,
                        format!(
                            "{}, which the pipeline's role assumes from account {from}, may {} objects of every bucket{through}: of its own account and of any account whose bucket policy trusts it, where the action needs the artifact bucket only{placeholder}",
                            policy_of(unit, role),
                            verbs.join(" and "),
                        ),
                    )
                    .help("grant the object actions on the artifact bucket only, e.g. \"Resource\": \"arn:aws:s3:::codepipeline-us-east-2-1234567890/*\", and detach the broad policy"),
                );
            }
        }
    }
}
