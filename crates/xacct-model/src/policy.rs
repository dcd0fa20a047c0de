//! IAM policy documents: statements with principals, actions, resources and conditions, every
//! value with its span. The grammar is IAM's: `Statement` may be one object or a list;
//! `Principal`, `Action`, `Resource` and condition values may be a string or a list.

use xacct_syntax::json::{Node, Value};
use xacct_syntax::Span;

use crate::pipeline::Spanned;

/// `Allow` or `Deny`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// `"Effect": "Allow"`.
    Allow,
    /// `"Effect": "Deny"`.
    Deny,
}

/// A policy document.
#[derive(Clone, Debug, Default)]
pub struct PolicyDocument {
    /// The document object.
    pub span: Span,
    /// `Version`.
    pub version: Option<Spanned<crate::Text>>,
    /// `Id`.
    pub id: Option<Spanned<crate::Text>>,
    /// The statements, in order.
    pub statements: Vec<Statement>,
    /// The `Statement` member key: where a missing statement is to be added.
    pub statement_key: Option<Span>,
    /// When `Statement` is a list: its span and its items' (every item, read or not).
    pub statement_list: Option<StatementList>,
    /// How to write one more statement into the list, when the loader knows (it sets this:
    /// it knows the file's notation).
    pub insertion: Option<crate::policy_edit::StatementInsertion>,
}

/// A `Statement` list as written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatementList {
    /// The list.
    pub span: Span,
    /// Its items, in order.
    pub items: Vec<Span>,
}

/// One statement.
#[derive(Clone, Debug)]
pub struct Statement {
    /// The statement object.
    pub span: Span,
    /// `Sid`.
    pub sid: Option<Spanned<crate::Text>>,
    /// `Effect`; `None` when missing or not Allow/Deny (a shape problem).
    pub effect: Option<Spanned<Effect>>,
    /// `Principal` or `NotPrincipal`.
    pub principal: Option<PrincipalBlock>,
    /// `Action` or `NotAction`.
    pub action: Option<ValueBlock>,
    /// `Resource` or `NotResource`.
    pub resource: Option<ValueBlock>,
    /// `Condition`, flattened: one entry per operator and key.
    pub conditions: Vec<Condition>,
}

/// What kind of principal an entry names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrincipalKind {
    /// `"Principal": "*"`: everyone, signed or not.
    Everyone,
    /// `{"AWS": …}`: accounts, roles, users, or `*`.
    Aws,
    /// `{"Service": …}`.
    Service,
    /// `{"Federated": …}`.
    Federated,
    /// `{"CanonicalUser": …}`.
    CanonicalUser,
}

/// One principal of a statement.
#[derive(Clone, Debug)]
pub struct PrincipalEntry {
    /// The kind.
    pub kind: PrincipalKind,
    /// The value as written (`"*"`, an ARN, an account ID, a service name).
    pub value: Spanned<crate::Text>,
}

/// `Principal` or `NotPrincipal`.
#[derive(Clone, Debug)]
pub struct PrincipalBlock {
    /// True for `NotPrincipal`.
    pub negated: bool,
    /// The member key.
    pub key_span: Span,
    /// The principals.
    pub entries: Vec<PrincipalEntry>,
}

/// `Action`/`NotAction` or `Resource`/`NotResource`.
#[derive(Clone, Debug)]
pub struct ValueBlock {
    /// True for the `Not…` form.
    pub negated: bool,
    /// The member key.
    pub key_span: Span,
    /// The values (patterns with `*` and `?`).
    pub values: Vec<Spanned<crate::Text>>,
}

/// One condition: operator, key and the values to compare with.
#[derive(Clone, Debug)]
pub struct Condition {
    /// e.g. `StringEquals`, `ForAnyValue:StringLike`, `ArnLikeIfExists`.
    pub operator: Spanned<crate::Text>,
    /// e.g. `aws:PrincipalArn`.
    pub key: Spanned<crate::Text>,
    /// The values, as text (booleans and numbers are kept as written).
    pub values: Vec<Spanned<crate::Text>>,
}

