//! `Resource` and `NotResource` ARNs: a `*` that ends an ARN segment may run on past colons.
//!
//! The IAM user guide, "IAM JSON policy elements: Resource": "If the * wildcard is the last
//! character of a resource ARN segment, it can expand to match beyond the colon boundaries."
//! So `arn:aws:kms:*`, `arn:aws:*` and `arn:aws:iam::222222222222*` cover every ARN that
//! starts so, though they have fewer fields than the ARNs they cover. Any other wildcard of the
//! first five segments stays inside its segment; the resource segment (after the fifth colon)
//! is matched as a whole, its colons included. `ArnLike` does not expand ("ARN condition
//! operators": each of the six colon-delimited components is checked separately), so only
//! resource patterns come here.

use crate::pattern::{compile, Compiled, Tok, Vars};

/// One element of an ARN pattern, with whether its wildcard may take colons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Piece {
    Lit(char),
    /// Any run of characters; colons only when `colons`.
    Any {
        colons: bool,
    },
    /// One character; a colon only when `colons`.
    One {
        colons: bool,
    },
}

/// True when one of the first five fields of a pattern ends in `*`: only such a pattern can
/// match more with expansion than field by field.
pub(crate) fn may_expand(fields: &[&str]) -> bool {
    fields.iter().take(5).any(|field| field.ends_with('*'))
}

/// Whether the pattern whose colon-separated fields are `fields` matches `value` with
/// segment-final stars expanding past colons: `Some(false)` also when a policy variable in it
/// has no value (such a pattern matches no resource), `None` when a variable is unknown.
pub(crate) fn expanded_match(fields: &[&str], value: &str, vars: Vars<'_>) -> Option<bool> {
    // Most patterns asked here differ from the value before their first wildcard (another
    // service, another account): no automaton is needed to say so.
    if !literal_prefix_fits(fields, value)
        || !literal_suffix_fits(fields, value)
        || !literal_runs_fit(fields, value)
    {
        return Some(false);
    }
    let mut pieces = Vec::with_capacity(value.len() + fields.len());
    for (at, field) in fields.iter().enumerate() {
        if at > 0 {
            pieces.push(Piece::Lit(':'));
        }
        let tokens = match compile(field, true, vars) {
            Compiled::Tokens(tokens) => tokens,
            Compiled::Never => return Some(false),
            Compiled::Unknown => return None,
        };
        let resource = at >= 5;
        let last = tokens.len().checked_sub(1);
        for (i, token) in tokens.iter().enumerate() {
            pieces.push(match token {
                Tok::Lit(c) => Piece::Lit(*c),
                Tok::Star => Piece::Any {
                    colons: resource || Some(i) == last,
                },
                Tok::One => Piece::One { colons: resource },
            });
        }
    }
    Some(run(&pieces, value))
}

/// True unless the pattern's text before its first wildcard or variable (`*`, `?`, `$`) is
/// not how `value` starts: then no expansion can match.
fn literal_prefix_fits(fields: &[&str], value: &str) -> bool {
    let mut value = value.as_bytes();
    for (at, field) in fields.iter().enumerate() {
        if at > 0 {
            match value.split_first() {
                Some((b':', rest)) => value = rest,
                _ => return false,
            }
        }
        let literal = field
            .find(['*', '?', '$'])
            .map_or(*field, |stop| &field[..stop]);
        if !value.starts_with(literal.as_bytes()) {
            return false;
        }
        if literal.len() < field.len() {
            return true;
        }
        value = &value[literal.len()..];
    }
    true
}

/// True unless the pattern's text after its last wildcard (with no variable in it) is not how
/// `value` ends: then no expansion can match either.
fn literal_suffix_fits(fields: &[&str], value: &str) -> bool {
    let mut value = value.as_bytes();
    for (at, field) in fields.iter().enumerate().rev() {
        let literal = match field.rfind(['*', '?']) {
            Some(stop) => &field[stop + 1..],
            None => field,
        };
        if literal.contains('$') {
            return true;
        }
        if !value.ends_with(literal.as_bytes()) {
            return false;
        }
        if literal.len() < field.len() {
            return true;
        }
        value = &value[..value.len() - literal.len()];
        if at > 0 {
            match value.split_last() {
                Some((b':', rest)) => value = rest,
                _ => return false,
            }
        }
    }
    true
}

/// True unless a run of the pattern's literal text (between wildcards) cannot be found in
/// `value` after the runs before it: each must appear, in order, in any match. A pattern with a
/// variable is not judged here.
fn literal_runs_fit(fields: &[&str], value: &str) -> bool {
    let pattern = fields.join(":");
    if pattern.contains('$') {
        return true;
    }
    let mut rest = value;
    for run in pattern.split(['*', '?']).filter(|r| !r.is_empty()) {
        match rest.find(run) {
            Some(at) => rest = &rest[at + run.len()..],
            None => return false,
        }
    }
    true
}

