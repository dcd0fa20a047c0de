//! Three-valued logic, with the reasons for `Maybe` and the evidence for `Yes` carried along.

use crate::{Evidence, UnknownReason};

/// Whether a part of a statement matches the request.
#[derive(Clone, Debug)]
pub(crate) enum Tri<'a> {
    Yes,
    No,
    Maybe(Vec<UnknownReason<'a>>),
}

impl<'a> Tri<'a> {
    pub(crate) fn maybe(reason: UnknownReason<'a>) -> Tri<'a> {
        Tri::Maybe(vec![reason])
    }

    pub(crate) fn from_bool(value: bool) -> Tri<'a> {
        if value {
            Tri::Yes
        } else {
            Tri::No
        }
    }

    pub(crate) fn is_no(&self) -> bool {
        matches!(self, Tri::No)
    }

    pub(crate) fn and(self, other: Tri<'a>) -> Tri<'a> {
        match (self, other) {
            (Tri::No, _) | (_, Tri::No) => Tri::No,
            (Tri::Yes, Tri::Yes) => Tri::Yes,
            (Tri::Maybe(a), Tri::Yes) | (Tri::Yes, Tri::Maybe(a)) => Tri::Maybe(a),
            (Tri::Maybe(a), Tri::Maybe(b)) => Tri::Maybe(merge(a, b)),
        }
    }

    pub(crate) fn or(self, other: Tri<'a>) -> Tri<'a> {
        match (self, other) {
            (Tri::Yes, _) | (_, Tri::Yes) => Tri::Yes,
            (Tri::No, Tri::No) => Tri::No,
            (Tri::Maybe(a), Tri::No) | (Tri::No, Tri::Maybe(a)) => Tri::Maybe(a),
            (Tri::Maybe(a), Tri::Maybe(b)) => Tri::Maybe(merge(a, b)),
        }
    }

    pub(crate) fn not(self) -> Tri<'a> {
        match self {
            Tri::Yes => Tri::No,
            Tri::No => Tri::Yes,
            maybe => maybe,
        }
    }

    /// `Yes` becomes `Yes` with this evidence.
    pub(crate) fn with_evidence(self, evidence: Evidence<'a>) -> Outcome<'a> {
        match self {
            Tri::Yes => Outcome::Yes(vec![evidence]),
            Tri::No => Outcome::No,
            Tri::Maybe(reasons) => Outcome::Maybe(reasons),
        }
    }
}

/// Whether a side (or a combination of sides) allows or denies, with the statements that did.
#[derive(Clone, Debug)]
pub(crate) enum Outcome<'a> {
    Yes(Vec<Evidence<'a>>),
    No,
    Maybe(Vec<UnknownReason<'a>>),
}

impl<'a> Outcome<'a> {
    pub(crate) fn is_no(&self) -> bool {
        matches!(self, Outcome::No)
    }

    pub(crate) fn and(self, other: Outcome<'a>) -> Outcome<'a> {
        match (self, other) {
            (Outcome::No, _) | (_, Outcome::No) => Outcome::No,
            (Outcome::Yes(a), Outcome::Yes(b)) => Outcome::Yes(merge_evidence(a, b)),
            (Outcome::Maybe(a), Outcome::Yes(_)) | (Outcome::Yes(_), Outcome::Maybe(a)) => {
                Outcome::Maybe(a)
            }
            (Outcome::Maybe(a), Outcome::Maybe(b)) => Outcome::Maybe(merge(a, b)),
        }
    }

    pub(crate) fn or(self, other: Outcome<'a>) -> Outcome<'a> {
        match (self, other) {
            (Outcome::Yes(a), Outcome::Yes(b)) => Outcome::Yes(merge_evidence(a, b)),
            (Outcome::Yes(a), _) | (_, Outcome::Yes(a)) => Outcome::Yes(a),
            (Outcome::No, Outcome::No) => Outcome::No,
            (Outcome::Maybe(a), Outcome::No) | (Outcome::No, Outcome::Maybe(a)) => {
                Outcome::Maybe(a)
            }
            (Outcome::Maybe(a), Outcome::Maybe(b)) => Outcome::Maybe(merge(a, b)),
        }
    }
}

/// `a` then the reasons of `b` it does not hold yet.
pub(crate) fn merge<'a>(
    mut a: Vec<UnknownReason<'a>>,
    b: Vec<UnknownReason<'a>>,
) -> Vec<UnknownReason<'a>> {
    for reason in b {
        if !a.contains(&reason) {
            a.push(reason);
        }
    }
    a
}

/// `a` then the evidence of `b` about other statements. A statement that allows both by name
/// and through the account root is kept once, as naming the principal: the stronger grant.
pub(crate) fn merge_evidence<'a>(
    mut a: Vec<Evidence<'a>>,
    b: Vec<Evidence<'a>>,
) -> Vec<Evidence<'a>> {
    for evidence in b {
        match a.iter_mut().find(|e| e.same_statement(&evidence)) {
            Some(existing) => {
                existing.via_account_root &= evidence.via_account_root;
            }
            None => a.push(evidence),
        }
    }
    a
}
