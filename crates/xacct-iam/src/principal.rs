//! Whether a statement's `Principal` or `NotPrincipal` names the requesting principal, and how:
//! by name, or through its account.

use std::collections::HashMap;

use xacct_model::arn::{AccountId, Arn};
use xacct_model::policy::{PrincipalBlock, PrincipalEntry, PrincipalKind, Statement};

use crate::tri::Tri;
use crate::{PrincipalRef, Undocumented, UnknownReason};

/// The requesting principal, taken apart once per evaluation.
#[derive(Clone, Debug)]
pub(crate) enum Who<'r> {
    Role(RoleId<'r>),
    Service(&'r str),
}

/// A role, as far as its ARN tells.
#[derive(Clone, Debug)]
pub(crate) struct RoleId<'r> {
    /// The ARN as given.
    pub(crate) arn: &'r str,
    pub(crate) account: AccountId,
    /// From the ARN, when it parses.
    partition: Option<&'r str>,
    /// The role name (the last segment of the path), when the ARN is a role or session ARN.
    name: Option<&'r str>,
    /// True when `arn` is an IAM role ARN (with its path), false for an STS session ARN.
    iam_role_arn: bool,
    /// The session name, when `arn` is a session ARN.
    session: Option<&'r str>,
}

impl<'r> Who<'r> {
    /// The principal, its role ARN taken apart as `shapes` remembers it (parsed on first
    /// sight: the graph asks of a few hundred roles tens of thousands of times).
    pub(crate) fn new(principal: &PrincipalRef<'r>, shapes: &mut RoleShapes) -> Who<'r> {
        match *principal {
            PrincipalRef::Service(name) => Who::Service(name),
            PrincipalRef::Role { arn, account } => {
                let shape = match shapes.known.get(arn) {
                    Some(shape) => *shape,
                    None => {
                        let shape = RoleShape::of(arn);
                        shapes.known.insert(arn.to_string(), shape);
                        shape
                    }
                };
                let part = |range: Option<(usize, usize)>| range.map(|(from, to)| &arn[from..to]);
                Who::Role(RoleId {
                    arn,
                    account,
                    partition: part(shape.partition),
                    name: part(shape.name),
                    iam_role_arn: shape.iam_role_arn,
                    session: part(shape.session),
                })
            }
        }
    }
}

/// Role ARNs taken apart, by ARN.
#[derive(Default)]
pub(crate) struct RoleShapes {
    known: HashMap<String, RoleShape, foldhash::fast::RandomState>,
}

/// What a role ARN tells of a [`RoleId`], as byte ranges of the ARN.
#[derive(Clone, Copy, Default)]
struct RoleShape {
    partition: Option<(usize, usize)>,
    name: Option<(usize, usize)>,
    iam_role_arn: bool,
    session: Option<(usize, usize)>,
}

impl RoleShape {
    fn of(arn: &str) -> RoleShape {
        let range = |part: &str| {
            let from = part.as_ptr() as usize - arn.as_ptr() as usize;
            Some((from, from + part.len()))
        };
        let mut shape = RoleShape::default();
        if let Ok(parsed) = Arn::parse(arn) {
            shape.partition = range(parsed.partition);
            if let Some((name, _)) = role_arn_name(&parsed) {
                shape.name = range(name);
                shape.iam_role_arn = true;
            } else if let Some((name, session)) = session_arn_parts(&parsed) {
                shape.name = range(name);
                shape.session = range(session);
            }
        }
        shape
    }
}

/// `arn:…:iam::A:role/path/Name` → (`Name`, `path/Name`).
fn role_arn_name<'t>(arn: &Arn<'t>) -> Option<(&'t str, &'t str)> {
    let path = arn.resource.strip_prefix("role/")?;
    (arn.service == "iam").then(|| (path.rsplit('/').next().unwrap_or(path), path))
}

/// `arn:…:sts::A:assumed-role/Name/session` → (`Name`, `session`).
fn session_arn_parts<'t>(arn: &Arn<'t>) -> Option<(&'t str, &'t str)> {
    let rest = arn.resource.strip_prefix("assumed-role/")?;
    (arn.service == "sts")
        .then(|| rest.split_once('/'))
        .flatten()
}

/// How a `Principal` element matches: naming the principal (or everyone), or naming its account.
pub(crate) struct PrincipalMatch<'a> {
    pub(crate) direct: Tri<'a>,
    pub(crate) via_root: Tri<'a>,
}

