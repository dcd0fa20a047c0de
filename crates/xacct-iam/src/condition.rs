//! Condition operators (the IAM user guide, "IAM JSON policy elements: Condition operators" and
//! "Set operators for multivalued context keys").

use xacct_model::policy::{Condition, Statement};

use crate::context::{lookup, KeyState};
use crate::pattern::{arn_matches, matches_with, variable_without_value, Vars};
use crate::tri::Tri;
use crate::values::{date, in_cidr, number};
use crate::{ConditionCause, Request, UnknownReason};

/// A comparison of numbers or dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    fn holds(self, left: f64, right: f64) -> bool {
        match self {
            Cmp::Eq => left == right,
            Cmp::Lt => left < right,
            Cmp::Le => left <= right,
            Cmp::Gt => left > right,
            Cmp::Ge => left >= right,
        }
    }
}

/// The comparison an operator makes, before negation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Base {
    String { ignore_case: bool, like: bool },
    Numeric(Cmp),
    Date(Cmp),
    Bool,
    Binary,
    Ip,
    Arn,
    Null,
}

/// `ForAnyValue:` or `ForAllValues:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SetOp {
    AnyValue,
    AllValues,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Operator {
    set: Option<SetOp>,
    if_exists: bool,
    base: Base,
    /// `StringNotEquals`, `NotIpAddress`, `ArnNotLike`, …: true when the positive form is false.
    negated: bool,
}

/// Every operator IAM defines, with its comparison and whether it is negated.
const OPERATORS: &[(&str, Base, bool)] = &[
    (
        "StringEquals",
        Base::String {
            ignore_case: false,
            like: false,
        },
        false,
    ),
    (
        "StringNotEquals",
        Base::String {
            ignore_case: false,
            like: false,
        },
        true,
    ),
    (
        "StringEqualsIgnoreCase",
        Base::String {
            ignore_case: true,
            like: false,
        },
        false,
    ),
    (
        "StringNotEqualsIgnoreCase",
        Base::String {
            ignore_case: true,
            like: false,
        },
        true,
    ),
    (
        "StringLike",
        Base::String {
            ignore_case: false,
            like: true,
        },
        false,
    ),
    (
        "StringNotLike",
        Base::String {
            ignore_case: false,
            like: true,
        },
        true,
    ),
    ("NumericEquals", Base::Numeric(Cmp::Eq), false),
    ("NumericNotEquals", Base::Numeric(Cmp::Eq), true),
    ("NumericLessThan", Base::Numeric(Cmp::Lt), false),
    ("NumericLessThanEquals", Base::Numeric(Cmp::Le), false),
    ("NumericGreaterThan", Base::Numeric(Cmp::Gt), false),
    ("NumericGreaterThanEquals", Base::Numeric(Cmp::Ge), false),
    ("DateEquals", Base::Date(Cmp::Eq), false),
    ("DateNotEquals", Base::Date(Cmp::Eq), true),
    ("DateLessThan", Base::Date(Cmp::Lt), false),
    ("DateLessThanEquals", Base::Date(Cmp::Le), false),
    ("DateGreaterThan", Base::Date(Cmp::Gt), false),
    ("DateGreaterThanEquals", Base::Date(Cmp::Ge), false),
    ("Bool", Base::Bool, false),
    ("BinaryEquals", Base::Binary, false),
    ("IpAddress", Base::Ip, false),
    ("NotIpAddress", Base::Ip, true),
    ("ArnEquals", Base::Arn, false),
    ("ArnLike", Base::Arn, false),
    ("ArnNotEquals", Base::Arn, true),
    ("ArnNotLike", Base::Arn, true),
    ("Null", Base::Null, false),
];

fn strip_prefix_ignore_case<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

fn strip_suffix_ignore_case<'t>(text: &'t str, suffix: &str) -> Option<&'t str> {
    let at = text.len().checked_sub(suffix.len())?;
    let tail = text.get(at..)?;
    tail.eq_ignore_ascii_case(suffix).then(|| &text[..at])
}