/// Simulates the pattern as an automaton over `text`: wildcards that may not take a colon
/// rule out the greedy one-star backtracking of [`crate::pattern::glob`].
fn run(pieces: &[Piece], text: &str) -> bool {
    if pieces.len().saturating_mul(text.len()) > crate::automaton::SIMPLE_UP_TO {
        use crate::automaton::Item;
        let items: Vec<Item> = pieces
            .iter()
            .map(|piece| match *piece {
                Piece::Lit(c) => Item::Lit(c),
                Piece::One { colons } => Item::One { colons },
                Piece::Any { colons } => Item::Any { colons },
            })
            .collect();
        return crate::automaton::matches(&items, text.chars());
    }
    let mut states = vec![false; pieces.len() + 1];
    states[0] = true;
    skip_stars(&mut states, pieces);
    let mut next = vec![false; pieces.len() + 1];
    for c in text.chars() {
        next.fill(false);
        for (i, piece) in pieces.iter().enumerate() {
            if !states[i] {
                continue;
            }
            match *piece {
                Piece::Lit(l) if l == c => next[i + 1] = true,
                Piece::One { colons } if colons || c != ':' => next[i + 1] = true,
                Piece::Any { colons } if colons || c != ':' => next[i] = true,
                _ => {}
            }
        }
        skip_stars(&mut next, pieces);
        if !next.contains(&true) {
            return false;
        }
        std::mem::swap(&mut states, &mut next);
    }
    states[pieces.len()]
}

/// A state before `*` also stands after it (the star takes nothing).
fn skip_stars(states: &mut [bool], pieces: &[Piece]) {
    for (i, piece) in pieces.iter().enumerate() {
        if states[i] && matches!(piece, Piece::Any { .. }) {
            states[i + 1] = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expanded(pattern: &str, value: &str) -> bool {
        let fields = xacct_model::symbol::split_colons::<6>(pattern);
        expanded_match(&fields, value, None).unwrap()
    }

    #[test]
    fn segment_final_stars_cross_colons_and_others_do_not() {
        let key = "arn:aws:kms:us-east-2:111111111111:key/k";
        for (pattern, value, want) in [
            ("arn:aws:kms:*", key, true),
            ("arn:aws:*", key, true),
            ("arn:*", key, true),
            ("arn:aws:kms:us-east-2:111111111111*", key, true),
            ("arn:aws:kms:us-east-2:222222222222*", key, false),
            ("arn:aws:s3:*", key, false),
            // A star inside a segment stays there.
            ("arn:aws:k*s:*", key, true),
            ("arn:aws:k*:key/k", key, true),
            ("arn:aws:kms:us-*-2:key/k", key, false),
            // `?` never takes a colon outside the resource segment.
            ("arn:aws:kms:us-east-2?111111111111:key/k", key, false),
            // The resource segment takes colons as it always did.
            (
                "arn:aws:logs:us-east-2:111111111111:log-group:*",
                "arn:aws:logs:us-east-2:111111111111:log-group:x:log-stream:y",
                true,
            ),
            // The six-field match is one of the expansions.
            ("arn:aws:kms:*:*:key/*", key, true),
            ("arn:aws:kms:*:*:alias/*", key, false),
        ] {
            assert_eq!(expanded(pattern, value), want, "{pattern} against {value}");
        }
    }

    #[test]
    fn only_patterns_with_a_segment_final_star_may_expand() {
        let fields = |p: &'static str| xacct_model::symbol::split_colons::<6>(p);
        assert!(may_expand(&fields("arn:aws:kms:*")));
        assert!(may_expand(&fields("arn:aws:iam::1*:role/x")));
        assert!(!may_expand(&fields("arn:aws:s3:::bucket/*")));
        assert!(!may_expand(&fields("arn:aws:iam::111111111111:role/*")));
    }
}

#[cfg(test)]
mod prefix {
    use super::*;

    #[test]
    fn the_literal_prefix_rules_out_only_what_cannot_match() {
        let fits = |pattern: &str, value: &str| {
            literal_prefix_fits(&xacct_model::symbol::split_colons::<6>(pattern), value)
        };
        let key = "arn:aws:kms:us-east-2:111111111111:key/k";
        assert!(fits("arn:aws:kms:*", key));
        assert!(fits("arn:aws:*", key));
        assert!(fits("arn:aws:kms:us-east-2:111111111111*", key));
        assert!(!fits("arn:aws:s3:*", key));
        assert!(!fits("arn:aws:kms:us-east-2:222222222222*", key));
        assert!(fits("arn:aws:kms:us-*-2:key/k", key));
        assert!(fits("arn:aws:kms:${aws:x}:*", key));
        assert!(!fits("arn:aws:kms:us-east-2:111111111111:key/k:extra", key));
        let ends = |pattern: &str, value: &str| {
            literal_suffix_fits(&xacct_model::symbol::split_colons::<6>(pattern), value)
        };
        let role = "arn:aws:iam::222222222222:role/other";
        assert!(!ends("arn:aws:iam::*:role/deploy", role));
        assert!(ends("arn:aws:iam::*:role/other", role));
        assert!(ends("arn:aws:iam::*", role));
        assert!(ends("arn:aws:iam::*:role/${aws:username}", role));
        assert!(ends("arn:aws:iam::222222222222:role/other", role));
        assert!(!ends("x:arn:aws:iam::222222222222:role/other", role));
        let runs = |pattern: &str, value: &str| {
            literal_runs_fit(&xacct_model::symbol::split_colons::<6>(pattern), value)
        };
        let key = "arn:aws:kms:us-east-2:222222222222:key/k";
        assert!(!runs("arn:aws:kms:*:111111111111:key/*", key));
        assert!(runs("arn:aws:kms:*:222222222222:key/*", key));
        assert!(runs("arn:aws:kms:*:${aws:PrincipalAccount}:key/*", key));
    }
}
