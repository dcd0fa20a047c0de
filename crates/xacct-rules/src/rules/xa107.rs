//! XA107 field-constraint: a value breaks a constraint of the API model (lengths, patterns,
//! ranges, enumerations, list sizes), a region name is no region, or a namespace is reused.

use std::collections::HashMap;

use xacct_model::arn::is_region_name;
use xacct_model::Spanned;

use crate::registry::{declare_rule, Check};
use crate::rules::PipelineContext;
use crate::Diagnostic;

declare_rule!(
    "XA107",
    "field-constraint",
    Error,
    "A name, runOrder, configuration key or value, namespace, region or count breaks the API model's constraints.",
    Check::Pipeline(check)
);

fn check(cx: &PipelineContext<'_>, out: &mut Vec<Diagnostic>) {
    for issue in cx
        .shape_issues
        .iter()
        .filter(|issue| !issue.is_type_error())
    {
        out.push(
            cx.diag(&RULE, issue.span, issue.to_string())
                .help("CodePipeline rejects the declaration (ValidationException); the limits come from the CodePipeline API model"),
        );
    }
    let pipeline = cx.pipeline();
    let mut regions: Vec<&Spanned<xacct_model::Text>> = pipeline
        .actions()
        .filter_map(|(_, _, a)| a.region.as_ref())
        .collect();
    regions.extend(
        pipeline
            .artifact_stores
            .iter()
            .flat_map(|s| s.value.iter().map(|r| &r.region)),
    );
    for region in regions {
        if !is_region_name(&region.value) {
            out.push(
                cx.diag(
                    &RULE,
                    region.span,
                    format!("`{}` is not an AWS region name", region.value),
                )
                .help("use a region code such as `us-east-1` or `eu-west-2`"),
            );
        }
    }
    let mut namespaces: HashMap<&str, (&Spanned<xacct_model::Text>, &str)> = HashMap::new();
    for (_, _, action) in pipeline.actions() {
        let Some(namespace) = &action.namespace else {
            continue;
        };
        if let Some((first, owner)) = namespaces.get(namespace.as_str()) {
            out.push(
                cx.diag(
                    &RULE,
                    namespace.span,
                    format!(
                        "namespace `{}` of action `{}` is already used by action `{owner}`",
                        namespace.value,
                        action.display_name()
                    ),
                )
                .label(first.span, "first used here")
                .help("variable namespaces must be unique within a pipeline"),
            );
        } else {
            namespaces.insert(namespace.as_str(), (namespace, action.display_name()));
        }
    }
}
