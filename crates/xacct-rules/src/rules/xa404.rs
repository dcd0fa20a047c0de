//! XA404 bucket-deny-blocks-pipeline: a Deny of the artifact bucket policy matches the
//! pipeline's own traffic.

use std::collections::HashSet;

use xacct_graph::{EdgeKind, Outcome};
use xacct_model::KeyRef;

use crate::registry::{declare_rule, Check};
use crate::rules::PushAbout;
use crate::rules::WorkspaceContext;
use crate::Diagnostic;

declare_rule!(
    "XA404",
    "bucket-deny-blocks-pipeline",
    Error,
    "A Deny statement of the artifact bucket policy blocks pipeline traffic (e.g. requires another encryption or key than the store's).",
    Check::Workspace(check)
);

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    let kinds = [
        EdgeKind::CanRead,
        EdgeKind::CanWrite,
        EdgeKind::CanList,
        EdgeKind::CanPutAcl,
    ];
    for (check_index, c) in kinds
        .iter()
        .flat_map(|k| cx.graph.checks_not_allowed_of(*k))
    {
        let Outcome::Denied(proofs) = &c.outcome else {
            continue;
        };
        // The request as the graph asked it: every one over HTTPS; uploads with SSE-KMS, under
        // the store's key when it names a key ARN.
        let (request, sent) = match (c.kind, store_key_arn(cx, c)) {
            (EdgeKind::CanWrite, Some(key)) => (
                format!("over HTTPS, with SSE-KMS under the store key `{key}`"),
                format!("CodePipeline uploads artifacts over HTTPS with `aws:kms` encryption and the key `{key}`"),
            ),
            (EdgeKind::CanWrite, None) => (
                "over HTTPS, with SSE-KMS".to_string(),
                "CodePipeline uploads artifacts over HTTPS with `aws:kms` encryption".to_string(),
            ),
            _ => (
                "over HTTPS".to_string(),
                format!("CodePipeline makes {} requests over HTTPS", c.iam_action),
            ),
        };
        for proof in proofs.iter().filter(|p| p.side.is_resource_side()) {
            // One finding per Deny statement: the statement is the root cause, whichever
            // requests and roles of the pipeline it blocks.
            if !seen.insert((proof.file, proof.span)) {
                continue;
            }
            let mut diag = cx.diag(&RULE, proof.file, proof.anchor, format!(
                "this Deny of {} blocks `{}` ({}) from {} on `{}`, with the request CodePipeline makes ({request})",
                cx.deny_place(proof, "the bucket policy".to_string()),
                c.principal,
                cx.who(&c.need),
                c.iam_action,
                c.resource_shown()
            ));
            if let Some((file, span, text)) = cx.role_site(&c.need) {
                diag = diag.label_in(file, span, text);
            }
            out.push_about(check_index, diag.help(format!("narrow the Deny (its conditions) so that the pipeline's requests do not match it: {sent}")));
        }
    }
}

/// The key ARN of the artifact store the check's action uses, if the store names one.
fn store_key_arn(cx: &WorkspaceContext<'_>, c: &xacct_graph::Check) -> Option<String> {
    let unit = cx.pipeline(&c.need);
    let pipeline = &unit.doc.pipeline;
    let store = match (&pipeline.artifact_store, &pipeline.artifact_stores) {
        (Some(store), _) => &store.value,
        (None, Some(stores)) => {
            let (s, a) = c.need.action_index()?;
            let region = unit.accounts.of(s, a).region.as_ref()?;
            &stores
                .value
                .iter()
                .find(|r| r.region.value == region.value)?
                .store
        }
        (None, None) => return None,
    };
    let key = store.encryption_key.as_ref()?;
    matches!(KeyRef::parse(&key.value), Ok(KeyRef::KeyArn { .. })).then(|| key.value.to_string())
}
