//! XA514 event-bus-put-events-refused: a source account's EventBridge rule sends change events
//! to the pipeline account's event bus, and that bus's policy, given in the inputs, does not
//! let the rule's role put events on it.
//!
//! "The default event bus in your AWS account only allows events from one account. You can
//! grant additional permissions to an event bus by attaching a resource-based policy to it"
//! (EventBridge user guide, "Permissions for event buses"). A cross-account `PutEvents` needs
//! the bus policy's allow; the rule's role needs its own too, which is not checked here. The
//! question goes to the IAM evaluator: a condition it cannot decide, a bus policy not in the
//! inputs, a target without a role (EventBridge then sends as the account, which the
//! documentation recommends against) leave the answer unknown, and the rule silent.

use xacct_iam::{Context, Decision, Known, Policies, PrincipalRef, Request, ResourceKind, Side};
use xacct_model::workspace::Governs;
use xacct_syntax::Span;

use crate::registry::{declare_rule, Check};
use crate::rules::WorkspaceContext;
use crate::Diagnostic;

declare_rule!(
    "XA514",
    "event-bus-put-events-refused",
    Error,
    "An EventBridge rule sends events to another account's event bus, and that bus's policy does not allow events:PutEvents from the rule's role: change events of a source in another account never reach the pipeline.",
    Check::Workspace(check)
);

/// How a bus policy answers the rule's role.
enum Answer<'a> {
    /// A deny statement of the policy refuses it.
    Denied(&'a xacct_model::policy::Statement),
    /// No statement allows it.
    NotAllowed,
}

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    let workspace = cx.workspace;
    if workspace.event_rules.is_empty() {
        return;
    }
    let context = Context::new();
    for unit in &workspace.event_rules {
        let rule = &unit.rule;
        let Some(account) = rule.account else {
            continue;
        };
        for target in &rule.targets {
            let Some(bus_account) = target.bus_account().filter(|b| *b != account) else {
                continue;
            };
            // A role of another account is XA210's finding: EventBridge refuses it before
            // any event is sent.
            let (Some(role), Some(role_account)) = (&target.role, target.role_account()) else {
                continue;
            };
            if role_account != account {
                continue;
            }
            let bus = &target.arn.value;
            let policies: Vec<_> = workspace
                .governing(&Governs::EventBus(bus.clone()))
                .collect();
            if policies.is_empty() {
                continue;
            }
            let request = Request {
                principal: PrincipalRef::Role {
                    arn: &role.value,
                    account,
                },
                action: "events:PutEvents",
                resource: bus,
                resource_account: Some(bus_account),
                kind: ResourceKind::Other,
                context: &context,
            };
            // The statements of a bus's policy may come in several documents (one a template's
            // `AWS::Events::EventBusPolicy`): an allow in any of them is enough, a deny in any
            // refuses. The identity side is left empty so that only the bus's side decides.
            let mut refused = None;
            let mut allowed_or_unknown = false;
            for policy in &policies {
                let decision = xacct_iam::evaluate(
                    &request,
                    &Policies::new(
                        Known::Known(Vec::new()),
                        Known::Known(Some(policy.document())),
                    ),
                );
                match decision {
                    Decision::Denied { by } => {
                        if let Some(evidence) = by.iter().find(|e| e.side == Side::Resource) {
                            refused = Some((*policy, Answer::Denied(evidence.statement)));
                            break;
                        }
                        allowed_or_unknown = true;
                    }
                    Decision::NotAllowed {
                        missing: Side::Both | Side::Resource,
                    } => {
                        refused.get_or_insert((*policy, Answer::NotAllowed));
                    }
                    _ => allowed_or_unknown = true,
                }
            }
            let Some((policy, answer)) = refused else {
                continue;
            };
            if allowed_or_unknown && matches!(answer, Answer::NotAllowed) {
                continue;
            }
            let (span, label) = match answer {
                Answer::Denied(statement) => (
                    statement.anchor(),
                    "this statement of the bus's policy denies it".to_string(),
                ),
                Answer::NotAllowed => (
                    Span::new(
                        policy.document().span.start,
                        policy.document().span.start + 1,
                    ),
                    format!(
                        "no statement of the bus's policy allows events:PutEvents to account {account} or its role"
                    ),
                ),
            };
            out.push(
                cx.diag(
                    &RULE,
                    unit.file,
                    target.arn.span,
                    format!(
                        "{} in account {account} sends events to event bus `{bus}` of account {bus_account} with role `{}`, but the bus's policy does not allow events:PutEvents from it: the events never reach account {bus_account}",
                        rule.describe(),
                        role.value
                    ),
                )
                .label(role.span, "the role EventBridge puts the events with")
                .label_in(policy.file, span, label)
                .help(format!(
                    "add to the bus's policy a statement allowing events:PutEvents on `{bus}` to \"arn:aws:iam::{account}:root\" (or the role itself), as `aws events put-permission` or an AWS::Events::EventBusPolicy does"
                )),
            );
        }
    }
}
