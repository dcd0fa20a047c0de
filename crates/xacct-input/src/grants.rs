//! `aws kms list-grants` output: each grant of a KMS key becomes a document of one statement
//! that allows its grantee the grant's operations on the key, under its constraints, with the
//! spans of the grant's own fields (so a finding points at the grant).
//!
//! The KMS developer guide, "Grants in AWS KMS": a grant "allows the grantee principal to call
//! the specified grant operations on the KMS key provided that all conditions specified in the
//! grant are met"; grants allow, never deny. The constraints (API reference,
//! `GrantConstraints`): `EncryptionContextSubset`, the request's encryption context includes
//! these pairs; `EncryptionContextEquals`, it is exactly these pairs. They become conditions on
//! `kms:EncryptionContext:KEY` (and `kms:EncryptionContextKeys` for the exact match), the
//! keys the KMS developer guide defines for the encryption context.

use std::borrow::Cow;

use xacct_model::kms::KeyRef;
use xacct_model::policy::load_policy;
use xacct_model::policy_file::{PolicyEntry, PolicyKind, Subject};
use xacct_syntax::json::{Member, Node, Value};
use xacct_syntax::Span;

use crate::issue::{describe, Issue, IssueKind};

/// The command whose output this reads, for messages.
const LIST_GRANTS: &str = "aws kms list-grants";

/// The grants of a `list-grants` output, one entry each, and what is of the wrong shape.
pub fn load(root: &Node<'_>) -> (Vec<PolicyEntry>, Vec<Issue>) {
    let mut entries = Vec::new();
    let mut issues = Vec::new();
    let Some(grants) = root.get("Grants") else {
        return (entries, issues);
    };
    let Some(grants) = grants.as_array() else {
        issues.push(wrong_shape("Grants", grants, "a list"));
        return (entries, issues);
    };
    for grant in grants {
        if grant.as_object().is_none() {
            issues.push(wrong_shape("Grants", grant, "a list of grants"));
            continue;
        }
        if let Some(entry) = grant_entry(grant, &mut issues) {
            entries.push(entry);
        }
    }
    (entries, issues)
}

