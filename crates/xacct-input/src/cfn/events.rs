//! EventBridge resources of a template: `AWS::Events::Rule` (its targets and their roles) and
//! the resource policy of an event bus (`AWS::Events::EventBusPolicy`, the `Policy` of
//! `AWS::Events::EventBus`), tied to the bus's ARN in the stack's account and region.

use xacct_model::events::{bus_arn, EventRule, EventTarget};
use xacct_model::pipeline::Spanned;
use xacct_model::policy_file::{PolicyKind, Subject};
use xacct_syntax::json::{Node, Value};
use xacct_syntax::Span;

use super::eval::{object_node as object, string_node as string, Owned, Template};
use super::{push_policy, TemplateContents};

/// `AWS::Events::Rule`: its name and targets; account and region are the stack's, set by the
/// loader. A target whose `Arn` does not evaluate is left out; a `RoleArn` that does not is
/// kept as its placeholder (an unknown account).
pub(super) fn rule(
    template: &Template<'_, '_>,
    id: &Spanned<String>,
    properties: &Node<'_>,
    contents: &mut TemplateContents,
) {
    let name = properties
        .get("Name")
        .and_then(|n| Some(Spanned::new(template.eval_text(n)?, n.span)))
        .unwrap_or_else(|| id.clone());
    let targets = properties
        .get("Targets")
        .and_then(Node::as_array)
        .unwrap_or_default()
        .iter()
        .filter_map(|target| {
            let arn = target.get("Arn")?;
            let role = target
                .get("RoleArn")
                .and_then(|r| Some(Spanned::new(template.eval_text(r)?, r.span)));
            Some(EventTarget {
                arn: Spanned::new(template.eval_text(arn)?, arn.span),
                role,
            })
        })
        .collect();
    contents.event_rules.push(EventRule {
        name: Some(name),
        span: id.span,
        account: None,
        region: None,
        targets,
    });
}

/// The ARN of the bus a resource names by `EventBusName` (a name or an ARN; the account's
/// `default` bus when absent), in the stack's account and region.
fn named_bus(template: &Template<'_, '_>, properties: &Node<'_>) -> Option<String> {
    let name = match properties.get("EventBusName") {
        Some(node) => template.eval_text(node)?,
        None => "default".to_string(),
    };
    Some(bus_arn(
        &name,
        template.partition(),
        &template.region(),
        &template.account(),
    ))
}

/// `AWS::Events::EventBusPolicy`: one statement of the bus's policy, written as `Statement`
/// or, in the older form, as `Action`, `Principal` (an account ID or `*`) and `Condition`
/// (`Type`, `Key`, `Value`), which become the statement EventBridge makes of them.
pub(super) fn bus_policy(
    template: &Template<'_, '_>,
    id: &Spanned<String>,
    properties: &Node<'_>,
    contents: &mut TemplateContents,
) {
    let Some(bus) = named_bus(template, properties) else {
        return;
    };
    let statement = match properties.get("Statement") {
        Some(statement) => match template.eval(statement) {
            Some(statement) => statement,
            None => return,
        },
        None => match legacy_statement(template, properties, &bus, id.span) {
            Some(statement) => statement,
            None => return,
        },
    };
    let span = statement.span;
    let document = object(
        span,
        vec![
            ("Version", string("2012-10-17", span)),
            (
                "Statement",
                Node {
                    span,
                    value: Value::Array(vec![statement]),
                },
            ),
        ],
    );
    push_policy(
        template,
        contents,
        &document,
        PolicyKind::EventBus,
        Some(Subject::EventBus(bus)),
        Some(id.value.clone()),
    );
}

/// `AWS::Events::EventBus` with a `Policy`: the bus's whole resource policy.
pub(super) fn bus(
    template: &Template<'_, '_>,
    id: &Spanned<String>,
    properties: &Node<'_>,
    contents: &mut TemplateContents,
) {
    let Some(document) = properties.get("Policy").and_then(|p| template.eval(p)) else {
        return;
    };
    let arn = template.get_att(&id.value, "Arn");
    push_policy(
        template,
        contents,
        &document,
        PolicyKind::EventBus,
        Some(Subject::EventBus(arn)),
        Some(id.value.clone()),
    );
}

/// The statement of the older form of `AWS::Events::EventBusPolicy` (as `PutPermission` takes
/// it): allow `Principal` (an account ID, or `*`) `Action` on the bus, under `Condition`.
fn legacy_statement(
    template: &Template<'_, '_>,
    properties: &Node<'_>,
    bus: &str,
    at: Span,
) -> Option<Owned> {
    let action = properties.get("Action")?;
    let principal = properties.get("Principal")?;
    let action_text = template.eval_text(action)?;
    let principal_text = template.eval_text(principal)?;
    let mut members = vec![
        ("Effect", string("Allow", at)),
        (
            "Principal",
            object(
                principal.span,
                vec![("AWS", string(&principal_text, principal.span))],
            ),
        ),
        ("Action", string(&action_text, action.span)),
        ("Resource", string(bus, at)),
    ];
    if let Some(condition) = properties.get("Condition") {
        let (Some(kind), Some(key), Some(value)) = (
            condition.get("Type").and_then(|n| template.eval_text(n)),
            condition.get("Key").and_then(|n| template.eval_text(n)),
            condition.get("Value").and_then(|n| template.eval_text(n)),
        ) else {
            return None;
        };
        let span = condition.span;
        members.push((
            "Condition",
            object(
                span,
                vec![(
                    kind.as_str(),
                    object(span, vec![(key.as_str(), string(&value, span))]),
                )],
            ),
        ));
    }
    Some(object(at, members))
}
