//! Patterns: `*` and `?` wildcards, policy variables (`${aws:username}`), and ARNs matched
//! field by field.

use crate::automaton::{self, Item};

/// One element of a compiled pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    /// This character.
    Lit(char),
    /// Any run of characters, possibly empty.
    Star,
    /// Exactly one character.
    One,
}

/// The value of a policy variable's key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum VarValue {
    /// The key has this single value.
    One(String),
    /// The key is known to be absent.
    Absent,
    /// Not known, or multi-valued (IAM does not substitute lists).
    Unknown,
}

/// How policy variables resolve: `None` when the document's version predates them
/// (`2008-10-17` or no `Version`), which makes `${…}` plain text.
pub(crate) type Vars<'v> = Option<&'v dyn Fn(&str) -> VarValue>;

/// A pattern after substituting policy variables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Compiled {
    /// Ready to match.
    Tokens(Vec<Tok>),
    /// A variable's key is absent and has no default: the pattern matches nothing (the IAM
    /// user guide, "Policy variables": a variable without a value makes the element not match).
    Never,
    /// A variable's key is unknown.
    Unknown,
}

/// Compiles `pattern`. With `wildcards`, `*` and `?` are wildcards (`…Like`, actions,
/// resources); without, they are literal (`…Equals`).
pub(crate) fn compile(pattern: &str, wildcards: bool, vars: Vars<'_>) -> Compiled {
    let mut tokens = Vec::with_capacity(pattern.len());
    let mut unknown = false;
    let mut rest = pattern;
    while let Some(c) = rest.chars().next() {
        if let (Some(resolve), true) = (vars, rest.starts_with("${")) {
            if let Some(close) = rest.find('}') {
                let inner = &rest[2..close];
                rest = &rest[close + 1..];
                match variable(inner, resolve) {
                    Some(text) => tokens.extend(text.chars().map(Tok::Lit)),
                    None if is_absent(inner, resolve) => return Compiled::Never,
                    None => unknown = true,
                }
                continue;
            }
        }
        tokens.push(match c {
            '*' if wildcards => Tok::Star,
            '?' if wildcards => Tok::One,
            other => Tok::Lit(other),
        });
        rest = &rest[c.len_utf8()..];
    }
    if unknown {
        Compiled::Unknown
    } else {
        Compiled::Tokens(tokens)
    }
}

/// True when `pattern` holds a policy variable whose key is known to have no value and that
/// gives no default (with `vars`; without, `${…}` is text).
pub(crate) fn variable_without_value(pattern: &str, vars: Vars<'_>) -> bool {
    vars.is_some() && pattern.contains("${") && compile(pattern, false, vars) == Compiled::Never
}

/// The text `${inner}` stands for: the special characters `${*}`, `${?}`, `${$}`, a key's
/// value, or the default of `${key, 'default'}` when the key is absent.
fn variable(inner: &str, resolve: &dyn Fn(&str) -> VarValue) -> Option<String> {
    let (key, default) = split_default(inner);
    match key {
        "*" | "?" | "$" => return Some(key.to_string()),
        _ => {}
    }
    match resolve(key) {
        VarValue::One(value) => Some(value),
        VarValue::Absent => default.map(str::to_string),
        VarValue::Unknown => None,
    }
}

fn is_absent(inner: &str, resolve: &dyn Fn(&str) -> VarValue) -> bool {
    let (key, default) = split_default(inner);
    default.is_none() && resolve(key) == VarValue::Absent
}

/// `aws:username, 'guest'` → (`aws:username`, `Some("guest")`).
fn split_default(inner: &str) -> (&str, Option<&str>) {
    match inner.split_once(',') {
        Some((key, default)) => {
            let default = default.trim();
            let unquoted = default
                .strip_prefix('\'')
                .and_then(|d| d.strip_suffix('\''))
                .unwrap_or(default);
            (key.trim(), Some(unquoted))
        }
        None => (inner.trim(), None),
    }
}

/// Lower-cases the literal characters of a pattern (for case-insensitive matching).
pub(crate) fn lowercase(tokens: &[Tok]) -> Vec<Tok> {
    let mut out = Vec::with_capacity(tokens.len());
    for token in tokens {
        match token {
            Tok::Lit(c) => out.extend(c.to_lowercase().map(Tok::Lit)),
            other => out.push(*other),
        }
    }
    out
}