/// One grant as a policy entry, or `None` when it names no grantee or no operation.
fn grant_entry(grant: &Node<'_>, issues: &mut Vec<Issue>) -> Option<PolicyEntry> {
    let string = |key: &str, issues: &mut Vec<Issue>| -> Option<&Node<'_>> {
        let node = grant.get(key)?;
        if node.as_str().is_some() {
            return Some(node);
        }
        issues.push(wrong_shape(key, node, "a string"));
        None
    };
    let grantee = string("GranteePrincipal", issues)?;
    let key = string("KeyId", issues);
    let id = string("GrantId", issues);
    let name = string("Name", issues).filter(|n| n.as_str().is_some_and(|s| !s.is_empty()));
    let operations = match grant.get("Operations") {
        Some(node) => match node.as_array() {
            Some(items) => items,
            None => {
                issues.push(wrong_shape("Operations", node, "a list"));
                return None;
            }
        },
        None => return None,
    };
    let span = grant.span;
    let text = |value: String, at: Span| Node {
        span: at,
        value: Value::String(Cow::Owned(value)),
    };
    let member = |key: &'static str, value: Node<'static>| Member {
        key: Cow::Borrowed(key),
        key_span: value.span,
        value,
    };
    let grantee_value = grantee.as_str().unwrap_or_default();
    // The API reference: the grantee is an AWS principal (an account, user or role ARN) or a
    // service principal (`GranteeServicePrincipal`, shown here as its name).
    let principal_kind = if grantee_value.ends_with(".amazonaws.com") {
        "Service"
    } else {
        "AWS"
    };
    let actions: Vec<Node<'static>> = operations
        .iter()
        .filter_map(|op| Some(text(format!("kms:{}", op.as_str()?), op.span)))
        .collect();
    let mut statement = Vec::new();
    if let Some(sid) = name.or(id) {
        statement.push(member("Sid", text(sid.as_str()?.to_string(), sid.span)));
    }
    statement.push(member("Effect", text("Allow".to_string(), span)));
    statement.push(member(
        "Principal",
        Node {
            span: grantee.span,
            value: Value::Object(vec![member(
                principal_kind,
                text(grantee_value.to_string(), grantee.span),
            )]),
        },
    ));
    statement.push(member(
        "Action",
        Node {
            span: grant.get("Operations").map_or(span, |o| o.span),
            value: Value::Array(actions),
        },
    ));
    statement.push(member(
        "Resource",
        text("*".to_string(), key.map_or(span, |k| k.span)),
    ));
    if let Some(condition) = constraints(grant, issues) {
        statement.push(member("Condition", condition));
    }
    let document = Node {
        span,
        value: Value::Object(vec![
            member("Version", text("2012-10-17".to_string(), span)),
            member(
                "Statement",
                Node {
                    span,
                    value: Value::Array(vec![Node {
                        span,
                        value: Value::Object(statement),
                    }]),
                },
            ),
        ]),
    };
    let (document, policy_issues) = load_policy(&document);
    // The key, when the output names it by ARN (as `list-grants` does); a bare key ID needs
    // the config's `[[bind]]`.
    let subject = key
        .and_then(|k| k.as_str())
        .filter(|k| matches!(KeyRef::parse(k), Ok(KeyRef::KeyArn { .. })))
        .map(|k| Subject::Key(k.to_string()));
    Some(PolicyEntry {
        kind: Some(PolicyKind::Grant),
        subject,
        name: name.or(id).and_then(|n| n.as_str()).map(str::to_string),
        document,
        issues: policy_issues,
        bypass_lockout_check: false,
    })
}

