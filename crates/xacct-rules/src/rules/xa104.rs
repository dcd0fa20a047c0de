//! XA104 artifact-store-layout: `artifactStore` and `artifactStores` used wrongly.

use crate::registry::{declare_rule, Check};
use crate::rules::xa110::never_cross_region;
use crate::rules::PipelineContext;
use crate::Diagnostic;

declare_rule!(
    "XA104",
    "artifact-store-layout",
    Error,
    "Both or neither of artifactStore/artifactStores; a cross-region action without artifactStores; no store for a region that needs one.",
    Check::Pipeline(check)
);

fn check(cx: &PipelineContext<'_>, out: &mut Vec<Diagnostic>) {
    let pipeline = cx.pipeline();
    let home_region = cx.accounts.region.as_ref();
    match (&pipeline.artifact_store, &pipeline.artifact_stores) {
        (Some(single), Some(many)) => out.push(
            cx.diag(&RULE, many.span, "the pipeline has both `artifactStore` and `artifactStores`")
                .label(single.span, "`artifactStore` is here")
                .help("keep `artifactStores` (one store per region) if any action has a `region`; otherwise keep `artifactStore`"),
        ),
        (None, None) => {
            let anchor = pipeline.name.as_ref().map_or(xacct_syntax::Span::new(pipeline.span.start, pipeline.span.start + 1), |n| n.span);
            out.push(
                cx.diag(&RULE, anchor, "the pipeline has neither `artifactStore` nor `artifactStores`")
                    .help("add `\"artifactStore\": {\"type\": \"S3\", \"location\": \"BUCKET\"}` naming the bucket for artifacts"),
            )
        }
        (Some(single), None) => {
            let Some(home) = home_region else { return };
            for (_, _, action) in pipeline.actions() {
                let Some(region) = &action.region else { continue };
                // A source, custom or third-party action can never be cross-region: XA110's.
                if region.value != home.value && never_cross_region(action).is_none() {
                    out.push(
                        cx.diag(
                            &RULE,
                            region.span,
                            format!(
                                "action `{}` runs in region {} but the pipeline (in {}) has a single `artifactStore`",
                                action.display_name(),
                                region.value,
                                home.value
                            ),
                        )
                        .label(single.span, "single-region store")
                        .help(format!(
                            "replace `artifactStore` with `artifactStores`, one entry for {} and one for {}",
                            home.value, region.value
                        )),
                    );
                }
            }
        }
        (None, Some(many)) => {
            let has = |region: &str| many.value.iter().any(|s| s.region.value == region);
            if let Some(home) = home_region {
                if !has(&home.value) {
                    out.push(
                        cx.diag(&RULE, many.span, format!("`artifactStores` has no store for the pipeline region {}", home.value))
                            .help(format!("add an entry `\"{}\": {{\"type\": \"S3\", \"location\": \"BUCKET\"}}`", home.value)),
                    );
                }
            }
            for (_, _, action) in pipeline.actions() {
                let Some(region) = &action.region else { continue };
                let at_home = home_region.is_some_and(|h| h.value == region.value);
                // The pipeline region's missing store is reported once, above; a source,
                // custom or third-party action in another region is XA110's.
                if at_home
                    || (home_region.is_some() && never_cross_region(action).is_some())
                {
                    continue;
                }
                if !has(&region.value) {
                    out.push(
                        cx.diag(
                            &RULE,
                            region.span,
                            format!("action `{}` runs in region {}, for which `artifactStores` has no store", action.display_name(), region.value),
                        )
                        .label(many.span, "the stores are declared here")
                        .help(format!("add an `artifactStores` entry for {} with a bucket in that region", region.value)),
                    );
                }
            }
        }
    }
}
