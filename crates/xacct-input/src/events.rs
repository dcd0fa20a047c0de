//! `aws events list-targets-by-rule` output: the targets of one EventBridge rule, each with the
//! role EventBridge uses to invoke it. The output does not name the rule: its account is the
//! file's (folder convention, `[[stack]]`), filled in by the workspace.
//!
//! `aws events describe-event-bus` holds the bus's resource policy and is read with the other
//! policies (`cli.rs`).

use xacct_model::events::{EventRule, EventTarget};
use xacct_model::pipeline::Spanned;
use xacct_syntax::json::Node;

use crate::issue::{describe, Issue, IssueKind};

const COMMAND: &str = "aws events list-targets-by-rule";

/// True for `{"Targets": [{"Id": …, "Arn": …}, …]}`: what the command prints, told apart from
/// other documents with a `Targets` list by a target that has both `Id` and `Arn`.
pub fn is_targets(root: &Node) -> bool {
    root.get("Targets")
        .and_then(Node::as_array)
        .is_some_and(|targets| {
            targets
                .iter()
                .any(|t| t.get("Id").is_some() && t.get("Arn").is_some())
        })
}

/// Reads the targets as one rule of unknown name, with what is of the wrong shape. A target
/// without a string `Arn` is left out (and reported); one whose `RoleArn` is not a string
/// keeps no role (reported).
pub fn load(root: &Node) -> (Option<EventRule>, Vec<Issue>) {
    let mut issues = Vec::new();
    let Some(list) = root.get("Targets") else {
        return (None, issues);
    };
    let mut targets = Vec::new();
    for node in list.as_array().unwrap_or_default() {
        let arn = match node.get("Arn") {
            Some(arn) => match arn.as_str() {
                Some(text) => Spanned::new(text.to_string(), arn.span),
                None => {
                    issues.push(wrong_shape("Arn", arn));
                    continue;
                }
            },
            None => {
                issues.push(Issue::new(
                    IssueKind::Shape,
                    node.span,
                    format!("a target of `{COMMAND}` output without `Arn`"),
                ));
                continue;
            }
        };
        let role = match node.get("RoleArn") {
            None => None,
            Some(role) => match role.as_str() {
                Some(text) => Some(Spanned::new(text.to_string(), role.span)),
                None => {
                    issues.push(wrong_shape("RoleArn", role));
                    None
                }
            },
        };
        targets.push(EventTarget { arn, role });
    }
    let rule = EventRule {
        name: None,
        span: list.span,
        account: None,
        region: None,
        targets,
    };
    (Some(rule), issues)
}

fn wrong_shape(key: &str, found: &Node) -> Issue {
    Issue::new(
        IssueKind::Shape,
        found.span,
        format!(
            "`{key}` of a target must be a string, as `{COMMAND}` prints it; found {}",
            describe(found)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_targets_and_roles() {
        let text = r#"{"Targets": [{"Id": "bus", "Arn": "arn:aws:events:us-east-2:111111111111:event-bus/default", "RoleArn": "arn:aws:iam::222222222222:role/ToBus"}, {"Id": "x", "Arn": "arn:aws:sqs:us-east-2:222222222222:q"}, {"Id": "bad", "Arn": 3}]}"#;
        let document = xacct_syntax::json::parse(text).unwrap();
        assert!(is_targets(&document.root));
        let (rule, issues) = load(&document.root);
        let rule = rule.unwrap();
        assert_eq!(rule.targets.len(), 2);
        assert_eq!(
            rule.targets[0].role.as_ref().map(|r| r.value.as_str()),
            Some("arn:aws:iam::222222222222:role/ToBus")
        );
        assert_eq!(rule.targets[1].role, None);
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert!(issues[0]
            .message
            .contains("`Arn` of a target must be a string"));
    }

    #[test]
    fn other_targets_lists_are_not_eventbridge() {
        let document = xacct_syntax::json::parse(r#"{"Targets": [{"Arn": "x"}]}"#).unwrap();
        assert!(!is_targets(&document.root));
    }
}
