//! Properties over generated policies and requests: monotonicity of deny and allow, order
//! independence, determinism, and no panics on arbitrary strings.

mod common;

use common::{doc, summary, Req, A, B, DEPLOY_ROLE, PIPELINE_ROLE};
use proptest::prelude::*;
use proptest::sample::select;
use xacct_iam::{
    evaluate, evaluate_actions_with, evaluate_with, Context, Decision, EvaluationMemo, Known,
    OrgPolicy, Policies, ResourceKind,
};
use xacct_model::policy::PolicyDocument;

/// One generated statement, rendered with an effect of the caller's choice.
#[derive(Clone, Debug)]
struct Stmt {
    principal: &'static str,
    not_action: bool,
    actions: Vec<String>,
    /// (`NotResource`?, values), or no resource element.
    resource: Option<(bool, Vec<String>)>,
    condition: Option<String>,
}

impl Stmt {
    fn render(&self, effect: &str, resource_side: bool) -> String {
        let list = |values: &[String]| {
            let quoted: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
            format!("[{}]", quoted.join(", "))
        };
        let mut out = format!(r#"{{"Effect": "{effect}""#);
        if resource_side {
            out.push_str(&format!(", {}", self.principal));
        }
        let action_key = if self.not_action {
            "NotAction"
        } else {
            "Action"
        };
        out.push_str(&format!(r#", "{action_key}": {}"#, list(&self.actions)));
        if let Some((negated, values)) = &self.resource {
            let key = if *negated { "NotResource" } else { "Resource" };
            out.push_str(&format!(r#", "{key}": {}"#, list(values)));
        }
        if let Some(condition) = &self.condition {
            out.push_str(&format!(r#", "Condition": {condition}"#));
        }
        out.push('}');
        out
    }
}

const PRINCIPALS: &[&str] = &[
    r#""Principal": "*""#,
    r#""Principal": {"AWS": "*"}"#,
    r#""Principal": {"AWS": "arn:aws:iam::111111111111:root"}"#,
    r#""Principal": {"AWS": "222222222222"}"#,
    r#""Principal": {"AWS": "arn:aws:iam::111111111111:role/service-role/Pipeline"}"#,
    r#""Principal": {"AWS": "arn:aws:iam::222222222222:role/Deploy"}"#,
    r#""Principal": {"AWS": "arn:aws:sts::111111111111:assumed-role/Pipeline/s1"}"#,
    r#""Principal": {"Service": "codepipeline.amazonaws.com"}"#,
    r#""NotPrincipal": {"AWS": ["arn:aws:iam::111111111111:role/service-role/Pipeline", "111111111111"]}"#,
    r#""NotPrincipal": {"AWS": "222222222222"}"#,
    // The forms issue 13 found answered unsoundly: a role in other case, NotPrincipal
    // naming the role or its account alone, a session in other case.
    r#""Principal": {"AWS": "arn:aws:iam::111111111111:role/service-role/PIPELINE"}"#,
    r#""NotPrincipal": {"AWS": "arn:aws:iam::111111111111:role/service-role/Pipeline"}"#,
    r#""NotPrincipal": {"AWS": "111111111111"}"#,
    r#""Principal": {"AWS": "arn:aws:sts::111111111111:assumed-role/pipeline/s1"}"#,
];

const ACTIONS: &[&str] = &[
    "*",
    "s3:*",
    "s3:Get*",
    "s3:GetObject",
    "s3:?utObject",
    "kms:GenerateDataKey*",
    "kms:Decrypt",
    "sts:AssumeRole",
    "iam:*",
];

const RESOURCES: &[&str] = &[
    "*",
    "arn:aws:s3:::artifacts/*",
    "arn:aws:s3:::artifacts",
    "arn:aws:iam::*:role/*",
    "arn:aws:kms:*:111111111111:key/*",
    "arn:aws:s3:::artifacts/${aws:PrincipalAccount}/*",
    "arn:aws:s3:::${aws:username}/*",
    // Segment-final stars that run past colons.
    "arn:aws:kms:*",
    "arn:aws:*",
    "arn:aws:iam::222222222222*",
    "arn:aws:kms:*:key/*",
    "arn:aws:s3:::${aws:PrincipalTag/team}/*",
];

const CONDITIONS: &[&str] = &[
    r#"{"Bool": {"aws:SecureTransport": "false"}}"#,
    r#"{"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}"#,
    r#"{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#,
    r#"{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/*"}}"#,
    r#"{"StringEquals": {"aws:PrincipalAccount": "222222222222"}}"#,
    r#"{"ForAnyValue:StringLike": {"aws:TagKeys": "a*"}}"#,
    r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}}"#,
    r#"{"NumericLessThanIfExists": {"s3:max-keys": "10"}}"#,
    r#"{"DateLessThan": {"aws:CurrentTime": "2030-01-01"}}"#,
    r#"{"Null": {"aws:SourceVpc": "true"}}"#,
    r#"{"StringMatches": {"k": "v"}}"#,
    r#"{"StringEquals": {"kms:CallerAccount": "111111111111"}}"#,
    r#"{"ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": "a"}}"#,
    r#"{"ForAnyValue:StringNotLike": {"aws:TagKeys": "a*"}}"#,
    r#"{"StringNotEquals": {"aws:SourceIp": "${aws:PrincipalTag/team}"}}"#,
    r#"{"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/${aws:username}"}}"#,
];

const OPERATORS: &[&str] = &[
    "StringEquals",
    "StringNotLike",
    "StringEqualsIgnoreCaseIfExists",
    "NumericGreaterThan",
    "DateEquals",
    "Bool",
    "IpAddress",
    "NotIpAddress",
    "ArnNotEquals",
    "Null",
    "ForAllValues:StringLike",
    "ForAnyValue:ArnLike",
];

const KEYS: &[&str] = &[
    "aws:SecureTransport",
    "aws:SourceIp",
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "aws:TagKeys",
    "s3:prefix",
    "kms:CallerAccount",
];

/// Text that needs no JSON escaping but holds wildcards, colons and variable syntax.
const PATTERN_TEXT: &str = "[a-zA-Z0-9:/*?${}._ -]{0,20}";

/// A `Resource` value: mostly realistic patterns, sometimes noise.
fn resource_value() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just("*".to_string()),
        6 => select(RESOURCES).prop_map(str::to_string),
        1 => select(ACTIONS).prop_map(str::to_string),
        1 => PATTERN_TEXT,
    ]
}

/// Actions a request performs.
const REQUEST_ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "kms:Decrypt",
    "kms:GenerateDataKey",
    "sts:AssumeRole",
    "iam:PassRole",
];

fn condition() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        5 => Just(None),
        2 => select(CONDITIONS).prop_map(|c| Some(c.to_string())),
        1 => (select(OPERATORS), select(KEYS), prop::collection::vec(PATTERN_TEXT, 0..3)).prop_map(
            |(operator, key, values)| {
                let quoted: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
                Some(format!(r#"{{"{operator}": {{"{key}": [{}]}}}}"#, quoted.join(", ")))
            }
        ),
    ]
}

fn stmt() -> impl Strategy<Value = Stmt> {
    (
        prop_oneof![2 => Just(PRINCIPALS[0]), 8 => select(PRINCIPALS)],
        prop::bool::weighted(0.15),
        prop::collection::vec(
            prop_oneof![
                2 => Just("*".to_string()),
                2 => select(REQUEST_ACTIONS).prop_map(str::to_string),
                4 => select(ACTIONS).prop_map(str::to_string),
                1 => PATTERN_TEXT,
            ],
            1..3,
        ),
        prop::option::weighted(
            0.85,
            (
                prop::bool::weighted(0.15),
                prop::collection::vec(resource_value(), 1..3),
            ),
        ),
        condition(),
    )
        .prop_map(
            |(principal, not_action, actions, resource, condition)| Stmt {
                principal,
                not_action,
                actions,
                resource,
                condition,
            },
        )
}

/// A statement with its effect.
fn effect_stmt() -> impl Strategy<Value = (bool, Stmt)> {
    (any::<bool>(), stmt())
}

#[derive(Clone, Debug)]
struct Scenario {
    version: &'static str,
    /// `None`: identity policies unknown; else documents of statements.
    identity: Option<Vec<Vec<(bool, Stmt)>>>,
    /// 0: unknown, 1: none, 2: this document.
    resource_state: u8,
    resource: Vec<(bool, Stmt)>,
    who: u8,
    action: String,
    resource_arn: String,
    account: Option<&'static str>,
    kind: ResourceKind,
    context: u8,
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        select(&["2012-10-17", "2008-10-17"][..]),
        prop::option::weighted(
            0.8,
            prop::collection::vec(prop::collection::vec(effect_stmt(), 0..4), 0..3),
        ),
        0u8..3,
        prop::collection::vec(effect_stmt(), 0..5),
        0u8..5,
        prop_oneof![
            6 => select(REQUEST_ACTIONS).prop_map(str::to_string),
            1 => select(ACTIONS).prop_map(str::to_string),
            1 => "\\PC{0,16}",
            1 => any::<String>(),
        ],
        prop_oneof![
            6 => select(&[
                "arn:aws:s3:::artifacts/a/b.zip",
                "arn:aws:s3:::artifacts",
                "arn:aws:s3:::artifacts/111111111111/x",
                "arn:aws:iam::222222222222:role/Deploy",
                "arn:aws:kms:us-east-2:111111111111:key/k",
                "*",
            ][..]).prop_map(str::to_string),
            1 => "\\PC{0,24}",
            1 => any::<String>(),
        ],
        select(&[None, Some(A), Some(B)][..]),
        select(
            &[
                ResourceKind::S3,
                ResourceKind::KmsKey,
                ResourceKind::RoleTrust,
                ResourceKind::Other,
            ][..],
        ),
        0u8..3,
    )
        .prop_map(
            |(
                version,
                identity,
                resource_state,
                resource,
                who,
                action,
                resource_arn,
                account,
                kind,
                context,
            )| {
                Scenario {
                    version,
                    identity,
                    resource_state,
                    resource,
                    who,
                    action,
                    resource_arn,
                    account,
                    kind,
                    context,
                }
            },
        )
}

/// A scenario whose policies start with allow-everything statements on both sides, so that
/// `Allowed` is common and the monotonicity properties have something to hold on to.
fn allowing_scenario() -> impl Strategy<Value = Scenario> {
    scenario().prop_map(|mut s| {
        let allow_all = |principal| Stmt {
            principal,
            not_action: false,
            actions: vec!["*".to_string()],
            resource: Some((false, vec!["*".to_string()])),
            condition: None,
        };
        let mut identity = s.identity.take().unwrap_or_default();
        match identity.first_mut() {
            Some(first) => first.insert(0, (true, allow_all(PRINCIPALS[0]))),
            None => identity.push(vec![(true, allow_all(PRINCIPALS[0]))]),
        }
        s.identity = Some(identity);
        s.resource_state = 2;
        s.resource.insert(0, (true, allow_all(PRINCIPALS[0])));
        s.context = 1;
        s
    })
}

/// Either kind of scenario.
fn any_scenario() -> impl Strategy<Value = Scenario> {
    prop_oneof![scenario(), allowing_scenario()]
}

fn render_doc(version: &str, statements: &[(bool, Stmt)], resource_side: bool) -> String {
    let rendered: Vec<String> = statements
        .iter()
        .map(|(allow, s)| s.render(if *allow { "Allow" } else { "Deny" }, resource_side))
        .collect();
    format!(
        r#"{{"Version": "{version}", "Statement": [{}]}}"#,
        rendered.join(", ")
    )
}

impl Scenario {
    fn request(&self) -> Req {
        let base = match self.who {
            0 => Req::role(PIPELINE_ROLE),
            1 => Req::role(DEPLOY_ROLE),
            2 => Req::role("arn:aws:sts::111111111111:assumed-role/Pipeline/s1"),
            3 => Req::service("codepipeline.amazonaws.com"),
            _ => Req::role("arn:aws:iam::111111111111:role/Other"),
        };
        let context = match self.context {
            0 => Context::new(),
            1 => Context::new()
                .with("aws:SecureTransport", ["true"])
                .with("s3:x-amz-server-side-encryption", ["aws:kms"])
                .with("aws:SourceIp", ["203.0.113.5"])
                .with("aws:TagKeys", ["a1", "b"]),
            _ => Context::new()
                .with_absent("aws:SourceIp")
                .with_absent("aws:TagKeys")
                .with_absent("aws:username")
                .with_absent("aws:PrincipalTag/team")
                .with("aws:CurrentTime", ["2025-06-01T00:00:00Z"]),
        };
        base.action(&self.action)
            .resource(&self.resource_arn)
            .account(self.account)
            .kind(self.kind)
            .context(context)
    }

