//! Condition operators, one family per test. Each row evaluates an identity statement with one
//! `Condition` block and reads the answer as `true`, `false` or `?key:Cause` (unknown).

mod common;

use common::{check, statements, Req, Res, PIPELINE_ROLE};
use xacct_iam::Context;

/// The condition block `condition` for `request`: `true`, `false` or the unknown reasons.
fn on(request: &Req, condition: &str) -> String {
    let policy = statements(&format!(
        r#"{{"Sid": "C", "Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {condition}}}"#
    ));
    let answer = request.eval(Some(&[&policy]), Res::None);
    match answer.as_str() {
        "Allowed(I:C)" => "true".to_string(),
        "NotAllowed(Both)" => "false".to_string(),
        other => other
            .strip_prefix("Unknown(")
            .and_then(|r| r.strip_suffix(')'))
            .map(|r| {
                r.split(' ')
                    .map(|x| format!("?{}", x.trim_start_matches("C/")))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_else(|| other.to_string()),
    }
}

/// The condition block in a resource-policy statement naming everyone (for service principals,
/// which identity policies do not govern).
fn on_resource(request: &Req, condition: &str) -> String {
    let policy = statements(&format!(
        r#"{{"Sid": "C", "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {condition}}}"#
    ));
    let answer = request.eval(None, Res::Doc(&policy));
    match answer.as_str() {
        "Allowed(R:C)" => "true".to_string(),
        "NotAllowed(Resource)" => "false".to_string(),
        other => other.replace("Unknown(C/", "?").replace(')', ""),
    }
}

/// The condition for the pipeline role with `context`.
fn with(context: Context, condition: &str) -> String {
    on(&Req::role(PIPELINE_ROLE).context(context), condition)
}

fn key(key: &str, values: &[&str]) -> Context {
    Context::new().with(key, values.iter().copied())
}

#[test]
fn string_operators() {
    let prefix = |v: &str| key("s3:prefix", &[v]);
    check(vec![
        (
            "StringEquals, equal",
            with(prefix("a"), r#"{"StringEquals": {"s3:prefix": "a"}}"#),
            "true",
        ),
        (
            "StringEquals, different",
            with(prefix("b"), r#"{"StringEquals": {"s3:prefix": "a"}}"#),
            "false",
        ),
        (
            "StringEquals is case-sensitive",
            with(prefix("A"), r#"{"StringEquals": {"s3:prefix": "a"}}"#),
            "false",
        ),
        (
            "StringEquals, values OR-ed",
            with(
                prefix("a"),
                r#"{"StringEquals": {"s3:prefix": ["x", "a"]}}"#,
            ),
            "true",
        ),
        (
            "StringEquals takes * literally",
            with(prefix("ab"), r#"{"StringEquals": {"s3:prefix": "a*"}}"#),
            "false",
        ),
        (
            "StringEquals, literal *",
            with(prefix("a*"), r#"{"StringEquals": {"s3:prefix": "a*"}}"#),
            "true",
        ),
        (
            "StringNotEquals, equal",
            with(prefix("a"), r#"{"StringNotEquals": {"s3:prefix": "a"}}"#),
            "false",
        ),
        (
            "StringNotEquals, different",
            with(prefix("b"), r#"{"StringNotEquals": {"s3:prefix": "a"}}"#),
            "true",
        ),
        (
            "StringNotEquals, values NOR-ed",
            with(
                prefix("a"),
                r#"{"StringNotEquals": {"s3:prefix": ["x", "a"]}}"#,
            ),
            "false",
        ),
        (
            "StringNotEquals, none equal",
            with(
                prefix("b"),
                r#"{"StringNotEquals": {"s3:prefix": ["x", "a"]}}"#,
            ),
            "true",
        ),
        (
            "StringEqualsIgnoreCase",
            with(
                prefix("abc"),
                r#"{"StringEqualsIgnoreCase": {"s3:prefix": "ABC"}}"#,
            ),
            "true",
        ),
        (
            "StringNotEqualsIgnoreCase",
            with(
                prefix("abc"),
                r#"{"StringNotEqualsIgnoreCase": {"s3:prefix": "ABC"}}"#,
            ),
            "false",
        ),
        (
            "StringLike, *",
            with(
                prefix("home/alice"),
                r#"{"StringLike": {"s3:prefix": "home/*"}}"#,
            ),
            "true",
        ),
        (
            "StringLike, no match",
            with(
                prefix("other/alice"),
                r#"{"StringLike": {"s3:prefix": "home/*"}}"#,
            ),
            "false",
        ),
        (
            "StringLike, ?",
            with(prefix("v1"), r#"{"StringLike": {"s3:prefix": "v?"}}"#),
            "true",
        ),
        (
            "StringLike is case-sensitive",
            with(
                prefix("HOME/a"),
                r#"{"StringLike": {"s3:prefix": "home/*"}}"#,
            ),
            "false",
        ),
        (
            "StringNotLike, match",
            with(
                prefix("home/alice"),
                r#"{"StringNotLike": {"s3:prefix": "home/*"}}"#,
            ),
            "false",
        ),
        (
            "StringNotLike, no match",
            with(
                prefix("other"),
                r#"{"StringNotLike": {"s3:prefix": "home/*"}}"#,
            ),
            "true",
        ),
    ]);
}

#[test]
fn numeric_operators() {
    let n = |v: &str| key("s3:max-keys", &[v]);
    check(vec![
        (
            "NumericEquals",
            with(n("10"), r#"{"NumericEquals": {"s3:max-keys": "10"}}"#),
            "true",
        ),
        (
            "NumericEquals, JSON number, decimal context",
            with(n("10.0"), r#"{"NumericEquals": {"s3:max-keys": 10}}"#),
            "true",
        ),
        (
            "NumericEquals, different",
            with(n("11"), r#"{"NumericEquals": {"s3:max-keys": 10}}"#),
            "false",
        ),
        (
            "NumericNotEquals",
            with(n("11"), r#"{"NumericNotEquals": {"s3:max-keys": 10}}"#),
            "true",
        ),
        (
            "NumericLessThan",
            with(n("9"), r#"{"NumericLessThan": {"s3:max-keys": 10}}"#),
            "true",
        ),
        (
            "NumericLessThan, equal",
            with(n("10"), r#"{"NumericLessThan": {"s3:max-keys": 10}}"#),
            "false",
        ),
        (
            "NumericLessThanEquals",
            with(n("10"), r#"{"NumericLessThanEquals": {"s3:max-keys": 10}}"#),
            "true",
        ),
        (
            "NumericGreaterThan",
            with(n("11"), r#"{"NumericGreaterThan": {"s3:max-keys": 10}}"#),
            "true",
        ),
        (
            "NumericGreaterThanEquals",
            with(
                n("9"),
                r#"{"NumericGreaterThanEquals": {"s3:max-keys": 10}}"#,
            ),
            "false",
        ),
        (
            "not a number",
            with(n("ten"), r#"{"NumericEquals": {"s3:max-keys": 10}}"#),
            "?s3:max-keys:Unresolved",
        ),
        (
            "a number among junk",
            with(n("10"), r#"{"NumericEquals": {"s3:max-keys": ["x", 10]}}"#),
            "true",
        ),
    ]);
}

#[test]
fn date_operators() {
    let now = || key("aws:CurrentTime", &["2025-06-01T12:00:00Z"]);
    check(vec![
        (
            "DateLessThan",
            with(
                now(),
                r#"{"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}"#,
            ),
            "true",
        ),
        (
            "DateGreaterThan",
            with(
                now(),
                r#"{"DateGreaterThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}"#,
            ),
            "false",
        ),
        (
            "DateEquals, other offset",
            with(
                now(),
                r#"{"DateEquals": {"aws:CurrentTime": "2025-06-01T13:00:00+01:00"}}"#,
            ),
            "true",
        ),
        (
            "DateNotEquals",
            with(
                now(),
                r#"{"DateNotEquals": {"aws:CurrentTime": "2025-06-01T12:00:00Z"}}"#,
            ),
            "false",
        ),
        (
            "DateLessThanEquals, epoch",
            with(
                now(),
                r#"{"DateLessThanEquals": {"aws:CurrentTime": "1748779200"}}"#,
            ),
            "true",
        ),
        (
            "DateGreaterThanEquals, date only",
            with(
                now(),
                r#"{"DateGreaterThanEquals": {"aws:CurrentTime": "2025-06-01"}}"#,
            ),
            "true",
        ),
        (
            "DateLessThan, date only",
            with(
                now(),
                r#"{"DateLessThan": {"aws:CurrentTime": "2025-06-01"}}"#,
            ),
            "false",
        ),
        (
            "epoch context",
            with(
                key("aws:EpochTime", &["1748779200"]),
                r#"{"DateEquals": {"aws:EpochTime": "2025-06-01T12:00:00Z"}}"#,
            ),
            "true",
        ),
        (
            "unreadable date",
            with(
                now(),
                r#"{"DateLessThan": {"aws:CurrentTime": "next tuesday"}}"#,
            ),
            "?aws:CurrentTime:Unresolved",
        ),
        (
            "current time unknown",
            with(
                Context::new(),
                r#"{"DateLessThan": {"aws:CurrentTime": "2030-01-01"}}"#,
            ),
            "?aws:CurrentTime:UnknownKey",
        ),
    ]);
}

#[test]
fn bool_and_null() {
    let tls = |v: &str| key("aws:SecureTransport", &[v]);
    let absent = || {
        Context::new()
            .with_absent("aws:TokenIssueTime")
            .with_absent("aws:SecureTransport")
    };
    let present = || key("aws:TokenIssueTime", &["2025-06-01T12:00:00Z"]);
    check(vec![
        (
            "Bool true",
            with(tls("true"), r#"{"Bool": {"aws:SecureTransport": "true"}}"#),
            "true",
        ),
        (
            "Bool false",
            with(tls("true"), r#"{"Bool": {"aws:SecureTransport": "false"}}"#),
            "false",
        ),
        (
            "Bool, JSON boolean",
            with(tls("false"), r#"{"Bool": {"aws:SecureTransport": false}}"#),
            "true",
        ),
        (
            "Bool ignores case",
            with(tls("TRUE"), r#"{"Bool": {"aws:SecureTransport": "true"}}"#),
            "true",
        ),
        (
            "Bool, key absent",
            with(absent(), r#"{"Bool": {"aws:SecureTransport": "false"}}"#),
            "false",
        ),
        (
            "BoolIfExists, key absent",
            with(
                absent(),
                r#"{"BoolIfExists": {"aws:SecureTransport": "false"}}"#,
            ),
            "true",
        ),
        (
            "Null true, absent",
            with(absent(), r#"{"Null": {"aws:TokenIssueTime": "true"}}"#),
            "true",
        ),
        (
            "Null true, present",
            with(present(), r#"{"Null": {"aws:TokenIssueTime": "true"}}"#),
            "false",
        ),
        (
            "Null false, absent",
            with(absent(), r#"{"Null": {"aws:TokenIssueTime": "false"}}"#),
            "false",
        ),
        (
            "Null false, present",
            with(present(), r#"{"Null": {"aws:TokenIssueTime": false}}"#),
            "true",
        ),
        (
            "Null, both values",
            with(
                absent(),
                r#"{"Null": {"aws:TokenIssueTime": ["true", "false"]}}"#,
            ),
            "true",
        ),
        (
            "Null, unknown key",
            with(
                Context::new(),
                r#"{"Null": {"aws:TokenIssueTime": "true"}}"#,
            ),
            "?aws:TokenIssueTime:UnknownKey",
        ),
        (
            "Null, not a boolean",
            with(absent(), r#"{"Null": {"aws:TokenIssueTime": "yes"}}"#),
            "?aws:TokenIssueTime:Unresolved",
        ),
    ]);
}

#[test]
fn ip_address_operators() {
    let ip = |v: &str| key("aws:SourceIp", &[v]);
    check(vec![
        (
            "IpAddress, inside",
            with(
                ip("203.0.113.7"),
                r#"{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#,
            ),
            "true",
        ),
        (
            "IpAddress, outside",
            with(
                ip("198.51.100.1"),
                r#"{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#,
            ),
            "false",
        ),
        (
            "IpAddress, several ranges",
            with(
                ip("198.51.100.1"),
                r#"{"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "198.51.100.0/24"]}}"#,
            ),
            "true",
        ),
        (
            "IpAddress, IPv6",
            with(
                ip("2001:db8::5"),
                r#"{"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}"#,
            ),
            "true",
        ),
        (
            "NotIpAddress, inside",
            with(
                ip("203.0.113.7"),
                r#"{"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#,
            ),
            "false",
        ),
        (
            "NotIpAddress, outside",
            with(
                ip("198.51.100.1"),
                r#"{"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#,
            ),
            "true",
        ),
        (
            "not an address",
            with(
                ip("somewhere"),
                r#"{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#,
            ),
            "?aws:SourceIp:Unresolved",
        ),
        (
            "IpAddress, absent (a call from a service)",
            with(
                Context::new().with_absent("aws:SourceIp"),
                r#"{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#,
            ),
            "false",
        ),
        (
            "NotIpAddress, absent",
            with(
                Context::new().with_absent("aws:SourceIp"),
                r#"{"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#,
            ),
            "true",
        ),
        (
            "unknown, as it usually is",
            with(
                Context::new(),
                r#"{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#,
            ),
            "?aws:SourceIp:UnknownKey",
        ),
    ]);
}

#[test]
fn arn_operators() {
    let source = |v: &str| key("aws:SourceArn", &[v]);
    let pipeline = "arn:aws:codepipeline:us-east-2:111111111111:MyPipeline";
    check(vec![
        (
            "ArnLike",
            with(
                source(pipeline),
                r#"{"ArnLike": {"aws:SourceArn": "arn:aws:codepipeline:*:111111111111:*"}}"#,
            ),
            "true",
        ),
        (
            "ArnEquals also takes wildcards",
            with(
                source(pipeline),
                r#"{"ArnEquals": {"aws:SourceArn": "arn:aws:codepipeline:*:111111111111:*"}}"#,
            ),
            "true",
        ),
        (
            "ArnEquals, exact",
            with(
                source(pipeline),
                &format!(r#"{{"ArnEquals": {{"aws:SourceArn": "{pipeline}"}}}}"#),
            ),
            "true",
        ),
        (
            "ArnLike, other account",
            with(
                source(pipeline),
                r#"{"ArnLike": {"aws:SourceArn": "arn:aws:codepipeline:*:222222222222:*"}}"#,
            ),
            "false",
        ),
        (
            "ArnLike, wildcards stay in their field",
            with(
                source(pipeline),
                r#"{"ArnLike": {"aws:SourceArn": "arn:aws:codepipeline:*:MyPipeline"}}"#,
            ),
            "false",
        ),
        (
            "ArnNotLike, match",
            with(
                source(pipeline),
                r#"{"ArnNotLike": {"aws:SourceArn": "arn:aws:codepipeline:*:111111111111:*"}}"#,
            ),
            "false",
        ),
        (
            "ArnNotEquals, other",
            with(
                source(pipeline),
                r#"{"ArnNotEquals": {"aws:SourceArn": "arn:aws:codepipeline:us-east-2:111111111111:Other"}}"#,
            ),
            "true",
        ),
        (
            "ArnLike, context not an ARN",
            with(
                source("MyPipeline"),
                r#"{"ArnLike": {"aws:SourceArn": "arn:aws:codepipeline:*:111111111111:*"}}"#,
            ),
            "false",
        ),
    ]);
}

#[test]
fn if_exists_and_missing_keys() {
    let absent = || Context::new().with_absent("s3:prefix");
    let prefix = |v: &str| key("s3:prefix", &[v]);
    check(vec![
        (
            "StringEquals, absent: false",
            with(absent(), r#"{"StringEquals": {"s3:prefix": "a"}}"#),
            "false",
        ),
        (
            "StringNotEquals, absent: true",
            with(absent(), r#"{"StringNotEquals": {"s3:prefix": "a"}}"#),
            "true",
        ),
        (
            "StringEqualsIfExists, absent",
            with(absent(), r#"{"StringEqualsIfExists": {"s3:prefix": "a"}}"#),
            "true",
        ),
        (
            "StringEqualsIfExists, present and equal",
            with(
                prefix("a"),
                r#"{"StringEqualsIfExists": {"s3:prefix": "a"}}"#,
            ),
            "true",
        ),
        (
            "StringEqualsIfExists, present and different",
            with(
                prefix("b"),
                r#"{"StringEqualsIfExists": {"s3:prefix": "a"}}"#,
            ),
            "false",
        ),
        (
            "StringNotEqualsIfExists, absent",
            with(
                absent(),
                r#"{"StringNotEqualsIfExists": {"s3:prefix": "a"}}"#,
            ),
            "true",
        ),
        (
            "NumericLessThanIfExists, absent",
            with(
                Context::new().with_absent("s3:max-keys"),
                r#"{"NumericLessThanIfExists": {"s3:max-keys": 5}}"#,
            ),
            "true",
        ),
        (
            "ArnLikeIfExists, present and different",
            with(
                key("aws:SourceArn", &["arn:aws:sns:us-east-1:111111111111:t"]),
                r#"{"ArnLikeIfExists": {"aws:SourceArn": "arn:aws:sqs:*"}}"#,
            ),
            "false",
        ),
        (
            "IfExists, unknown",
            with(
                Context::new(),
                r#"{"StringEqualsIfExists": {"s3:prefix": "a"}}"#,
            ),
            "?s3:prefix:UnknownKey",
        ),
        (
            "miscased operator still read",
            with(
                prefix("a"),
                r#"{"stringequalsifexists": {"s3:prefix": "a"}}"#,
            ),
            "true",
        ),
    ]);
}

#[test]
fn set_operators_over_multivalued_keys() {
    let tags = |values: &[&str]| key("aws:TagKeys", values);
    let absent = || Context::new().with_absent("aws:TagKeys");
    check(vec![
        (
            "ForAllValues, subset",
            with(
                tags(&["a"]),
                r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}}"#,
            ),
            "true",
        ),
        (
            "ForAllValues, one outside",
            with(
                tags(&["a", "c"]),
                r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}}"#,
            ),
            "false",
        ),
        (
            "ForAllValues, absent: true",
            with(
                absent(),
                r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}}"#,
            ),
            "true",
        ),
        (
            "ForAnyValue, one inside",
            with(
                tags(&["c", "a"]),
                r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": ["a", "b"]}}"#,
            ),
            "true",
        ),
        (
            "ForAnyValue, none inside",
            with(
                tags(&["c"]),
                r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": ["a", "b"]}}"#,
            ),
            "false",
        ),
        (
            "ForAnyValue, absent: false",
            with(
                absent(),
                r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": ["a", "b"]}}"#,
            ),
            "false",
        ),
        (
            "ForAnyValue:StringNotEquals, one other",
            with(
                tags(&["a", "b"]),
                r#"{"ForAnyValue:StringNotEquals": {"aws:TagKeys": "a"}}"#,
            ),
            "true",
        ),
        (
            "ForAnyValue:StringNotEquals, none other",
            with(
                tags(&["a"]),
                r#"{"ForAnyValue:StringNotEquals": {"aws:TagKeys": "a"}}"#,
            ),
            "false",
        ),
        (
            "ForAllValues:StringNotEquals, none listed",
            with(
                tags(&["b", "c"]),
                r#"{"ForAllValues:StringNotEquals": {"aws:TagKeys": "a"}}"#,
            ),
            "true",
        ),
        (
            "ForAllValues:StringNotEquals, one listed",
            with(
                tags(&["a", "b"]),
                r#"{"ForAllValues:StringNotEquals": {"aws:TagKeys": "a"}}"#,
            ),
            "false",
        ),
        (
            "ForAllValues:StringLike",
            with(
                tags(&["team-x", "team-y"]),
                r#"{"ForAllValues:StringLike": {"aws:TagKeys": "team-*"}}"#,
            ),
            "true",
        ),
        (
            // `ForAnyValue` over no values "returns false", `…IfExists` over a missing key is
            // true: the guide's texts disagree, so the answer stays open.
            "ForAnyValue:StringEqualsIfExists, absent",
            with(
                absent(),
                r#"{"ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": "a"}}"#,
            ),
            "?aws:TagKeys:AbsentKeyForAnyValue",
        ),
        (
            "no set operator, several context values: any",
            with(
                tags(&["c", "a"]),
                r#"{"StringEquals": {"aws:TagKeys": "a"}}"#,
            ),
            "true",
        ),
        (
            "no set operator, negated: none may match",
            with(
                tags(&["c", "a"]),
                r#"{"StringNotEquals": {"aws:TagKeys": "a"}}"#,
            ),
            "false",
        ),
    ]);
}

#[test]
fn keys_and_operators_are_and_ed() {
    let both = |k2: &str| {
        Context::new()
            .with("s3:prefix", ["a"])
            .with("s3:delimiter", [k2])
    };
    check(vec![
        (
            "two keys, both hold",
            with(
                both("/"),
                r#"{"StringEquals": {"s3:prefix": "a", "s3:delimiter": "/"}}"#,
            ),
            "true",
        ),
        (
            "two keys, one fails",
            with(
                both("-"),
                r#"{"StringEquals": {"s3:prefix": "a", "s3:delimiter": "/"}}"#,
            ),
            "false",
        ),
        (
            "two operators, both hold",
            with(
                both("/").with("aws:SecureTransport", ["true"]),
                r#"{"StringEquals": {"s3:prefix": "a"}, "Bool": {"aws:SecureTransport": "true"}}"#,
            ),
            "true",
        ),
        (
            "two operators, one fails",
            with(
                both("/").with("aws:SecureTransport", ["false"]),
                r#"{"StringEquals": {"s3:prefix": "a"}, "Bool": {"aws:SecureTransport": "true"}}"#,
            ),
            "false",
        ),
        (
            "an unknown key and a failing one: false",
            with(
                both("-"),
                r#"{"StringEquals": {"aws:SourceVpc": "vpc-1", "s3:delimiter": "/"}}"#,
            ),
            "false",
        ),
        (
            "an unknown key and a holding one: unknown",
            with(
                both("/"),
                r#"{"StringEquals": {"aws:SourceVpc": "vpc-1", "s3:delimiter": "/"}}"#,
            ),
            "?aws:SourceVpc:UnknownKey",
        ),
        (
            "two unknown keys: both reasons",
            with(
                Context::new(),
                r#"{"StringEquals": {"aws:SourceVpc": "vpc-1"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}"#,
            ),
            "?aws:SourceVpc:UnknownKey ?aws:SourceIp:UnknownKey",
        ),
    ]);
}

#[test]
fn unknown_operators_are_unknown() {
    check(vec![
        (
            "an operator IAM does not have",
            with(key("k", &["v"]), r#"{"StringMatches": {"k": "v"}}"#),
            "?k:UnknownOperator",
        ),
        (
            "Null takes no IfExists",
            with(key("k", &["v"]), r#"{"NullIfExists": {"k": "true"}}"#),
            "?k:UnknownOperator",
        ),
        (
            "an unknown set prefix",
            with(
                key("k", &["v"]),
                r#"{"ForSomeValues:StringEquals": {"k": "v"}}"#,
            ),
            "?k:UnknownOperator",
        ),
        (
            "BinaryEquals compares the text",
            with(
                key("k", &["QmluYXJ5"]),
                r#"{"BinaryEquals": {"k": "QmluYXJ5"}}"#,
            ),
            "true",
        ),
    ]);
}

#[test]
fn keys_the_request_fixes() {
    let role = Req::role(PIPELINE_ROLE).context(Context::new());
    let service = Req::service("codepipeline.amazonaws.com").context(Context::new());
    let session = Req::role("arn:aws:sts::111111111111:assumed-role/Pipeline/release")
        .context(Context::new());
    check(vec![
        (
            "aws:PrincipalAccount",
            on(
                &role,
                r#"{"StringEquals": {"aws:PrincipalAccount": "111111111111"}}"#,
            ),
            "true",
        ),
        (
            "aws:PrincipalAccount, other",
            on(
                &role,
                r#"{"StringEquals": {"aws:PrincipalAccount": "222222222222"}}"#,
            ),
            "false",
        ),
        (
            "the request wins over the context",
            on(
                &role
                    .clone()
                    .context(key("aws:PrincipalAccount", &["222222222222"])),
                r#"{"StringEquals": {"aws:PrincipalAccount": "111111111111"}}"#,
            ),
            "true",
        ),
        (
            "aws:PrincipalArn is the role ARN",
            on(
                &role,
                &format!(r#"{{"ArnEquals": {{"aws:PrincipalArn": "{PIPELINE_ROLE}"}}}}"#),
            ),
            "true",
        ),
        (
            "aws:PrincipalArn, ArnLike on the path",
            on(
                &role,
                r#"{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/service-role/*"}}"#,
            ),
            "true",
        ),
        (
            "aws:PrincipalArn, another role",
            on(
                &role,
                r#"{"StringEquals": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/Other"}}"#,
            ),
            "false",
        ),
        (
            "aws:PrincipalArn keys ignore case",
            on(
                &role,
                &format!(r#"{{"ArnEquals": {{"AWS:PRINCIPALARN": "{PIPELINE_ROLE}"}}}}"#),
            ),
            "true",
        ),
        (
            "kms:CallerAccount in a KMS request",
            on(
                &role.clone().action("kms:Decrypt"),
                r#"{"StringEquals": {"kms:CallerAccount": "111111111111"}}"#,
            ),
            "true",
        ),
        (
            "kms:CallerAccount is not fixed outside KMS",
            on(
                &role,
                r#"{"StringEquals": {"kms:CallerAccount": "111111111111"}}"#,
            ),
            "?kms:CallerAccount:UnknownKey",
        ),
        (
            "aws:PrincipalType",
            on(
                &role,
                r#"{"StringEquals": {"aws:PrincipalType": "AssumedRole"}}"#,
            ),
            "true",
        ),
        (
            "aws:PrincipalServiceName is absent for a role",
            on(&role, r#"{"Null": {"aws:PrincipalServiceName": "true"}}"#),
            "true",
        ),
        (
            "aws:PrincipalIsAWSService for a role",
            on(&role, r#"{"Bool": {"aws:PrincipalIsAWSService": "false"}}"#),
            "true",
        ),
        (
            "aws:PrincipalServiceName for a service",
            on_resource(
                &service,
                r#"{"StringEquals": {"aws:PrincipalServiceName": "codepipeline.amazonaws.com"}}"#,
            ),
            "true",
        ),
        (
            "aws:PrincipalServiceName, another service",
            on_resource(
                &service,
                r#"{"StringEquals": {"aws:PrincipalServiceName": "codebuild.amazonaws.com"}}"#,
            ),
            "false",
        ),
        (
            "aws:PrincipalIsAWSService for a service",
            on_resource(
                &service,
                r#"{"Bool": {"aws:PrincipalIsAWSService": "true"}}"#,
            ),
            "true",
        ),
        (
            "a service's aws:PrincipalAccount is not fixed",
            on_resource(
                &service,
                r#"{"StringEquals": {"aws:PrincipalAccount": "111111111111"}}"#,
            ),
            "?aws:PrincipalAccount:UnknownKey",
        ),
        (
            "a session ARN does not give the role ARN",
            on(
                &session,
                r#"{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/*"}}"#,
            ),
            "?aws:PrincipalArn:UnknownKey",
        ),
        (
            "then the context can",
            on(
                &session
                    .clone()
                    .context(key("aws:PrincipalArn", &[PIPELINE_ROLE])),
                r#"{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/*"}}"#,
            ),
            "true",
        ),
        (
            "policy variables in condition values",
            on(
                &role
                    .clone()
                    .context(key("s3:prefix", &["home/111111111111"])),
                r#"{"StringEquals": {"s3:prefix": "home/${aws:PrincipalAccount}"}}"#,
            ),
            "true",
        ),
        (
            "an unknown variable",
            on(
                &role.clone().context(key("s3:prefix", &["alice/x"])),
                r#"{"StringLike": {"s3:prefix": "${aws:username}/*"}}"#,
            ),
            "?s3:prefix:Unresolved",
        ),
    ]);
}
