//! XA508 impossible-condition: a grant a pipeline run needs carries a condition that can never
//! hold in this setup (`aws:PrincipalAccount` of another account than the requesting role's,
//! `aws:SourceAccount` or an `aws:SourceArn` account other than the pipeline's for
//! CodePipeline), so the grant is useless.

use std::collections::HashSet;

use xacct_graph::Outcome;
use xacct_model::policy::{Condition, PrincipalBlock, PrincipalKind, Statement};
use xacct_model::AccountId;

use crate::registry::{declare_rule, Check};
use crate::rules::PushAbout;
use crate::rules::{action_matches, resource_matches, WorkspaceContext};
use crate::Diagnostic;

declare_rule!(
    "XA508",
    "impossible-condition",
    Error,
    "An Allow a pipeline run needs has a condition that can never hold here (aws:PrincipalAccount, aws:SourceAccount or aws:SourceArn naming another account).",
    Check::Workspace(check)
);

/// What the request carries for a key whose value this setup fixes.
struct Fixed {
    /// The key as IAM names it, as messages say what the request carries.
    key: &'static str,
    /// The account the request carries.
    account: AccountId,
    /// Where the value comes from, for messages.
    whose: &'static str,
}

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    for &(check_index, c, unit, condition, ref fixed) in &found(cx).hits {
        if !seen.insert((unit.file, condition.key.span)) {
            continue;
        }
        let mut diag = cx.diag(
            &RULE,
            unit.file,
            condition.key.span,
            format!(
                "this condition never holds for `{}` ({}): the request carries {} {} ({}), which no value of this `{}` names; the grant it is on is useless for {} on `{}`",
                c.principal,
                cx.who(&c.need),
                fixed.key,
                fixed.account,
                fixed.whose,
                condition.operator.value,
                c.iam_action,
                c.resource_shown(),
            ),
        );
        if let Some((file, span, text)) = cx.role_site(&c.need) {
            diag = diag.label_in(file, span, text);
        }
        out.push_about(
            check_index,
            diag.help(format!(
                "name account {} in the condition (or drop it)",
                fixed.account
            )),
        );
    }
}

/// The checks a grant would allow but for a condition that never holds: this rule's finding
/// is their root cause, so the rules that report a missing grant leave them alone (one root
/// cause, one finding).
pub(crate) fn explained<'c>(cx: &'c WorkspaceContext<'_>) -> &'c HashSet<usize> {
    &found(cx).checks
}

/// What XA508's scan finds, kept for the run: the scan walks every refused check's
/// statements, and this rule and the missing-grant rules all need it.
pub struct Explained<'a> {
    /// The refused checks a condition that never holds explains.
    checks: HashSet<usize>,
    /// Each such check with the statement's policy, the condition and what the request carries.
    hits: Vec<Hit<'a>>,
}

type Hit<'a> = (
    usize,
    &'a xacct_graph::Check,
    &'a xacct_model::workspace::PolicyUnit,
    &'a xacct_model::policy::Condition,
    Fixed,
);

fn found<'c, 'a>(cx: &'c WorkspaceContext<'a>) -> &'c Explained<'a> {
    cx.explained.get_or_init(|| {
        let mut hits = Vec::new();
        scan(cx, |check_index, c, unit, condition, fixed| {
            hits.push((check_index, c, unit, condition, fixed));
        });
        Explained {
            checks: hits.iter().map(|hit| hit.0).collect(),
            hits,
        }
    })
}