/// Matches `block` against `who`. `Principal` may name the principal directly or through its
/// account; `NotPrincipal` applies to every principal it does not exclude, directly.
pub(crate) fn principal_match<'a>(
    statement: &'a Statement,
    block: &'a PrincipalBlock,
    who: &Who<'_>,
) -> PrincipalMatch<'a> {
    let mut direct = Tri::No;
    let mut via_root = Tri::No;
    // For an Allow's `NotPrincipal`: an entry naming the account, which may or may not
    // exclude the role.
    let mut account_listed = Tri::No;
    for entry in &block.entries {
        let (d, r) = entry_match(statement, entry, who);
        if block.negated && statement.allows() && !r.is_no() {
            account_listed = account_listed.or(Tri::maybe(UnknownReason::Undocumented {
                statement,
                value: &entry.value,
                case: Undocumented::NotPrincipalAccount,
            }));
        }
        direct = direct.or(d);
        via_root = via_root.or(r);
    }
    if !block.negated {
        return PrincipalMatch { direct, via_root };
    }
    let excluded = match who {
        // The IAM user guide, "NotPrincipal": with Allow, the statement "allows all principals
        // except the one named", so naming the role (or everyone) excludes it.
        Who::Role(_) if statement.allows() => direct.or(account_listed),
        // With Deny, AWS "might validate the account first, then the role", so a role is
        // excluded only when its account is listed as well (or everyone is).
        Who::Role(_) => {
            let wildcard = block.entries.iter().any(|e| is_wildcard(e, who));
            Tri::from_bool(wildcard).or(via_root.and(direct))
        }
        Who::Service(_) => direct,
    };
    PrincipalMatch {
        direct: excluded.not(),
        via_root: Tri::No,
    }
}

/// `"*"`, or `{"AWS": "*"}` for an AWS principal.
fn is_wildcard(entry: &PrincipalEntry, who: &Who<'_>) -> bool {
    match entry.kind {
        PrincipalKind::Everyone => true,
        PrincipalKind::Aws => entry.value.value == "*" && matches!(who, Who::Role(_)),
        _ => false,
    }
}

/// (names the principal, names its account) for one entry.
fn entry_match<'a>(
    statement: &'a Statement,
    entry: &'a PrincipalEntry,
    who: &Who<'_>,
) -> (Tri<'a>, Tri<'a>) {
    if is_wildcard(entry, who) {
        return (Tri::Yes, Tri::No);
    }
    let value = entry.value.value.as_str();
    match (entry.kind, who) {
        // The user guide, "AWS JSON policy elements: Principal", calls `{"AWS": "*"}` and `"*"`
        // equivalent "for anonymous users" only; whether the former names a service is not
        // said.
        (PrincipalKind::Aws, Who::Service(_)) if value == "*" => (
            Tri::maybe(UnknownReason::Undocumented {
                statement,
                value: &entry.value,
                case: Undocumented::AwsWildcardForService,
            }),
            Tri::No,
        ),
        (PrincipalKind::Service, Who::Service(name)) => {
            (Tri::from_bool(value.eq_ignore_ascii_case(name)), Tri::No)
        }
        (PrincipalKind::Aws, Who::Role(role)) => aws_entry(statement, entry, value, role),
        // Federated and canonical-user principals never name a role session or a service;
        // unique IDs (`AROA…`) are what a policy shows after its role was deleted, so they
        // never name a role that exists now.
        _ => (Tri::No, Tri::No),
    }
}

fn aws_entry<'a>(
    statement: &'a Statement,
    entry: &'a PrincipalEntry,
    value: &str,
    role: &RoleId<'_>,
) -> (Tri<'a>, Tri<'a>) {
    if let Some(account) = AccountId::parse(value) {
        return (Tri::No, Tri::from_bool(account == role.account));
    }
    if value == role.arn {
        return (Tri::Yes, Tri::No);
    }
    // A trust or bucket policy lists many roles, most of other accounts: a literal account
    // field that differs rules the entry out (as the parse below would) without parsing it.
    if literal_account_field(value)
        .is_some_and(|account| account != role.account.as_str().as_bytes())
    {
        return (Tri::No, Tri::No);
    }
    if xacct_model::symbol::is_placeholder(value) {
        // `!Ref PipelineRoleArn` with no value given: any role or account, once deployed.
        let maybe = || {
            Tri::maybe(UnknownReason::DeployTimeValue {
                statement,
                value: &entry.value,
            })
        };
        return (maybe(), maybe());
    }
    let Ok(arn) = Arn::parse(value) else {
        return (Tri::No, Tri::No);
    };
    if xacct_model::symbol::contains_placeholder(value) {
        return placeholder_entry(statement, entry, &arn, role);
    }
    let same_account = arn.account_id() == Some(role.account)
        && !matches!(role.partition, Some(p) if p != arn.partition);
    if !same_account {
        return (Tri::No, Tri::No);
    }
    if arn.service == "iam" && arn.resource == "root" {
        return (Tri::No, Tri::Yes);
    }
    let differs_in_case = || {
        Tri::maybe(UnknownReason::Undocumented {
            statement,
            value: &entry.value,
            case: Undocumented::RoleNameCase,
        })
    };
    if let Some((name, path)) = role_arn_name(&arn) {
        // Equal ARNs returned above; a session ARN does not carry the role's path, so for
        // one the name and account decide.
        if !role.iam_role_arn {
            return match role.name {
                Some(own) if own == name => (Tri::Yes, Tri::No),
                Some(own) if own.eq_ignore_ascii_case(name) => (differs_in_case(), Tri::No),
                _ => (Tri::No, Tri::No),
            };
        }
        // The same role in other case: role names are unique regardless of case, so no other
        // role can be meant, yet whether IAM matches it so is not documented.
        let own_path = role.arn.rsplit_once(":role/").map(|(_, path)| path);
        if own_path.is_some_and(|own| own.eq_ignore_ascii_case(path)) {
            return (differs_in_case(), Tri::No);
        }
        return (Tri::No, Tri::No);
    }
    if let Some((name, session)) = session_arn_parts(&arn) {
        match role.name {
            Some(own) if own == name => {}
            Some(own) if own.eq_ignore_ascii_case(name) => return (differs_in_case(), Tri::No),
            _ => return (Tri::No, Tri::No),
        }
        let direct = match role.session {
            Some(known) => Tri::from_bool(known == session),
            None => Tri::maybe(UnknownReason::RoleSession { statement, entry }),
        };
        return (direct, Tri::No);
    }
    (Tri::No, Tri::No)
}