/// A departure from the policy grammar, for XA003.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyIssue {
    /// Where.
    pub span: Span,
    /// What, in one line.
    pub message: String,
}

impl Statement {
    /// True for an `Allow` statement.
    pub fn allows(&self) -> bool {
        self.effect
            .as_ref()
            .is_some_and(|e| e.value == Effect::Allow)
    }

    /// True for a `Deny` statement.
    pub fn denies(&self) -> bool {
        self.effect
            .as_ref()
            .is_some_and(|e| e.value == Effect::Deny)
    }

    /// The span to point at for the statement as a whole: its `Sid`, else its opening brace.
    pub fn anchor(&self) -> Span {
        self.sid
            .as_ref()
            .map_or(Span::new(self.span.start, self.span.start + 1), |s| s.span)
    }
}

fn scalar_text(node: &Node) -> Option<crate::Text> {
    match &node.value {
        Value::String(s) => Some(crate::Text::from(&**s)),
        Value::Number(n) => Some(compact_str::format_compact!("{n}")),
        Value::Bool(b) => Some(crate::Text::const_new(if *b { "true" } else { "false" })),
        _ => None,
    }
}

/// A string or a list of strings; other values become issues.
fn strings(node: &Node, what: &str, issues: &mut Vec<PolicyIssue>) -> Vec<Spanned<crate::Text>> {
    let one = |n: &Node, issues: &mut Vec<PolicyIssue>| match scalar_text(n) {
        Some(text) => Some(Spanned::new(text, n.span)),
        None => {
            issues.push(PolicyIssue {
                span: n.span,
                message: format!("{what} must be a string, found {}", n.kind_name()),
            });
            None
        }
    };
    match &node.value {
        Value::Array(items) => items.iter().filter_map(|n| one(n, issues)).collect(),
        _ => one(node, issues).into_iter().collect(),
    }
}

fn block(
    stmt: &Node,
    key: &str,
    not_key: &str,
    issues: &mut Vec<PolicyIssue>,
) -> Option<ValueBlock> {
    let (member, negated) = match (stmt.member(key), stmt.member(not_key)) {
        (Some(m), None) => (m, false),
        (None, Some(m)) => (m, true),
        (Some(m), Some(n)) => {
            issues.push(PolicyIssue {
                span: n.key_span,
                message: format!("a statement may have `{key}` or `{not_key}`, not both"),
            });
            (m, false)
        }
        (None, None) => return None,
    };
    let what = if negated { not_key } else { key };
    Some(ValueBlock {
        negated,
        key_span: member.key_span,
        values: strings(&member.value, what, issues),
    })
}

fn principal_block(stmt: &Node, issues: &mut Vec<PolicyIssue>) -> Option<PrincipalBlock> {
    let (member, negated) = match (stmt.member("Principal"), stmt.member("NotPrincipal")) {
        (Some(m), _) => (m, false),
        (None, Some(m)) => (m, true),
        (None, None) => return None,
    };
    let mut entries = Vec::new();
    match &member.value.value {
        Value::String(s) if s == "*" => entries.push(PrincipalEntry {
            kind: PrincipalKind::Everyone,
            value: Spanned::new(crate::Text::const_new("*"), member.value.span),
        }),
        Value::Object(kinds) => {
            for kind in kinds {
                let principal_kind = match kind.key.as_ref() {
                    "AWS" => PrincipalKind::Aws,
                    "Service" => PrincipalKind::Service,
                    "Federated" => PrincipalKind::Federated,
                    "CanonicalUser" => PrincipalKind::CanonicalUser,
                    other => {
                        issues.push(PolicyIssue {
                            span: kind.key_span,
                            message: format!("unknown principal type `{other}`; expected AWS, Service, Federated or CanonicalUser"),
                        });
                        continue;
                    }
                };
                for value in strings(&kind.value, "a principal", issues) {
                    entries.push(PrincipalEntry { kind: principal_kind, value });
                }
            }
        }
        _ => issues.push(PolicyIssue {
            span: member.value.span,
            message: "`Principal` must be \"*\" or an object such as {\"AWS\": \"arn:aws:iam::111122223333:root\"}".to_string(),
        }),
    }
    Some(PrincipalBlock {
        negated,
        key_span: member.key_span,
        entries,
    })
}

