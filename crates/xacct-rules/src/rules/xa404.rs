//! XA404 bucket-deny-blocks-pipeline: a Deny of the artifact bucket policy matches the
//! pipeline's own traffic.

use std::collections::HashSet;

use xacct_graph::{EdgeKind, Outcome};
use xacct_iam::Side;

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
    for (check_index, c) in kinds.iter().flat_map(|k| cx.graph.checks_of(*k)) {
        let Outcome::Denied(proofs) = &c.outcome else {
            continue;
        };
        for proof in proofs.iter().filter(|p| p.side == Side::Resource) {
            if !seen.insert((proof.file, proof.span, c.iam_action.clone())) {
                continue;
            }
            let mut diag = cx.diag(&RULE, proof.file, proof.anchor, format!(
                "this Deny of the bucket policy blocks `{}` ({}) from {} on `{}`, with the request CodePipeline makes (HTTPS, SSE-KMS with the store key)",
                c.principal,
                cx.who(&c.need),
                c.iam_action,
                c.resource_shown()
            ));
            if let Some((file, span, text)) = cx.role_site(&c.need) {
                diag = diag.label_in(file, span, text);
            }
            out.push_about(check_index, diag.help("narrow the Deny (its conditions) so that the pipeline's requests do not match it: CodePipeline writes with `aws:kms` encryption and the artifact store's key, over HTTPS"));
        }
    }
}
