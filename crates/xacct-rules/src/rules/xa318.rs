//! XA318 codebuild-project-key: a CodeBuild action's output artifacts are encrypted with its
//! project's key, not the store's, and an action in another account that reads them cannot
//! decrypt them.

use std::collections::HashSet;

use xacct_graph::{Artifacts, EdgeKind};
use xacct_iam::Side;
use xacct_model::providers::artifact_use;
use xacct_model::KeyRef;

use crate::registry::{declare_rule, Check};
use crate::rules::{deny_on, statement_json, PushAbout, WorkspaceContext};
use crate::Diagnostic;

declare_rule!(
    "XA318",
    "codebuild-project-key",
    Error,
    "A CodeBuild action's outputs are encrypted with its project's key (not the store's), and an action in another account that reads them cannot decrypt them: the project uses the AWS managed key aws/s3, or its key does not let that action's role decrypt.",
    Check::Workspace(check)
);

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    aws_managed(cx, out);
    refused(cx, out);
    named_elsewhere(cx, out);
}

/// A project that names the pipeline's key by its bare key ID or alias name, while that key is
/// in another account than the project: CodeBuild looks the key up in the project's account and
/// fails uploading the outputs ("CLIENT_ERROR: Error in UPLOAD_ARTIFACTS phase:
/// KMS.NotFoundException", run-time failure E7). Only where the ID (or alias) is the store
/// key's: a bare ID of another key may well be one of the project's account.
fn named_elsewhere(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    for unit in &cx.workspace.pipelines {
        let pipeline = &unit.doc.pipeline;
        for (s, a, action) in pipeline.actions() {
            if !(action.owner() == "AWS" && action.provider() == "CodeBuild")
                || action.outputs.is_empty()
            {
                continue;
            }
            let placement = unit.accounts.of(s, a);
            let Some(account) = placement.account.as_ref().map(|a| a.value) else {
                continue;
            };
            let region = placement.region.as_ref().map(|r| r.value.as_str());
            let Some(name) = action.config("ProjectName") else {
                continue;
            };
            let Some(project) = cx.workspace.project(&name.value, account, region) else {
                continue;
            };
            let Some(project_key) = project.project.encryption_key.as_ref() else {
                continue;
            };
            let Some(store_key) =
                xacct_graph::store_for(pipeline, region).and_then(|s| s.encryption_key.as_ref())
            else {
                continue;
            };
            let (Ok(named), Ok(store)) = (
                KeyRef::parse(&project_key.value),
                KeyRef::parse(&store_key.value),
            ) else {
                continue;
            };
            let key_account = match (&named, &store) {
                (
                    KeyRef::KeyId(id),
                    KeyRef::KeyArn {
                        account: Some(at),
                        key_id,
                        ..
                    },
                ) if id == key_id => *at,
                (
                    KeyRef::AliasName { name },
                    KeyRef::AliasArn {
                        account: Some(at),
                        name: store_name,
                        ..
                    },
                ) if name == store_name => *at,
                _ => continue,
            };
            if key_account == account {
                continue;
            }
            let how = match named {
                KeyRef::KeyId(_) => "the bare key ID",
                _ => "the alias",
            };
            out.push(
                cx.diag(
                    &RULE,
                    project.file,
                    project_key.span,
                    format!(
                        "CodeBuild project `{}` (action `{}`) names the pipeline's key by {how} `{}`, which CodeBuild looks up in the project's account {account}; the key is in account {key_account}, so the build fails uploading its output artifacts (KMS.NotFoundException)",
                        name.value,
                        action.display_name(),
                        project_key.value,
                    ),
                )
                .label_in(
                    unit.file,
                    store_key.span,
                    format!("the artifact store's key, in account {key_account}"),
                )
                .help(match named {
                    KeyRef::KeyId(_) => format!("name the key by its ARN: `{}`", store_key.value),
                    _ => format!("name the key by its key ARN (`arn:aws:kms:REGION:{key_account}:key/ID`): an alias is recognised only in the key's account"),
                }),
            );
        }
    }
}