/// The condition operators IAM knows (IAM JSON policy elements: Condition operators), before
/// the `ForAllValues:`/`ForAnyValue:` prefixes and the `IfExists` suffix. `xacct-iam` gives
/// each its meaning; a test there keeps its table and this list equal.
pub const CONDITION_OPERATORS: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
];

/// Why IAM refuses a condition operator as written, if it does ("Invalid Condition type"):
/// names are exact (case included), `Null` takes neither a set prefix nor `IfExists`.
pub fn operator_problem(text: &str) -> Option<String> {
    let (prefix, rest) = ["ForAllValues:", "ForAnyValue:"]
        .iter()
        .find_map(|p| text.strip_prefix(p).map(|rest| (*p, rest)))
        .unwrap_or(("", text));
    let (base, if_exists) = match rest.strip_suffix("IfExists") {
        Some(base) if CONDITION_OPERATORS.contains(&base) => (base, true),
        _ => (rest, false),
    };
    if CONDITION_OPERATORS.contains(&base) {
        if base == "Null" && (if_exists || !prefix.is_empty()) {
            return Some(format!(
                "condition operator `{text}`: `Null` takes neither a set prefix nor `IfExists`"
            ));
        }
        return None;
    }
    let wanted = text.to_ascii_lowercase();
    let near = ["", "ForAllValues:", "ForAnyValue:"]
        .iter()
        .flat_map(|p| {
            CONDITION_OPERATORS
                .iter()
                .flat_map(move |o| [format!("{p}{o}"), format!("{p}{o}IfExists")])
        })
        .find(|candidate| candidate.to_ascii_lowercase() == wanted)
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default();
    Some(format!(
        "unknown condition operator `{text}`: IAM refuses the policy (\"Invalid Condition type\"){near}"
    ))
}

fn conditions(stmt: &Node, issues: &mut Vec<PolicyIssue>) -> Vec<Condition> {
    let Some(block) = stmt.get("Condition") else {
        return Vec::new();
    };
    let Some(operators) = block.as_object() else {
        issues.push(PolicyIssue {
            span: block.span,
            message: format!("`Condition` must be an object, found {}", block.kind_name()),
        });
        return Vec::new();
    };
    let mut out = Vec::new();
    for operator in operators {
        if let Some(message) = operator_problem(&operator.key) {
            issues.push(PolicyIssue {
                span: operator.key_span,
                message,
            });
        }
        let Some(keys) = operator.value.as_object() else {
            issues.push(PolicyIssue {
                span: operator.value.span,
                message: format!(
                    "condition operator `{}` must map keys to values",
                    operator.key
                ),
            });
            continue;
        };
        for key in keys {
            out.push(Condition {
                operator: Spanned::new(crate::Text::from(&*operator.key), operator.key_span),
                key: Spanned::new(crate::Text::from(&*key.key), key.key_span),
                values: strings(&key.value, "a condition value", issues),
            });
        }
    }
    out
}

