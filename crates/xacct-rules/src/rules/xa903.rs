//! XA903 insecure-transport-allowed: the artifact bucket policy does not deny plain HTTP.

use std::collections::HashSet;

use xacct_model::workspace::Governs;

use crate::registry::{declare_rule, Check};
use crate::rules::WorkspaceContext;
use crate::Diagnostic;

declare_rule!(
    "XA903",
    "insecure-transport-allowed",
    Info,
    "The artifact bucket policy has no deny for aws:SecureTransport false.",
    Check::Workspace(check)
);

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    for unit in &cx.workspace.pipelines {
        let pipeline = &unit.doc.pipeline;
        let stores = pipeline.artifact_store.iter().map(|s| &s.value).chain(
            pipeline
                .artifact_stores
                .iter()
                .flat_map(|s| s.value.iter().map(|r| &r.store)),
        );
        for bucket in stores.filter_map(|s| s.location.as_ref()) {
            if !seen.insert(bucket.value.clone()) {
                continue;
            }
            for policy in cx
                .workspace
                .governing(&Governs::Bucket(bucket.value.clone()))
            {
                let denies_http = policy.document().statements.iter().any(|s| {
                    s.denies()
                        && s.conditions.iter().any(|c| {
                            c.key.value.eq_ignore_ascii_case("aws:SecureTransport")
                                && c.operator.value.starts_with("Bool")
                                && c.values.iter().any(|v| v.value == "false")
                        })
                });
                if denies_http {
                    continue;
                }
                let document = policy.document();
                out.push(
                    cx.diag(&RULE, policy.file, xacct_syntax::Span::new(document.span.start, document.span.start + 1), format!(
                        "the policy of artifact bucket `{}` does not deny requests over plain HTTP",
                        bucket.value
                    ))
                    .help(format!(
                        "add: {{\"Sid\": \"DenyInsecureConnections\", \"Effect\": \"Deny\", \"Principal\": \"*\", \"Action\": \"s3:*\", \"Resource\": \"arn:aws:s3:::{}/*\", \"Condition\": {{\"Bool\": {{\"aws:SecureTransport\": \"false\"}}}}}}",
                        bucket.value
                    )),
                );
            }
        }
    }
}
