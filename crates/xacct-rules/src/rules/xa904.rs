//! XA904 unknown-action: an `Action` or `NotAction` names no action of its service (or a
//! service prefix that does not exist), by the vendored service authorization data.

use xacct_model::actions::{self, ActionCheck};
use xacct_model::policy::Effect;
use xacct_model::policy_file::PolicyKind;

use crate::registry::{declare_rule, Check};
use crate::rules::{policy_kind, written_statements, WorkspaceContext};
use crate::Diagnostic;

declare_rule!(
    "XA904",
    "unknown-action",
    Warning,
    "An Action or NotAction names no action of its service, or a service prefix, in the service authorization data: the statement never matches it.",
    Check::Workspace(check)
);

/// What the statement does with an action it names.
fn consequence(negated: bool, effect: Option<Effect>) -> &'static str {
    match (negated, effect) {
        (true, _) => "so this `NotAction` excludes nothing by it",
        (false, Some(Effect::Allow)) => "so this statement allows nothing by it",
        (false, Some(Effect::Deny)) => "so this statement denies nothing by it",
        (false, None) => "so it matches no request",
    }
}

/// "did you mean `kms:ReEncrypt*` (which matches `kms:ReEncryptFrom`, `kms:ReEncryptTo`)?"
fn did_you_mean(suggestion: &actions::Suggestion) -> String {
    if suggestion.matches.is_empty() {
        return format!("did you mean `{}`?", suggestion.action);
    }
    format!(
        "did you mean `{}` (which matches `{}`)?",
        suggestion.action,
        suggestion.matches.join("`, `")
    )
}

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    let date = actions::data_date();
    // Policies repeat the same few dozen actions: each is looked up once.
    let mut verdicts: std::collections::HashMap<&str, ActionCheck, foldhash::fast::RandomState> =
        std::collections::HashMap::default();
    for (unit, statement) in written_statements(cx.workspace) {
        // A grant's statement is made from its operations, which KMS names itself.
        if policy_kind(unit) == Some(PolicyKind::Grant) {
            continue;
        }
        let Some(block) = &statement.action else {
            continue;
        };
        let effect = statement.effect.as_ref().map(|e| e.value);
        for value in &block.values {
            let pattern = value.value.as_str();
            let verdict = *verdicts
                .entry(pattern)
                .or_insert_with(|| actions::check(pattern));
            let (message, help) = match verdict {
                ActionCheck::Known | ActionCheck::Unjudged => continue,
                ActionCheck::NotAnAction if pattern.contains(':') => (
                    format!(
                        "`{pattern}` has more than one colon: AWS refuses the policy (IAM: \"Actions/Condition can contain only one colon\")"
                    ),
                    "write the action as `service:ActionName`, e.g. `s3:GetObject`".to_string(),
                ),
                ActionCheck::NotAnAction => {
                    let known: Vec<String> = actions::services_with_action(pattern)
                        .iter()
                        .take(3)
                        .map(|prefix| format!("{prefix}:{pattern}"))
                        .collect();
                    (
                        format!(
                            "`{pattern}` is not `service:action`: with no service prefix it matches no action, {}",
                            consequence(block.negated, effect)
                        ),
                        match known.as_slice() {
                            [] => "prefix the action with its service, e.g. `s3:GetObject`".to_string(),
                            some => format!("did you mean `{}`?", some.join("` or `")),
                        },
                    )
                }
                ActionCheck::UnknownService => {
                    let prefix = pattern.split(':').next().unwrap_or_default();
                    (
                        format!(
                            "`{prefix}` is no service prefix in the service authorization data of {date}: `{pattern}` matches no action, {}",
                            consequence(block.negated, effect)
                        ),
                        match actions::suggestion(pattern) {
                            Some(near) => did_you_mean(&near),
                            None => "use the service's prefix from the Service Authorization Reference (\"Actions, resources, and condition keys for AWS services\")".to_string(),
                        },
                    )
                }
                ActionCheck::NoSuchAction => {
                    let prefix = pattern.split(':').next().unwrap_or_default();
                    (
                        format!(
                            "`{pattern}` matches no `{}` action in the service authorization data of {date}, {}",
                            prefix.to_ascii_lowercase(),
                            consequence(block.negated, effect)
                        ),
                        match actions::suggestion(pattern) {
                            Some(near) => did_you_mean(&near),
                            None => format!(
                                "see the actions of `{}` in the Service Authorization Reference",
                                prefix.to_ascii_lowercase()
                            ),
                        },
                    )
                }
            };
            let help = if policy_kind(unit) == Some(PolicyKind::Bucket)
                && pattern.matches(':').count() <= 1
            {
                format!("{help} (S3 refuses a bucket policy naming an action it does not know: \"Policy has invalid action\")")
            } else {
                help
            };
            out.push(cx.diag(&RULE, unit.file, value.span, message).help(help));
        }
    }
}
