//! XA903 insecure-transport-allowed: the artifact bucket policy does not deny plain HTTP.

use std::collections::HashSet;

use xacct_model::policy::{Condition, PrincipalKind, Statement, ValueBlock};
use xacct_model::workspace::Governs;
use xacct_model::Spanned;

use crate::registry::{declare_rule, Check};
use crate::rules::scope::conditions_listed;
use crate::rules::{resource_matches, WorkspaceContext};
use crate::Diagnostic;

declare_rule!(
    "XA903",
    "insecure-transport-allowed",
    Info,
    "The artifact bucket policy has no deny for aws:SecureTransport false.",
    Check::Workspace(check)
);

/// `"Bool": {"aws:SecureTransport": "false"}` (or `BoolIfExists`): true for plain HTTP.
fn is_plain_http(c: &Condition) -> bool {
    let operator = c.operator.value.to_ascii_lowercase();
    c.key.value.eq_ignore_ascii_case("aws:SecureTransport")
        && (operator == "bool" || operator == "boolifexists")
        && c.values
            .iter()
            .any(|v| v.value.eq_ignore_ascii_case("false"))
}

/// "`a`, `b`" for messages.
fn listed(values: &[Spanned<xacct_model::Text>]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("`{}`", v.value)).collect();
    quoted.join(", ")
}

/// Why a Deny of plain HTTP does not refuse every plain-HTTP request to the bucket's objects,
/// or `None` when it does: it must name every principal, every S3 action and the objects, and
/// have no other condition that narrows it (conditions are AND-ed).
fn shortfall(statement: &Statement, bucket: &str) -> Option<String> {
    let principal = statement.principal.as_ref()?;
    let everyone = principal.entries.iter().any(|e| {
        e.kind == PrincipalKind::Everyone || (e.kind == PrincipalKind::Aws && e.value.value == "*")
    });
    if principal.negated || !everyone {
        let entries: Vec<String> = principal
            .entries
            .iter()
            .map(|e| format!("`{}`", e.value.value))
            .collect();
        let which = if principal.negated {
            "applies to everyone but"
        } else {
            "applies only to"
        };
        return Some(format!(
            "{which} {}, not to every principal",
            entries.join(", ")
        ));
    }
    let all_actions = |block: &ValueBlock| {
        !block.negated
            && block
                .values
                .iter()
                .any(|v| matches!(v.value.to_ascii_lowercase().as_str(), "s3:*" | "*"))
    };
    match &statement.action {
        Some(block) if all_actions(block) => {}
        Some(block) if block.negated => {
            return Some(format!(
                "leaves out {} (NotAction), where it needs `s3:*`",
                listed(&block.values)
            ))
        }
        Some(block) => {
            return Some(format!(
                "covers only {}, where it needs `s3:*`",
                listed(&block.values)
            ))
        }
        None => return Some("has no `Action`".to_string()),
    }
    // A value covers every object when it matches the bucket's empty key and ends in `*`,
    // which then absorbs any key.
    let objects = format!("arn:aws:s3:::{bucket}/");
    let covers_objects = statement.resource.as_ref().is_some_and(|block| {
        !block.negated
            && block.values.iter().any(|v| {
                v.value.ends_with('*')
                    && resource_matches(
                        &ValueBlock {
                            negated: false,
                            key_span: block.key_span,
                            values: vec![v.clone()],
                        },
                        &objects,
                    )
            })
    });
    if !covers_objects {
        return Some(format!(
            "does not cover the bucket's objects (`arn:aws:s3:::{bucket}/*`)"
        ));
    }
    conditions_listed(statement.conditions.iter().filter(|c| !is_plain_http(c))).map(|others| {
        format!("also requires {others}, so it refuses only some plain-HTTP requests")
    })
}

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    for unit in &cx.workspace.pipelines {
        let pipeline = &unit.doc.pipeline;
        let stores = pipeline.stores();
        for bucket in stores.filter_map(|s| s.location.as_ref()) {
            if !seen.insert(bucket.value.clone()) {
                continue;
            }
            let name = &bucket.value;
            // The statement to add: every principal, every S3 action, the bucket and its
            // objects (bucket-level calls such as s3:ListBucket go over HTTP too).
            let statement = format!(
                "{{\"Sid\": \"DenyInsecureConnections\", \"Effect\": \"Deny\", \"Principal\": \"*\", \"Action\": \"s3:*\", \"Resource\": [\"arn:aws:s3:::{name}\", \"arn:aws:s3:::{name}/*\"], \"Condition\": {{\"Bool\": {{\"aws:SecureTransport\": \"false\"}}}}}}"
            );
            for policy in cx.workspace.governing(&Governs::Bucket(name.to_string())) {
                let document = policy.document();
                let denies: Vec<&Statement> = document
                    .statements
                    .iter()
                    .filter(|s| s.denies() && s.conditions.iter().any(is_plain_http))
                    .collect();
                let Some(first) = denies.first() else {
                    let start =
                        xacct_syntax::Span::new(document.span.start, document.span.start + 1);
                    out.push(
                        cx.diag(&RULE, policy.file, start, format!(
                            "the policy of artifact bucket `{name}` does not deny requests over plain HTTP"
                        ))
                        .help(format!("add: {statement}")),
                    );
                    continue;
                };
                // One Deny that refuses every plain-HTTP request is enough; else the first says
                // what it misses.
                let mut shortfalls = denies.iter().map(|s| shortfall(s, name));
                let Some(Some(why)) = shortfalls.next() else {
                    continue;
                };
                if shortfalls.any(|w| w.is_none()) {
                    continue;
                }
                out.push(
                    cx.diag(&RULE, policy.file, first.anchor(), format!(
                        "this Deny of plain HTTP in the policy of artifact bucket `{name}` {}: other requests over plain HTTP are not refused",
                        why
                    ))
                    .help(format!("replace it with: {statement}")),
                );
            }
        }
    }
}