/// A project with the AWS managed key (`alias/aws/s3`, also when it names none): a key no
/// other account can use, so a consumer in another account can never decrypt the output.
fn aws_managed(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    for unit in &cx.workspace.pipelines {
        let home = unit.accounts.pipeline_account();
        let pipeline = &unit.doc.pipeline;
        for (s, a, producer) in pipeline.actions() {
            if !(producer.owner() == "AWS" && producer.provider() == "CodeBuild")
                || producer.outputs.is_empty()
            {
                continue;
            }
            let placement = unit.accounts.of(s, a);
            let Some(account) = placement.account.as_ref().map(|a| a.value) else {
                continue;
            };
            // A CodeBuild action in another account than the pipeline's is XA205's, whatever
            // its key: one root cause, one finding.
            if home != Some(account) {
                continue;
            }
            let Some(name) = producer.config("ProjectName") else {
                continue;
            };
            let region = placement.region.as_ref().map(|r| r.value.as_str());
            let Some(project) = cx.workspace.project(&name.value, account, region) else {
                continue;
            };
            if !project.project.uses_aws_managed_key() {
                continue;
            }
            // The actions that read an output from another account: their own role decrypts
            // (`artifact_use`), or, for CodeDeploy, the instances' role of their account.
            let readers: Vec<_> = pipeline
                .actions()
                .filter(|(_, _, consumer)| {
                    consumer
                        .inputs
                        .iter()
                        .any(|i| producer.outputs.iter().any(|o| o.value == i.value))
                        && (artifact_use(consumer).decrypt || consumer.is("AWS", "CodeDeploy"))
                })
                .filter_map(|(cs, ca, consumer)| {
                    let at = unit.accounts.of(cs, ca).account.as_ref()?.value;
                    (at != account).then_some((consumer, at))
                })
                .collect();
            let Some(&(first, first_account)) = readers.first() else {
                continue;
            };
            let (file, span, how) = match &project.project.encryption_key {
                Some(key) => (
                    project.file,
                    key.span,
                    format!(
                        "encrypts its output artifacts with `{}`, the AWS managed key of account {account}",
                        key.value
                    ),
                ),
                None => (
                    project.file,
                    project.project.name.span,
                    format!("names no encryption key, so its output artifacts are encrypted with the AWS managed key `alias/aws/s3` of account {account}"),
                ),
            };
            let others = match readers.len() {
                1 => String::new(),
                2 => " (and 1 more action)".to_string(),
                n => format!(" (and {} more actions)", n - 1),
            };
            let mut diag = cx
                .diag(
                    &RULE,
                    file,
                    span,
                    format!(
                        "CodeBuild project `{}` (action `{}`) {how}, which no other account can use: action `{}` in account {first_account}{others} cannot decrypt them",
                        name.value,
                        producer.display_name(),
                        first.display_name(),
                    ),
                )
                .label_in(
                    unit.file,
                    producer.outputs_span.unwrap_or(producer.anchor()),
                    format!("action `{}` produces these", producer.display_name()),
                );
            for (consumer, at) in &readers {
                diag = diag.label_in(
                    unit.file,
                    consumer.inputs_span.unwrap_or(consumer.anchor()),
                    format!(
                        "action `{}` in account {at} reads them here",
                        consumer.display_name()
                    ),
                );
            }
            out.push(diag.help(
                "set the project's encryption key to the pipeline's artifact store key (a customer managed key whose policy grants the other accounts), as the artifact store does",
            ));
        }
    }
}

/// A project key by ARN whose policy (or the reader's own policies) does not let the reading
/// role decrypt: the graph's `kms:Decrypt` questions about build outputs.
fn refused(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    let explained = crate::rules::xa508::explained(cx);
    for (check_index, c) in cx
        .graph
        .checks_not_allowed_of(EdgeKind::CanDecrypt)
        .filter(|(_, c)| c.need.artifacts == Artifacts::BuildOutput)
    {
        // A condition that never holds is the root cause: XA508's one finding.
        if explained.contains(&check_index) {
            continue;
        }
        let deny = deny_on(&c.outcome, Side::Both);
        let key_side =
            c.outcome.misses(Side::Resource) || deny.is_some_and(|d| d.side == Side::Resource);
        let role_side =
            c.outcome.misses(Side::Identity) || deny.is_some_and(|d| d.side == Side::Identity);
        if !key_side && !role_side {
            continue;
        }
        if !seen.insert((c.principal.clone(), c.resource.clone())) {
            continue;
        }
        let why = match (deny, key_side) {
            (Some(_), _) => "a Deny refuses it",
            (None, true) => "the project key's policy does not allow it",
            (None, false) => {
                "no policy of the role allows it (cross-account use of a key needs both sides)"
            }
        };
        let message = format!(
            "`{}` ({}) reads an artifact a CodeBuild action made, which CodeBuild encrypted with the project's key `{}`, not the store's; it may not kms:Decrypt with that key: {why}",
            c.principal,
            cx.who(&c.need),
            c.resource
        );
        let diag = if let Some(proof) = deny {
            cx.at_deny(
                &RULE,
                proof,
                &c.need,
                message,
                &format!("kms:Decrypt on `{}`", c.resource),
            )
        } else if let Some(key_policy) = c.resource_policy.filter(|_| key_side) {
            cx.at_policy(&RULE, key_policy, &c.need, message).help(format!(
                "add to the project key's policy: {}, or set the project's encryption key to the artifact store's key",
                statement_json(Some(&c.principal), &["kms:Decrypt", "kms:DescribeKey"], Some("*"))
            ))
            .fix_opt(cx.add_statement(
                key_policy,
                "the project key's policy",
                Some(&c.principal),
                &["kms:Decrypt", "kms:DescribeKey"],
                Some("*"),
            ))
        } else if let Some(&policy) = c.identity_policies.first() {
            cx.at_policy(&RULE, policy, &c.need, message)
                .help(format!(
                    "add to a policy of `{}`: {}",
                    c.principal,
                    statement_json(None, &["kms:Decrypt", "kms:DescribeKey"], Some(&c.resource))
                ))
                .fix_opt(cx.add_statement(
                    policy,
                    "the role's policy",
                    None,
                    &["kms:Decrypt", "kms:DescribeKey"],
                    Some(&c.resource),
                ))
        } else {
            continue;
        };
        out.push_about(check_index, diag);
    }
}