/// True when `tokens` match the whole of `text`.
pub(crate) fn glob(tokens: &[Tok], text: &str) -> bool {
    if tokens.len().saturating_mul(text.len()) > automaton::SIMPLE_UP_TO {
        let items: Vec<Item> = tokens
            .iter()
            .map(|token| match *token {
                Tok::Lit(c) => Item::Lit(c),
                Tok::Star => Item::Any { colons: true },
                Tok::One => Item::One { colons: true },
            })
            .collect();
        return automaton::matches(&items, text.chars());
    }
    let text: Vec<char> = text.chars().collect();
    glob_with(tokens, &text, |&token| token, |a, b| a == b)
}

/// [`glob`] for ASCII text and a pattern whose only specials are `*` and `?`, on bytes.
fn glob_ascii(pattern: &[u8], text: &[u8], ignore_case: bool) -> bool {
    if pattern.len().saturating_mul(text.len()) > automaton::SIMPLE_UP_TO {
        let fold = |b: u8| {
            char::from(if ignore_case {
                b.to_ascii_lowercase()
            } else {
                b
            })
        };
        let items: Vec<Item> = pattern
            .iter()
            .map(|&b| match b {
                b'*' => Item::Any { colons: true },
                b'?' => Item::One { colons: true },
                other => Item::Lit(fold(other)),
            })
            .collect();
        return automaton::matches(&items, text.iter().map(|&b| fold(b)));
    }
    let piece = |&byte: &u8| match byte {
        b'*' => Tok::Star,
        b'?' => Tok::One,
        other => Tok::Lit(char::from(other)),
    };
    glob_with(pattern, text, piece, |c: char, b: u8| {
        if ignore_case {
            (c as u8).eq_ignore_ascii_case(&b)
        } else {
            c as u8 == b
        }
    })
}

/// The classic linear scan with backtracking to the last `*`: a later `*` can always absorb
/// what an earlier one would have, so only the last one needs retrying, which keeps this
/// O(pattern × text) with no recursion (larger inputs go to [`automaton`]). `piece` reads a pattern item, `same` compares a
/// literal with a text item.
fn glob_with<P, T: Copy>(
    pattern: &[P],
    text: &[T],
    piece: impl Fn(&P) -> Tok,
    same: impl Fn(char, T) -> bool,
) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut last_star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p).map(&piece) {
            // A last `*` takes whatever text is left (`bucket/*`, `stack/team-*`): no need to
            // walk it.
            Some(Tok::Star) if p + 1 == pattern.len() => return true,
            Some(Tok::Star) => {
                last_star = Some((p, t));
                p += 1;
                continue;
            }
            Some(Tok::One) => {
                p += 1;
                t += 1;
                continue;
            }
            Some(Tok::Lit(c)) if same(c, text[t]) => {
                p += 1;
                t += 1;
                continue;
            }
            _ => {}
        }
        match last_star {
            Some((star_p, star_t)) => {
                p = star_p + 1;
                t = star_t + 1;
                last_star = Some((star_p, star_t + 1));
            }
            None => return false,
        }
    }
    pattern[p.min(pattern.len())..]
        .iter()
        .all(|item| piece(item) == Tok::Star)
}

/// `Some(true)`/`Some(false)` when `pattern` (with wildcards and variables) does or does not
/// match `text`, `None` when a variable is unknown.
pub(crate) fn matches(
    pattern: &str,
    text: &str,
    ignore_case: bool,
    vars: Vars<'_>,
) -> Option<bool> {
    matches_with(pattern, text, ignore_case, true, vars)
}