fn statement(node: &Node, issues: &mut Vec<PolicyIssue>) -> Option<Statement> {
    if node.as_object().is_none() {
        issues.push(PolicyIssue {
            span: node.span,
            message: format!("a statement must be an object, found {}", node.kind_name()),
        });
        return None;
    }
    let effect = match node.get("Effect") {
        Some(e) => match e.as_str() {
            Some("Allow") => Some(Spanned::new(Effect::Allow, e.span)),
            Some("Deny") => Some(Spanned::new(Effect::Deny, e.span)),
            _ => {
                issues.push(PolicyIssue {
                    span: e.span,
                    message: "`Effect` must be \"Allow\" or \"Deny\" (case matters)".to_string(),
                });
                None
            }
        },
        None => {
            issues.push(PolicyIssue {
                span: Span::new(node.span.start, node.span.start + 1),
                message: "the statement has no `Effect`".to_string(),
            });
            None
        }
    };
    unknown_elements(node, STATEMENT_ELEMENTS, "a statement", issues);
    let action = block(node, "Action", "NotAction", issues);
    if action.is_none() {
        issues.push(PolicyIssue {
            span: Span::new(node.span.start, node.span.start + 1),
            message: "the statement has neither `Action` nor `NotAction`".to_string(),
        });
    }
    Some(Statement {
        span: node.span,
        sid: node.get("Sid").and_then(|s| {
            s.as_str()
                .map(|t| Spanned::new(crate::Text::from(t), s.span))
        }),
        effect,
        principal: principal_block(node, issues),
        action,
        resource: block(node, "Resource", "NotResource", issues),
        conditions: conditions(node, issues),
    })
}

/// The elements of a policy document and of a statement (IAM JSON policy element reference).
const DOCUMENT_ELEMENTS: &[&str] = &["Version", "Id", "Statement"];
const STATEMENT_ELEMENTS: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

/// Members of `node` that are no element IAM knows: IAM refuses the policy
/// (MalformedPolicyDocument), and what such a member was meant to say is not read.
fn unknown_elements(node: &Node, known: &[&str], what: &str, issues: &mut Vec<PolicyIssue>) {
    for member in node.as_object().unwrap_or_default() {
        if known.contains(&&*member.key) {
            continue;
        }
        let near = known
            .iter()
            .find(|k| k.eq_ignore_ascii_case(&member.key))
            .map(|k| format!("; did you mean `{k}`?"))
            .unwrap_or_default();
        issues.push(PolicyIssue {
            span: member.key_span,
            message: format!(
                "`{}` is no element of {what} (one of {}){near}",
                member.key,
                known.join(", ")
            ),
        });
    }
}

/// Reads a policy document object. Shape problems are returned beside it; the document keeps
/// what could be read.
pub fn load_policy(node: &Node) -> (PolicyDocument, Vec<PolicyIssue>) {
    let mut issues = Vec::new();
    let text = |key: &str| {
        node.get(key).and_then(|v| {
            v.as_str()
                .map(|s| Spanned::new(crate::Text::from(s), v.span))
        })
    };
    let mut statement_list = None;
    let statements = match node.get("Statement") {
        Some(
            list @ Node {
                value: Value::Array(items),
                ..
            },
        ) => {
            statement_list = Some(StatementList {
                span: list.span,
                items: items.iter().map(|i| i.span).collect(),
            });
            items
                .iter()
                .filter_map(|s| statement(s, &mut issues))
                .collect()
        }
        // IAM accepts a single statement object in place of a list.
        Some(
            single @ Node {
                value: Value::Object(_),
                ..
            },
        ) => statement(single, &mut issues).into_iter().collect(),
        Some(other) => {
            issues.push(PolicyIssue {
                span: other.span,
                message: format!(
                    "`Statement` must be a list or an object, found {}",
                    other.kind_name()
                ),
            });
            Vec::new()
        }
        None => {
            issues.push(PolicyIssue {
                span: Span::new(node.span.start, node.span.start + 1),
                message: "the policy has no `Statement`".to_string(),
            });
            Vec::new()
        }
    };
    unknown_elements(node, DOCUMENT_ELEMENTS, "a policy", &mut issues);
    if let Some(version) = node.get("Version") {
        if !matches!(version.as_str(), Some("2012-10-17" | "2008-10-17")) {
            issues.push(PolicyIssue {
                span: version.span,
                message: "`Version` must be \"2012-10-17\" (or the legacy \"2008-10-17\")"
                    .to_string(),
            });
        }
    }
    (
        PolicyDocument {
            span: node.span,
            version: text("Version"),
            id: text("Id"),
            statements,
            statement_key: node.member("Statement").map(|m| m.key_span),
            statement_list,
            insertion: None,
        },
        issues,
    )
}
