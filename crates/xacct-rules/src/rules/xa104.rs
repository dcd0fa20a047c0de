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
            // A source, custom or third-party action can never be cross-region: XA110's.
            let away = pipeline.actions().map(|(_, _, a)| a).filter(|a| {
                a.region.as_ref().is_some_and(|r| r.value != home.value) && never_cross_region(a).is_none()
            });
            for (region, first, others) in by_region(away) {
                let diag = cx
                    .diag(
                        &RULE,
                        first.region.as_ref().map_or(single.span, |r| r.span),
                        format!(
                            "action `{}` runs in region {} but the pipeline (in {}) has a single `artifactStore`",
                            first.display_name(),
                            region,
                            home.value
                        ),
                    )
                    .label(single.span, "single-region store")
                    .help(format!(
                        "replace `artifactStore` with `artifactStores`, one entry for {} and one for {}",
                        home.value, region
                    ));
                out.push(also_there(diag, &others, region));
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
            let away = pipeline.actions().map(|(_, _, a)| a).filter(|a| {
                let Some(region) = &a.region else { return false };
                let at_home = home_region.is_some_and(|h| h.value == region.value);
                // The pipeline region's missing store is reported once, above; a source,
                // custom or third-party action in another region is XA110's.
                let xa110s = home_region.is_some() && never_cross_region(a).is_some();
                !(at_home || xa110s || has(&region.value))
            });
            for (region, first, others) in by_region(away) {
                let diag = cx
                    .diag(
                        &RULE,
                        first.region.as_ref().map_or(many.span, |r| r.span),
                        format!("action `{}` runs in region {}, for which `artifactStores` has no store", first.display_name(), region),
                    )
                    .label(many.span, "the stores are declared here")
                    .help(format!("add an `artifactStores` entry for {} with a bucket in that region", region));
                out.push(also_there(diag, &others, region));
            }
        }
    }
}

/// The actions grouped by their region, in the order of first use: a region without a store is
/// one root cause (one entry to add), so it is one finding however many actions run there.
fn by_region<'a>(
    actions: impl Iterator<Item = &'a xacct_model::Action>,
) -> Vec<(
    &'a str,
    &'a xacct_model::Action,
    Vec<&'a xacct_model::Action>,
)> {
    let mut groups: Vec<(&str, &xacct_model::Action, Vec<&xacct_model::Action>)> = Vec::new();
    for action in actions {
        let Some(region) = action.region.as_ref() else {
            continue;
        };
        match groups
            .iter_mut()
            .find(|(r, _, _)| *r == region.value.as_str())
        {
            Some((_, _, others)) => others.push(action),
            None => groups.push((region.value.as_str(), action, Vec::new())),
        }
    }
    groups
}

/// Labels the other actions of the region on the finding of its first.
fn also_there(mut diag: Diagnostic, others: &[&xacct_model::Action], region: &str) -> Diagnostic {
    for other in others {
        if let Some(r) = &other.region {
            diag = diag.label(
                r.span,
                format!("action `{}` runs in {region} too", other.display_name()),
            );
        }
    }
    diag
}
