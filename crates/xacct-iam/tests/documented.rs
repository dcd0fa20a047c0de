//! Documented behaviour, as data: every row is one sentence of the AWS documentation and what it
//! implies for one request. The sources are the IAM user guide pages named in each row
//! ("Policy evaluation logic", "Cross-account policy evaluation logic", "IAM JSON policy
//! elements: Resource / Action / Principal / NotPrincipal / Condition operators", "Set
//! operators for multivalued context keys", "Policy variables", "AWS global condition context
//! keys") and the AWS KMS developer guide ("Key policies"); quotes are abridged with "…".
//!
//! Answers: `yes` allowed, `no` certainly not, `?` unknown; principal rows say how the
//! principal matched (`named`, through its `account`, `no`).

mod common;

use common::{check, statements, Req, Res, A, B, DEPLOY_ROLE, PIPELINE_ROLE};
use xacct_iam::{Context, ResourceKind};

/// A decision summary as yes / no / ?.
fn answer(summary: &str) -> &'static str {
    match summary.split('(').next().unwrap_or_default() {
        "Allowed" => "yes",
        "Unknown" => "?",
        _ => "no",
    }
}

/// Runs a table: each row's label is its citation.
fn table(rows: Vec<(&str, String, &str)>) {
    assert!(rows.iter().all(|(cite, _, _)| cite.contains('"')));
    check(rows);
}

/// IAM UG, "IAM JSON policy elements: Resource" (and "Policy variables" where it says so):
/// (citation, `Resource` pattern, requested resource, answer), asked by a role of A of a
/// resource of A with only an identity policy allowing every action on the pattern.
const RESOURCE_ROWS: &[(&str, &str, &str, &str)] = &[
    ("\"You can use wildcard characters (* and ?) within the individual segments of an ARN\"", "arn:aws:s3:::artifacts/*", "arn:aws:s3:::artifacts/a/b.zip", "yes"),
    ("\"You can use wildcard characters (* and ?) within the individual segments of an ARN\"", "arn:aws:s3:::artifact?/x", "arn:aws:s3:::artifacts/x", "yes"),
    ("\"(?) … Any single character\"", "arn:aws:s3:::artifact?/x", "arn:aws:s3:::artifact/x", "no"),
    ("\"The asterisk (*) character can expand to replace everything within a segment, including characters like a forward slash (/)\"", "arn:aws:s3:::artifacts/*/test/*", "arn:aws:s3:::artifacts/1/2/test/3/o.jpg", "yes"),
    ("\"The asterisk (*) character can expand to replace everything within a segment, including characters like a forward slash (/)\"", "arn:aws:s3:::artifacts/*/test/*", "arn:aws:s3:::artifacts//test/o.jpg", "yes"),
    ("\"The ARN would not match the following objects: …/1-test/object.jpg\"", "arn:aws:s3:::artifacts/*/test/*", "arn:aws:s3:::artifacts/1-test/o.jpg", "no"),
    ("\"If the * wildcard is the last character of a resource ARN segment, it can expand to match beyond the colon boundaries\"", "arn:aws:kms:*", "arn:aws:kms:us-east-2:111111111111:key/k", "yes"),
    ("\"If the * wildcard is the last character of a resource ARN segment, it can expand to match beyond the colon boundaries\"", "arn:aws:*", "arn:aws:iam::111111111111:role/x", "yes"),
    ("\"If the * wildcard is the last character of a resource ARN segment, it can expand to match beyond the colon boundaries\"", "arn:aws:iam::111111111111*", "arn:aws:iam::111111111111:role/x", "yes"),
    ("\"If the * wildcard is the last character of a resource ARN segment, it can expand to match beyond the colon boundaries\"", "arn:aws:kms:*:key/*", "arn:aws:kms:us-east-2:111111111111:key/k", "yes"),
    ("\"We recommend you use wildcards (* and ?) within ARN segments separated by a colon\" (a * inside a segment stays there)", "arn:aws:kms:us-*2:key/*", "arn:aws:kms:us-east-2:111111111111:key/k", "no"),
    ("\"If the * wildcard is the last character of a resource ARN segment…\" (the rest must still match)", "arn:aws:kms:*:alias/*", "arn:aws:kms:us-east-2:111111111111:key/k", "no"),
    ("\"If the * wildcard is the last character of a resource ARN segment…\" (another account stays apart)", "arn:aws:iam::222222222222*", "arn:aws:iam::111111111111:role/x", "no"),
    ("\"In the Resource element, the IAM user name is case sensitive\" (resource ARNs compare case-sensitively)", "arn:aws:s3:::Artifacts/*", "arn:aws:s3:::artifacts/a", "no"),
    ("\"In the Resource element, the IAM user name is case sensitive\"", "arn:aws:iam::111111111111:user/Bob", "arn:aws:iam::111111111111:user/bob", "no"),
    ("\"use the wildcard character (*) in the Resource element\" (all resources)", "*", "arn:aws:kms:us-east-2:111111111111:key/k", "yes"),
    ("\"Statements must include either a Resource or a NotResource element\" (a bucket ARN is not its objects)", "arn:aws:s3:::artifacts", "arn:aws:s3:::artifacts/a", "no"),
    ("\"Statements must include either a Resource or a NotResource element\" (objects are not the bucket)", "arn:aws:s3:::artifacts/*", "arn:aws:s3:::artifacts", "no"),
    ("\"When you use a policy variable … AWS substitutes a value from the request context key\"", "arn:aws:s3:::artifacts/${aws:PrincipalAccount}/*", "arn:aws:s3:::artifacts/111111111111/x", "yes"),
    ("\"When you use a policy variable … AWS substitutes a value from the request context key\"", "arn:aws:s3:::artifacts/${aws:PrincipalAccount}/*", "arn:aws:s3:::artifacts/222222222222/x", "no"),
    ("\"the resource that includes a policy variable with no value will not match any resource\"", "arn:aws:s3:::artifacts/${aws:PrincipalTag/team}/*", "arn:aws:s3:::artifacts/x/y", "no"),
    ("\"To add a default value to a variable, surround the default value with single quotes\"", "arn:aws:s3:::artifacts/${aws:PrincipalTag/team, 'shared'}/*", "arn:aws:s3:::artifacts/shared/y", "yes"),
    ("\"AWS substitutes a value from the request context key\" (a value not known stays open)", "arn:aws:s3:::artifacts/${aws:username}/*", "arn:aws:s3:::artifacts/x/y", "?"),
    ("\"${*}, ${?}, ${$}\" stand for the literal characters (\"Special characters\")", "arn:aws:s3:::artifacts/${*}", "arn:aws:s3:::artifacts/*", "yes"),
    ("\"${*}, ${?}, ${$}\" stand for the literal characters (\"Special characters\")", "arn:aws:s3:::artifacts/${*}", "arn:aws:s3:::artifacts/x", "no"),
];

