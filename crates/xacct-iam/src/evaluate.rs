//! Statement matching and the combination of identity and resource policies.

use std::collections::HashMap;

use xacct_model::arn::Arn;
use xacct_model::policy::{PolicyDocument, Statement, ValueBlock};

use crate::condition::condition_match;
use crate::context::{is_kms_request, lookup, KeyState};
use crate::pattern::{arn_matches_pattern, matches, variable_without_value, Value, VarValue, Vars};
use crate::principal::{principal_match, RoleShapes, Who};
use crate::tri::{merge, Outcome, Tri};
use crate::{
    Decision, Evidence, Known, OrgPolicy, Policies, Request, ResourceKind, Side, Undocumented,
    UnknownReason,
};

/// Decides `request` under `policies`; see the crate documentation for the rules.
///
/// Never panics, whatever the strings in the request or the policies.
pub fn evaluate<'a>(request: &Request<'_>, policies: &Policies<'a>) -> Decision<'a> {
    evaluate_with(request, policies, &mut EvaluationMemo::default())
}

/// Which statements of a document match an action (`Action`/`NotAction` alone), remembered
/// across evaluations.
///
/// A caller that asks many questions of the same documents (the trust graph asks tens of
/// thousands of a few thousand documents, with about twenty distinct actions) matches each
/// statement's actions once per action instead of once per question. Documents whose
/// statements name the same actions (policies written from one template: the console's
/// service-role policy, a team's cross-account role in every account) share their matches:
/// 1,000 generated pipelines have 3,000 documents but 55 such shapes. The documents must
/// outlive the memo, which the lifetime ensures: it remembers them by address.
#[derive(Default)]
struct ActionMatches<'a> {
    /// Each action as asked (a few dozen at most), with document address → slot of `slots`.
    known: Vec<(String, AddressMap<usize, usize>)>,
    /// The action asked last, by address and length, and its place in `known`: an
    /// evaluation asks the same action of each of its documents, and checking that one entry
    /// is cheaper than comparing the text with every known action.
    last: Option<(*const u8, usize, usize)>,
    /// Each shape's documents-to-compare, by a hash of their actions: a hash may collide, so
    /// a shape is the first document seen with those actions, compared in full.
    shapes: AddressMap<u64, Vec<(&'a PolicyDocument, usize)>>,
    /// The shape of each document seen, by address.
    shape_of: AddressMap<usize, usize>,
    shape_count: usize,
    /// The slot of each shape and action (by its place in `known`).
    by_shape: AddressMap<(usize, usize), usize>,
    /// Whether each statement matches, per shape and action.
    slots: Vec<StatementMatches>,
    hasher: foldhash::fast::RandomState,
}

/// Whether each statement of a document matches.
type StatementMatches = Box<[bool]>;

/// The memo's maps, keyed by addresses.
type AddressMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// What evaluations of the same documents share, remembered across them: which statements
/// match each action, each ARN pattern taken apart into its fields, and each requesting
/// role's ARN taken apart.
///
/// The trust graph asks tens of thousands of questions of a few thousand documents. The
/// documents must outlive the memo, which the lifetime ensures: it remembers them by address.
#[derive(Default)]
pub struct EvaluationMemo<'a> {
    actions: ActionMatches<'a>,
    patterns: PatternFields<'a>,
    roles: RoleShapes,
}

/// Resource patterns split into their ARN fields, by address: a pattern is matched against
/// many resources, and splitting it is most of the work.
#[derive(Default)]
pub(crate) struct PatternFields<'a> {
    known: AddressMap<(usize, usize), xacct_model::symbol::Fields<'a, 6>>,
}

