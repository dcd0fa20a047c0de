//! The seven classes of unsound answers of issue 13, each with the siblings found beside it:
//! every row is an answer xacct gave definitely where AWS's documentation says otherwise (or
//! leaves it open). Each test cites the sentence of the documentation it encodes.

mod common;

use common::{check, statements, Req, Res, A, B, DEPLOY_ROLE, PIPELINE_ROLE};
use xacct_iam::{Context, ResourceKind};

const KEY: &str = "arn:aws:kms:us-east-2:111111111111:key/k";
const ALLOW_ALL: &str = r#"{"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"}"#;

/// Identity policies allowing everything, then denying `action` on `resource`.
fn guardrail(action: &str, resource: &str) -> String {
    statements(&format!(
        r#"{ALLOW_ALL}, {{"Sid": "Guard", "Effect": "Deny", "Action": "{action}", "Resource": "{resource}"}}"#
    ))
}

/// Class 1. The IAM user guide, "IAM JSON policy elements: Resource": "If the * wildcard is
/// the last character of a resource ARN segment, it can expand to match beyond the colon
/// boundaries." A shortened ARN ending in `*` (`arn:aws:kms:*`) matched nothing, so a Deny on
/// it was ignored.
#[test]
fn a_star_that_ends_a_segment_reaches_past_colons() {
    let decrypt = Req::role(PIPELINE_ROLE)
        .action("kms:Decrypt")
        .resource(KEY)
        .kind(ResourceKind::Other);
    let deny = |resource: &str| decrypt.eval(Some(&[&guardrail("kms:*", resource)]), Res::None);
    check(vec![
        ("service prefix", deny("arn:aws:kms:*"), "Denied(I:Guard)"),
        ("partition prefix", deny("arn:aws:*"), "Denied(I:Guard)"),
        ("everything after arn:", deny("arn:*"), "Denied(I:Guard)"),
        (
            "account prefix",
            deny("arn:aws:kms:us-east-2:111111111111*"),
            "Denied(I:Guard)",
        ),
        (
            "region segment over the account",
            deny("arn:aws:kms:*:key/*"),
            "Denied(I:Guard)",
        ),
        // Siblings that must stay apart: another account, a star inside a segment, a `?`.
        (
            "another account's prefix",
            deny("arn:aws:kms:us-east-2:222222222222*"),
            "Allowed(I:All)",
        ),
        (
            "a star inside a segment",
            deny("arn:aws:kms:us-*2:key/*"),
            "Allowed(I:All)",
        ),
        (
            "another service's prefix",
            deny("arn:aws:s3:*"),
            "Allowed(I:All)",
        ),
        // Other ARN shapes: S3 (no region or account), IAM (no region).
        (
            "S3 object under arn:aws:s3:*",
            Req::role(PIPELINE_ROLE).eval(Some(&[&guardrail("s3:*", "arn:aws:s3:*")]), Res::None),
            "Denied(I:Guard)",
        ),
        (
            "IAM role under the account prefix",
            Req::role(PIPELINE_ROLE)
                .action("iam:PassRole")
                .resource(DEPLOY_ROLE)
                .kind(ResourceKind::Other)
                .eval(
                    Some(&[&guardrail("iam:PassRole", "arn:aws:iam::222222222222*")]),
                    Res::None,
                ),
            "Denied(I:Guard)",
        ),
    ]);
}

/// A same-account bucket policy with this one statement, on the artifacts.
fn bucket(statement: &str) -> String {
    statements(statement)
}