#[test]
fn resource_patterns() {
    let rows = RESOURCE_ROWS
        .iter()
        .map(|&(cite, pattern, resource, want)| {
            let identity = statements(&format!(
                r#"{{"Sid": "P", "Effect": "Allow", "Action": "*", "Resource": "{pattern}"}}"#
            ));
            let request = Req::role(PIPELINE_ROLE)
                .resource(resource)
                .kind(ResourceKind::Other)
                .context(Context::new().with_absent("aws:PrincipalTag/team"));
            let got = request.eval(Some(&[&identity]), Res::None);
            (cite, answer(&got).to_string(), want)
        })
        .collect();
    table(rows);
}

/// (citation, `Action` pattern, requested action, answer).
const ACTION_ROWS: &[(&str, &str, &str, &str)] = &[
    ("IAM UG, Action: \"The prefix and the action name are case insensitive\"", "S3:GETOBJECT", "s3:GetObject", "yes"),
    ("IAM UG, Action: \"The prefix and the action name are case insensitive\"", "s3:getobject", "S3:GetObject", "yes"),
    ("IAM UG, Action: \"You can use wildcards (* or ?) as part of the action name\"", "s3:Get*", "s3:GetObjectVersion", "yes"),
    ("IAM UG, Action: \"You can use wildcards (* or ?) as part of the action name\"", "s3:Get*", "s3:PutObject", "no"),
    ("IAM UG, Action: \"You can use wildcards (* or ?) as part of the action name\"", "s3:?etObject", "s3:GetObject", "yes"),
    ("IAM UG, Action: \"You can use wildcards (* or ?) as part of the action name\"", "kms:*", "kms:Decrypt", "yes"),
    ("IAM UG, Action: \"\"Action\": \"*\"\" (all actions)", "*", "iam:PassRole", "yes"),
    ("IAM UG, Action: \"the service prefix\" must match (s3 is not s3-object-lambda)", "s3:*", "s3-object-lambda:GetObject", "no"),
    ("IAM UG, NotAction: \"matches everything except the specified list of actions\"", "!iam:*", "s3:GetObject", "yes"),
    ("IAM UG, NotAction: \"matches everything except the specified list of actions\"", "!iam:*", "iam:PassRole", "no"),
    ("IAM UG, NotAction: \"matches everything except the specified list of actions\" (case-insensitively)", "!KMS:*", "kms:Decrypt", "no"),
];

#[test]
fn action_patterns() {
    let rows = ACTION_ROWS
        .iter()
        .map(|&(cite, pattern, action, want)| {
            let (key, pattern) = match pattern.strip_prefix('!') {
                Some(rest) => ("NotAction", rest),
                None => ("Action", pattern),
            };
            let identity = statements(&format!(
                r#"{{"Sid": "P", "Effect": "Allow", "{key}": "{pattern}", "Resource": "*"}}"#
            ));
            let got = Req::role(PIPELINE_ROLE)
                .action(action)
                .kind(ResourceKind::Other)
                .eval(Some(&[&identity]), Res::None);
            (cite, answer(&got).to_string(), want)
        })
        .collect();
    table(rows);
}