impl<'a> PatternFields<'a> {
    /// The fields of `pattern`, a value of a document the memo outlives.
    pub(crate) fn of(&mut self, pattern: &'a str) -> &xacct_model::symbol::Fields<'a, 6> {
        self.known
            .entry((pattern.as_ptr() as usize, pattern.len()))
            .or_insert_with(|| xacct_model::symbol::split_colons(pattern))
    }
}

impl<'a> ActionMatches<'a> {
    /// Whether each statement of `document` can match `action`. An action asked in another
    /// case is remembered apart, and matched the same way.
    fn of(&mut self, document: &'a PolicyDocument, action: &str) -> &[bool] {
        let at = match self.last {
            // The address alone could be a freed action's, reused: the text must agree too.
            Some((ptr, len, at))
                if ptr == action.as_ptr() && len == action.len() && self.known[at].0 == action =>
            {
                at
            }
            _ => {
                let at = match self.known.iter().position(|(known, _)| known == action) {
                    Some(at) => at,
                    None => {
                        self.known.push((action.to_string(), AddressMap::default()));
                        self.known.len() - 1
                    }
                };
                self.last = Some((action.as_ptr(), action.len(), at));
                at
            }
        };
        let address = document as *const PolicyDocument as usize;
        let slot = match self.known[at].1.get(&address) {
            Some(&slot) => slot,
            None => {
                let shape = self.shape(document);
                let slot = match self.by_shape.get(&(shape, at)) {
                    Some(&slot) => slot,
                    None => {
                        self.slots.push(
                            document
                                .statements
                                .iter()
                                .map(|statement| action_matches(statement, action))
                                .collect(),
                        );
                        self.by_shape.insert((shape, at), self.slots.len() - 1);
                        self.slots.len() - 1
                    }
                };
                self.known[at].1.insert(address, slot);
                slot
            }
        };
        &self.slots[slot]
    }

    /// The shape of a document: the same for documents whose statements name the same actions
    /// in the same order.
    fn shape(&mut self, document: &'a PolicyDocument) -> usize {
        let address = document as *const PolicyDocument as usize;
        if let Some(&shape) = self.shape_of.get(&address) {
            return shape;
        }
        let hash = {
            use std::hash::{BuildHasher, Hash, Hasher};
            let mut hasher = self.hasher.build_hasher();
            document.statements.len().hash(&mut hasher);
            for statement in &document.statements {
                match &statement.action {
                    None => 0u8.hash(&mut hasher),
                    Some(block) => {
                        (1 + u8::from(block.negated)).hash(&mut hasher);
                        block.values.len().hash(&mut hasher);
                        for value in &block.values {
                            value.value.hash(&mut hasher);
                        }
                    }
                }
            }
            hasher.finish()
        };
        let candidates = self.shapes.entry(hash).or_default();
        let shape = match candidates
            .iter()
            .find(|(known, _)| same_actions(known, document))
        {
            Some(&(_, shape)) => shape,
            None => {
                let shape = self.shape_count;
                self.shape_count += 1;
                candidates.push((document, shape));
                shape
            }
        };
        self.shape_of.insert(address, shape);
        shape
    }
}

/// True when two documents' statements name the same actions, in the same order.
fn same_actions(a: &PolicyDocument, b: &PolicyDocument) -> bool {
    a.statements.len() == b.statements.len()
        && a.statements
            .iter()
            .zip(&b.statements)
            .all(|(x, y)| match (&x.action, &y.action) {
                (None, None) => true,
                (Some(x), Some(y)) => {
                    x.negated == y.negated
                        && x.values.len() == y.values.len()
                        && x.values
                            .iter()
                            .zip(&y.values)
                            .all(|(v, w)| v.value == w.value)
                }
                _ => false,
            })
}

/// True when the statement's `Action` (or `NotAction`) covers `action`. IAM requires one of
/// them; a statement with neither grants nothing.
fn action_matches(statement: &Statement, action: &str) -> bool {
    let Some(block) = &statement.action else {
        return false;
    };
    let service = action.split_once(':').map(|(service, _)| service);
    let any = block.values.iter().any(|pattern| {
        !other_service(&pattern.value, service)
            && matches(&pattern.value, action, true, None) == Some(true)
    });
    any != block.negated
}

/// True when `pattern` certainly names an action of another service than `service` (the
/// part of the action before its first colon): its own service part is plain ASCII without
/// wildcards, and differs. Most patterns of a policy fail so, and this is cheaper than
/// matching them.
fn other_service(pattern: &str, service: Option<&str>) -> bool {
    let (Some(service), Some((own, _))) = (service, pattern.split_once(':')) else {
        return false;
    };
    own.is_ascii()
        && service.is_ascii()
        && !own.contains(['*', '?', '$'])
        && !own.eq_ignore_ascii_case(service)
}

/// [`evaluate`], remembering which statements match which action in `memo`.
pub fn evaluate_with<'a>(
    request: &Request<'_>,
    policies: &Policies<'a>,
    memo: &mut EvaluationMemo<'a>,
) -> Decision<'a> {
    let who = Who::new(&request.principal, &mut memo.roles);
    let resource = Value::new(request.resource);
    decide(request, &who, &resource, policies, memo, &mut Rests::Off)
}

