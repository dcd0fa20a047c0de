//! XA103 malformed-arn: a role, key, pipeline or configuration ARN that is malformed or of the
//! wrong service or resource type.

use xacct_model::{Arn, KeyRef, Spanned};

use crate::registry::{declare_rule, Check};
use crate::rules::{has_variable, PipelineContext};
use crate::Diagnostic;

declare_rule!(
    "XA103",
    "malformed-arn",
    Error,
    "A role, key, pipeline or configuration ARN is malformed, of the wrong service or type, or its account is not 12 digits.",
    Check::Pipeline(check)
);

/// What an ARN field must name.
#[derive(Clone, Copy)]
enum Expect {
    Role,
    Pipeline,
    Any,
    /// One of these services (e.g. `codestar-connections`, `codeconnections`).
    Service(&'static [&'static str]),
}

fn problem(text: &str, expect: Expect) -> Option<String> {
    let arn = match Arn::parse(text) {
        Ok(arn) => arn,
        Err(e) => return Some(e.to_string()),
    };
    let needs_account = !matches!(expect, Expect::Any);
    if needs_account && arn.account.is_empty() {
        return Some("its account field is empty".to_string());
    }
    match expect {
        Expect::Role => {
            if arn.service != "iam" || arn.resource_type().0 != "role" {
                return Some(format!(
                    "an IAM role ARN looks like `arn:aws:iam::ACCOUNT:role/NAME`, this names `{}` in service `{}`",
                    arn.resource, arn.service
                ));
            }
        }
        Expect::Pipeline => {
            if arn.service != "codepipeline" {
                return Some(format!(
                    "the service is `{}`, not `codepipeline`",
                    arn.service
                ));
            }
        }
        Expect::Service(services) => {
            if !services.contains(&arn.service) {
                return Some(format!(
                    "the service is `{}`, expected `{}`",
                    arn.service,
                    services.join("` or `")
                ));
            }
        }
        Expect::Any => {}
    }
    None
}

/// Reports `value` when it is not a valid ARN of the kind expected. `field` describes it, and
/// is worded only for a finding (most ARNs are fine, and every pipeline has dozens).
fn check_field(
    cx: &PipelineContext<'_>,
    field: impl FnOnce() -> String,
    value: &Spanned<xacct_model::Text>,
    expect: Expect,
    out: &mut Vec<Diagnostic>,
) {
    if has_variable(&value.value) {
        return;
    }
    if let Some(why) = problem(&value.value, expect) {
        out.push(
            cx.diag(&RULE, value.span, format!("{} `{}` is not a valid ARN: {why}", field(), value.value))
                .help("use the full ARN as the console's copy button gives it: `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`, with a 12-digit account ID"),
        );
    }
}

fn check(cx: &PipelineContext<'_>, out: &mut Vec<Diagnostic>) {
    let pipeline = cx.pipeline();
    if let Some(arn) = &cx.doc.pipeline_arn {
        check_field(
            cx,
            || "`metadata.pipelineArn`".into(),
            arn,
            Expect::Pipeline,
            out,
        );
    }
    if let Some(role) = &pipeline.role_arn {
        check_field(
            cx,
            || "the pipeline `roleArn`".into(),
            role,
            Expect::Role,
            out,
        );
    }
    let stores = pipeline.artifact_store.iter().map(|s| &s.value);
    let stores = stores.chain(
        pipeline
            .artifact_stores
            .iter()
            .flat_map(|s| s.value.iter().map(|r| &r.store)),
    );
    for store in stores {
        let Some(key) = &store.encryption_key else {
            continue;
        };
        if let Err(e) = KeyRef::parse(&key.value) {
            out.push(
                cx.diag(
                    &RULE,
                    key.span,
                    format!("encryption key `{}` {e}", key.value),
                )
                .help("name the key by its ARN, `arn:aws:kms:REGION:ACCOUNT:key/KEY-ID`"),
            );
        }
    }
    for (_, _, action) in pipeline.actions() {
        if let Some(role) = &action.role_arn {
            check_field(
                cx,
                || format!("the `roleArn` of action `{}`", action.display_name()),
                role,
                Expect::Role,
                out,
            );
        }
        for entry in &action.configuration {
            let key = entry.key.as_str();
            // The S3 deploy action takes a key ID, an alias name or an alias ARN here as well as
            // a key ARN; which of them works across accounts is XA315's finding. Only a value
            // that is no key reference at all is malformed.
            if key == "KMSEncryptionKeyARN" {
                if let (false, Err(e)) = (
                    has_variable(&entry.value.value),
                    KeyRef::parse(&entry.value.value),
                ) {
                    out.push(
                        cx.diag(
                            &RULE,
                            entry.value.span,
                            format!(
                                "`{key}` of action `{}` `{}` {e}",
                                action.display_name(),
                                entry.value.value
                            ),
                        )
                        .help("name the key by its ARN, `arn:aws:kms:REGION:ACCOUNT:key/KEY-ID`"),
                    );
                }
                continue;
            }
            let expect = match key {
                "RoleArn" | "AdministrationRoleArn" => Expect::Role,
                "ConnectionArn" => Expect::Service(&["codestar-connections", "codeconnections"]),
                "StateMachineArn" => Expect::Service(&["states"]),
                _ if entry.value.value.starts_with("arn:") => Expect::Any,
                _ => continue,
            };
            let field = || format!("`{key}` of action `{}`", action.display_name());
            check_field(cx, field, &entry.value, expect, out);
        }
    }
}
