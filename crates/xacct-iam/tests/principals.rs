//! `Principal`, `NotPrincipal`, `NotAction` and `NotResource`.
//!
//! Principal rows use a same-account bucket policy and no identity allow, so the answer shows
//! how the principal matched: `Allowed` by name (or everyone), `NotAllowed(Identity)` through
//! the account, `NotAllowed(Both)` not at all.

mod common;

use common::{check, statements, Req, Res, PIPELINE_ROLE};

fn bucket(principal: &str) -> String {
    statements(&format!(
        r#"{{"Sid": "Bucket", "Effect": "Allow", "Principal": {principal},
            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::artifacts/*"}}"#
    ))
}

fn named(request: &Req, principal: &str) -> String {
    request.eval(Some(&[]), Res::Doc(&bucket(principal)))
}

#[test]
fn principal_forms_for_a_role() {
    let role = Req::role(PIPELINE_ROLE);
    check(vec![
        ("Principal *", named(&role, r#""*""#), "Allowed(R:Bucket)"),
        (
            "AWS *",
            named(&role, r#"{"AWS": "*"}"#),
            "Allowed(R:Bucket)",
        ),
        (
            "AWS [*] in a list",
            named(&role, r#"{"AWS": ["*"]}"#),
            "Allowed(R:Bucket)",
        ),
        (
            "the role's ARN",
            named(&role, &format!(r#"{{"AWS": "{PIPELINE_ROLE}"}}"#)),
            "Allowed(R:Bucket)",
        ),
        (
            "the role's ARN among others",
            named(
                &role,
                &format!(r#"{{"AWS": ["arn:aws:iam::222222222222:role/X", "{PIPELINE_ROLE}"]}}"#),
            ),
            "Allowed(R:Bucket)",
        ),
        (
            "the role's name without its path is another ARN",
            named(
                &role,
                r#"{"AWS": "arn:aws:iam::111111111111:role/Pipeline"}"#,
            ),
            "NotAllowed(Both)",
        ),
        (
            "account root ARN",
            named(&role, r#"{"AWS": "arn:aws:iam::111111111111:root"}"#),
            "NotAllowed(Identity)",
        ),
        (
            "bare account ID",
            named(&role, r#"{"AWS": "111111111111"}"#),
            "NotAllowed(Identity)",
        ),
        (
            "another account",
            named(&role, r#"{"AWS": "222222222222"}"#),
            "NotAllowed(Both)",
        ),
        (
            "the account in another partition",
            named(&role, r#"{"AWS": "arn:aws-cn:iam::111111111111:root"}"#),
            "NotAllowed(Both)",
        ),
        (
            "wildcards inside a principal ARN are not wildcards",
            named(
                &role,
                r#"{"AWS": "arn:aws:iam::111111111111:role/service-role/*"}"#,
            ),
            "NotAllowed(Both)",
        ),
        (
            "a unique ID left behind by a deleted role",
            named(&role, r#"{"AWS": "AROAEXAMPLEID123456"}"#),
            "NotAllowed(Both)",
        ),
        (
            "a service principal does not name a role",
            named(&role, r#"{"Service": "codepipeline.amazonaws.com"}"#),
            "NotAllowed(Both)",
        ),
        (
            "a federated principal does not name a role",
            named(&role, r#"{"Federated": "cognito-identity.amazonaws.com"}"#),
            "NotAllowed(Both)",
        ),
        (
            "one session of the role: which session is not known",
            named(
                &role,
                r#"{"AWS": "arn:aws:sts::111111111111:assumed-role/Pipeline/release"}"#,
            ),
            "Unknown(Bucket/session)",
        ),
        (
            "a session of a same-named role in another account",
            named(
                &role,
                r#"{"AWS": "arn:aws:sts::222222222222:assumed-role/Pipeline/release"}"#,
            ),
            "NotAllowed(Both)",
        ),
        (
            "a user of the account",
            named(
                &role,
                r#"{"AWS": "arn:aws:iam::111111111111:user/Pipeline"}"#,
            ),
            "NotAllowed(Both)",
        ),
    ]);
}

#[test]
fn principal_forms_for_a_known_session() {
    let session = Req::role("arn:aws:sts::111111111111:assumed-role/Pipeline/release");
    check(vec![
        (
            "the same session",
            named(
                &session,
                r#"{"AWS": "arn:aws:sts::111111111111:assumed-role/Pipeline/release"}"#,
            ),
            "Allowed(R:Bucket)",
        ),
        (
            "another session",
            named(
                &session,
                r#"{"AWS": "arn:aws:sts::111111111111:assumed-role/Pipeline/other"}"#,
            ),
            "NotAllowed(Both)",
        ),
        (
            "the session's role, path and all",
            named(&session, &format!(r#"{{"AWS": "{PIPELINE_ROLE}"}}"#)),
            "Allowed(R:Bucket)",
        ),
        (
            "another role",
            named(
                &session,
                r#"{"AWS": "arn:aws:iam::111111111111:role/Other"}"#,
            ),
            "NotAllowed(Both)",
        ),
        (
            "the session's account",
            named(&session, r#"{"AWS": "111111111111"}"#),
            "NotAllowed(Identity)",
        ),
    ]);
}

#[test]
fn principal_forms_for_a_service() {
    let service = Req::service("codepipeline.amazonaws.com");
    check(vec![
        (
            "the service",
            named(&service, r#"{"Service": "codepipeline.amazonaws.com"}"#),
            "Allowed(R:Bucket)",
        ),
        (
            "the service in a list",
            named(
                &service,
                r#"{"Service": ["codebuild.amazonaws.com", "codepipeline.amazonaws.com"]}"#,
            ),
            "Allowed(R:Bucket)",
        ),
        (
            "another service",
            named(&service, r#"{"Service": "codebuild.amazonaws.com"}"#),
            "NotAllowed(Resource)",
        ),
        (
            "Principal *",
            named(&service, r#""*""#),
            "Allowed(R:Bucket)",
        ),
        (
            // The IAM user guide, "AWS JSON policy elements: Principal": "For anonymous users,
            // the following elements are equivalent" ("*" and {"AWS": "*"}); nothing says
            // whether {"AWS": "*"} names a service.
            "AWS * may or may not name a service",
            named(&service, r#"{"AWS": "*"}"#),
            "Unknown(Bucket/AwsWildcardForService)",
        ),
        (
            "an account does not name a service",
            named(&service, r#"{"AWS": "111111111111"}"#),
            "NotAllowed(Resource)",
        ),
    ]);
}

#[test]
fn not_principal_excludes_a_role_only_with_its_account() {
    let read = statements(
        r#"{"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#,
    );
    let deny_except = |entries: &str| {
        statements(&format!(
            r#"{{"Sid": "DenyOthers", "Effect": "Deny", "NotPrincipal": {entries}, "Action": "s3:*", "Resource": "*"}}"#
        ))
    };
    let allow_except = statements(
        r#"{"Sid": "AllowOthers", "Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::222222222222:role/Deploy"},
            "Action": "s3:GetObject", "Resource": "*"}"#,
    );
    let role = Req::role(PIPELINE_ROLE);
    let deny = |entries: &str| role.eval(Some(&[&read]), Res::Doc(&deny_except(entries)));
    check(vec![
        (
            "role and account excluded",
            deny(&format!(
                r#"{{"AWS": ["{PIPELINE_ROLE}", "arn:aws:iam::111111111111:root"]}}"#
            )),
            "Allowed(I:Read)",
        ),
        (
            "the role alone: its account is still denied",
            deny(&format!(r#"{{"AWS": "{PIPELINE_ROLE}"}}"#)),
            "Denied(R:DenyOthers)",
        ),
        (
            "the account alone: the role is still denied",
            deny(r#"{"AWS": "111111111111"}"#),
            "Denied(R:DenyOthers)",
        ),
        (
            "someone else excluded",
            deny(r#"{"AWS": ["arn:aws:iam::222222222222:role/Deploy", "222222222222"]}"#),
            "Denied(R:DenyOthers)",
        ),
        (
            "one session and the account: depends on the session",
            deny(
                r#"{"AWS": ["arn:aws:sts::111111111111:assumed-role/Pipeline/release", "111111111111"]}"#,
            ),
            "Unknown(DenyOthers/session)",
        ),
        (
            "AWS * excludes every role",
            deny(r#"{"AWS": "*"}"#),
            "Allowed(I:Read)",
        ),
        (
            "a service excluded does not exclude a role",
            deny(r#"{"Service": "codepipeline.amazonaws.com"}"#),
            "Denied(R:DenyOthers)",
        ),
        (
            "a service is excluded by its name",
            Req::service("codepipeline.amazonaws.com").eval(
                None,
                Res::Doc(&deny_except(r#"{"Service": "codepipeline.amazonaws.com"}"#)),
            ),
            "NotAllowed(Resource)",
        ),
        (
            "NotPrincipal with Allow grants everyone else, by name",
            role.eval(Some(&[]), Res::Doc(&allow_except)),
            "Allowed(R:AllowOthers)",
        ),
    ]);
}

#[test]
fn not_action_and_not_resource_invert() {
    let all_but_iam = statements(
        r#"{"Sid": "AllButIam", "Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}"#,
    );
    let s3_but_not_put = statements(
        r#"{"Sid": "S3", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
           {"Sid": "OnlyGets", "Effect": "Deny", "NotAction": ["s3:Get*", "s3:List*"], "Resource": "*"}"#,
    );
    let all_but_secret = statements(
        r#"{"Sid": "AllButSecret", "Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secret/*"}"#,
    );
    let fenced = statements(
        r#"{"Sid": "Everything", "Effect": "Allow", "Action": "*", "Resource": "*"},
           {"Sid": "OnlyArtifacts", "Effect": "Deny", "Action": "s3:*",
            "NotResource": ["arn:aws:s3:::artifacts", "arn:aws:s3:::artifacts/*"]}"#,
    );
    let role = Req::role(PIPELINE_ROLE);
    let on = |resource: &str| role.clone().resource(resource);
    check(vec![
        (
            "NotAction iam:* allows s3",
            role.eval(Some(&[&all_but_iam]), Res::None),
            "Allowed(I:AllButIam)",
        ),
        (
            "NotAction iam:* does not allow iam",
            role.clone()
                .action("iam:PassRole")
                .eval(Some(&[&all_but_iam]), Res::None),
            "NotAllowed(Both)",
        ),
        (
            "NotAction in a deny spares what it lists",
            role.eval(Some(&[&s3_but_not_put]), Res::None),
            "Allowed(I:S3)",
        ),
        (
            "NotAction in a deny denies the rest",
            role.clone()
                .action("s3:PutObject")
                .eval(Some(&[&s3_but_not_put]), Res::None),
            "Denied(I:OnlyGets)",
        ),
        (
            "NotResource allows other resources",
            role.eval(Some(&[&all_but_secret]), Res::None),
            "Allowed(I:AllButSecret)",
        ),
        (
            "NotResource does not allow what it lists",
            on("arn:aws:s3:::secret/key").eval(Some(&[&all_but_secret]), Res::None),
            "NotAllowed(Both)",
        ),
        (
            "NotResource in a deny fences a role in",
            on("arn:aws:s3:::elsewhere/key").eval(Some(&[&fenced]), Res::None),
            "Denied(I:OnlyArtifacts)",
        ),
        (
            "inside the fence",
            role.eval(Some(&[&fenced]), Res::None),
            "Allowed(I:Everything)",
        ),
    ]);
}

#[test]
fn template_placeholders_in_principals_are_unknown_until_deployed() {
    // `!Sub arn:aws:iam::${CIAccountId}:root` in a stack whose parameter is not given.
    let role = Req::role(PIPELINE_ROLE);
    check(vec![
        (
            // Through the account or not, the role's own policies would have to allow it, and
            // they do not: that much is known.
            "account root with a placeholder account",
            named(&role, r#"{"AWS": "arn:aws:iam::${CIAccountId}:root"}"#),
            "NotAllowed(Identity)",
        ),
        (
            "the role's name in a placeholder account",
            named(
                &role,
                r#"{"AWS": "arn:aws:iam::${AWS::AccountId}:role/service-role/Pipeline"}"#,
            ),
            "Unknown(Bucket/deploy-time)",
        ),
        (
            "another role's name in a placeholder account",
            named(
                &role,
                r#"{"AWS": "arn:aws:iam::${AWS::AccountId}:role/Other"}"#,
            ),
            "NotAllowed(Both)",
        ),
        (
            "a generated role name in the role's account",
            named(
                &role,
                r#"{"AWS": "arn:aws:iam::111111111111:role/${PipelineRole}"}"#,
            ),
            "Unknown(Bucket/deploy-time)",
        ),
        (
            "a principal that is wholly a parameter without a value",
            named(&role, r#"{"AWS": "${PipelineRoleArn}"}"#),
            "Unknown(Bucket/deploy-time)",
        ),
        (
            "a placeholder in another, known account",
            named(
                &role,
                r#"{"AWS": "arn:aws:iam::222222222222:role/${PipelineRole}"}"#,
            ),
            "NotAllowed(Both)",
        ),
    ]);
}