/// [`evaluate_with`] for several actions by the same principal on the same resource in the
/// same context (the calls a CloudFormation or CodeDeploy action makes on its stack or
/// deployment group): the principal is taken apart, the resource split, and each statement's
/// resource and conditions matched once for all of them. One decision per action, in order,
/// each the one [`evaluate_with`] gives for the request with that action.
pub fn evaluate_actions_with<'a>(
    request: &Request<'_>,
    actions: &[&str],
    policies: &Policies<'a>,
    memo: &mut EvaluationMemo<'a>,
) -> Vec<Decision<'a>> {
    let who = Who::new(&request.principal, &mut memo.roles);
    let resource = Value::new(request.resource);
    let mut rests = Rests::On(Vec::new());
    actions
        .iter()
        .map(|&action| {
            let request = Request { action, ..*request };
            decide(&request, &who, &resource, policies, memo, &mut rests)
        })
        .collect()
}

/// What [`Matcher::rest`] answered for the statements of one request, when several requests
/// differ only in their action: by statement address, side, and whether the action is a KMS
/// one (`kms:CallerAccount` is known only in requests to KMS; nothing else a statement's
/// resource or conditions read depends on the action).
enum Rests<'a> {
    Off,
    On(Vec<((usize, Side, bool), Tri<'a>)>),
}

impl<'a> Rests<'a> {
    fn get(
        &mut self,
        matcher: &Matcher<'_, '_>,
        statement: &'a Statement,
        side: Side,
        vars: Vars<'_>,
        patterns: &mut PatternFields<'a>,
    ) -> Tri<'a> {
        let Rests::On(known) = self else {
            return matcher.rest(statement, side, vars, patterns);
        };
        let key = (
            statement as *const Statement as usize,
            side,
            is_kms_request(matcher.request),
        );
        // A few statements per request: a scan beats hashing.
        if let Some((_, tri)) = known.iter().find(|(k, _)| *k == key) {
            return tri.clone();
        }
        let tri = matcher.rest(statement, side, vars, patterns);
        known.push((key, tri.clone()));
        tri
    }
}