/// Class 2. The IAM user guide, "AWS JSON policy elements: NotPrincipal": using `NotPrincipal`
/// with `"Effect": "Allow"` "allows all principals except the one named in the NotPrincipal
/// element". It granted the very role it names.
#[test]
fn not_principal_in_an_allow_excludes_what_it_names() {
    let allow_except = |entries: &str| {
        bucket(&format!(
            r#"{{"Sid": "AllowOthers", "Effect": "Allow", "NotPrincipal": {entries},
                "Action": "s3:GetObject", "Resource": "arn:aws:s3:::artifacts/*"}}"#
        ))
    };
    let role = Req::role(PIPELINE_ROLE);
    let read = |entries: &str| role.eval(Some(&[]), Res::Doc(&allow_except(entries)));
    check(vec![
        (
            "the role named",
            read(&format!(r#"{{"AWS": "{PIPELINE_ROLE}"}}"#)),
            "NotAllowed(Both)",
        ),
        (
            "the role and its account named",
            read(&format!(
                r#"{{"AWS": ["{PIPELINE_ROLE}", "arn:aws:iam::{A}:root"]}}"#
            )),
            "NotAllowed(Both)",
        ),
        (
            "everyone named",
            read(r#"{"AWS": "*"}"#),
            "NotAllowed(Both)",
        ),
        // "AWS might validate the account first, then the role" ("NotPrincipal"): naming the
        // account alone may or may not exclude its roles.
        (
            "its account alone",
            read(&format!(r#"{{"AWS": "{A}"}}"#)),
            "Unknown(AllowOthers/NotPrincipalAccount)",
        ),
        (
            "someone else named",
            read(&format!(r#"{{"AWS": "{DEPLOY_ROLE}"}}"#)),
            "Allowed(R:AllowOthers)",
        ),
        (
            "a service named is excluded",
            Req::service("codepipeline.amazonaws.com").eval(
                None,
                Res::Doc(&allow_except(
                    r#"{"Service": "codepipeline.amazonaws.com"}"#,
                )),
            ),
            "NotAllowed(Resource)",
        ),
    ]);
}

/// Class 3. The IAM user guide, "AWS JSON policy elements: Principal": "For anonymous users,
/// the following elements are equivalent: "Principal": "*" and "Principal" : { "AWS" : "*" }";
/// nothing says that `{"AWS": "*"}` leaves services out, so a Deny with it may apply to
/// `codepipeline.amazonaws.com` (it was ignored).
#[test]
fn aws_star_may_name_a_service() {
    let trust = |statement: &str| {
        statements(&format!(
            r#"{{"Sid": "Trust", "Effect": "Allow", "Principal": {{"Service": "codepipeline.amazonaws.com"}}, "Action": "sts:AssumeRole"}}, {statement}"#
        ))
    };
    let service = Req::service("codepipeline.amazonaws.com")
        .action("sts:AssumeRole")
        .resource(PIPELINE_ROLE)
        .kind(ResourceKind::RoleTrust);
    let assume = |statement: &str| service.eval(None, Res::Doc(&trust(statement)));
    check(vec![
        (
            "Deny AWS *",
            assume(
                r#"{"Sid": "DenyAll", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}"#,
            ),
            "Unknown(DenyAll/AwsWildcardForService)",
        ),
        (
            "Deny *: certainly everyone",
            assume(
                r#"{"Sid": "DenyAll", "Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"}"#,
            ),
            "Denied(R:DenyAll)",
        ),
        // Sibling: NotPrincipal {"AWS": "*"} in a Deny may or may not exempt the service.
        (
            "Deny NotPrincipal AWS *",
            assume(
                r#"{"Sid": "DenyOthers", "Effect": "Deny", "NotPrincipal": {"AWS": "*"}, "Action": "sts:AssumeRole"}"#,
            ),
            "Unknown(DenyOthers/AwsWildcardForService)",
        ),
        (
            "Deny naming an account: never a service",
            assume(&format!(
                r#"{{"Sid": "DenyAccount", "Effect": "Deny", "Principal": {{"AWS": "{A}"}}, "Action": "sts:AssumeRole"}}"#
            )),
            "Allowed(R:Trust)",
        ),
    ]);
}

/// Class 4. The IAM user guide: role names "must be unique within your AWS account. They are
/// not distinguished by case" ("Creating a role", "IAM and AWS STS quotas"), yet "role names
/// are case sensitive when you assume a role" ("Troubleshooting IAM roles"), and "AWS JSON
/// policy elements: Principal" states case sensitivity for user names only. `role/DEPLOY` can
/// mean no other role than `Deploy`, but whether IAM matches it is not documented: the answer
/// is open, where it was a definite "not named".
#[test]
fn a_role_named_in_other_case_may_be_the_role() {
    let deny_role = |arn: &str| {
        bucket(&format!(
            r#"{{"Sid": "Read", "Effect": "Allow", "Principal": {{"AWS": "{DEPLOY_ROLE}"}},
                "Action": "s3:GetObject", "Resource": "arn:aws:s3:::artifacts/*"}},
               {{"Sid": "DenyRole", "Effect": "Deny", "Principal": {{"AWS": "{arn}"}},
                "Action": "s3:*", "Resource": "*"}}"#
        ))
    };
    let read = statements(
        r#"{"Sid": "Mine", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#,
    );
    let deploy = Req::role(DEPLOY_ROLE);
    let with_deny = |arn: &str| deploy.eval(Some(&[&read]), Res::Doc(&deny_role(arn)));
    check(vec![
        (
            "upper-case name",
            with_deny(&format!("arn:aws:iam::{B}:role/DEPLOY")),
            "Unknown(DenyRole/RoleNameCase)",
        ),
        (
            "the exact name",
            with_deny(&format!("arn:aws:iam::{B}:role/Deploy")),
            "Denied(R:DenyRole)",
        ),
        (
            "another name",
            with_deny(&format!("arn:aws:iam::{B}:role/Deployer")),
            "Allowed(I:Mine R:Read)",
        ),
        (
            "the same name in another account",
            with_deny(&format!("arn:aws:iam::{A}:role/DEPLOY")),
            "Allowed(I:Mine R:Read)",
        ),
        // Sibling: a session of the role named in other case.
        (
            "a session of the role in other case",
            with_deny(&format!("arn:aws:sts::{B}:assumed-role/deploy/s1")),
            "Unknown(DenyRole/RoleNameCase)",
        ),
        // Sibling: a session principal asking, its role named in other case.
        (
            "a session asking, its role in other case",
            Req::role(&format!("arn:aws:sts::{B}:assumed-role/Deploy/s1")).eval(
                Some(&[&read]),
                Res::Doc(&deny_role(&format!("arn:aws:iam::{B}:role/deploy"))),
            ),
            "Unknown(DenyRole/RoleNameCase)",
        ),
    ]);
}

/// A condition on `aws:TagKeys`, absent from the request, in a Deny on everything.
fn deny_when(condition: &str) -> String {
    statements(&format!(
        r#"{ALLOW_ALL}, {{"Sid": "Guard", "Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {condition}}}"#
    ))
}

/// Class 5. The IAM user guide, "Set operators for multivalued context keys": "If the key
/// values in the request resolve to an empty data set ... A condition operator modified by
/// ForAnyValue returns false"; "Condition operators", `…IfExists`: "If the key is not present,
/// evaluate the condition element as true", and "If the policy condition requires that the key
/// is not matched, such as StringNotLike or ArnNotLike, and the right key is not present, the
/// condition is true". The texts disagree for `ForAnyValue` with `IfExists` or a negation over
/// an absent key, which evaluated to true (or false) definitely.
#[test]
fn for_any_value_over_an_absent_key_with_if_exists_or_negation_is_open() {
    let role = Req::role(PIPELINE_ROLE).context(Context::new().with_absent("aws:TagKeys"));
    let guarded = |condition: &str| role.eval(Some(&[&deny_when(condition)]), Res::None);
    check(vec![
        (
            "ForAnyValue:StringEqualsIfExists",
            guarded(r#"{"ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": "a"}}"#),
            "Unknown(Guard/aws:TagKeys:AbsentKeyForAnyValue)",
        ),
        (
            "ForAnyValue:StringNotEquals",
            guarded(r#"{"ForAnyValue:StringNotEquals": {"aws:TagKeys": "a"}}"#),
            "Unknown(Guard/aws:TagKeys:AbsentKeyForAnyValue)",
        ),
        (
            "ForAnyValue:ArnNotLikeIfExists",
            guarded(r#"{"ForAnyValue:ArnNotLikeIfExists": {"aws:TagKeys": "a"}}"#),
            "Unknown(Guard/aws:TagKeys:AbsentKeyForAnyValue)",
        ),
        // Where the texts agree the answer stays definite.
        (
            "ForAnyValue:StringEquals: false, the deny does not apply",
            guarded(r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": "a"}}"#),
            "Allowed(I:All)",
        ),
        (
            "ForAllValues:StringEqualsIfExists: true",
            guarded(r#"{"ForAllValues:StringEqualsIfExists": {"aws:TagKeys": "a"}}"#),
            "Denied(I:Guard)",
        ),
        (
            "StringEqualsIfExists: true",
            guarded(r#"{"StringEqualsIfExists": {"aws:TagKeys": "a"}}"#),
            "Denied(I:Guard)",
        ),
    ]);
}

/// Class 6. The IAM user guide, "Policy variables with no value": "Inverted condition
/// operators like StringNotEquals or StringNotLike do match against a null value", while
/// "Request information that you can use for policy variables" says a value that is not
/// present makes "any attempt to match it" fail and "causes the statement to be invalid". A
/// negated operator over such a variable held definitely.
#[test]
fn negated_operators_over_a_variable_without_value_are_open() {
    let role = Req::role(PIPELINE_ROLE).context(
        Context::new()
            .with("aws:SecureTransport", ["true"])
            .with("aws:SourceVpc", ["vpc-1"])
            .with("aws:SourceArn", ["arn:aws:s3:::artifacts"])
            .with("aws:SourceIp", ["203.0.113.5"])
            .with_absent("aws:PrincipalTag/vpc"),
    );
    let guarded = |condition: &str| role.eval(Some(&[&deny_when(condition)]), Res::None);
    check(vec![
        (
            "StringNotEquals",
            guarded(r#"{"StringNotEquals": {"aws:SourceVpc": "${aws:PrincipalTag/vpc}"}}"#),
            "Unknown(Guard/aws:SourceVpc:VariableWithoutValue)",
        ),
        (
            "StringNotLike",
            guarded(r#"{"StringNotLike": {"aws:SourceVpc": "${aws:PrincipalTag/vpc}*"}}"#),
            "Unknown(Guard/aws:SourceVpc:VariableWithoutValue)",
        ),
        (
            "StringNotEqualsIgnoreCase",
            guarded(
                r#"{"StringNotEqualsIgnoreCase": {"aws:SourceVpc": "${aws:PrincipalTag/vpc}"}}"#,
            ),
            "Unknown(Guard/aws:SourceVpc:VariableWithoutValue)",
        ),
        (
            "ArnNotLike",
            guarded(r#"{"ArnNotLike": {"aws:SourceArn": "arn:aws:s3:::${aws:PrincipalTag/vpc}"}}"#),
            "Unknown(Guard/aws:SourceArn:VariableWithoutValue)",
        ),
        (
            "ForAllValues:StringNotEquals",
            guarded(
                r#"{"ForAllValues:StringNotEquals": {"aws:SourceVpc": "${aws:PrincipalTag/vpc}"}}"#,
            ),
            "Unknown(Guard/aws:SourceVpc:VariableWithoutValue)",
        ),
        // Another value that matches settles it: vpc-1 is one of the values.
        (
            "another value matches",
            guarded(
                r#"{"StringNotEquals": {"aws:SourceVpc": ["${aws:PrincipalTag/vpc}", "vpc-1"]}}"#,
            ),
            "Allowed(I:All)",
        ),
        // The positive operators: both texts agree they do not match.
        (
            "StringEquals does not match",
            guarded(r#"{"StringEquals": {"aws:SourceVpc": "${aws:PrincipalTag/vpc}"}}"#),
            "Allowed(I:All)",
        ),
        // A default settles it: `${key, 'default'}` is a value.
        (
            "a default value",
            guarded(
                r#"{"StringNotEquals": {"aws:SourceVpc": "${aws:PrincipalTag/vpc, 'vpc-1'}"}}"#,
            ),
            "Allowed(I:All)",
        ),
    ]);
}

/// Class 7. The IAM user guide, "Policy variables with no value": "If a variable that has no
/// value in the authorization context is used as part of the Resource or NotResource element
/// of a policy, the resource that includes a policy variable with no value will not match any
/// resource", and a value not present "causes the statement to be invalid". A `NotResource`
/// with such a variable applied to everything, definitely.
#[test]
fn not_resource_with_a_variable_without_value_is_open() {
    let fence = |patterns: &str| {
        statements(&format!(
            r#"{ALLOW_ALL}, {{"Sid": "Fence", "Effect": "Deny", "Action": "s3:*", "NotResource": {patterns}}}"#
        ))
    };
    let role =
        Req::role(PIPELINE_ROLE).context(Context::new().with_absent("aws:PrincipalTag/team"));
    let read = |patterns: &str| role.eval(Some(&[&fence(patterns)]), Res::None);
    check(vec![
        (
            "NotResource with the variable alone",
            read(r#""arn:aws:s3:::${aws:PrincipalTag/team}/*""#),
            "Unknown(Fence/NotResourceWithoutValue)",
        ),
        (
            "another NotResource value covers the object: the deny does not apply",
            read(r#"["arn:aws:s3:::${aws:PrincipalTag/team}/*", "arn:aws:s3:::artifacts/*"]"#),
            "Allowed(I:All)",
        ),
        (
            "Resource with the variable matches nothing",
            role.eval(
                Some(&[&statements(&format!(
                    r#"{ALLOW_ALL}, {{"Sid": "Guard", "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::${{aws:PrincipalTag/team}}/*"}}"#
                ))]),
                Res::None,
            ),
            "Allowed(I:All)",
        ),
    ]);
}