/// Calls `found` for each refused check and each condition of a statement that would grant
/// it that never holds.
fn scan<'c>(
    cx: &WorkspaceContext<'c>,
    mut found: impl FnMut(
        usize,
        &'c xacct_graph::Check,
        &'c xacct_model::workspace::PolicyUnit,
        &'c xacct_model::policy::Condition,
        Fixed,
    ),
) {
    let not_allowed = cx
        .graph
        .checks
        .iter()
        .enumerate()
        .filter(|(_, c)| !matches!(c.outcome, Outcome::Allowed(_)));
    for (check_index, c) in not_allowed {
        let principal_account = c.principal_account;
        // The one question a service asks for the pipeline: CodePipeline assuming the pipeline
        // role, on behalf of the pipeline, whose account the source keys carry. (CloudFormation
        // assuming a StackSets administration role carries the stack set's, not the pipeline's.)
        let pipeline_account = match principal_account {
            None if c.need.stack_set.is_some() => None,
            None => cx
                .pipeline(&c.need)
                .accounts
                .pipeline
                .as_ref()
                .map(|fact| fact.value),
            Some(_) => None,
        };
        let policies = c.resource_policy.iter().map(|&p| (p, true)).chain(
            c.identity_policies
                .iter()
                .filter(|_| principal_account.is_some())
                .map(|&p| (p, false)),
        );
        for (policy, resource_side) in policies {
            let unit = cx.policy(policy);
            for statement in &unit.document().statements {
                if !grants(statement, c, resource_side) {
                    continue;
                }
                for condition in &statement.conditions {
                    let fixed = match condition.key.value.to_ascii_lowercase().as_str() {
                        "aws:principalaccount" => principal_account.map(|account| Fixed {
                            key: "aws:PrincipalAccount",
                            account,
                            whose: "the role's account",
                        }),
                        "aws:sourceaccount" => pipeline_account.map(|account| Fixed {
                            key: "aws:SourceAccount",
                            account,
                            whose:
                                "the pipeline's account, for which CodePipeline assumes its role",
                        }),
                        "aws:sourcearn" => pipeline_account.map(|account| Fixed {
                            key: "an aws:SourceArn in account",
                            account,
                            whose:
                                "the pipeline's account, for which CodePipeline assumes its role",
                        }),
                        _ => None,
                    };
                    let Some(fixed) = fixed else {
                        continue;
                    };
                    if !never_holds(condition, &fixed) {
                        continue;
                    }
                    found(check_index, c, unit, condition, fixed);
                }
            }
        }
    }
}

/// True when `statement` is an Allow that would grant the check's request but for its
/// conditions: its action and resource match, and on the resource side its `Principal` names
/// the requester, its account or everyone.
fn grants(statement: &Statement, c: &xacct_graph::Check, resource_side: bool) -> bool {
    if !statement.allows()
        || !statement
            .action
            .as_ref()
            .is_some_and(|a| action_matches(a, c.iam_action))
    {
        return false;
    }
    let resource = match &statement.resource {
        Some(block) => resource_matches(block, &c.resource),
        // Trust policies have no Resource; identity statements need one.
        None => resource_side,
    };
    resource
        && (!resource_side
            || statement
                .principal
                .as_ref()
                .is_some_and(|block| names(block, c)))
}

/// True when a `Principal` names the check's principal, its account, or everyone.
fn names(block: &PrincipalBlock, c: &xacct_graph::Check) -> bool {
    let account = c.principal_account.map(|a| a.as_str().to_string());
    !block.negated
        && block.entries.iter().any(|entry| {
            let value = entry.value.value.as_str();
            match entry.kind {
                PrincipalKind::Everyone => true,
                PrincipalKind::Aws => {
                    value == "*"
                        || value == &*c.principal
                        || account.as_deref().is_some_and(|a| {
                            value == a || value == format!("arn:aws:iam::{a}:root")
                        })
                }
                PrincipalKind::Service => {
                    c.principal_account.is_none() && value.eq_ignore_ascii_case(&c.principal)
                }
                _ => false,
            }
        })
}

/// True when a positive string or ARN comparison (`StringEquals`, `StringLike`, `ArnLike`…,
/// also with `IfExists` or `ForAnyValue:`; the key is present here) can match no value naming
/// `fixed.account`: every policy value names another literal account. Negated operators,
/// `ForAllValues:`, policy variables and wildcards in the account keep it open.
fn never_holds(condition: &Condition, fixed: &Fixed) -> bool {
    let operator = condition.operator.value.to_ascii_lowercase();
    let operator = operator.strip_prefix("foranyvalue:").unwrap_or(&operator);
    let operator = operator.strip_suffix("ifexists").unwrap_or(operator);
    if !matches!(
        operator,
        "stringequals" | "stringequalsignorecase" | "stringlike" | "arnequals" | "arnlike"
    ) || condition.values.is_empty()
    {
        return false;
    }
    let other_account = |value: &str| -> bool {
        let account = if fixed.key.contains("aws:SourceArn") {
            match value.split(':').nth(4) {
                Some(account) => account,
                None => return false,
            }
        } else {
            value
        };
        AccountId::parse(account).is_some_and(|named| named != fixed.account)
    };
    condition.values.iter().all(|v| other_account(&v.value))
}