/// One decision, with the principal taken apart and the resource split already.
///
/// The order is the IAM user guide's ("How AWS enforcement code logic evaluates requests"):
/// an explicit deny in any policy (SCPs, RCPs, resource-based, identity-based, permissions
/// boundary, session) wins; then the RCPs and SCPs must allow, the resource-based and
/// identity-based policies combine by account, and the permissions boundary and session
/// policies must allow.
fn decide<'a>(
    request: &Request<'_>,
    who: &Who<'_>,
    resource: &Value<'_>,
    policies: &Policies<'a>,
    memo: &mut EvaluationMemo<'a>,
    rests: &mut Rests<'a>,
) -> Decision<'a> {
    let resolve = |key: &str| match lookup(request, key) {
        KeyState::Present(values) if values.len() == 1 => VarValue::One(values[0].to_string()),
        KeyState::Absent => VarValue::Absent,
        KeyState::Present(_) | KeyState::Unknown => VarValue::Unknown,
    };
    let matcher = Matcher {
        request,
        resolve: &resolve,
        resource,
    };
    let mut walk = Walk {
        matcher: &matcher,
        who,
        memo,
        rests,
        deny: Outcome::No,
    };
    let bounds = &policies.bounds;

    // A service principal has no identity policies: only the resource policy speaks for it.
    let is_role = matches!(who, Who::Role(_));
    let identity = match &policies.identity {
        _ if !is_role => Outcome::No,
        Known::Unknown => Outcome::Maybe(vec![UnknownReason::MissingDocument(Side::Identity)]),
        Known::Known(documents) => walk.unattached(documents, Side::Identity),
    };

    let (direct, via_root) = match &policies.resource {
        Known::Unknown => {
            let missing = || Outcome::Maybe(vec![UnknownReason::MissingDocument(Side::Resource)]);
            (missing(), if is_role { missing() } else { Outcome::No })
        }
        Known::Known(None) => (Outcome::No, Outcome::No),
        Known::Known(Some(document)) => {
            walk.attached(document, Side::Resource, bounds.boundary.is_some())
        }
    };
    // RCPs: `RCPFullAWSAccess` allows at every level, so only their denies count.
    for rcp in &bounds.rcps {
        if let Known::Known(document) = rcp.document {
            walk.attached(document, Side::Rcp, false);
        }
    }
    let (mut grant_direct, mut grant_root) = (Outcome::No, Outcome::No);
    if request.kind == ResourceKind::KmsKey {
        for document in &bounds.grants {
            let (d, r) = walk.attached(document, Side::Grant, false);
            grant_direct = grant_direct.or(d);
            grant_root = grant_root.or(r);
        }
    }
    // What limits a role: the SCPs of its account, its permissions boundary, its session
    // policies. None of them limits a service principal.
    let (scp, boundary, session) = if is_role {
        (
            walk.scps(&bounds.scps),
            match bounds.boundary {
                None => Outcome::Yes(Vec::new()),
                Some(Known::Unknown) => {
                    Outcome::Maybe(vec![UnknownReason::MissingDocument(Side::Boundary)])
                }
                Some(Known::Known(document)) => walk.unattached(&[document], Side::Boundary),
            },
            match &bounds.session {
                None => Outcome::Yes(Vec::new()),
                Some(documents) => walk.unattached(documents, Side::Session),
            },
        )
    } else {
        let none = || Outcome::Yes(Vec::new());
        (none(), none(), none())
    };
    let deny = walk.deny;

    let missing_identity = is_role && identity.is_no();
    let missing_resource = direct.is_no() && via_root.is_no() && grant_direct.is_no();
    let grants = (grant_direct, grant_root);
    // (the allow before the boundary and session policies, the allow after them)
    let (unbounded, bounded) = match who {
        Who::Service(_) => {
            let allow = direct.or(grants.0);
            (allow.clone(), allow)
        }
        Who::Role(role) => {
            let resource_account = request.resource_account.or_else(|| {
                Arn::parse(request.resource)
                    .ok()
                    .and_then(|arn| arn.account_id())
            });
            let limits = Limits {
                boundary: &boundary,
                session: &session,
            };
            match resource_account {
                Some(account) => {
                    let paths = combine(
                        request.kind,
                        account != role.account,
                        identity,
                        direct,
                        via_root,
                        grants,
                    );
                    (paths.unbounded(), paths.bounded(&limits))
                }
                None => {
                    let same = combine(
                        request.kind,
                        false,
                        identity.clone(),
                        direct.clone(),
                        via_root.clone(),
                        grants.clone(),
                    );
                    let cross = combine(request.kind, true, identity, direct, via_root, grants);
                    (
                        either_account(same.unbounded(), cross.unbounded()),
                        either_account(same.bounded(&limits), cross.bounded(&limits)),
                    )
                }
            }
        }
    };
    let missing = if unbounded.is_no() {
        match (missing_identity, missing_resource) {
            (true, false) => Side::Identity,
            (false, true) => Side::Resource,
            _ => Side::Both,
        }
    } else if boundary.is_no() {
        Side::Boundary
    } else {
        Side::Session
    };
    let allow = scp.and(bounded);

    match (deny, allow) {
        (Outcome::Yes(by), _) => Decision::Denied { by },
        (_, Outcome::No) => Decision::NotAllowed { missing },
        (Outcome::No, Outcome::Yes(mut by)) => {
            // Identity statements first, then resource statements, then the bounds, each in
            // discovery order.
            by.sort_by_key(|e| side_order(e.side));
            Decision::Allowed { by }
        }
        (Outcome::No, Outcome::Maybe(reasons)) | (Outcome::Maybe(reasons), Outcome::Yes(_)) => {
            Decision::Unknown { reasons }
        }
        (Outcome::Maybe(deny), Outcome::Maybe(allow)) => Decision::Unknown {
            reasons: merge(deny, allow),
        },
    }
}

/// The order of evidence in [`Decision::Allowed`].
fn side_order(side: Side) -> u8 {
    match side {
        Side::Identity => 0,
        Side::Resource | Side::Both => 1,
        Side::Grant => 2,
        Side::Scp => 3,
        Side::Rcp => 4,
        Side::Boundary => 5,
        Side::Session => 6,
    }
}

