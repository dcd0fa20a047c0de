//! XA302 kms-alias-cross-account: the store key is named by an alias while actions run in
//! other accounts.
//!
//! A workspace rule, though each finding is about one pipeline: the fix (the alias replaced by
//! its key ARN) needs the aliases the run's other files declare (`aws kms list-aliases`
//! output, templates' `AWS::KMS::Alias`).

use xacct_model::workspace::{AliasUnit, PipelineUnit};
use xacct_model::KeyRef;

use crate::registry::{declare_rule, Check};
use crate::rules::{replace_value, PipelineContext, StoreUse, WorkspaceContext};
use crate::{Diagnostic, Fix};

declare_rule!(
    "XA302",
    "kms-alias-cross-account",
    Error,
    "With cross-account actions, the store key is an alias name or alias ARN: aliases resolve only in the key's account, and CodePipeline takes only a key ID or key ARN for cross-account actions.",
    Check::Workspace(check)
);

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    for unit in &cx.workspace.pipelines {
        // Most stores name no key by alias: no need to build the pipeline's view for them.
        let by_alias = unit.doc.pipeline.stores().any(|s| {
            s.encryption_key
                .as_ref()
                .is_some_and(|k| k.value.starts_with("alias/") || k.value.contains(":alias/"))
        });
        if by_alias {
            let pcx =
                PipelineContext::new(unit.file, &unit.doc, &unit.accounts, &unit.shape_issues);
            check_pipeline(cx, unit, &pcx, out);
        }
    }
}

fn check_pipeline(
    cx: &WorkspaceContext<'_>,
    unit: &PipelineUnit,
    pcx: &PipelineContext<'_>,
    out: &mut Vec<Diagnostic>,
) {
    for store in pcx.store_uses() {
        if store.foreign.is_empty() {
            continue;
        }
        let Some((key, span)) = store.key() else {
            continue;
        };
        // AWS managed keys are XA305's finding.
        if key.is_aws_managed() {
            continue;
        }
        let why = match &key {
            KeyRef::AliasName { name } => format!("`alias/{name}` is looked up in the account of the caller, so {} finds no such key (or another one)", store.foreign_summary()),
            // The walkthrough: "For cross-account actions, you can only use the key ID or key
            // ARN to identify the key." An alias ARN fails as an alias name does.
            KeyRef::AliasArn { .. } => format!("aliases are recognised only in the account that created the key, and {} runs elsewhere", store.foreign_summary()),
            KeyRef::KeyArn { .. } | KeyRef::KeyId(_) => continue,
        };
        let mut diag = pcx.diag(
            &RULE,
            span,
            format!("the key of {} is an alias: {why}", store.describe()),
        );
        if let Some((label_span, message)) = store.first_foreign_label() {
            diag = diag.label(label_span, message);
        }
        let Some(alias) = alias_of(cx, pcx, &store, &key) else {
            out.push(diag.help("name the key by its key ARN, `arn:aws:kms:REGION:ACCOUNT:key/KEY-ID`: the walkthrough says aliases \"are recognized only in the account that created the KMS key\"; with the key account's `aws kms list-aliases` output in the run, `xacct lint --fix` writes it"));
            continue;
        };
        let name = &alias.alias.name.value;
        let arn = alias.alias.key_arn.as_str();
        diag = diag.label_in(
            alias.file,
            alias.alias.name.span,
            format!("alias `{name}` names key `{arn}` here"),
        );
        let title = format!("Name the key by its key ARN `{arn}`");
        // Safe where the value is written as it is (an AWS CLI output); in a template or
        // Terraform the alias may stand for a parameter or a resource of another stack, which a
        // person should check.
        let old = store
            .store
            .encryption_key
            .as_ref()
            .map_or("", |k| k.value.as_str());
        let fix = replace_value(unit.file, span, old, arn).map(|edit| {
            if unit.doc.stack.is_some() {
                Fix::needs_review(format!("{title} (as this run resolved it)"), vec![edit])
            } else {
                Fix::safe(title, vec![edit])
            }
        });
        out.push(
            diag.help(format!(
                "name the key by its key ARN, `{arn}`, which alias `{name}` names in {}, account {}",
                alias.alias.region, alias.alias.account
            ))
            .fix_opt(fix),
        );
    }
}

/// The one alias the store key resolves to, when the run holds it: an alias ARN in its own
/// account and region; an alias name in the pipeline account and the store's region (where
/// CodePipeline, running there, looks it up). Unknown account or region, no alias of that
/// name, or aliases of it for different keys: none.
fn alias_of<'w>(
    cx: &WorkspaceContext<'w>,
    pcx: &PipelineContext<'_>,
    store: &StoreUse<'_>,
    key: &KeyRef,
) -> Option<&'w AliasUnit> {
    if cx.workspace.aliases.is_empty() {
        return None;
    }
    let (name, account, region) = match key {
        KeyRef::AliasName { name } => (name, pcx.home()?, store.region?),
        KeyRef::AliasArn {
            name,
            account,
            region,
        } => (name, (*account)?, region.as_str()),
        _ => return None,
    };
    cx.workspace
        .alias(&format!("alias/{name}"), account, region)
}