/// The account field of an ARN, when it is twelve digits and no placeholder comes before it:
/// the fifth colon-separated field, as [`Arn::parse`] splits it, found by one pass over the
/// bytes up to it.
fn literal_account_field(value: &str) -> Option<&[u8]> {
    let bytes = value.as_bytes();
    if !bytes.starts_with(b"arn:") {
        return None;
    }
    let (mut colons, mut start) = (1, 0);
    for (i, &b) in bytes.iter().enumerate().skip(4) {
        match b {
            // A placeholder may hold colons (`${AWS::AccountId}`): the fields are not plain.
            b'$' => return None,
            b':' => {
                colons += 1;
                if colons == 4 {
                    start = i + 1;
                } else if colons == 5 {
                    let account = &bytes[start..i];
                    return (account.len() == 12 && account.iter().all(u8::is_ascii_digit))
                        .then_some(account);
                }
            }
            _ => {}
        }
    }
    // Fewer than six fields: no ARN at all.
    None
}

/// An entry that holds a template placeholder: it may name the role (or its account) once the
/// stack is deployed, unless the parts that are known already rule it out.
fn placeholder_entry<'a>(
    statement: &'a Statement,
    entry: &'a PrincipalEntry,
    arn: &Arn<'_>,
    role: &RoleId<'_>,
) -> (Tri<'a>, Tri<'a>) {
    use xacct_model::symbol::contains_placeholder;
    let maybe = || {
        Tri::maybe(UnknownReason::DeployTimeValue {
            statement,
            value: &entry.value,
        })
    };
    let account_may_match =
        contains_placeholder(arn.account) || arn.account_id() == Some(role.account);
    if !account_may_match || arn.service != "iam" {
        return (Tri::No, Tri::No);
    }
    if arn.resource == "root" {
        return (Tri::No, maybe());
    }
    match role_arn_name(arn) {
        Some((name, _)) if contains_placeholder(name) || role.name == Some(name) => {
            (maybe(), Tri::No)
        }
        _ => (Tri::No, Tri::No),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_literal_account_field_is_the_one_an_arn_parse_finds() {
        for value in [
            "arn:aws:iam::111111111111:role/a",
            "arn:aws:iam::111111111111:root",
            "arn:aws-cn:sts::222222222222:assumed-role/a/b",
            "arn:aws:iam::111111111111:role/a:b:c",
            "arn:unknown:iam::111111111111:role/a",
            "arn:aws:iam::111111111111:role/${Name}",
        ] {
            let parsed = Arn::parse(value).ok().map(|a| a.account);
            let literal = literal_account_field(value).map(|a| std::str::from_utf8(a).unwrap());
            if parsed.is_some() {
                assert_eq!(literal, parsed, "{value}");
            } else {
                assert!(literal.is_some(), "{value}: no ARN, but an account field");
            }
        }
        // No shortcut where placeholders, a short account or missing fields leave it to the
        // parse.
        for value in [
            "arn:aws:iam::${Account}:role/a",
            "arn:aws:iam::${AWS::AccountId}:role/x",
            "arn:aws:iam::11111111111:role/a",
            "arn:aws:iam::111111111111",
            "arn:aws:iam:::role/a",
            "111111111111",
            "*",
            "ARN:aws:iam::111111111111:role/a",
        ] {
            assert_eq!(literal_account_field(value), None, "{value}");
        }
    }
}