/// Walks documents for one decision, gathering the denies that apply.
struct Walk<'w, 'a, 'm, 'r> {
    matcher: &'w Matcher<'m, 'r>,
    who: &'w Who<'w>,
    memo: &'w mut EvaluationMemo<'a>,
    rests: &'w mut Rests<'a>,
    /// The deny statements that apply, of every document walked.
    deny: Outcome<'a>,
}

impl<'a> Walk<'_, 'a, '_, '_> {
    /// The allows of documents attached to the principal or its account (identity policies,
    /// permissions boundary, session policies, SCPs), whose statements name no principal and
    /// must name a resource; their denies join [`Walk::deny`].
    fn unattached(&mut self, documents: &[&'a PolicyDocument], side: Side) -> Outcome<'a> {
        let mut allow = Outcome::No;
        for document in documents {
            let vars = self.matcher.vars(document);
            let acts = self.memo.actions.of(document, self.matcher.request.action);
            for (statement, _) in document.statements.iter().zip(acts).filter(|(_, a)| **a) {
                if !(statement.allows() || statement.denies()) {
                    continue;
                }
                let applies =
                    self.rests
                        .get(self.matcher, statement, side, vars, &mut self.memo.patterns);
                let evidence = Evidence {
                    side,
                    statement,
                    via_account_root: false,
                };
                if statement.allows() {
                    allow = allow.or(applies.with_evidence(evidence));
                } else {
                    self.deny = std::mem::replace(&mut self.deny, Outcome::No)
                        .or(applies.with_evidence(evidence));
                }
            }
        }
        allow
    }

    /// The allows of a document attached to the resource (its policy, an RCP, a grant), naming
    /// the principal and naming its account; its denies join [`Walk::deny`]. With `boundary`
    /// (the role has a permissions boundary), a `Deny` with `NotPrincipal` applies whatever it
    /// lists.
    fn attached(
        &mut self,
        document: &'a PolicyDocument,
        side: Side,
        boundary: bool,
    ) -> (Outcome<'a>, Outcome<'a>) {
        let vars = self.matcher.vars(document);
        let (mut direct, mut via_root) = (Outcome::No, Outcome::No);
        let acts = self.memo.actions.of(document, self.matcher.request.action);
        for (statement, _) in document.statements.iter().zip(acts).filter(|(_, a)| **a) {
            if !(statement.allows() || statement.denies()) {
                continue;
            }
            // A resource-policy statement without a principal is invalid: it names no one.
            let Some(block) = &statement.principal else {
                continue;
            };
            let mut principal = principal_match(statement, block, self.who);
            // The IAM user guide, "Permissions boundaries for IAM entities": "The NotPrincipal
            // element with a Deny effect will always deny any IAM principal that has a
            // permissions boundary policy attached, regardless of the values specified in the
            // NotPrincipal element."
            if boundary && block.negated && statement.denies() {
                principal.direct = Tri::Yes;
            }
            if principal.direct.is_no() && principal.via_root.is_no() {
                continue;
            }
            let rest = self
                .rests
                .get(self.matcher, statement, side, vars, &mut self.memo.patterns);
            let evidence = |via_account_root| Evidence {
                side,
                statement,
                via_account_root,
            };
            if statement.allows() {
                direct = direct.or(principal
                    .direct
                    .and(rest.clone())
                    .with_evidence(evidence(false)));
                via_root = via_root.or(principal.via_root.and(rest).with_evidence(evidence(true)));
            } else {
                // A deny naming the account denies everyone in it.
                let only_root = !matches!(principal.direct, Tri::Yes);
                let named = principal.direct.or(principal.via_root);
                self.deny = std::mem::replace(&mut self.deny, Outcome::No)
                    .or(named.and(rest).with_evidence(evidence(only_root)));
            }
        }
        (direct, via_root)
    }

    /// Whether the SCPs of the principal's account allow, their denies joining [`Walk::deny`].
    ///
    /// The AWS Organizations user guide: a request is allowed only if "every SCP in the path"
    /// from the root to the account allows it, and at one level one SCP that allows suffices.
    /// An SCP with no `Allow` statement is a guardrail that stands beside an allowing SCP
    /// (`FullAWSAccess` by default), and does not make its level refuse. A level whose SCPs
    /// given do not allow is unknown, never refused: an SCP of that level not given may allow.
    fn scps(&mut self, scps: &[OrgPolicy<'a>]) -> Outcome<'a> {
        let mut result = Outcome::Yes(Vec::new());
        let mut levels: Vec<(Option<&str>, Outcome<'a>, &'a PolicyDocument)> = Vec::new();
        for scp in scps {
            let document = match scp.document {
                Known::Known(document) => document,
                Known::Unknown => {
                    result = result.and(Outcome::Maybe(vec![UnknownReason::MissingDocument(
                        Side::Scp,
                    )]));
                    continue;
                }
            };
            let allow = self.unattached(&[document], Side::Scp);
            if !document.statements.iter().any(|s| s.allows()) {
                continue;
            }
            match levels
                .iter_mut()
                .find(|(level, _, _)| level.is_some() && *level == scp.level)
            {
                Some((_, outcome, _)) => {
                    *outcome = std::mem::replace(outcome, Outcome::No).or(allow);
                }
                None => levels.push((scp.level, allow, document)),
            }
        }
        for (_, outcome, document) in levels {
            result = result.and(match outcome {
                Outcome::No => {
                    Outcome::Maybe(vec![UnknownReason::ScpLevelWithoutAllow { document }])
                }
                other => other,
            });
        }
        result
    }
}

/// The two ways a role's request may be allowed: with its own policies taking part, and by
/// the resource's side alone (its policy or a KMS grant naming the role).
struct Paths<'a> {
    identity: Outcome<'a>,
    resource: Outcome<'a>,
}

/// The permissions boundary's and the session policies' answers.
struct Limits<'l, 'a> {
    boundary: &'l Outcome<'a>,
    session: &'l Outcome<'a>,
}

impl<'a> Paths<'a> {
    /// Either path, before the boundary and session policies.
    fn unbounded(&self) -> Outcome<'a> {
        self.identity.clone().or(self.resource.clone())
    }

    /// Either path, within the boundary and session policies. They bound the identity path
    /// ("the entity can perform only the actions that are allowed by both its identity-based
    /// policies and its permissions boundaries"). Whether they bound an allow of the resource
    /// side alone, the IAM user guide says both ways: "an implicit deny in a permissions
    /// boundary does not limit the permissions granted by a resource-based policy" and, in a
    /// later text, that it "does limit the permissions granted to the ARN of the underlying"
    /// entity; so such an allow they do not grant is unknown.
    fn bounded(&self, limits: &Limits<'_, 'a>) -> Outcome<'a> {
        let identity = self
            .identity
            .clone()
            .and(limits.boundary.clone())
            .and(limits.session.clone());
        let resource = match &self.resource {
            Outcome::Yes(by) if limits.boundary.is_no() || limits.session.is_no() => {
                undocumented_at(by, Undocumented::BoundaryAndResourcePolicy)
            }
            Outcome::Yes(by) => {
                // A boundary or session policy that may not allow leaves the same question.
                let unsettled = |limit: &Outcome<'a>| match limit {
                    Outcome::Maybe(_) => {
                        undocumented_at(by, Undocumented::BoundaryAndResourcePolicy)
                    }
                    _ => Outcome::Yes(Vec::new()),
                };
                Outcome::Yes(by.clone())
                    .and(unsettled(limits.boundary))
                    .and(unsettled(limits.session))
            }
            other => other.clone(),
        };
        identity.or(resource)
    }
}