    fn documents(&self) -> (Option<Vec<PolicyDocument>>, Option<PolicyDocument>) {
        let identity = self.identity.as_ref().map(|docs| {
            docs.iter()
                .map(|statements| doc(&render_doc(self.version, statements, false)))
                .collect()
        });
        let resource = (self.resource_state == 2)
            .then(|| doc(&render_doc(self.version, &self.resource, true)));
        (identity, resource)
    }

    /// The summary of the decision.
    fn decide(&self) -> String {
        let (identity, resource) = self.documents();
        let request = self.request();
        let policies = policies(self.resource_state, identity.as_deref(), resource.as_ref());
        let decision = evaluate(&request.request(), &policies);
        let mut all: Vec<&PolicyDocument> = identity.iter().flatten().collect();
        all.extend(resource.as_ref());
        summary(&decision, &all)
    }

    /// The summary of the decision with one bound more: an SCP (`which` 0), an RCP (1), a
    /// permissions boundary (2) or a session policy (3) of these statements.
    fn decide_bounded(&self, which: u8, statements: &[(bool, Stmt)]) -> String {
        let (identity, resource) = self.documents();
        let bound = doc(&render_doc(self.version, statements, which == 1));
        let request = self.request();
        let mut policies = policies(self.resource_state, identity.as_deref(), resource.as_ref());
        let org = || {
            vec![OrgPolicy {
                document: Known::Known(&bound),
                level: None,
            }]
        };
        match which {
            0 => policies.bounds.scps = org(),
            1 => policies.bounds.rcps = org(),
            2 => policies.bounds.boundary = Some(Known::Known(&bound)),
            _ => policies.bounds.session = Some(vec![&bound]),
        }
        let decision = evaluate(&request.request(), &policies);
        let mut all: Vec<&PolicyDocument> = identity.iter().flatten().collect();
        all.extend(resource.as_ref());
        all.push(&bound);
        summary(&decision, &all)
    }

