//! Parts of a template that CloudFormation hands to a macro before it deploys them.
//!
//! A macro is code (a Lambda function, or AWS's own `AWS::Include`) that rewrites the template
//! or one resource: what is written is the macro's input, not what gets deployed. Checking the
//! input as if it were the result reports mistakes the macro repairs (an artifact store it
//! adds, `{ACCOUNT_ID}` it fills in) and misses the ones it makes. So a template whose
//! `Transform` names a macro, a resource with `Fn::Transform`, and the resources a snippet or
//! `Fn::ForEach` produces are not read; with `--strict` each is said (XA006). AWS's own
//! transforms that only add resources of their own types (SAM, language extensions, CodeDeploy
//! blue/green hooks, Secrets Manager rotation) leave the rest of the template as written.

use xacct_syntax::json::{Member, Node, Value};
use xacct_syntax::Span;

use crate::Issue;

/// Transforms that expand only what they own: the rest of the template is deployed as written.
const EXPANDING_ONLY: &[&str] = &[
    "AWS::Serverless-2016-10-31",
    "AWS::LanguageExtensions",
    "AWS::CodeDeployBlueGreen",
    "AWS::SecretsManager-2020-07-23",
    "AWS::SecretsManager-2024-09-16",
];

/// The first macro the template-level `Transform` names (a name, a list of names, or
/// `{"Name": …}` objects), with its span: `None` when every transform only expands its own.
pub(crate) fn template_macro<'t>(root: &'t Node<'_>) -> Option<(Span, &'t str)> {
    let transform = root.get("Transform")?;
    let named = |node: &'t Node<'_>| -> Option<(Span, &'t str)> {
        let name = node.get("Name").unwrap_or(node);
        let text = name.as_str()?;
        (!EXPANDING_ONLY.contains(&text)).then_some((name.span, text))
    };
    match &transform.value {
        Value::Array(items) => items.iter().find_map(named),
        _ => named(transform),
    }
}

/// The issue for a template a macro rewrites as a whole.
pub(crate) fn template_issue(span: Span, name: &str) -> Issue {
    Issue::cannot_evaluate(
        span,
        format!("the template is rewritten by the macro `{name}` before it is deployed: xacct does not check it, since what gets deployed is what the macro makes of it"),
    )
    .help("lint what CloudFormation deploys: the processed template (`aws cloudformation get-template --template-stage Processed`), or the resources themselves (`aws iam get-role`, `aws codepipeline get-pipeline`)")
}

/// Why a member of `Resources` is not read as a resource, if it is not: a key that includes a
/// snippet (`Fn::Transform`), a loop of language extensions (`Fn::ForEach::…`), or a resource
/// that a macro rewrites (`Fn::Transform` beside its `Type`).
pub(crate) fn resource_issue(member: &Member<'_>) -> Option<Issue> {
    let id = &*member.key;
    if id == "Fn::Transform" {
        return Some(Issue::cannot_evaluate(
            member.key_span,
            "these resources are inserted by a macro when the stack is deployed: xacct does not check them".to_string(),
        ));
    }
    if id.starts_with("Fn::ForEach::") {
        return Some(Issue::cannot_evaluate(
            member.key_span,
            format!("the resources that `{id}` makes are known only when CloudFormation expands the loop: xacct does not check them"),
        ));
    }
    let (key_span, name) = member.value.as_object().and_then(|members| {
        let transform = members.iter().find(|m| m.key == "Fn::Transform")?;
        let name = transform
            .value
            .get("Name")
            .and_then(Node::as_str)
            .unwrap_or("?");
        Some((transform.key_span, name))
    })?;
    Some(Issue::cannot_evaluate(
        key_span,
        format!("resource `{id}` is rewritten by the macro `{name}` before it is deployed: xacct does not check it, since what gets deployed is what the macro makes of it"),
    )
    .help("lint what CloudFormation deploys: the processed template (`aws cloudformation get-template --template-stage Processed`), or the resource itself"))
}