/// A grant's `Constraints` as a `Condition` element: every pair of `EncryptionContextSubset`
/// or `EncryptionContextEquals` must be in the request's encryption context, and with
/// `EncryptionContextEquals` no other key may be.
fn constraints(grant: &Node<'_>, issues: &mut Vec<Issue>) -> Option<Node<'static>> {
    let constraints = grant.get("Constraints")?;
    let mut pairs: Vec<Member<'static>> = Vec::new();
    let mut exact_keys: Option<Vec<Node<'static>>> = None;
    for (key, exact) in [
        ("EncryptionContextSubset", false),
        ("EncryptionContextEquals", true),
    ] {
        let Some(context) = constraints.get(key) else {
            continue;
        };
        let Some(members) = context.as_object() else {
            issues.push(wrong_shape(
                key,
                context,
                "an object of encryption context pairs",
            ));
            continue;
        };
        for m in members {
            let Some(value) = m.value.as_str() else {
                issues.push(wrong_shape(&m.key, &m.value, "a string"));
                continue;
            };
            pairs.push(Member {
                key: Cow::Owned(format!("kms:EncryptionContext:{}", m.key)),
                key_span: m.key_span,
                value: Node {
                    span: m.value.span,
                    value: Value::String(Cow::Owned(value.to_string())),
                },
            });
        }
        if exact {
            exact_keys = Some(
                members
                    .iter()
                    .map(|m| Node {
                        span: m.key_span,
                        value: Value::String(Cow::Owned(m.key.to_string())),
                    })
                    .collect(),
            );
        }
    }
    let span = constraints.span;
    let mut operators = Vec::new();
    if !pairs.is_empty() {
        operators.push(Member {
            key: Cow::Borrowed("StringEquals"),
            key_span: span,
            value: Node {
                span,
                value: Value::Object(pairs),
            },
        });
    }
    if let Some(keys) = exact_keys {
        operators.push(Member {
            key: Cow::Borrowed("ForAllValues:StringEquals"),
            key_span: span,
            value: Node {
                span,
                value: Value::Object(vec![Member {
                    key: Cow::Borrowed("kms:EncryptionContextKeys"),
                    key_span: span,
                    value: Node {
                        span,
                        value: Value::Array(keys),
                    },
                }]),
            },
        });
    }
    (!operators.is_empty()).then_some(Node {
        span,
        value: Value::Object(operators),
    })
}

fn wrong_shape(key: &str, found: &Node<'_>, want: &str) -> Issue {
    Issue::new(
        IssueKind::Shape,
        found.span,
        format!(
            "`{key}` must be {want}, as `{LIST_GRANTS}` prints it; found {}",
            describe(found)
        ),
    )
    .help(format!(
        "write the file as `{LIST_GRANTS}` prints it, or leave the key out"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grant_is_a_statement_for_its_grantee_with_spans_in_the_grant() {
        let text = r#"{"Grants": [{"KeyId": "arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab", "GrantId": "abc123", "Name": "", "GranteePrincipal": "arn:aws:iam::222222222222:role/Deploy", "Operations": ["Decrypt", "GenerateDataKey"], "Constraints": {"EncryptionContextEquals": {"aws:s3:arn": "arn:aws:s3:::artifacts"}}}], "Truncated": false}"#;
        let parsed = xacct_syntax::json::parse(text).unwrap();
        let (entries, issues) = load(&parsed.root);
        assert!(issues.is_empty(), "{issues:?}");
        assert_eq!(entries.len(), 1);
        let entry = &entries[0];
        assert_eq!(entry.kind, Some(PolicyKind::Grant));
        assert_eq!(
            entry.subject,
            Some(Subject::Key(
                "arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
                    .to_string()
            ))
        );
        assert!(entry.issues.is_empty(), "{:?}", entry.issues);
        let statement = &entry.document.statements[0];
        assert_eq!(statement.sid.as_ref().unwrap().value, "abc123");
        let at = |needle: &str| {
            let start = text.find(needle).unwrap() as u32;
            Span::new(start, start + needle.len() as u32)
        };
        let principal = &statement.principal.as_ref().unwrap().entries[0];
        assert_eq!(
            principal.value.value,
            "arn:aws:iam::222222222222:role/Deploy"
        );
        assert_eq!(
            principal.value.span,
            at("\"arn:aws:iam::222222222222:role/Deploy\"")
        );
        let actions: Vec<&str> = statement
            .action
            .as_ref()
            .unwrap()
            .values
            .iter()
            .map(|v| v.value.as_str())
            .collect();
        assert_eq!(actions, ["kms:Decrypt", "kms:GenerateDataKey"]);
        assert_eq!(
            statement.action.as_ref().unwrap().values[0].span,
            at("\"Decrypt\"")
        );
        let keys: Vec<(&str, &str)> = statement
            .conditions
            .iter()
            .map(|c| (c.operator.value.as_str(), c.key.value.as_str()))
            .collect();
        assert_eq!(
            keys,
            [
                ("StringEquals", "kms:EncryptionContext:aws:s3:arn"),
                ("ForAllValues:StringEquals", "kms:EncryptionContextKeys")
            ]
        );
    }

    #[test]
    fn grants_of_the_wrong_shape_are_issues_not_entries() {
        let text = r#"{"Grants": [3, {"GranteePrincipal": 4, "Operations": []}, {"GranteePrincipal": "codepipeline.amazonaws.com", "Operations": "Decrypt"}]}"#;
        let parsed = xacct_syntax::json::parse(text).unwrap();
        let (entries, issues) = load(&parsed.root);
        assert!(entries.is_empty());
        let messages: Vec<&str> = issues.iter().map(|i| i.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`Grants` must be a list of grants, as `aws kms list-grants` prints it; found a number",
                "`GranteePrincipal` must be a string, as `aws kms list-grants` prints it; found a number",
                "`Operations` must be a list, as `aws kms list-grants` prints it; found a string",
            ]
        );
    }
}