/// How the sides combine (the IAM user guide, "Policy evaluation logic" and "Cross-account
/// policy evaluation logic"; the KMS developer guide, "Key policies" and "Grants in AWS KMS").
///
/// `identity`: the identity policies allow; `direct`: the resource policy allows naming the
/// principal (or everyone); `via_root`: it allows naming the principal's account; `grants`:
/// a KMS grant allows naming the principal, and naming its account.
fn combine<'a>(
    kind: ResourceKind,
    cross_account: bool,
    identity: Outcome<'a>,
    direct: Outcome<'a>,
    via_root: Outcome<'a>,
    (grant_direct, grant_root): (Outcome<'a>, Outcome<'a>),
) -> Paths<'a> {
    match (kind, cross_account) {
        // Both sides must allow; the resource side may name the principal or its account. A
        // grant that names the role alone, without the role's own allow, is not settled.
        (_, true) => {
            let unsettled = match &grant_direct {
                Outcome::Yes(by) => undocumented_at(by, Undocumented::CrossAccountGrant),
                Outcome::Maybe(reasons) => Outcome::Maybe(reasons.clone()),
                Outcome::No => Outcome::No,
            };
            let resource = direct.or(via_root).or(grant_direct).or(grant_root);
            Paths {
                identity: identity.and(resource),
                resource: unsettled,
            }
        }
        // Either side suffices; naming the account only delegates to the identity side.
        (ResourceKind::S3 | ResourceKind::Other, false) => Paths {
            identity,
            resource: direct,
        },
        // The key or trust policy (or a grant) must allow; naming the account needs the
        // identity side too.
        (ResourceKind::KmsKey | ResourceKind::RoleTrust, false) => Paths {
            identity: via_root.or(grant_root).and(identity),
            resource: direct.or(grant_direct),
        },
    }
}