/// (citation, condition block, context, answer). The context is `key=v1|v2` items separated by
/// `;`, `key=` for a key known to be absent; keys not named are unknown. The request is an
/// identity Allow of everything under the condition, by the pipeline role (account A).
const CONDITION_ROWS: &[(&str, &str, &str, &str)] = &[
    ("IAM UG, Condition operators: \"StringEquals … Exact matching, case sensitive\"", r#"{"StringEquals": {"s3:prefix": "home/"}}"#, "s3:prefix=home/", "yes"),
    ("IAM UG, Condition operators: \"StringEquals … Exact matching, case sensitive\"", r#"{"StringEquals": {"s3:prefix": "home/"}}"#, "s3:prefix=HOME/", "no"),
    ("IAM UG, Condition operators: \"StringEqualsIgnoreCase … Exact matching, ignoring case\"", r#"{"StringEqualsIgnoreCase": {"s3:prefix": "home/"}}"#, "s3:prefix=HOME/", "yes"),
    ("IAM UG, Condition operators: \"StringNotEquals … Negated matching\"", r#"{"StringNotEquals": {"s3:prefix": "home/"}}"#, "s3:prefix=tmp/", "yes"),
    ("IAM UG, Condition operators: \"StringNotEqualsIgnoreCase … Negated matching, ignoring case\"", r#"{"StringNotEqualsIgnoreCase": {"s3:prefix": "home/"}}"#, "s3:prefix=HOME/", "no"),
    ("IAM UG, Condition operators: \"StringLike … can include a multi-character match wildcard (*) … anywhere in the string\"", r#"{"StringLike": {"s3:prefix": "home/*"}}"#, "s3:prefix=home/a/b", "yes"),
    ("IAM UG, Condition operators: \"StringLike … a single-character match wildcard (?)\"", r#"{"StringLike": {"s3:prefix": "home/?"}}"#, "s3:prefix=home/ab", "no"),
    ("IAM UG, Condition operators: \"StringNotLike … Negated case-sensitive matching\"", r#"{"StringNotLike": {"s3:prefix": "home/*"}}"#, "s3:prefix=Home/a", "yes"),
    ("IAM UG, Condition operators: \"StringEquals … Exact matching\" (a * is literal)", r#"{"StringEquals": {"s3:prefix": "home/*"}}"#, "s3:prefix=home/a", "no"),
    ("IAM UG, Condition operators: \"NumericEquals … Matching\"", r#"{"NumericEquals": {"s3:max-keys": "10"}}"#, "s3:max-keys=10", "yes"),
    ("IAM UG, Condition operators: \"NumericNotEquals … Negated matching\"", r#"{"NumericNotEquals": {"s3:max-keys": "10"}}"#, "s3:max-keys=10", "no"),
    ("IAM UG, Condition operators: \"NumericLessThan … \"Less than\" matching\"", r#"{"NumericLessThan": {"s3:max-keys": "10"}}"#, "s3:max-keys=9", "yes"),
    ("IAM UG, Condition operators: \"NumericLessThanEquals … \"Less than or equals\" matching\"", r#"{"NumericLessThanEquals": {"s3:max-keys": "10"}}"#, "s3:max-keys=10", "yes"),
    ("IAM UG, Condition operators: \"NumericGreaterThan … \"Greater than\" matching\"", r#"{"NumericGreaterThan": {"s3:max-keys": "10"}}"#, "s3:max-keys=10", "no"),
    ("IAM UG, Condition operators: \"NumericGreaterThanEquals … \"Greater than or equals\" matching\"", r#"{"NumericGreaterThanEquals": {"s3:max-keys": "10"}}"#, "s3:max-keys=10", "yes"),
    ("IAM UG, Condition operators: \"DateLessThan … Matching before a specific date and time\"", r#"{"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}"#, "aws:CurrentTime=2025-06-01T00:00:00Z", "yes"),
    ("IAM UG, Condition operators: \"DateGreaterThan … Matching after a specific date and time\"", r#"{"DateGreaterThan": {"aws:CurrentTime": "2030-01-01"}}"#, "aws:CurrentTime=2025-06-01T00:00:00Z", "no"),
    ("IAM UG, Condition operators: \"DateEquals … Matching a specific date\" (epoch or ISO 8601)", r#"{"DateEquals": {"aws:CurrentTime": "1735689600"}}"#, "aws:CurrentTime=2025-01-01T00:00:00Z", "yes"),
    ("IAM UG, Condition operators: \"Bool … Boolean matching\"", r#"{"Bool": {"aws:SecureTransport": "true"}}"#, "aws:SecureTransport=true", "yes"),
    ("IAM UG, Condition operators: \"Bool … Boolean matching\"", r#"{"Bool": {"aws:SecureTransport": "false"}}"#, "aws:SecureTransport=true", "no"),
    ("IAM UG, Condition operators: \"IpAddress … The specified IP address or range\"", r#"{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#, "aws:SourceIp=203.0.113.5", "yes"),
    ("IAM UG, Condition operators: \"NotIpAddress … All IP addresses except the specified IP address or range\"", r#"{"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#, "aws:SourceIp=203.0.113.5", "no"),
    ("IAM UG, Condition operators: \"ArnLike … Case-sensitive matching of the ARN\"", r#"{"ArnLike": {"aws:SourceArn": "arn:aws:s3:::Artifacts"}}"#, "aws:SourceArn=arn:aws:s3:::artifacts", "no"),
    ("IAM UG, Condition operators: \"Each of the six colon-delimited components of the ARN is checked separately\"", r#"{"ArnLike": {"aws:SourceArn": "arn:aws:someservice:*:111122223333:finance/*"}}"#, "aws:SourceArn=arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt", "no"),
    ("IAM UG, Condition operators: \"With a StringLike condition, the match succeeds\"", r#"{"StringLike": {"aws:SourceArn": "arn:aws:someservice:*:111122223333:finance/*"}}"#, "aws:SourceArn=arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt", "yes"),
    ("IAM UG, Condition operators: \"Each of the six colon-delimited components of the ARN is checked separately\"", r#"{"ArnLike": {"aws:SourceArn": "arn:aws:iam::*:role/*"}}"#, "aws:SourceArn=arn:aws:iam::222222222222:role/x", "yes"),
    ("IAM UG, Condition operators: \"ArnNotEquals, ArnNotLike … Negated matching for ARN\"", r#"{"ArnNotLike": {"aws:SourceArn": "arn:aws:iam::*:role/*"}}"#, "aws:SourceArn=arn:aws:iam::222222222222:role/x", "no"),
    ("IAM UG, Condition operators: \"If the key that you specify in a policy condition is not present in the request context, the values do not match and the condition is false\"", r#"{"StringEquals": {"s3:prefix": "home/"}}"#, "s3:prefix=", "no"),
    ("IAM UG, Condition operators: \"If the policy condition requires that the key is not matched, such as StringNotLike or ArnNotLike, and the right key is not present, the condition is true\"", r#"{"StringNotLike": {"s3:prefix": "home/*"}}"#, "s3:prefix=", "yes"),
    ("IAM UG, Condition operators: \"If the policy condition requires that the key is not matched … the condition is true\"", r#"{"ArnNotLike": {"aws:SourceArn": "arn:aws:s3:::x"}}"#, "aws:SourceArn=", "yes"),
    ("IAM UG, Condition operators: \"If the key is not present, evaluate the condition element as true\" (…IfExists)", r#"{"StringEqualsIfExists": {"s3:prefix": "home/"}}"#, "s3:prefix=", "yes"),
    ("IAM UG, Condition operators: \"If the policy key is present in the context of the request, process the key as specified in the policy\" (…IfExists)", r#"{"StringEqualsIfExists": {"s3:prefix": "home/"}}"#, "s3:prefix=tmp/", "no"),
    ("IAM UG, Condition operators: \"Null … true … the key doesn't exist\"", r#"{"Null": {"aws:TokenIssueTime": "true"}}"#, "aws:TokenIssueTime=", "yes"),
    ("IAM UG, Condition operators: \"Null … false … the key exists and its value is not null\"", r#"{"Null": {"aws:TokenIssueTime": "false"}}"#, "aws:TokenIssueTime=", "no"),
    ("IAM UG, Condition: \"If a single condition operator includes multiple values for one key, that condition operator is evaluated using a logical OR\"", r#"{"StringEquals": {"s3:prefix": ["home/", "tmp/"]}}"#, "s3:prefix=tmp/", "yes"),
    ("IAM UG, Condition: \"When multiple values are listed in a policy for negated matching condition operators … the effective permissions work like a logical AND\"", r#"{"StringNotEquals": {"s3:prefix": ["home/", "tmp/"]}}"#, "s3:prefix=tmp/", "no"),
    ("IAM UG, Condition: \"If your policy has multiple condition operators or multiple keys … evaluated using a logical AND\"", r#"{"StringEquals": {"s3:prefix": "home/"}, "Bool": {"aws:SecureTransport": "true"}}"#, "s3:prefix=home/;aws:SecureTransport=false", "no"),
    ("IAM UG, Condition: \"Condition key names are not case-sensitive\"", r#"{"StringEquals": {"S3:PREFIX": "home/"}}"#, "s3:prefix=home/", "yes"),
    ("IAM UG, Set operators: \"ForAllValues … returns true if every key value in the request matches at least one value in the policy\"", r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}}"#, "aws:TagKeys=a|b", "yes"),
    ("IAM UG, Set operators: \"ForAllValues … returns true if every key value in the request matches at least one value in the policy\"", r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}}"#, "aws:TagKeys=a|c", "no"),
    ("IAM UG, Set operators: \"It also returns true if there are no keys in the request\" (ForAllValues)", r#"{"ForAllValues:StringEquals": {"aws:TagKeys": "a"}}"#, "aws:TagKeys=", "yes"),
    ("IAM UG, Set operators: \"ForAnyValue … returns true if any one of the key values in the request matches any one of the condition values in the policy\"", r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": "a"}}"#, "aws:TagKeys=c|a", "yes"),
    ("IAM UG, Set operators: \"A condition operator modified by ForAnyValue returns false\" (over no values)", r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": "a"}}"#, "aws:TagKeys=", "no"),
    ("IAM UG, Set operators: \"ForAnyValue returns false\" vs Condition operators: IfExists \"evaluate the condition element as true\" (the texts disagree)", r#"{"ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": "a"}}"#, "aws:TagKeys=", "?"),
    ("IAM UG, Set operators: \"ForAnyValue returns false\" vs Condition operators: negated operators over a missing key are \"true\" (the texts disagree)", r#"{"ForAnyValue:StringNotLike": {"aws:TagKeys": "a*"}}"#, "aws:TagKeys=", "?"),
    ("IAM UG, Set operators: \"ForAllValues … returns true if there are no keys\", and IfExists \"evaluate the condition element as true\" (they agree)", r#"{"ForAllValues:StringLikeIfExists": {"aws:TagKeys": "a*"}}"#, "aws:TagKeys=", "yes"),
    ("IAM UG, Policy variables: \"StringEquals or StringLike do not match\" (a variable with no value)", r#"{"StringEquals": {"s3:prefix": "${aws:PrincipalTag/team}"}}"#, "s3:prefix=x;aws:PrincipalTag/team=", "no"),
    ("IAM UG, Policy variables: \"Inverted condition operators … do match against a null value\" vs \"any attempt to match it fails\" (the texts disagree)", r#"{"StringNotEquals": {"s3:prefix": "${aws:PrincipalTag/team}"}}"#, "s3:prefix=x;aws:PrincipalTag/team=", "?"),
    ("IAM UG, Policy variables: \"AWS substitutes a value from the request context key in place of the variable\"", r#"{"StringEquals": {"s3:prefix": "home/${aws:PrincipalAccount}/"}}"#, "s3:prefix=home/111111111111/", "yes"),
    ("IAM UG, Global condition keys: aws:PrincipalAccount \"is included in the request context for all requests\"", r#"{"StringEquals": {"aws:PrincipalAccount": "111111111111"}}"#, "", "yes"),
    ("IAM UG, Global condition keys: aws:PrincipalAccount \"compare the account to which the requesting principal belongs\"", r#"{"StringEquals": {"aws:PrincipalAccount": "222222222222"}}"#, "", "no"),
    ("IAM UG, Global condition keys: aws:PrincipalArn \"compare the ARN of the principal that made the request\" (a role's ARN)", r#"{"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/service-role/Pipeline"}}"#, "", "yes"),
    ("IAM UG, Global condition keys: aws:PrincipalIsAWSService \"is also set to false if the service uses a service role\"", r#"{"Bool": {"aws:PrincipalIsAWSService": "true"}}"#, "", "no"),
    ("IAM UG, Global condition keys: aws:SourceVpce \"is included in the request context only if the requester uses a VPC endpoint\" (not known here)", r#"{"StringEquals": {"aws:SourceVpce": "vpce-1"}}"#, "", "?"),
    ("IAM UG, Condition operators: \"Use condition operators in the Condition element to match the condition key and value in the policy against values in the request context\" (an operator it does not list is not one; left open)", r#"{"StringMatches": {"s3:prefix": "x"}}"#, "s3:prefix=x", "?"),
];

fn context(spec: &str) -> Context {
    spec.split(';')
        .filter(|item| !item.is_empty())
        .fold(Context::new(), |context, item| {
            let (key, values) = item.split_once('=').expect("key=values");
            let values: Vec<&str> = values.split('|').filter(|v| !v.is_empty()).collect();
            context.with(key, values)
        })
}

#[test]
fn condition_operators() {
    let rows = CONDITION_ROWS
        .iter()
        .map(|&(cite, condition, spec, want)| {
            let identity = statements(&format!(
                r#"{{"Sid": "P", "Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {condition}}}"#
            ));
            let got = Req::role(PIPELINE_ROLE)
                .kind(ResourceKind::Other)
                .context(context(spec))
                .eval(Some(&[&identity]), Res::None);
            (cite, answer(&got).to_string(), want)
        })
        .collect();
    table(rows);
}

/// (citation, `Principal` or `NotPrincipal` block, who asks, answer). A bucket policy of
/// account A allowing `s3:GetObject` on the artifacts (for `NotPrincipal`: with Allow) and no
/// identity allow, so that naming the principal allows and naming its account does not.
const PRINCIPAL_ROWS: &[(&str, &str, &str, &str)] = &[
    ("IAM UG, Principal: \"You can use a wildcard (*) to specify all principals\"", r#""Principal": "*""#, PIPELINE_ROLE, "named"),
    ("IAM UG, Principal: \"For anonymous users, the following elements are equivalent\" ({\"AWS\": \"*\"})", r#""Principal": {"AWS": "*"}"#, PIPELINE_ROLE, "named"),
    ("IAM UG, Principal: \"\"Principal\": { \"AWS\": \"arn:aws:iam::AWS-account-ID:role/role-name\" }\"", r#""Principal": {"AWS": "arn:aws:iam::111111111111:role/service-role/Pipeline"}"#, PIPELINE_ROLE, "named"),
    ("IAM UG, Principal: \"When you specify an assumed-role session in a Principal element, you cannot use a wildcard\" (a session names one session)", r#""Principal": {"AWS": "arn:aws:sts::111111111111:assumed-role/Pipeline/s1"}"#, "arn:aws:sts::111111111111:assumed-role/Pipeline/s1", "named"),
    ("IAM UG, Principal: \"Principals must always name a specific session\"", r#""Principal": {"AWS": "arn:aws:sts::111111111111:assumed-role/Pipeline/s1"}"#, "arn:aws:sts::111111111111:assumed-role/Pipeline/s2", "no"),
    ("IAM UG, Principal: \"You cannot use a wildcard to match part of a principal name or ARN\"", r#""Principal": {"AWS": "arn:aws:iam::111111111111:role/*"}"#, PIPELINE_ROLE, "no"),
    ("IAM UG, Principal: \"the following example policy defines permissions for the 123456789012 account\" (an account ID names the account)", r#""Principal": {"AWS": "111111111111"}"#, PIPELINE_ROLE, "account"),
    ("IAM UG, Principal: \"\"AWS\": \"arn:aws:iam::123456789012:root\"\" (the account, not only its root user)", r#""Principal": {"AWS": "arn:aws:iam::111111111111:root"}"#, PIPELINE_ROLE, "account"),
    ("IAM UG, Principal: \"This is a logical OR and not a logical AND\" (entries of a Principal)", r#""Principal": {"AWS": ["222222222222", "arn:aws:iam::111111111111:role/service-role/Pipeline"]}"#, PIPELINE_ROLE, "named"),
    ("IAM UG, Principal: \"\"AWS\": \"arn:aws:iam::123456789012:root\"\" names account 123456789012 (and no other)", r#""Principal": {"AWS": "arn:aws:iam::222222222222:root"}"#, PIPELINE_ROLE, "no"),
    ("IAM UG, Principal: \"The service principal is defined by the service\" (not a role)", r#""Principal": {"Service": "codepipeline.amazonaws.com"}"#, PIPELINE_ROLE, "no"),
    ("IAM UG, Principal: \"You can specify AWS services in the Principal element\"", r#""Principal": {"Service": "codepipeline.amazonaws.com"}"#, "service:codepipeline.amazonaws.com", "named"),
    ("IAM UG, Principal: \"You can use a wildcard (*) to specify all principals\" (services too)", r#""Principal": "*""#, "service:codepipeline.amazonaws.com", "named"),
    ("IAM UG, Principal: {\"AWS\": \"*\"} is \"equivalent\" to \"*\" \"for anonymous users\" only (a service is not said)", r#""Principal": {"AWS": "*"}"#, "service:codepipeline.amazonaws.com", "?"),
    ("IAM UG, Quotas: role names \"are not distinguished by case\", Troubleshooting: \"Role names are case sensitive when you assume a role\" (a Principal is not said)", r#""Principal": {"AWS": "arn:aws:iam::111111111111:role/service-role/PIPELINE"}"#, PIPELINE_ROLE, "?"),
    ("IAM UG, NotPrincipal: \"Doing so allows all principals except the one named in the NotPrincipal element\"", r#""NotPrincipal": {"AWS": "arn:aws:iam::111111111111:role/service-role/Pipeline"}"#, PIPELINE_ROLE, "no"),
    ("IAM UG, NotPrincipal: \"Doing so allows all principals except the one named in the NotPrincipal element\"", r#""NotPrincipal": {"AWS": "arn:aws:iam::222222222222:role/Deploy"}"#, PIPELINE_ROLE, "named"),
    ("IAM UG, NotPrincipal: \"AWS might validate the account first, then the role\" (the account alone: not said)", r#""NotPrincipal": {"AWS": "111111111111"}"#, PIPELINE_ROLE, "?"),
];

#[test]
fn principals() {
    let rows = PRINCIPAL_ROWS
        .iter()
        .map(|&(cite, block, who, want)| {
            let policy = statements(&format!(
                r#"{{"Sid": "P", "Effect": "Allow", {block}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::artifacts/*"}}"#
            ));
            let request = match who.strip_prefix("service:") {
                Some(name) => Req::service(name),
                None => Req::role(who),
            };
            let got = request.eval(Some(&[]), Res::Doc(&policy));
            let how = match got.as_str() {
                "Allowed(R:P)" => "named",
                "NotAllowed(Identity)" => "account",
                other if other.starts_with("Unknown") => "?",
                _ => "no",
            };
            (cite, how.to_string(), want)
        })
        .collect();
    table(rows);
}

const ALLOW_READ: &str =
    r#"{"Sid": "I", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#;
const DENY_READ: &str = r#"{"Sid": "D", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}"#;

/// A resource policy statement (`Principal` given) on everything.
fn grant(effect: &str, principal: &str) -> String {
    format!(
        r#"{{"Sid": "R", "Effect": "{effect}", "Principal": {principal}, "Action": "*", "Resource": "*"}}"#
    )
}

/// (citation, identity statements or `None` for unknown, resource policy (`None`: none,
/// `Some("?")`: unknown), who asks, resource account, kind, answer).
type EvalRow = (
    &'static str,
    Option<String>,
    Option<String>,
    &'static str,
    &'static str,
    ResourceKind,
    &'static str,
);

fn evaluation_rows() -> Vec<EvalRow> {
    let role_b = format!(r#"{{"AWS": "{DEPLOY_ROLE}"}}"#);
    let root_b = format!(r#"{{"AWS": "arn:aws:iam::{B}:root"}}"#);
    let role_a = format!(r#"{{"AWS": "{PIPELINE_ROLE}"}}"#);
    let root_a = format!(r#"{{"AWS": "arn:aws:iam::{A}:root"}}"#);
    let both = |a: &str, b: &str| Some(format!("{a}, {b}"));
    use ResourceKind::{KmsKey, RoleTrust, S3};
    vec![
        ("Evaluation logic: \"By default, all requests are implicitly denied\"", Some(String::new()), None, PIPELINE_ROLE, A, S3, "no"),
        ("Evaluation logic: \"An explicit deny in any policy overrides any allows\" (identity)", both(ALLOW_READ, DENY_READ), None, PIPELINE_ROLE, A, S3, "no"),
        ("Evaluation logic: \"An explicit deny in any policy overrides any allows\" (resource)", Some(ALLOW_READ.into()), Some(grant("Deny", "\"*\"")), PIPELINE_ROLE, A, S3, "no"),
        ("Evaluation logic: \"An explicit deny in either of these policies overrides the allow\" (cross-account)", Some(ALLOW_READ.into()), both(&grant("Allow", &root_b), &grant("Deny", &role_b)), DEPLOY_ROLE, A, S3, "no"),
        ("Evaluation logic: \"AWS evaluates all the permissions granted by the identity-based and resource-based policies\" (identity allow alone, same account)", Some(ALLOW_READ.into()), None, PIPELINE_ROLE, A, S3, "yes"),
        ("Evaluation logic: \"resource-based policies that grant permissions to an IAM role session ARN grant permissions directly\" (resource allow alone, same account)", Some(String::new()), Some(grant("Allow", &role_a)), PIPELINE_ROLE, A, S3, "yes"),
        ("Evaluation logic: a resource policy naming the account \"delegates\" to the account's identity policies (same account, no identity allow)", Some(String::new()), Some(grant("Allow", &root_a)), PIPELINE_ROLE, A, S3, "no"),
        ("Evaluation logic: a resource policy naming the account delegates (same account, with an identity allow)", Some(ALLOW_READ.into()), Some(grant("Allow", &root_a)), PIPELINE_ROLE, A, S3, "yes"),
        ("Cross-account evaluation: \"The request is allowed only if both evaluations return a decision of Allow\" (both)", Some(ALLOW_READ.into()), Some(grant("Allow", &root_b)), DEPLOY_ROLE, A, S3, "yes"),
        ("Cross-account evaluation: \"The request is allowed only if both evaluations return a decision of Allow\" (no identity allow)", Some(String::new()), Some(grant("Allow", &role_b)), DEPLOY_ROLE, A, S3, "no"),
        ("Cross-account evaluation: \"The request is allowed only if both evaluations return a decision of Allow\" (no resource allow)", Some(ALLOW_READ.into()), None, DEPLOY_ROLE, A, S3, "no"),
        ("Cross-account evaluation: \"AWS allows the request only if both account policy evaluations allow the request\" (naming the role)", Some(ALLOW_READ.into()), Some(grant("Allow", &role_b)), DEPLOY_ROLE, A, S3, "yes"),
        ("Cross-account evaluation: both must allow; another account named does not count", Some(ALLOW_READ.into()), Some(grant("Allow", &root_a)), DEPLOY_ROLE, A, S3, "no"),
        ("Cross-account evaluation: both must allow; an unknown identity side leaves it open", None, Some(grant("Allow", &root_b)), DEPLOY_ROLE, A, S3, "?"),
        ("Cross-account evaluation: both must allow; an unknown resource policy leaves it open", Some(ALLOW_READ.into()), Some("?".into()), DEPLOY_ROLE, A, S3, "?"),
        ("Cross-account evaluation: both must allow; a certain refusal on one side settles it whatever the other", None, None, DEPLOY_ROLE, A, S3, "no"),
        ("KMS DG, Key policies: \"Unless the key policy explicitly allows it, you cannot use IAM policies to allow access to a KMS key\"", Some(r#"{"Sid": "I", "Effect": "Allow", "Action": "kms:*", "Resource": "*"}"#.into()), None, PIPELINE_ROLE, A, KmsKey, "no"),
        ("KMS DG, Key policies: the key policy statement naming the account \"enables IAM policies\" (with an identity allow)", Some(r#"{"Sid": "I", "Effect": "Allow", "Action": "kms:*", "Resource": "*"}"#.into()), Some(grant("Allow", &root_a)), PIPELINE_ROLE, A, KmsKey, "yes"),
        ("KMS DG, Key policies: naming the account \"enables IAM policies\", which must allow too", Some(String::new()), Some(grant("Allow", &root_a)), PIPELINE_ROLE, A, KmsKey, "no"),
        ("KMS DG, Key policies: a key policy naming the principal allows it in the key's account", Some(String::new()), Some(grant("Allow", &role_a)), PIPELINE_ROLE, A, KmsKey, "yes"),
        ("KMS DG, Cross-account: \"the key policy … must give the external account … permission\" and \"IAM policies … in the external account\" must delegate it", Some(String::new()), Some(grant("Allow", &role_b)), DEPLOY_ROLE, A, KmsKey, "no"),
        ("IAM UG, Roles: \"the trust policy … defines which principals can assume the role\" (a trust policy must allow)", Some(r#"{"Sid": "I", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}"#.into()), None, PIPELINE_ROLE, A, RoleTrust, "no"),
        ("Cross-account evaluation: a trust policy naming the other account and an identity allow there", Some(r#"{"Sid": "I", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}"#.into()), Some(grant("Allow", &root_a)), PIPELINE_ROLE, B, RoleTrust, "yes"),
        ("IAM UG, Resource: identity statements \"must include either a Resource or a NotResource element\" (without one they grant nothing)", Some(r#"{"Sid": "I", "Effect": "Allow", "Action": "s3:GetObject"}"#.into()), None, PIPELINE_ROLE, A, S3, "no"),
        ("IAM UG, NotResource: \"matches everything except the specified list of resources\"", Some(r#"{"Sid": "I", "Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secret/*"}"#.into()), None, PIPELINE_ROLE, A, S3, "yes"),
        ("IAM UG, NotResource: a Deny with NotResource denies every resource but those listed", Some(format!(r#"{ALLOW_READ}, {{"Sid": "D", "Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::prod-*"}}"#)), None, PIPELINE_ROLE, A, S3, "no"),
        ("IAM UG, NotAction: a Deny with NotAction denies every action but those listed", Some(format!(r#"{ALLOW_READ}, {{"Sid": "D", "Effect": "Deny", "NotAction": "kms:*", "Resource": "*"}}"#)), None, PIPELINE_ROLE, A, S3, "no"),
        ("IAM UG, Policy variables: \"If a variable that has no value … is used as part of the … NotResource element … will not match any resource\" vs \"causes the statement to be invalid\"", Some(format!(r#"{ALLOW_READ}, {{"Sid": "D", "Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::${{aws:PrincipalTag/team}}/*"}}"#)), None, PIPELINE_ROLE, A, S3, "?"),
        ("IAM UG, NotPrincipal: \"the actions specified in the policy statement are explicitly denied to all principals except for the ones specified\" (role and account)", Some(ALLOW_READ.into()), Some(format!(r#"{{"Sid": "R", "Effect": "Deny", "NotPrincipal": {{"AWS": ["{PIPELINE_ROLE}", "arn:aws:iam::{A}:root"]}}, "Action": "*", "Resource": "*"}}"#)), PIPELINE_ROLE, A, S3, "yes"),
        ("IAM UG, NotPrincipal: \"Otherwise, the policy might deny access to the entire account containing the principal\" (the role alone)", Some(ALLOW_READ.into()), Some(format!(r#"{{"Sid": "R", "Effect": "Deny", "NotPrincipal": {{"AWS": "{PIPELINE_ROLE}"}}, "Action": "*", "Resource": "*"}}"#)), PIPELINE_ROLE, A, S3, "no"),
    ]
}

#[test]
fn evaluation_logic() {
    let rows: Vec<(String, String, &str)> = evaluation_rows()
        .into_iter()
        .map(|(cite, identity, resource, who, account, kind, want)| {
            let identity_doc = identity.map(|list| statements(&list));
            let resource_doc = resource.as_deref().filter(|r| *r != "?").map(statements);
            let res = match (&resource, &resource_doc) {
                (Some(r), _) if r == "?" => Res::Unknown,
                (_, Some(doc)) => Res::Doc(doc),
                _ => Res::None,
            };
            let identity_refs: Option<Vec<&str>> = identity_doc.as_deref().map(|doc| vec![doc]);
            let action = match kind {
                ResourceKind::KmsKey => "kms:Decrypt",
                ResourceKind::RoleTrust => "sts:AssumeRole",
                _ => "s3:GetObject",
            };
            let got = Req::role(who)
                .action(action)
                .account(Some(account))
                .kind(kind)
                .eval(identity_refs.as_deref(), res);
            (format!("\"{cite}\""), answer(&got).to_string(), want)
        })
        .collect();
    check(
        rows.iter()
            .map(|(c, g, w)| (c.as_str(), g.clone(), *w))
            .collect(),
    );
}

#[test]
fn the_table_holds_at_least_a_hundred_documented_rows() {
    let rows = RESOURCE_ROWS.len()
        + ACTION_ROWS.len()
        + CONDITION_ROWS.len()
        + PRINCIPAL_ROWS.len()
        + evaluation_rows().len();
    assert!(rows >= 100, "{rows} rows");
}
