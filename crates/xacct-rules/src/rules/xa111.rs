//! XA111 artifact-bucket-region: an artifact store's bucket is in another region than the
//! store (the pipeline's region, or the region of its `artifactStores` entry).

use crate::registry::{declare_rule, Check};
use crate::rules::WorkspaceContext;
use crate::Diagnostic;

declare_rule!(
    "XA111",
    "artifact-bucket-region",
    Error,
    "An artifact store's bucket is in another region than the store (the pipeline's region, or its artifactStores entry's), as the bucket's location says.",
    Check::Workspace(check)
);

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    for unit in &cx.workspace.pipelines {
        let pipeline = &unit.doc.pipeline;
        let home = unit.accounts.region.as_ref();
        // (store region, where it comes from, the store).
        let single = pipeline
            .artifact_store
            .iter()
            .filter_map(|s| home.map(|h| (h.value.as_str(), None, &s.value)));
        let many = pipeline.artifact_stores.iter().flat_map(|m| {
            m.value
                .iter()
                .map(|r| (r.region.value.as_str(), Some(r.region.span), &r.store))
        });
        for (region, region_span, store) in single.chain(many) {
            let Some(bucket) = &store.location else {
                continue;
            };
            let Some(located) = cx.workspace.bucket_regions.iter().find(|b| {
                b.bucket.as_deref() == Some(bucket.value.as_str()) && b.region.value != region
            }) else {
                continue;
            };
            let mut diag = cx
                .diag(
                    &RULE,
                    unit.file,
                    bucket.span,
                    format!(
                        "artifact bucket `{}` is in {}, but the store that names it is the one for {region}: CodePipeline fails with `InternalError` (`JobFailed`)",
                        bucket.value, located.region.value
                    ),
                )
                .label_in(
                    located.file,
                    located.region.span,
                    format!("the bucket is in {} here", located.region.value),
                );
            if let Some(span) = region_span {
                diag = diag.label_in(unit.file, span, "the store's region");
            }
            out.push(diag.help(format!(
                "name a bucket created in {region} (one per region in `artifactStores`)"
            )));
        }
    }
}
