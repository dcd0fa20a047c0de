//! `AWS::Lambda::Permission`: one statement of a Lambda function's resource policy, as
//! `AddPermission` makes it of `Principal`, `Action`, `SourceArn`, `SourceAccount` and
//! `PrincipalOrgID`, tied to the function (or version, or alias) `FunctionName` names.

use xacct_model::pipeline::Spanned;
use xacct_model::policy_file::{PolicyEntry, PolicyKind, Subject};
use xacct_syntax::json::{Node, Value};
use xacct_syntax::Span;

use super::eval::{object_node as object, string_node as string, Owned, Template};
use super::{push_policy, TemplateContents};

/// A permission whose function or principal does not evaluate is left out (the function's
/// policy then stays undecided, never guessed).
pub(super) fn permission(
    template: &Template<'_, '_>,
    id: &Spanned<String>,
    properties: &Node<'_>,
    contents: &mut TemplateContents,
) {
    let Some(function_node) = properties.get("FunctionName") else {
        return;
    };
    let Some(name) = template.eval_text(function_node) else {
        return;
    };
    let Some(function) = function_arn(
        &name,
        template.partition(),
        &template.region(),
        &template.account(),
    ) else {
        return;
    };
    let (Some(action), Some(principal)) = (properties.get("Action"), properties.get("Principal"))
    else {
        return;
    };
    let (Some(action_text), Some(principal_text)) =
        (template.eval_text(action), template.eval_text(principal))
    else {
        return;
    };
    // A principal or action left to deployment would never match the role asking: a statement
    // that may well allow it would read as one that does not. It stands as a piece of unknown
    // reach instead, so that the function's policy is unknown, whatever else gives it.
    if xacct_model::symbol::contains_placeholder(&function) {
        return;
    }
    if [&action_text, &principal_text]
        .iter()
        .any(|t| xacct_model::symbol::contains_placeholder(t))
    {
        contents.policies.push(unknown_piece(function, id));
        return;
    }
    let mut conditions = Vec::new();
    for (key, operator, condition_key) in [
        ("SourceArn", "ArnLike", "AWS:SourceArn"),
        ("SourceAccount", "StringEquals", "AWS:SourceAccount"),
        ("PrincipalOrgID", "StringEquals", "aws:PrincipalOrgID"),
    ] {
        if let Some(node) = properties.get(key) {
            // A source that does not evaluate: the statement is not known.
            let Some(value) = template.eval_text(node) else {
                return;
            };
            conditions.push((operator, condition_key, value, node.span));
        }
    }
    let document = statement_document(
        id.span,
        (&action_text, action.span),
        (&principal_text, principal.span),
        (&function, function_node.span),
        &conditions,
    );
    push_policy(
        template,
        contents,
        &document,
        PolicyKind::Function,
        Some(Subject::Function(function)),
        Some(id.value.clone()),
    );
}

/// One condition operator of a statement: its name, its keys with their values, and where the
/// first of them is written.
type ConditionBlock<'a> = (&'a str, Vec<(&'a str, Owned)>, Span);

/// A permission whose statement is not known: a piece of the function's policy of unknown
/// reach (never the ground for a finding): an allow of everyone under the stand-in condition
/// nobody can decide (`managed::NOT_GIVEN_KEY`), spanning the resource.
pub(crate) fn unknown_piece(function: String, id: &Spanned<String>) -> PolicyEntry {
    let at = id.span;
    let document = statement_document(
        at,
        ("*", at),
        ("*", at),
        (&function, at),
        &[(
            "StringEquals",
            xacct_model::managed::NOT_GIVEN_KEY,
            "function permission not evaluated".to_string(),
            at,
        )],
    );
    PolicyEntry {
        kind: Some(PolicyKind::Function),
        subject: Some(Subject::Function(function)),
        name: Some(id.value.clone()),
        document: xacct_model::policy::load_policy(&document).0,
        issues: Vec::new(),
        bypass_lockout_check: false,
    }
}

/// The policy of one statement `AddPermission` adds: the principal as Lambda writes it (an AWS
/// service by its domain name, anything else an `AWS` principal: an account ID, an ARN, `*`),
/// the action on the function, each source a condition (operator, key, value); each part spans
/// the property it comes from, the rest the resource (`at`). Shared with Terraform's
/// `aws_lambda_permission`.
pub(crate) fn statement_document(
    at: Span,
    (action, action_span): (&str, Span),
    (principal, principal_span): (&str, Span),
    (function, function_span): (&str, Span),
    conditions: &[(&str, &str, String, Span)],
) -> Owned {
    let principal_kind = if principal.ends_with(".amazonaws.com") {
        "Service"
    } else {
        "AWS"
    };
    let mut members = vec![
        ("Effect", string("Allow", at)),
        (
            "Principal",
            object(
                principal_span,
                vec![(principal_kind, string(principal, principal_span))],
            ),
        ),
        ("Action", string(action, action_span)),
        ("Resource", string(function, function_span)),
    ];
    let mut operators: Vec<ConditionBlock<'_>> = Vec::new();
    for (operator, key, value, span) in conditions {
        let entry = (*key, string(value, *span));
        match operators.iter_mut().find(|(o, _, _)| o == operator) {
            Some((_, entries, _)) => entries.push(entry),
            None => operators.push((operator, vec![entry], *span)),
        }
    }
    if let Some(&(_, _, span)) = operators.first() {
        members.push((
            "Condition",
            object(
                span,
                operators
                    .into_iter()
                    .map(|(operator, entries, span)| (operator, object(span, entries)))
                    .collect(),
            ),
        ));
    }
    object(
        at,
        vec![
            ("Version", string("2012-10-17", at)),
            (
                "Statement",
                Node {
                    span: at,
                    value: Value::Array(vec![object(at, members)]),
                },
            ),
        ],
    )
}

/// The ARN of the function `FunctionName` names: a function ARN as written (a qualifier kept:
/// a version's or alias's policy is its own); a name, perhaps `NAME:QUALIFIER`, or a partial
/// ARN `ACCOUNT:function:NAME`, in the stack's account and region.
pub(crate) fn function_arn(
    name: &str,
    partition: &str,
    region: &str,
    account: &str,
) -> Option<String> {
    if name.starts_with("arn:") {
        let arn = xacct_model::Arn::parse(name).ok()?;
        return arn.is_lambda_function().then(|| name.to_string());
    }
    // A name left to deployment (`${Function.Arn}`, a `Ref` of a function without a
    // `FunctionName`) may be an ARN or a name: which function it is, is not known.
    if name.contains("${") {
        return None;
    }
    let (account, rest) = match name.split_once(":function:") {
        Some((account, rest)) => (account, rest),
        None => (account, name),
    };
    if rest.is_empty() || rest.split(':').count() > 2 {
        return None;
    }
    Some(format!(
        "arn:{partition}:lambda:{region}:{account}:function:{rest}"
    ))
}