/// Like [`matches`], choosing whether `*` and `?` are wildcards.
pub(crate) fn matches_with(
    pattern: &str,
    text: &str,
    ignore_case: bool,
    wildcards: bool,
    vars: Vars<'_>,
) -> Option<bool> {
    // Most patterns are plain ASCII without variables (`s3:GetObject*`, a role ARN): match
    // them on bytes, without tokenizing or allocating. This is the innermost loop of every
    // policy evaluation.
    if !pattern.contains('$') && pattern.is_ascii() && text.is_ascii() {
        let (p, t) = (pattern.as_bytes(), text.as_bytes());
        if !(wildcards && pattern.contains(['*', '?'])) {
            return Some(if ignore_case {
                p.eq_ignore_ascii_case(t)
            } else {
                p == t
            });
        }
        return Some(glob_ascii(p, t, ignore_case));
    }
    match compile(pattern, wildcards, vars) {
        Compiled::Tokens(tokens) if ignore_case => {
            Some(glob(&lowercase(&tokens), &text.to_lowercase()))
        }
        Compiled::Tokens(tokens) => Some(glob(&tokens, text)),
        Compiled::Never => Some(false),
        Compiled::Unknown => None,
    }
}

/// Splits an ARN pattern into at most six fields at colons outside `${…}` (a variable such as
/// `${aws:username}` and a template placeholder such as `${AWS::AccountId}` hold colons of
/// their own): the same split as for values.
fn split_arn_pattern(pattern: &str) -> xacct_model::symbol::Fields<'_, 6> {
    xacct_model::symbol::split_colons(pattern)
}