    /// The scenario with one more statement, on the identity side or the resource side when
    /// that side is known.
    fn with_statement(&self, allow: bool, statement: &Stmt, resource_side: bool) -> Scenario {
        let mut next = self.clone();
        if resource_side {
            if next.resource_state == 1 {
                // The resource had no policy: now it has one with just this statement.
                next.resource.clear();
            }
            if next.resource_state != 0 {
                next.resource_state = 2;
                next.resource.push((allow, statement.clone()));
            }
        } else if let Some(docs) = &mut next.identity {
            match docs.first_mut() {
                Some(first) => first.push((allow, statement.clone())),
                None => docs.push(vec![(allow, statement.clone())]),
            }
        }
        next
    }
}

fn policies<'a>(
    resource_state: u8,
    identity: Option<&'a [PolicyDocument]>,
    resource: Option<&'a PolicyDocument>,
) -> Policies<'a> {
    Policies {
        identity: match identity {
            Some(docs) => Known::Known(docs.iter().collect()),
            None => Known::Unknown,
        },
        resource: match resource_state {
            0 => Known::Unknown,
            _ => Known::Known(resource),
        },
        bounds: Default::default(),
    }
}

fn class(summary: &str) -> &str {
    summary.split('(').next().unwrap_or(summary)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn adding_a_deny_never_allows_and_never_lifts_a_deny(
        scenario in any_scenario(), extra in stmt(), resource_side in any::<bool>(),
    ) {
        let before = scenario.decide();
        let after = scenario.with_statement(false, &extra, resource_side).decide();
        if class(&before) == "Denied" {
            prop_assert_eq!(class(&after), "Denied", "{} became {}", before, after);
        }
        if class(&after) == "Allowed" {
            prop_assert_eq!(class(&before), "Allowed", "{} became {}", before, after);
        }
    }

    /// SCPs, RCPs, permissions boundaries and session policies only ever take away: with one
    /// more, nothing refused or unknown becomes allowed, and nothing denied stops being denied.
    #[test]
    fn a_bound_never_allows_more_and_never_lifts_a_deny(
        scenario in any_scenario(),
        which in 0u8..4,
        statements in prop::collection::vec(effect_stmt(), 0..3),
    ) {
        let before = scenario.decide();
        let after = scenario.decide_bounded(which, &statements);
        if class(&after) == "Allowed" {
            prop_assert_eq!(class(&before), "Allowed", "{} became {}", before, after);
        }
        if class(&before) == "Denied" {
            prop_assert_eq!(class(&after), "Denied", "{} became {}", before, after);
        }
    }

    #[test]
    fn adding_an_allow_never_takes_an_allow_away(
        scenario in any_scenario(), extra in stmt(), resource_side in any::<bool>(),
    ) {
        let before = scenario.decide();
        let after = scenario.with_statement(true, &extra, resource_side).decide();
        if class(&before) == "Allowed" {
            prop_assert_eq!(class(&after), "Allowed", "{} became {}", before, after);
        }
        // An allow cannot create a deny either.
        if class(&after) == "Denied" {
            prop_assert_eq!(class(&before), "Denied", "{} became {}", before, after);
        }
    }

    #[test]
    fn unrelated_statements_never_change_the_answer(
        scenario in any_scenario(), extra in stmt(), allow in any::<bool>(), resource_side in any::<bool>(),
    ) {
        // A statement about a service no request here uses: an Unknown must stay Unknown (for
        // the same reasons), and every other answer the same.
        let unrelated = Stmt { not_action: false, actions: vec!["sqs:*".to_string(), "sns:Publish".to_string()], ..extra };
        let before = scenario.decide();
        let after = scenario.with_statement(allow, &unrelated, resource_side).decide();
        if scenario.action.to_ascii_lowercase().starts_with("sqs:")
            || scenario.action.to_ascii_lowercase().starts_with("sns:")
        {
            return Ok(());
        }
        prop_assert_eq!(&before, &after);
    }

    #[test]
    fn cross_account_access_needs_both_sides(scenario in any_scenario()) {
        // A role of another account than the resource's: allowed only if it is allowed with
        // each side alone kept, and never with either side's allows taken away.
        let mut cross = scenario.clone();
        cross.account = Some(match cross.who { 1 => A, _ => B });
        if cross.who == 3 || class(&cross.decide()) != "Allowed" {
            return Ok(());
        }
        let mut no_identity = cross.clone();
        no_identity.identity = Some(vec![]);
        let without_identity = no_identity.decide();
        prop_assert_ne!(class(&without_identity), "Allowed");
        let mut no_resource = cross.clone();
        no_resource.resource_state = 1;
        no_resource.resource.clear();
        let without_resource = no_resource.decide();
        prop_assert_ne!(class(&without_resource), "Allowed");
    }

    #[test]
    fn statement_order_does_not_change_the_answer(scenario in any_scenario()) {
        let mut reversed = scenario.clone();
        if let Some(docs) = &mut reversed.identity {
            docs.reverse();
            docs.iter_mut().for_each(|d| d.reverse());
        }
        reversed.resource.reverse();
        let (a, b) = (scenario.decide(), reversed.decide());
        prop_assert_eq!(class(&a), class(&b), "{} vs {}", a, b);
    }

    #[test]
    fn evaluation_is_deterministic_and_total(scenario in any_scenario()) {
        let (identity, resource) = scenario.documents();
        let request = scenario.request();
        let policies = policies(scenario.resource_state, identity.as_deref(), resource.as_ref());
        let first: Decision<'_> = evaluate(&request.request(), &policies);
        let second = evaluate(&request.request(), &policies);
        prop_assert_eq!(&first, &second);
        // Unknown always says why; NotAllowed never comes with a deny that applies.
        if let Decision::Unknown { reasons } = &first {
            prop_assert!(!reasons.is_empty());
        }
        if let Decision::Allowed { by } | Decision::Denied { by } = &first {
            prop_assert!(!by.is_empty());
        }
    }

    #[test]
    fn a_shared_action_memo_answers_as_a_fresh_evaluation(scenario in any_scenario()) {
        // One memo across questions of other actions (and of the same action in another
        // case) over the same documents, as the trust graph asks them.
        let (identity, resource) = scenario.documents();
        let policies = policies(scenario.resource_state, identity.as_deref(), resource.as_ref());
        let mut memo = EvaluationMemo::default();
        let upper = scenario.action.to_uppercase();
        for action in [scenario.action.as_str(), "kms:Decrypt", upper.as_str(), "s3:getobject", scenario.action.as_str()] {
            let mut asked = scenario.clone();
            asked.action = action.to_string();
            let request = asked.request();
            let fresh = evaluate(&request.request(), &policies);
            let remembered = evaluate_with(&request.request(), &policies, &mut memo);
            prop_assert_eq!(&fresh, &remembered, "action {}", action);
        }
    }

    #[test]
    fn actions_evaluated_together_answer_as_each_alone(scenario in any_scenario()) {
        // The statements' resources and conditions are matched once for all the actions;
        // `kms:CallerAccount` is known only for the KMS ones, so both kinds are mixed.
        let (identity, resource) = scenario.documents();
        let policies = policies(scenario.resource_state, identity.as_deref(), resource.as_ref());
        let upper = scenario.action.to_uppercase();
        let actions = [scenario.action.as_str(), "kms:Decrypt", "s3:GetObject", upper.as_str(), "KMS:encrypt", scenario.action.as_str()];
        let request = scenario.request();
        let together = evaluate_actions_with(&request.request(), &actions, &policies, &mut EvaluationMemo::default());
        prop_assert_eq!(together.len(), actions.len());
        for (action, decision) in actions.iter().zip(&together) {
            let mut alone = scenario.clone();
            alone.action = action.to_string();
            let fresh = evaluate(&alone.request().request(), &policies);
            prop_assert_eq!(&fresh, decision, "action {}", action);
        }
    }
}
