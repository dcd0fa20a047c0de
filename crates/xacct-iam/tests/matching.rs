//! `Action` and `Resource` patterns: wildcards, case, ARN fields, policy variables.

mod common;

use common::{check, doc_with_issues, statements, Req, Res, PIPELINE_ROLE};
use xacct_iam::Context;

/// Whether an identity statement with these `Action` and `Resource` values allows the request.
fn allows(request: &Req, action: &str, resource: &str) -> String {
    let policy = statements(&format!(
        r#"{{"Sid": "S", "Effect": "Allow", "Action": {action}, "Resource": {resource}}}"#
    ));
    match request.eval(Some(&[&policy]), Res::None).as_str() {
        "Allowed(I:S)" => "yes".to_string(),
        "NotAllowed(Both)" => "no".to_string(),
        other => other.to_string(),
    }
}

#[test]
fn action_wildcards_and_case() {
    let r = |action: &str| Req::role(PIPELINE_ROLE).action(action);
    let any = r#""*""#;
    check(vec![
        (
            "s3:Get* / GetObject",
            allows(&r("s3:GetObject"), r#""s3:Get*""#, any),
            "yes",
        ),
        (
            "s3:Get* / GetObjectVersion",
            allows(&r("s3:GetObjectVersion"), r#""s3:Get*""#, any),
            "yes",
        ),
        (
            "s3:Get* / PutObject",
            allows(&r("s3:PutObject"), r#""s3:Get*""#, any),
            "no",
        ),
        (
            "s3:*Object / PutObject",
            allows(&r("s3:PutObject"), r#""s3:*Object""#, any),
            "yes",
        ),
        (
            "s3:*Object / PutObjectAcl",
            allows(&r("s3:PutObjectAcl"), r#""s3:*Object""#, any),
            "no",
        ),
        (
            "kms:GenerateDataKey* / WithoutPlaintext",
            allows(
                &r("kms:GenerateDataKeyWithoutPlaintext"),
                r#""kms:GenerateDataKey*""#,
                any,
            ),
            "yes",
        ),
        (
            "kms:GenerateDataKey* / the bare action",
            allows(&r("kms:GenerateDataKey"), r#""kms:GenerateDataKey*""#, any),
            "yes",
        ),
        (
            "? is one character",
            allows(&r("s3:GetObject"), r#""s3:?etObject""#, any),
            "yes",
        ),
        (
            "? is not zero characters",
            allows(&r("s3:etObject"), r#""s3:?etObject""#, any),
            "no",
        ),
        (
            "* alone",
            allows(&r("codebuild:StartBuild"), any, any),
            "yes",
        ),
        (
            "service:*",
            allows(&r("codebuild:StartBuild"), r#""codebuild:*""#, any),
            "yes",
        ),
        (
            "the service prefix must match",
            allows(&r("codebuild:StartBuild"), r#""codedeploy:*""#, any),
            "no",
        ),
        (
            "case is ignored",
            allows(&r("S3:getobject"), r#""s3:GetObject""#, any),
            "yes",
        ),
        (
            "case is ignored in patterns",
            allows(&r("s3:GetObject"), r#""S3:GET*""#, any),
            "yes",
        ),
        (
            "a list matches any",
            allows(
                &r("s3:PutObject"),
                r#"["s3:GetObject", "s3:PutObject"]"#,
                any,
            ),
            "yes",
        ),
        (
            "an empty list matches none",
            allows(&r("s3:GetObject"), "[]", any),
            "no",
        ),
    ]);
}

#[test]
fn resource_arns_match_field_by_field() {
    let on = |resource: &str| Req::role(PIPELINE_ROLE).resource(resource);
    let get = r#""s3:GetObject""#;
    check(vec![
        (
            "bucket/* matches an object",
            allows(
                &on("arn:aws:s3:::bucket/key"),
                get,
                r#""arn:aws:s3:::bucket/*""#,
            ),
            "yes",
        ),
        (
            "bucket/* matches a nested key with colons",
            allows(
                &on("arn:aws:s3:::bucket/a/b:c"),
                get,
                r#""arn:aws:s3:::bucket/*""#,
            ),
            "yes",
        ),
        (
            "bucket/* does not match the bucket",
            allows(
                &on("arn:aws:s3:::bucket"),
                get,
                r#""arn:aws:s3:::bucket/*""#,
            ),
            "no",
        ),
        (
            "the bucket does not match its objects",
            allows(
                &on("arn:aws:s3:::bucket/key"),
                get,
                r#""arn:aws:s3:::bucket""#,
            ),
            "no",
        ),
        (
            "bucket* matches other buckets with the prefix",
            allows(
                &on("arn:aws:s3:::bucket-2/key"),
                get,
                r#""arn:aws:s3:::bucket*""#,
            ),
            "yes",
        ),
        (
            "iam::*:role/* matches any account's role",
            allows(
                &on("arn:aws:iam::222222222222:role/path/Deploy"),
                get,
                r#""arn:aws:iam::*:role/*""#,
            ),
            "yes",
        ),
        (
            "iam::*:role/* does not match a user",
            allows(
                &on("arn:aws:iam::222222222222:user/u"),
                get,
                r#""arn:aws:iam::*:role/*""#,
            ),
            "no",
        ),
        (
            "a wildcard in the region field stays in it",
            allows(
                &on("arn:aws:kms:us-east-2:111111111111:key/k"),
                get,
                r#""arn:aws:kms:*:111111111111:key/*""#,
            ),
            "yes",
        ),
        (
            // The IAM user guide, "IAM JSON policy elements: Resource": "If the * wildcard is
            // the last character of a resource ARN segment, it can expand to match beyond the
            // colon boundaries."
            "a wildcard that ends a segment reaches across fields",
            allows(
                &on("arn:aws:kms:us-east-2:111111111111:key/k"),
                get,
                r#""arn:aws:kms:*:key/*""#,
            ),
            "yes",
        ),
        (
            "a wildcard inside a segment does not reach across fields",
            allows(
                &on("arn:aws:kms:us-east-2:111111111111:key/k"),
                get,
                r#""arn:aws:kms:us-*2:key/*""#,
            ),
            "no",
        ),
        (
            "the account field must match",
            allows(
                &on("arn:aws:kms:us-east-2:111111111111:key/k"),
                get,
                r#""arn:aws:kms:us-east-2:222222222222:key/*""#,
            ),
            "no",
        ),
        (
            "? in the region",
            allows(
                &on("arn:aws:kms:us-east-2:111111111111:key/k"),
                get,
                r#""arn:aws:kms:us-east-?:111111111111:key/k""#,
            ),
            "yes",
        ),
        (
            "resources are case-sensitive",
            allows(
                &on("arn:aws:s3:::Bucket/key"),
                get,
                r#""arn:aws:s3:::bucket/*""#,
            ),
            "no",
        ),
        (
            "* matches a non-ARN resource",
            allows(&on("*"), get, r#""*""#),
            "yes",
        ),
        (
            "a list matches any",
            allows(
                &on("arn:aws:s3:::b2/k"),
                get,
                r#"["arn:aws:s3:::b1/*", "arn:aws:s3:::b2/*"]"#,
            ),
            "yes",
        ),
    ]);
}

#[test]
fn identity_statements_need_a_resource_and_trust_statements_do_not() {
    let role = Req::role(PIPELINE_ROLE);
    let (no_resource, _) = doc_with_issues(
        r#"{"Version": "2012-10-17", "Statement": [{"Sid": "S", "Effect": "Allow", "Action": "s3:*"}]}"#,
    );
    let (no_action, _) = doc_with_issues(
        r#"{"Version": "2012-10-17", "Statement": [{"Sid": "S", "Effect": "Allow", "Resource": "*"}]}"#,
    );
    let (bad_effect, issues) = doc_with_issues(
        r#"{"Version": "2012-10-17", "Statement": [{"Sid": "S", "Effect": "allow", "Action": "*", "Resource": "*"}]}"#,
    );
    assert_eq!(issues.len(), 1);
    let trust = statements(&format!(
        r#"{{"Sid": "T", "Effect": "Allow", "Principal": {{"AWS": "{PIPELINE_ROLE}"}}, "Action": "s3:GetObject"}}"#
    ));
    let (no_principal, _) = doc_with_issues(&statements(
        r#"{"Sid": "P", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#,
    ));
    let identity = |document| role.eval_docs(Some(std::slice::from_ref(document)), Res::None, None);
    check(vec![
        (
            "identity statement without Resource",
            identity(&no_resource),
            "NotAllowed(Both)",
        ),
        (
            "statement without Action",
            identity(&no_action),
            "NotAllowed(Both)",
        ),
        (
            "statement with a miscased Effect",
            identity(&bad_effect),
            "NotAllowed(Both)",
        ),
        (
            "resource statement without Resource",
            role.eval(Some(&[]), Res::Doc(&trust)),
            "Allowed(R:T)",
        ),
        (
            "resource statement without Principal names no one",
            role.eval_docs(Some(&[]), Res::Doc(""), Some(&no_principal)),
            "NotAllowed(Both)",
        ),
    ]);
}

#[test]
fn policy_variables_in_resources() {
    let home = |version: &str| {
        format!(
            r#"{{"Version": "{version}", "Statement": [{{"Sid": "Home", "Effect": "Allow", "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::artifacts/${{aws:PrincipalAccount}}/${{aws:username, 'shared'}}/*"}}]}}"#
        )
    };
    let tagged = statements(
        r#"{"Sid": "Tagged", "Effect": "Allow", "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::artifacts/${aws:PrincipalTag/team}/*"}"#,
    );
    let current = home("2012-10-17");
    let legacy = home("2008-10-17");
    let on = |resource: &str| Req::role(PIPELINE_ROLE).resource(resource);
    let absent_user = Context::new().with_absent("aws:username");
    check(vec![
        (
            "request-fixed key and a default for an absent key",
            on("arn:aws:s3:::artifacts/111111111111/shared/x")
                .context(absent_user.clone())
                .eval(Some(&[&current]), Res::None),
            "Allowed(I:Home)",
        ),
        (
            "substituted text must match",
            on("arn:aws:s3:::artifacts/222222222222/shared/x")
                .context(absent_user)
                .eval(Some(&[&current]), Res::None),
            "NotAllowed(Both)",
        ),
        (
            "a known value replaces the default",
            on("arn:aws:s3:::artifacts/111111111111/alice/x")
                .context(Context::new().with("aws:username", ["alice"]))
                .eval(Some(&[&current]), Res::None),
            "Allowed(I:Home)",
        ),
        (
            "an unknown key makes the resource unknown",
            on("arn:aws:s3:::artifacts/111111111111/shared/x").eval(Some(&[&current]), Res::None),
            "Unknown(Home/var:arn:aws:s3:::artifacts/${aws:PrincipalAccount}/${aws:username, 'shared'}/*)",
        ),
        (
            "a known tag",
            on("arn:aws:s3:::artifacts/blue/x")
                .context(Context::new().with("aws:PrincipalTag/team", ["blue"]))
                .eval(Some(&[&tagged]), Res::None),
            "Allowed(I:Tagged)",
        ),
        (
            "an absent tag without default matches nothing",
            on("arn:aws:s3:::artifacts//x")
                .context(Context::new().with_absent("aws:PrincipalTag/team"))
                .eval(Some(&[&tagged]), Res::None),
            "NotAllowed(Both)",
        ),
        (
            "version 2008-10-17 takes ${...} literally",
            on("arn:aws:s3:::artifacts/${aws:PrincipalAccount}/${aws:username, 'shared'}/x")
                .eval(Some(&[&legacy]), Res::None),
            "Allowed(I:Home)",
        ),
    ]);
}