/// `text` with its template placeholders replaced: one that `shared` holds too (the same
/// deploy-time value on both sides) by a token of its own name, any other by `with`.
fn replace_placeholders(text: &str, with: &str, shared: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let placeholder = &rest[start..start + len + 1];
        out.push_str(&rest[..start]);
        if !xacct_model::symbol::is_placeholder(placeholder) {
            // An IAM policy variable (`${aws:username}`): the matcher resolves it.
            out.push_str(placeholder);
        } else if shared.contains(placeholder) {
            out.push('\u{2}');
            out.push_str(&placeholder[2..placeholder.len() - 1]);
            out.push('\u{2}');
        } else {
            out.push_str(with);
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

/// ARN matching as `ArnLike` does it: `*` alone matches anything; otherwise the six
/// colon-separated fields are matched one by one, so a wildcard never crosses from one field
/// into the next (the last field, the resource, may itself hold colons and slashes).
/// Case-sensitive (the IAM user guide, "ARN condition operators": "Each of the six
/// colon-delimited components of the ARN is checked separately"). A pattern without any colon
/// is matched against the whole value; a pattern and a value with different numbers of fields
/// do not match. `Resource` patterns match so too, and more: see [`arn_matches_pattern`].
pub(crate) fn arn_matches(pattern: &str, value: &str, vars: Vars<'_>) -> Option<bool> {
    arn_matches_fields(pattern, &Value::new(value), vars)
}

/// A value to match ARN patterns against, split once for all the patterns of a statement.
pub(crate) struct Value<'v> {
    whole: &'v str,
    fields: xacct_model::symbol::Fields<'v, 6>,
    /// True when it holds a template placeholder (`${…}`).
    placeholder: bool,
}

impl<'v> Value<'v> {
    pub(crate) fn new(value: &'v str) -> Value<'v> {
        Value {
            whole: value,
            fields: xacct_model::symbol::split_colons::<6>(value),
            placeholder: xacct_model::symbol::find_opening(value, b'$').is_some(),
        }
    }
}

/// [`arn_matches`] with the value split already.
pub(crate) fn arn_matches_fields(pattern: &str, split: &Value<'_>, vars: Vars<'_>) -> Option<bool> {
    if let Some(settled) = arn_matches_whole(pattern, split) {
        return Some(settled);
    }
    arn_matches_by_field(pattern, &split_arn_pattern(pattern), split, vars)
}

/// A `Resource`/`NotResource` pattern of a document, split once in `patterns`, against the
/// requested resource: [`arn_matches_fields`], and where that finds no match, the match a
/// segment-final `*` finds by running on past colons (see [`crate::expand`]).
pub(crate) fn arn_matches_pattern<'a>(
    pattern: &'a str,
    patterns: &mut crate::evaluate::PatternFields<'a>,
    split: &Value<'_>,
    vars: Vars<'_>,
) -> Option<bool> {
    if let Some(settled) = arn_matches_whole(pattern, split) {
        return Some(settled);
    }
    let fields = patterns.of(pattern);
    let by_field = arn_matches_by_field(pattern, fields, split, vars);
    if by_field != Some(false) || !crate::expand::may_expand(fields) {
        return by_field;
    }
    if !split.placeholder {
        // Most patterns that may expand (`arn:aws:iam::*:role/*`) name another service or
        // account than the resource: their literal start settles it without building anything.
        let literal = &pattern[..pattern.find(['*', '?', '$']).unwrap_or(pattern.len())];
        if !split.whole.starts_with(literal) {
            return Some(false);
        }
        return crate::expand::expanded_match(fields, split.whole, vars);
    }
    // A placeholder in the resource stands for any value: the pattern covers it when it does
    // whatever stands there, and is ruled out when it covers none of the stand-ins.
    let answers = ["", "\u{1}x\u{1}"].map(|stand_in| {
        let value = replace_placeholders(split.whole, stand_in, pattern);
        let own = replace_placeholders(pattern, "\u{3}", split.whole);
        crate::expand::expanded_match(&split_arn_pattern(&own), &value, vars)
    });
    match answers {
        [Some(true), Some(true)] => Some(true),
        [Some(false), Some(false)] => Some(false),
        _ => None,
    }
}

/// The answer when the whole pattern settles it: `*`, or a literal pattern against a value
/// without placeholders.
fn arn_matches_whole(pattern: &str, split: &Value<'_>) -> Option<bool> {
    let value = split.whole;
    if pattern == "*" {
        return Some(true);
    }
    // A pattern without wildcards or variables against a value without placeholders: field by
    // field equality is equality of the whole.
    if !split.placeholder && !pattern.bytes().any(|b| matches!(b, b'*' | b'?' | b'$')) {
        return Some(pattern == value);
    }
    None
}

/// ARN matching field by field, with no shortcut; `pattern_fields` are the pattern's.
fn arn_matches_by_field(
    pattern: &str,
    pattern_fields: &xacct_model::symbol::Fields<'_, 6>,
    split: &Value<'_>,
    vars: Vars<'_>,
) -> Option<bool> {
    let value = split.whole;
    let value_fields = &split.fields;
    if pattern_fields.len() == 1 {
        return matches(pattern, value, false, vars);
    }
    if pattern_fields.len() != value_fields.len() {
        return Some(false);
    }
    let mut unknown = false;
    for (p, v) in pattern_fields.iter().zip(value_fields.iter()) {
        // A template placeholder in the value (`${AWS::Region}`, `${KMSKey}`) equals only the
        // same placeholder; any other pattern but `*` may or may not match it once deployed.
        if p == v {
            continue;
        }
        if split.placeholder && xacct_model::symbol::contains_placeholder(v) {
            // The pattern covers the placeholder if it matches whatever stands there: try an
            // empty value and an unusual one (`key/*` covers `key/${KMSKey}`).
            // A placeholder the pattern holds as well (`${Bucket}/*` against `${Bucket}/key`)
            // is the same value on both sides.
            let covered = ["", "\u{1}x\u{1}"].iter().all(|stand_in| {
                let value = replace_placeholders(v, stand_in, p);
                let pattern = replace_placeholders(p, "\u{3}", v);
                matches(&pattern, &value, false, vars) == Some(true)
            });
            if !covered {
                unknown = true;
            }
            continue;
        }
        match matches(p, v, false, vars) {
            Some(false) => return Some(false),
            Some(true) => {}
            None => unknown = true,
        }
    }
    (!unknown).then_some(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(pattern: &str, text: &str) -> bool {
        matches(pattern, text, false, None).unwrap()
    }

    #[test]
    fn a_last_star_takes_whatever_is_left() {
        for (pattern, text, expected) in [
            ("a*", "a", true),
            ("a*", "abc/d:e", true),
            ("*", "", true),
            ("*", "x", true),
            ("a*", "b", false),
            ("a?*", "a", false),
            ("a?*", "ab", true),
            ("*b*", "xxbyy", true),
            ("*b*", "xxyy", false),
            ("a**", "a", true),
        ] {
            assert_eq!(g(pattern, text), expected, "{pattern} {text}");
        }
    }

    #[test]
    fn the_ascii_fast_path_agrees_with_the_tokenizing_one() {
        let patterns = [
            "s3:Get*",
            "*",
            "",
            "a*b*c",
            "s3:?etObject",
            "S3:GETOBJECT",
            "arn:aws:s3:::b/*",
            "**",
            "*a",
            "a?",
        ];
        let texts = [
            "s3:GetObject",
            "",
            "aXbYbZc",
            "s3:etObject",
            "s3:getobject",
            "arn:aws:s3:::b/k",
            "a",
            "ab",
            "ba",
        ];
        for p in patterns {
            for t in texts {
                for ignore_case in [false, true] {
                    let slow = match compile(p, true, None) {
                        Compiled::Tokens(tokens) if ignore_case => {
                            glob(&lowercase(&tokens), &t.to_lowercase())
                        }
                        Compiled::Tokens(tokens) => glob(&tokens, t),
                        _ => unreachable!(),
                    };
                    assert_eq!(
                        matches(p, t, ignore_case, None),
                        Some(slow),
                        "{p} {t} {ignore_case}"
                    );
                }
            }
        }
    }

    #[test]
    fn wildcards() {
        assert!(g("s3:Get*", "s3:GetObject"));
        assert!(g("s3:*Object", "s3:PutObject"));
        assert!(!g("s3:*Object", "s3:PutObjectAcl"));
        assert!(g("s3:?etObject", "s3:GetObject"));
        assert!(!g("s3:?etObject", "s3:etObject"));
        assert!(g("*", ""));
        assert!(g("a*b*c", "aXbYbZc"));
        assert!(!g("a*b*c", "aXbYbZ"));
        assert!(g("ü?", "üß"));
        assert!(!g("", "x"));
        assert!(g("", ""));
    }

    #[test]
    fn case_insensitive_matching_lowercases_both_sides() {
        assert_eq!(
            matches("S3:GETOBJECT", "s3:GetObject", true, None),
            Some(true)
        );
        assert_eq!(
            matches("S3:GETOBJECT", "s3:GetObject", false, None),
            Some(false)
        );
    }

    #[test]
    fn variables_substitute_escape_default_and_stay_unknown() {
        let resolve = |key: &str| match key {
            "aws:username" => VarValue::One("alice*".to_string()),
            "aws:absent" => VarValue::Absent,
            _ => VarValue::Unknown,
        };
        let vars: Vars<'_> = Some(&resolve);
        // A substituted value is literal text: its `*` is no wildcard.
        assert_eq!(
            matches("home/${aws:username}", "home/alice*", false, vars),
            Some(true)
        );
        assert_eq!(
            matches("home/${aws:username}", "home/alicex", false, vars),
            Some(false)
        );
        assert_eq!(matches("a${*}", "a*", false, vars), Some(true));
        assert_eq!(matches("a${*}", "ab", false, vars), Some(false));
        assert_eq!(matches("${aws:absent, 'x'}", "x", false, vars), Some(true));
        assert_eq!(matches("${aws:absent}", "", false, vars), Some(false));
        assert_eq!(matches("${aws:other}", "x", false, vars), None);
        // Without variables (version 2008-10-17), `${…}` is text and `*` still a wildcard.
        assert_eq!(
            matches("${aws:username}*", "${aws:username}x", false, None),
            Some(true)
        );
        // An unclosed `${` is text.
        assert_eq!(matches("${aws:user", "${aws:user", false, vars), Some(true));
    }

    #[test]
    fn template_placeholders_in_values_match_only_themselves_or_stars() {
        let key = "arn:aws:kms:${AWS::Region}:${AWS::AccountId}:key/${KMSKey}";
        assert_eq!(arn_matches(key, key, None), Some(true));
        assert_eq!(arn_matches("arn:aws:kms:*:*:key/*", key, None), Some(true));
        assert_eq!(arn_matches("*", key, None), Some(true));
        // A concrete key may be the one deployed, or not.
        assert_eq!(
            arn_matches("arn:aws:kms:us-east-2:111111111111:key/*", key, None),
            None
        );
        // The same placeholder on both sides is the same value.
        assert_eq!(
            arn_matches(
                "arn:aws:s3:::${Bucket}/*",
                "arn:aws:s3:::${Bucket}/app/x",
                None
            ),
            Some(true)
        );
        assert_eq!(
            arn_matches(
                "arn:aws:s3:::${Other}/*",
                "arn:aws:s3:::${Bucket}/app/x",
                None
            ),
            None
        );
        // A field known to differ settles it.
        assert_eq!(arn_matches("arn:aws:s3:::bucket/*", key, None), Some(false));
    }

    #[test]
    fn arns_match_field_by_field() {
        let arn = |p: &str, v: &str| arn_matches(p, v, None).unwrap();
        assert!(arn("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/key"));
        assert!(arn("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b:c"));
        assert!(!arn("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket"));
        assert!(!arn("arn:aws:s3:::bucket", "arn:aws:s3:::bucket/key"));
        assert!(arn(
            "arn:aws:iam::*:role/*",
            "arn:aws:iam::111111111111:role/x"
        ));
        // For `ArnLike`, a wildcard does not run on from the account field into the resource
        // field (`Resource` patterns may: see `expand.rs`).
        assert!(!arn("arn:aws:iam::*", "arn:aws:iam::111111111111:role/x"));
        assert!(arn("*role*", "arn:aws:iam::111111111111:role/x"));
        assert!(!arn(
            "arn:aws:iam::1*:role/x",
            "arn:aws:iam::222222222222:role/x"
        ));
        assert!(!arn("arn:aws:*:role/x", "arn:aws:iam::111111111111:role/x"));
        assert!(arn("*", "anything at all"));
        assert!(!arn("arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/k"));
    }

    /// The obvious exponential-in-the-worst-case definition, to check the linear scan against.
    fn reference(pattern: &[char], text: &[char]) -> bool {
        match pattern.split_first() {
            None => text.is_empty(),
            Some(('*', rest)) => (0..=text.len()).any(|skip| reference(rest, &text[skip..])),
            Some(('?', rest)) => !text.is_empty() && reference(rest, &text[1..]),
            Some((c, rest)) => text.first() == Some(c) && reference(rest, &text[1..]),
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, ..Default::default() })]

        #[test]
        fn glob_agrees_with_the_reference(pattern in "[ab*?]{0,8}", text in "[ab]{0,10}") {
            let p: Vec<char> = pattern.chars().collect();
            let t: Vec<char> = text.chars().collect();
            proptest::prop_assert_eq!(g(&pattern, &text), reference(&p, &t));
        }

        #[test]
        fn matching_never_panics(pattern in "\\PC{0,24}", text in "\\PC{0,24}") {
            let resolve = |_: &str| VarValue::Unknown;
            let _ = matches(&pattern, &text, true, Some(&resolve));
            let _ = arn_matches(&pattern, &text, Some(&resolve));
            let _ = arn_matches(&pattern, &text, None);
        }
    }

    #[test]
    fn the_literal_arn_shortcut_agrees_with_field_by_field_matching() {
        let texts = [
            "arn:aws:s3:::bucket/key",
            "arn:aws:s3:::bucket/key:x",
            "arn:aws:s3:::bucket",
            "arn:aws:iam::111111111111:role/a",
            "arn:aws:iam::111111111111:role/A",
            "arn:aws:iam:::111111111111:role/a",
            "arn:aws:kms:us-east-2:111111111111:key/k",
            "arn:aws",
            "bucket",
            "",
            ":",
            "arn:aws:s3:::b/${aws:username}",
            "arn:aws:s3:::b/${Bucket}",
        ];
        for pattern in texts {
            for value in texts {
                let split = Value::new(value);
                assert_eq!(
                    arn_matches_fields(pattern, &split, None),
                    arn_matches_by_field(pattern, &split_arn_pattern(pattern), &split, None),
                    "{pattern} against {value}"
                );
            }
        }
    }

    #[test]
    fn arn_patterns_split_outside_variables() {
        assert_eq!(
            *split_arn_pattern("arn:aws:s3:::b/${aws:username}/*"),
            ["arn", "aws", "s3", "", "", "b/${aws:username}/*"]
        );
        assert_eq!(
            *split_arn_pattern("arn:aws:iam::${aws:PrincipalAccount}:role/x"),
            ["arn", "aws", "iam", "", "${aws:PrincipalAccount}", "role/x"]
        );
    }
}