/// An allow the documentation does not settle, at the first of the statements that would
/// make it (its first principal entry): unknown, or not allowed when there is none.
fn undocumented_at<'a>(by: &[Evidence<'a>], case: Undocumented) -> Outcome<'a> {
    let reason = by.first().and_then(|e| {
        let entry = e.statement.principal.as_ref()?.entries.first()?;
        Some(UnknownReason::Undocumented {
            statement: e.statement,
            value: &entry.value,
            case,
        })
    });
    match reason {
        Some(reason) => Outcome::Maybe(vec![reason]),
        None => Outcome::No,
    }
}

/// The resource account is unknown: decided only when both readings agree.
fn either_account<'a>(same: Outcome<'a>, cross: Outcome<'a>) -> Outcome<'a> {
    match (same, cross) {
        (Outcome::Yes(a), Outcome::Yes(b)) => Outcome::Yes(crate::tri::merge_evidence(a, b)),
        (Outcome::No, Outcome::No) => Outcome::No,
        (same, cross) => {
            let mut reasons = vec![UnknownReason::ResourceAccount];
            for outcome in [same, cross] {
                if let Outcome::Maybe(more) = outcome {
                    reasons = merge(reasons, more);
                }
            }
            Outcome::Maybe(reasons)
        }
    }
}

/// Matches the parts of statements other than the principal.
struct Matcher<'m, 'r> {
    request: &'m Request<'r>,
    resolve: &'m dyn Fn(&str) -> VarValue,
    /// The requested resource, split into its ARN fields once for every pattern.
    resource: &'m Value<'r>,
}

impl<'m> Matcher<'m, '_> {
    /// Policy variables are substituted only in documents of version 2012-10-17 (the IAM user
    /// guide, "Policy variables": in older documents `${…}` is literal text).
    fn vars(&self, document: &PolicyDocument) -> Vars<'m> {
        let current = document
            .version
            .as_ref()
            .is_some_and(|v| v.value == "2012-10-17");
        current.then_some(self.resolve)
    }

    /// Resource and conditions of `statement`, which is on `side` and whose actions match.
    fn rest<'a>(
        &self,
        statement: &'a Statement,
        side: Side,
        vars: Vars<'_>,
        patterns: &mut PatternFields<'a>,
    ) -> Tri<'a> {
        let resource = match &statement.resource {
            Some(block) => {
                let any = block.values.iter().fold(Tri::No, |acc, pattern| {
                    // Once a pattern matches, the others cannot change the answer.
                    if matches!(acc, Tri::Yes) {
                        return acc;
                    }
                    // The IAM user guide, "Policy variables with no value": a pattern with such
                    // a variable "will not match any resource", yet a value that is not present
                    // also "causes the statement to be invalid". For `Resource` both readings
                    // agree that the statement does not apply; for `NotResource` they do not.
                    if block.negated && variable_without_value(&pattern.value, vars) {
                        return acc.or(Tri::maybe(UnknownReason::Undocumented {
                            statement,
                            value: pattern,
                            case: Undocumented::NotResourceWithoutValue,
                        }));
                    }
                    acc.or(
                        match arn_matches_pattern(&pattern.value, patterns, self.resource, vars) {
                            Some(hit) => Tri::from_bool(hit),
                            None if xacct_model::symbol::contains_placeholder(
                                self.request.resource,
                            ) =>
                            {
                                Tri::maybe(UnknownReason::DeployTimeValue {
                                    statement,
                                    value: pattern,
                                })
                            }
                            None => Tri::maybe(UnknownReason::PolicyVariable {
                                statement,
                                value: pattern,
                            }),
                        },
                    )
                });
                negate(block, any)
            }
            // Identity statements must name a resource; trust policies have none.
            None => Tri::from_bool(side == Side::Resource),
        };
        let mut result = resource;
        for condition in &statement.conditions {
            if result.is_no() {
                break;
            }
            result = result.and(condition_match(statement, condition, self.request, vars));
        }
        result
    }
}