/// Reads an operator such as `ForAllValues:StringLikeIfExists`. Case is ignored, so a policy
/// with a miscased operator (which IAM would refuse to store) is still read for what it means.
fn parse_operator(text: &str) -> Option<Operator> {
    let (set, rest) = if let Some(rest) = strip_prefix_ignore_case(text, "ForAnyValue:") {
        (Some(SetOp::AnyValue), rest)
    } else if let Some(rest) = strip_prefix_ignore_case(text, "ForAllValues:") {
        (Some(SetOp::AllValues), rest)
    } else {
        (None, text)
    };
    let lookup = |name: &str| {
        OPERATORS
            .iter()
            .find(|(known, _, _)| known.eq_ignore_ascii_case(name))
            .map(|(_, base, negated)| (*base, *negated))
    };
    let (if_exists, (base, negated)) = match lookup(rest) {
        Some(found) => (false, found),
        None => (true, lookup(strip_suffix_ignore_case(rest, "IfExists")?)?),
    };
    // `Null` tests existence itself: it takes neither `IfExists` nor a set prefix.
    if base == Base::Null && (if_exists || set.is_some()) {
        return None;
    }
    Some(Operator {
        set,
        if_exists,
        base,
        negated,
    })
}

fn or3(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

fn and3(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

/// One context value against one policy value, with the positive form of the operator.
fn compare(base: Base, context: &str, policy: &str, vars: Vars<'_>) -> Option<bool> {
    match base {
        Base::String { ignore_case, like } => {
            matches_with(policy, context, ignore_case, like, vars)
        }
        Base::Numeric(cmp) => Some(cmp.holds(number(context)?, number(policy)?)),
        Base::Date(cmp) => Some(cmp.holds(date(context)?, date(policy)?)),
        Base::Bool => matches_with(policy, context, true, false, vars),
        Base::Binary => Some(context == policy),
        Base::Ip => in_cidr(context, policy),
        Base::Arn => arn_matches(policy, context, vars),
        // Handled before any value is compared.
        Base::Null => None,
    }
}

/// Whether `condition` of `statement` holds for `request`. `vars` resolves policy variables
/// (`None` for documents older than version 2012-10-17).
pub(crate) fn condition_match<'a>(
    statement: &'a Statement,
    condition: &'a Condition,
    request: &Request<'_>,
    vars: Vars<'_>,
) -> Tri<'a> {
    let maybe = |cause| {
        Tri::maybe(UnknownReason::Condition {
            statement,
            condition,
            cause,
        })
    };
    let Some(operator) = parse_operator(&condition.operator.value) else {
        return maybe(ConditionCause::UnknownOperator);
    };
    let policy_values = &condition.values;
    // Policy variables are substituted in string, ARN and Bool values only.
    let vars = match operator.base {
        Base::String { .. } | Base::Arn | Base::Bool => vars,
        _ => None,
    };
    let result = match lookup(request, &condition.key.value) {
        KeyState::Unknown => return maybe(ConditionCause::UnknownKey),
        KeyState::Absent if operator.base == Base::Null => policy_values
            .iter()
            .map(|p| null_check(&p.value, true))
            .fold(Some(false), or3),
        KeyState::Present(_) if operator.base == Base::Null => policy_values
            .iter()
            .map(|p| null_check(&p.value, false))
            .fold(Some(false), or3),
        // The user guide: a missing key makes a condition false, except that negated operators
        // are then true, `…IfExists` is true, and `ForAllValues` over nothing is true. For
        // `ForAnyValue`, "a condition operator modified by ForAnyValue returns false" over no
        // values: with `…IfExists` or a negation the texts disagree.
        KeyState::Absent => match operator.set {
            Some(SetOp::AllValues) => Some(true),
            Some(SetOp::AnyValue) if operator.if_exists || operator.negated => {
                return maybe(ConditionCause::AbsentKeyForAnyValue)
            }
            Some(SetOp::AnyValue) => Some(false),
            None => Some(operator.if_exists || operator.negated),
        },
        KeyState::Present(context_values) => {
            // The user guide, "Policy variables with no value": "Inverted condition operators
            // like StringNotEquals or StringNotLike do match against a null value", yet a value
            // that is not present makes "any attempt to match it" fail and "the statement to
            // be invalid". A negated operator leaves such a value open (another value that
            // matches still settles it).
            let open = |policy: &str| operator.negated && variable_without_value(policy, vars);
            // Several policy values for one key are OR-ed (NOR for a negated operator).
            let matches_any = |context: &str| {
                policy_values
                    .iter()
                    .map(|p| match open(&p.value) {
                        true => None,
                        false => compare(operator.base, context, &p.value, vars),
                    })
                    .fold(Some(false), or3)
            };
            let each = |context: &str| {
                let m = matches_any(context);
                if operator.negated {
                    m.map(|b| !b)
                } else {
                    m
                }
            };
            match operator.set {
                None => {
                    let any = context_values
                        .iter()
                        .map(|v| matches_any(v))
                        .fold(Some(false), or3);
                    if operator.negated {
                        any.map(|b| !b)
                    } else {
                        any
                    }
                }
                Some(SetOp::AnyValue) => context_values
                    .iter()
                    .map(|v| each(v))
                    .fold(Some(false), or3),
                Some(SetOp::AllValues) => context_values
                    .iter()
                    .map(|v| each(v))
                    .fold(Some(true), and3),
            }
        }
    };
    match result {
        Some(value) => Tri::from_bool(value),
        None if operator.negated
            && policy_values
                .iter()
                .any(|p| variable_without_value(&p.value, vars)) =>
        {
            maybe(ConditionCause::VariableWithoutValue)
        }
        None => maybe(ConditionCause::Unresolved),
    }
}

/// `"Null": {"key": "true"}` holds when the key is absent; `"false"` when it is present.
fn null_check(policy: &str, absent: bool) -> Option<bool> {
    if policy.eq_ignore_ascii_case("true") {
        Some(absent)
    } else if policy.eq_ignore_ascii_case("false") {
        Some(!absent)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_parse_with_prefixes_and_suffixes() {
        let op = parse_operator("ForAllValues:StringLikeIfExists").unwrap();
        assert_eq!(op.set, Some(SetOp::AllValues));
        assert!(op.if_exists);
        assert_eq!(
            op.base,
            Base::String {
                ignore_case: false,
                like: true
            }
        );
        assert!(!op.negated);
        let op = parse_operator("NotIpAddressIfExists").unwrap();
        assert!(op.negated && op.if_exists && op.base == Base::Ip);
        assert!(parse_operator("stringequals").is_some());
        assert!(parse_operator("StringEqualsIfExistsIfExists").is_none());
        assert!(parse_operator("NullIfExists").is_none());
        assert!(parse_operator("ForAnyValue:Null").is_none());
        assert!(parse_operator("StringMatches").is_none());
        assert!(parse_operator("ForSomeValues:StringEquals").is_none());
        assert!(parse_operator("").is_none());
        // Every listed operator parses, with and without IfExists.
        for (name, _, _) in OPERATORS {
            assert!(parse_operator(name).is_some(), "{name}");
            if *name != "Null" {
                assert!(
                    parse_operator(&format!("{name}IfExists")).is_some(),
                    "{name}"
                );
            }
        }
    }
}

#[cfg(test)]
mod operator_list {
    /// The loader's list of valid operators (what IAM accepts) and this table (what each
    /// means) name the same operators.
    #[test]
    fn the_model_and_the_evaluator_know_the_same_operators() {
        let here: Vec<&str> = super::OPERATORS.iter().map(|(name, _, _)| *name).collect();
        let mut model = xacct_model::policy::CONDITION_OPERATORS.to_vec();
        let mut mine = here.clone();
        model.sort_unstable();
        mine.sort_unstable();
        assert_eq!(mine, model);
    }
}