/// `NotAction`/`NotResource` match what their values do not.
fn negate<'a>(block: &ValueBlock, matched: Tri<'a>) -> Tri<'a> {
    if block.negated {
        matched.not()
    } else {
        matched
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(text: &str) -> PolicyDocument {
        let parsed = xacct_syntax::json::parse(text).expect("valid JSON");
        xacct_model::policy::load_policy(&parsed.root).0
    }

    #[test]
    fn documents_share_their_matches_only_when_they_name_the_same_actions() {
        let statement = |effect: &str, key: &str, actions: &str, resource: &str| {
            format!(r#"{{"Effect": "{effect}", "{key}": {actions}, "Resource": "{resource}"}}"#)
        };
        let policy = |statements: &[String]| {
            document(&format!(
                r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
                statements.join(", ")
            ))
        };
        let (get_decrypt, assume) = (r#"["s3:GetObject*", "kms:Decrypt"]"#, r#""sts:AssumeRole""#);
        let docs = [
            // The same actions as the next, on other resources and with another effect.
            policy(&[
                statement("Allow", "Action", get_decrypt, "arn:aws:s3:::a/*"),
                statement("Allow", "Action", assume, "*"),
            ]),
            policy(&[
                statement("Allow", "Action", get_decrypt, "arn:aws:s3:::b/*"),
                statement("Deny", "Action", assume, "arn:aws:iam::1:role/x"),
            ]),
            // NotAction instead of Action.
            policy(&[
                statement("Allow", "NotAction", get_decrypt, "*"),
                statement("Allow", "Action", assume, "*"),
            ]),
            // One value differs.
            policy(&[
                statement(
                    "Allow",
                    "Action",
                    r#"["s3:PutObject*", "kms:Decrypt"]"#,
                    "*",
                ),
                statement("Allow", "Action", assume, "*"),
            ]),
            // The statements in the other order.
            policy(&[
                statement("Allow", "Action", assume, "*"),
                statement("Allow", "Action", get_decrypt, "*"),
            ]),
            // One statement fewer.
            policy(&[statement("Allow", "Action", get_decrypt, "*")]),
        ];
        let mut memo = ActionMatches::default();
        let shapes: Vec<usize> = docs.iter().map(|d| memo.shape(d)).collect();
        assert_eq!(shapes, [0, 0, 1, 2, 3, 4]);
        for action in [
            "s3:GetObjectVersion",
            "sts:assumerole",
            "kms:Decrypt",
            "s3:PutObject",
        ] {
            for doc in &docs {
                let fresh: Vec<bool> = doc
                    .statements
                    .iter()
                    .map(|s| action_matches(s, action))
                    .collect();
                assert_eq!(memo.of(doc, action), &fresh[..], "{action}");
            }
        }
    }

    #[test]
    fn the_service_shortcut_never_changes_an_action_match() {
        let patterns = [
            "s3:GetObject",
            "S3:get*",
            "s3*:GetObject",
            "*",
            "*:GetObject",
            "iam:PassRole",
            ":GetObject",
            "s3",
            "s3:",
            "s?:GetObject",
            "s3:GetObject:x",
            "ſ3:GetObject",
            "${x}:GetObject",
            "kms:*",
        ];
        let actions = [
            "s3:GetObject",
            "S3:GETOBJECT",
            "s3:GetObject:x",
            "iam:PassRole",
            ":GetObject",
            "s3",
            "",
            "ſ3:GetObject",
            "kms:Decrypt",
        ];
        for pattern in patterns {
            for action in actions {
                let service = action.split_once(':').map(|(service, _)| service);
                let matched = matches(pattern, action, true, None) == Some(true);
                if other_service(pattern, service) {
                    assert!(!matched, "`{pattern}` matches `{action}` but was skipped");
                }
            }
        }
    }
}
