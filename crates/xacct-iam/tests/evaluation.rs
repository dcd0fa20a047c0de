//! How identity and resource policies combine: one test per rule of the crate documentation,
//! each a table of rows `(label, answer, expected)`.

mod common;

use common::{check, statements, Req, Res, A, DEPLOY_ROLE, PIPELINE_ROLE};
use xacct_iam::{Context, ResourceKind};

const READ_ARTIFACTS: &str = r#"{"Sid": "ReadArtifacts", "Effect": "Allow",
    "Action": "s3:GetObject", "Resource": "arn:aws:s3:::artifacts/*"}"#;
const DENY_ALL: &str = r#"{"Sid": "DenyAll", "Effect": "Deny", "Action": "*", "Resource": "*"}"#;

/// A bucket policy statement allowing `s3:GetObject` on the artifacts to `principal`.
fn grant(sid: &str, principal: &str) -> String {
    format!(
        r#"{{"Sid": "{sid}", "Effect": "Allow", "Principal": {principal},
            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::artifacts/*"}}"#
    )
}

/// A bucket policy statement denying everything to `principal`.
fn deny(sid: &str, principal: &str) -> String {
    format!(
        r#"{{"Sid": "{sid}", "Effect": "Deny", "Principal": {principal}, "Action": "s3:*",
            "Resource": "arn:aws:s3:::artifacts/*"}}"#
    )
}

fn role_principal(arn: &str) -> String {
    format!(r#"{{"AWS": "{arn}"}}"#)
}

#[test]
fn explicit_deny_wins_over_allows_on_both_sides() {
    let identity_allow = statements(READ_ARTIFACTS);
    let identity_deny = statements(&format!("{READ_ARTIFACTS}, {DENY_ALL}"));
    let bucket_allow = statements(&grant("PipelineRole", &role_principal(PIPELINE_ROLE)));
    let bucket_deny_everyone = statements(&format!(
        "{}, {}",
        grant("PipelineRole", &role_principal(PIPELINE_ROLE)),
        deny("DenyEveryone", r#""*""#)
    ));
    let bucket_deny_role = statements(&deny("DenyRole", &role_principal(PIPELINE_ROLE)));
    let bucket_deny_account = statements(&deny(
        "DenyAccount",
        r#"{"AWS": "arn:aws:iam::111111111111:root"}"#,
    ));
    let bucket_deny_other = statements(&deny(
        "DenyOther",
        r#"{"AWS": "arn:aws:iam::222222222222:root"}"#,
    ));
    let bucket_deny_put = statements(&format!(
        "{}, {}",
        grant("PipelineRole", &role_principal(PIPELINE_ROLE)),
        r#"{"Sid": "DenyPut", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "*"}"#
    ));
    let pipeline = Req::role(PIPELINE_ROLE);
    check(vec![
        (
            "identity deny beats identity allow",
            pipeline.eval(Some(&[&identity_deny]), Res::None),
            "Denied(I:DenyAll)",
        ),
        (
            "identity deny beats allows on both sides",
            pipeline.eval(Some(&[&identity_deny]), Res::Doc(&bucket_allow)),
            "Denied(I:DenyAll)",
        ),
        (
            "resource deny beats both allows",
            pipeline.eval(Some(&[&identity_allow]), Res::Doc(&bucket_deny_everyone)),
            "Denied(R:DenyEveryone)",
        ),
        (
            "resource deny naming the role",
            pipeline.eval(Some(&[&identity_allow]), Res::Doc(&bucket_deny_role)),
            "Denied(R:DenyRole)",
        ),
        (
            "a deny naming the account denies its roles",
            pipeline.eval(Some(&[&identity_allow]), Res::Doc(&bucket_deny_account)),
            "Denied(R:DenyAccount@root)",
        ),
        (
            "a deny naming another account does not apply",
            pipeline.eval(Some(&[&identity_allow]), Res::Doc(&bucket_deny_other)),
            "Allowed(I:ReadArtifacts)",
        ),
        (
            "a deny of another action does not apply",
            pipeline.eval(Some(&[&identity_allow]), Res::Doc(&bucket_deny_put)),
            "Allowed(I:ReadArtifacts R:PipelineRole)",
        ),
        (
            "every applicable deny is listed, identity first",
            pipeline.eval(Some(&[&identity_deny]), Res::Doc(&bucket_deny_everyone)),
            "Denied(I:DenyAll R:DenyEveryone)",
        ),
        (
            "a deny decides although the resource policy is unknown",
            pipeline.eval(Some(&[&identity_deny]), Res::Unknown),
            "Denied(I:DenyAll)",
        ),
        (
            "a deny decides although the identity policies are unknown",
            pipeline.eval(None, Res::Doc(&bucket_deny_role)),
            "Denied(R:DenyRole)",
        ),
        (
            "cross-account, the resource deny still wins",
            Req::role(DEPLOY_ROLE).eval(Some(&[&identity_allow]), Res::Doc(&bucket_deny_everyone)),
            "Denied(R:DenyEveryone)",
        ),
    ]);
}

#[test]
fn same_account_identity_policy_alone_allows() {
    let read = statements(READ_ARTIFACTS);
    let s3_star =
        statements(r#"{"Sid": "S3", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}"#);
    let other_bucket = statements(
        r#"{"Sid": "Other", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other/*"}"#,
    );
    let bucket_other_role = statements(&grant(
        "OtherRole",
        &role_principal("arn:aws:iam::111111111111:role/Other"),
    ));
    let pipeline = Req::role(PIPELINE_ROLE);
    check(vec![
        (
            "identity allow, no bucket policy",
            pipeline.eval(Some(&[&read]), Res::None),
            "Allowed(I:ReadArtifacts)",
        ),
        (
            "identity allow, a bucket policy about someone else",
            pipeline.eval(Some(&[&read]), Res::Doc(&bucket_other_role)),
            "Allowed(I:ReadArtifacts)",
        ),
        (
            "s3:* on *",
            pipeline.eval(Some(&[&s3_star]), Res::None),
            "Allowed(I:S3)",
        ),
        (
            "the allow is in the second identity policy",
            pipeline.eval(Some(&[&other_bucket, &read]), Res::None),
            "Allowed(I:ReadArtifacts)",
        ),
        (
            "the identity policy is about another bucket",
            pipeline.eval(Some(&[&other_bucket]), Res::None),
            "NotAllowed(Both)",
        ),
        (
            "no identity policies at all",
            pipeline.eval(Some(&[]), Res::None),
            "NotAllowed(Both)",
        ),
    ]);
}

#[test]
fn same_account_resource_policy_naming_the_principal_allows_alone() {
    let read = statements(READ_ARTIFACTS);
    let by_arn = statements(&grant("PipelineRole", &role_principal(PIPELINE_ROLE)));
    let everyone = statements(&grant("Public", r#""*""#));
    let any_aws = statements(&grant("AnyAws", r#"{"AWS": "*"}"#));
    let other_role = statements(&grant(
        "OtherRole",
        &role_principal("arn:aws:iam::111111111111:role/Other"),
    ));
    let pipeline = Req::role(PIPELINE_ROLE);
    check(vec![
        (
            "role ARN, no identity allow",
            pipeline.eval(Some(&[]), Res::Doc(&by_arn)),
            "Allowed(R:PipelineRole)",
        ),
        (
            "Principal *",
            pipeline.eval(Some(&[]), Res::Doc(&everyone)),
            "Allowed(R:Public)",
        ),
        (
            "AWS *",
            pipeline.eval(Some(&[]), Res::Doc(&any_aws)),
            "Allowed(R:AnyAws)",
        ),
        (
            "the identity policies are not needed, so unknown ones do not matter",
            pipeline.eval(None, Res::Doc(&by_arn)),
            "Allowed(R:PipelineRole)",
        ),
        (
            "both sides allow: both are evidence",
            pipeline.eval(Some(&[&read]), Res::Doc(&by_arn)),
            "Allowed(I:ReadArtifacts R:PipelineRole)",
        ),
        (
            "another role of the same account",
            pipeline.eval(Some(&[]), Res::Doc(&other_role)),
            "NotAllowed(Both)",
        ),
    ]);
}

#[test]
fn same_account_resource_policy_naming_the_account_only_delegates() {
    let read = statements(READ_ARTIFACTS);
    let root_arn = statements(&grant(
        "AccountA",
        r#"{"AWS": "arn:aws:iam::111111111111:root"}"#,
    ));
    let bare_id = statements(&grant("AccountA", r#"{"AWS": "111111111111"}"#));
    let pipeline = Req::role(PIPELINE_ROLE);
    check(vec![
        (
            "root ARN without identity allow",
            pipeline.eval(Some(&[]), Res::Doc(&root_arn)),
            "NotAllowed(Identity)",
        ),
        (
            "bare account ID without identity allow",
            pipeline.eval(Some(&[]), Res::Doc(&bare_id)),
            "NotAllowed(Identity)",
        ),
        (
            "root ARN with identity allow: the identity policy decides",
            pipeline.eval(Some(&[&read]), Res::Doc(&root_arn)),
            "Allowed(I:ReadArtifacts)",
        ),
        (
            "root ARN with unknown identity policies",
            pipeline.eval(None, Res::Doc(&root_arn)),
            "Unknown(missing:Identity)",
        ),
    ]);
}

#[test]
fn cross_account_needs_both_sides() {
    let read = statements(READ_ARTIFACTS);
    let root_b = statements(&grant(
        "AccountB",
        r#"{"AWS": "arn:aws:iam::222222222222:root"}"#,
    ));
    let by_arn = statements(&grant("DeployRole", &role_principal(DEPLOY_ROLE)));
    let root_a = statements(&grant(
        "AccountA",
        r#"{"AWS": "arn:aws:iam::111111111111:root"}"#,
    ));
    let everyone = statements(&grant("Public", r#""*""#));
    let deploy = Req::role(DEPLOY_ROLE);
    check(vec![
        (
            "identity allow and the account named",
            deploy.eval(Some(&[&read]), Res::Doc(&root_b)),
            "Allowed(I:ReadArtifacts R:AccountB@root)",
        ),
        (
            "identity allow and the role named",
            deploy.eval(Some(&[&read]), Res::Doc(&by_arn)),
            "Allowed(I:ReadArtifacts R:DeployRole)",
        ),
        (
            "identity allow and Principal *",
            deploy.eval(Some(&[&read]), Res::Doc(&everyone)),
            "Allowed(I:ReadArtifacts R:Public)",
        ),
        (
            "identity allow, no bucket policy",
            deploy.eval(Some(&[&read]), Res::None),
            "NotAllowed(Resource)",
        ),
        (
            "identity allow, the bucket policy names the bucket's own account",
            deploy.eval(Some(&[&read]), Res::Doc(&root_a)),
            "NotAllowed(Resource)",
        ),
        (
            "the account named, no identity allow",
            deploy.eval(Some(&[]), Res::Doc(&root_b)),
            "NotAllowed(Identity)",
        ),
        (
            "the role named, no identity allow",
            deploy.eval(Some(&[]), Res::Doc(&by_arn)),
            "NotAllowed(Identity)",
        ),
        (
            "neither side",
            deploy.eval(Some(&[]), Res::None),
            "NotAllowed(Both)",
        ),
        (
            "unknown identity policies, the account named",
            deploy.eval(None, Res::Doc(&root_b)),
            "Unknown(missing:Identity)",
        ),
        (
            "identity allow, unknown bucket policy",
            deploy.eval(Some(&[&read]), Res::Unknown),
            "Unknown(missing:Resource)",
        ),
        (
            "no identity allow decides although the bucket policy is unknown",
            deploy.eval(Some(&[]), Res::Unknown),
            "NotAllowed(Identity)",
        ),
    ]);
}

#[test]
fn kms_key_policy_is_required_even_in_the_same_account() {
    const KEY: &str = "arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let use_key = statements(&format!(
        r#"{{"Sid": "UseKey", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "{KEY}"}}"#
    ));
    let key_statement = |sid: &str, principal: &str| {
        statements(&format!(
            r#"{{"Sid": "{sid}", "Effect": "Allow", "Principal": {principal}, "Action": "kms:*", "Resource": "*"}}"#
        ))
    };
    let default_policy = key_statement(
        "EnableIamPolicies",
        r#"{"AWS": "arn:aws:iam::111111111111:root"}"#,
    );
    let names_pipeline = key_statement("AllowPipeline", &role_principal(PIPELINE_ROLE));
    let names_b = key_statement("AccountB", r#"{"AWS": "arn:aws:iam::222222222222:root"}"#);
    let names_deploy = key_statement("AllowDeploy", &role_principal(DEPLOY_ROLE));
    let names_other = key_statement(
        "AllowOther",
        &role_principal("arn:aws:iam::111111111111:role/Other"),
    );
    let pipeline = Req::role(PIPELINE_ROLE)
        .action("kms:Decrypt")
        .resource(KEY)
        .kind(ResourceKind::KmsKey);
    let deploy = Req::role(DEPLOY_ROLE)
        .action("kms:GenerateDataKeyWithoutPlaintext")
        .resource(KEY)
        .kind(ResourceKind::KmsKey);
    check(vec![
        (
            "identity allow is not enough without a key policy allow",
            pipeline.eval(Some(&[&use_key]), Res::None),
            "NotAllowed(Resource)",
        ),
        (
            "the default key policy delegates to IAM",
            pipeline.eval(Some(&[&use_key]), Res::Doc(&default_policy)),
            "Allowed(I:UseKey R:EnableIamPolicies@root)",
        ),
        (
            "the default key policy without identity allow",
            pipeline.eval(Some(&[]), Res::Doc(&default_policy)),
            "NotAllowed(Identity)",
        ),
        (
            "the key policy names the role: enough in the same account",
            pipeline.eval(Some(&[]), Res::Doc(&names_pipeline)),
            "Allowed(R:AllowPipeline)",
        ),
        (
            "the key policy names another role",
            pipeline.eval(Some(&[&use_key]), Res::Doc(&names_other)),
            "NotAllowed(Resource)",
        ),
        (
            "unknown key policy",
            pipeline.eval(Some(&[&use_key]), Res::Unknown),
            "Unknown(missing:Resource)",
        ),
        (
            "the account comes from the key ARN when not given",
            pipeline
                .clone()
                .account(None)
                .eval(Some(&[&use_key]), Res::Doc(&default_policy)),
            "Allowed(I:UseKey R:EnableIamPolicies@root)",
        ),
        (
            "cross-account via the account root, with identity allow",
            deploy.eval(Some(&[&use_key]), Res::Doc(&names_b)),
            "Allowed(I:UseKey R:AccountB@root)",
        ),
        (
            "cross-account, the role named but no identity allow",
            deploy.eval(Some(&[]), Res::Doc(&names_deploy)),
            "NotAllowed(Identity)",
        ),
        (
            "cross-account, the role named and identity allow",
            deploy.eval(Some(&[&use_key]), Res::Doc(&names_deploy)),
            "Allowed(I:UseKey R:AllowDeploy)",
        ),
    ]);
}

#[test]
fn trust_policy_via_the_account_root_needs_an_identity_allow() {
    const CROSS_ROLE: &str = "arn:aws:iam::222222222222:role/CrossAccount_Role";
    const LOCAL_ROLE: &str = "arn:aws:iam::111111111111:role/Deployer";
    let assume_b = statements(
        r#"{"Sid": "AssumeB", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::222222222222:role/*"}"#,
    );
    let assume_a = statements(
        r#"{"Sid": "AssumeA", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::111111111111:role/*"}"#,
    );
    let trust = |sid: &str, principal: &str| {
        statements(&format!(
            r#"{{"Sid": "{sid}", "Effect": "Allow", "Principal": {principal}, "Action": "sts:AssumeRole"}}"#
        ))
    };
    let trusts_pipeline = trust("TrustPipeline", &role_principal(PIPELINE_ROLE));
    let trusts_a = trust("TrustA", r#"{"AWS": "arn:aws:iam::111111111111:root"}"#);
    let assume = |role: &str| {
        Req::role(PIPELINE_ROLE)
            .action("sts:AssumeRole")
            .resource(role)
            .account(None)
            .kind(ResourceKind::RoleTrust)
    };
    check(vec![
        (
            "cross-account, role trusted by name, identity allow",
            assume(CROSS_ROLE).eval(Some(&[&assume_b]), Res::Doc(&trusts_pipeline)),
            "Allowed(I:AssumeB R:TrustPipeline)",
        ),
        (
            "cross-account, role trusted by name, no identity allow",
            assume(CROSS_ROLE).eval(Some(&[]), Res::Doc(&trusts_pipeline)),
            "NotAllowed(Identity)",
        ),
        (
            "cross-account, account trusted, identity allow",
            assume(CROSS_ROLE).eval(Some(&[&assume_b]), Res::Doc(&trusts_a)),
            "Allowed(I:AssumeB R:TrustA@root)",
        ),
        (
            "cross-account, account trusted, no identity allow",
            assume(CROSS_ROLE).eval(Some(&[&assume_a]), Res::Doc(&trusts_a)),
            "NotAllowed(Identity)",
        ),
        (
            "a role always has a trust policy; an empty one trusts no one",
            assume(CROSS_ROLE).eval(Some(&[&assume_b]), Res::Doc(&statements(""))),
            "NotAllowed(Resource)",
        ),
        (
            "same account, role trusted by name: enough",
            assume(LOCAL_ROLE).eval(Some(&[]), Res::Doc(&trusts_pipeline)),
            "Allowed(R:TrustPipeline)",
        ),
        (
            "same account, account trusted, identity allow",
            assume(LOCAL_ROLE).eval(Some(&[&assume_a]), Res::Doc(&trusts_a)),
            "Allowed(I:AssumeA R:TrustA@root)",
        ),
        (
            "same account, account trusted, no identity allow",
            assume(LOCAL_ROLE).eval(Some(&[]), Res::Doc(&trusts_a)),
            "NotAllowed(Identity)",
        ),
        (
            "same account, identity allow alone is not enough",
            assume(LOCAL_ROLE).eval(Some(&[&assume_a]), Res::None),
            "NotAllowed(Resource)",
        ),
    ]);
}

#[test]
fn missing_documents_are_unknown_only_when_their_allow_is_needed() {
    const KEY: &str = "arn:aws:kms:us-east-2:111111111111:key/k";
    let read = statements(READ_ARTIFACTS);
    let deny_everyone = statements(&deny("DenyEveryone", r#""*""#));
    let key_root = statements(
        r#"{"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "111111111111"}, "Action": "kms:*", "Resource": "*"}"#,
    );
    let key_role = statements(&format!(
        r#"{{"Sid": "Role", "Effect": "Allow", "Principal": {{"AWS": "{PIPELINE_ROLE}"}}, "Action": "kms:*", "Resource": "*"}}"#
    ));
    let pipeline = Req::role(PIPELINE_ROLE);
    let kms = pipeline
        .clone()
        .action("kms:Decrypt")
        .resource(KEY)
        .kind(ResourceKind::KmsKey);
    check(vec![
        (
            "same account, unknown identity, no bucket policy",
            pipeline.eval(None, Res::None),
            "Unknown(missing:Identity)",
        ),
        (
            "same account, both unknown",
            pipeline.eval(None, Res::Unknown),
            "Unknown(missing:Identity missing:Resource)",
        ),
        (
            "same account, identity allow, unknown bucket policy",
            pipeline.eval(Some(&[&read]), Res::Unknown),
            "Allowed(I:ReadArtifacts)",
        ),
        (
            "same account, no identity allow, unknown bucket policy",
            pipeline.eval(Some(&[]), Res::Unknown),
            "Unknown(missing:Resource)",
        ),
        (
            "cross-account, both unknown",
            Req::role(DEPLOY_ROLE).eval(None, Res::Unknown),
            "Unknown(missing:Identity missing:Resource)",
        ),
        (
            "key policy naming the role, unknown identity",
            kms.eval(None, Res::Doc(&key_role)),
            "Allowed(R:Role)",
        ),
        (
            "key policy naming the account, unknown identity",
            kms.eval(None, Res::Doc(&key_root)),
            "Unknown(missing:Identity)",
        ),
        (
            "a deny decides although both allows are unknown",
            pipeline.eval(None, Res::Doc(&deny_everyone)),
            "Denied(R:DenyEveryone)",
        ),
    ]);
}

#[test]
fn unknown_resource_account_is_unknown_only_when_it_matters() {
    let read = statements(READ_ARTIFACTS);
    let by_arn = statements(&grant("PipelineRole", &role_principal(PIPELINE_ROLE)));
    let root_a = statements(&grant("AccountA", r#"{"AWS": "111111111111"}"#));
    let pipeline = Req::role(PIPELINE_ROLE).account(None);
    check(vec![
        (
            "both sides allow: allowed either way",
            pipeline.eval(Some(&[&read]), Res::Doc(&by_arn)),
            "Allowed(I:ReadArtifacts R:PipelineRole)",
        ),
        (
            "identity and the account named: allowed either way",
            pipeline.eval(Some(&[&read]), Res::Doc(&root_a)),
            "Allowed(I:ReadArtifacts R:AccountA@root)",
        ),
        (
            "identity only: allowed in the same account, not across",
            pipeline.eval(Some(&[&read]), Res::None),
            "Unknown(account)",
        ),
        (
            "resource policy only: allowed in the same account, not across",
            pipeline.eval(Some(&[]), Res::Doc(&by_arn)),
            "Unknown(account)",
        ),
        (
            "neither: refused either way",
            pipeline.eval(Some(&[]), Res::None),
            "NotAllowed(Both)",
        ),
        (
            "the reasons of either reading are kept",
            pipeline.eval(None, Res::None),
            "Unknown(account missing:Identity)",
        ),
    ]);
}

#[test]
fn a_deny_that_may_apply_makes_an_allow_unknown() {
    let read = statements(READ_ARTIFACTS);
    let read_from_vpc = statements(
        r#"{"Sid": "FromVpc", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-111"}}}"#,
    );
    let both_reads = statements(&format!(
        r#"{READ_ARTIFACTS}, {{"Sid": "FromVpc", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
            "Condition": {{"StringEquals": {{"aws:SourceVpc": "vpc-111"}}}}}}"#
    ));
    let deny_outside = statements(
        r#"{"Sid": "DenyOutside", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
            "Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}"#,
    );
    let pipeline = Req::role(PIPELINE_ROLE);
    check(vec![
        (
            "allowed unless the deny applies",
            pipeline.eval(Some(&[&read]), Res::Doc(&deny_outside)),
            "Unknown(DenyOutside/aws:SourceIp:UnknownKey)",
        ),
        (
            "not allowed either way",
            pipeline.eval(Some(&[]), Res::Doc(&deny_outside)),
            "NotAllowed(Both)",
        ),
        (
            "a maybe-allow and a maybe-deny: both reasons, deny first",
            pipeline.eval(Some(&[&read_from_vpc]), Res::Doc(&deny_outside)),
            "Unknown(DenyOutside/aws:SourceIp:UnknownKey FromVpc/aws:SourceVpc:UnknownKey)",
        ),
        (
            "a maybe-allow alone",
            pipeline.eval(Some(&[&read_from_vpc]), Res::None),
            "Unknown(FromVpc/aws:SourceVpc:UnknownKey)",
        ),
        (
            "a sure allow makes a maybe-allow irrelevant",
            pipeline.eval(Some(&[&both_reads]), Res::None),
            "Allowed(I:ReadArtifacts)",
        ),
        (
            "the deny's key known to be outside",
            pipeline
                .clone()
                .context(Context::new().with("aws:SourceIp", ["198.51.100.1"]))
                .eval(Some(&[&read]), Res::Doc(&deny_outside)),
            "Denied(R:DenyOutside)",
        ),
        (
            "the deny's key known to be inside",
            pipeline
                .clone()
                .context(Context::new().with("aws:SourceIp", ["203.0.113.9"]))
                .eval(Some(&[&read]), Res::Doc(&deny_outside)),
            "Allowed(I:ReadArtifacts)",
        ),
    ]);
}

#[test]
fn evidence_lists_the_allow_statements_of_each_side_that_took_part() {
    let two_reads = statements(&format!(
        r#"{READ_ARTIFACTS}, {{"Sid": "ReadAll", "Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}},
           {{"Sid": "Unrelated", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}}"#
    ));
    let read = statements(READ_ARTIFACTS);
    let bucket_both = statements(&format!(
        "{}, {}",
        grant("DeployRole", &role_principal(DEPLOY_ROLE)),
        grant("AccountB", r#"{"AWS": "222222222222"}"#)
    ));
    let role_and_account = statements(&grant(
        "RoleAndAccount",
        &format!(r#"{{"AWS": ["{DEPLOY_ROLE}", "arn:aws:iam::222222222222:root"]}}"#),
    ));
    let by_arn = statements(&grant("PipelineRole", &role_principal(PIPELINE_ROLE)));
    let unnamed = r#"{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#;
    check(vec![
        (
            "every applicable identity allow, in order, then the resource side",
            Req::role(PIPELINE_ROLE).eval(Some(&[&two_reads]), Res::Doc(&by_arn)),
            "Allowed(I:ReadArtifacts I:ReadAll R:PipelineRole)",
        ),
        (
            "cross-account: direct and account statements both listed",
            Req::role(DEPLOY_ROLE).eval(Some(&[&read]), Res::Doc(&bucket_both)),
            "Allowed(I:ReadArtifacts R:DeployRole R:AccountB@root)",
        ),
        (
            "a statement naming both the role and its account counts once, by name",
            Req::role(DEPLOY_ROLE).eval(Some(&[&read]), Res::Doc(&role_and_account)),
            "Allowed(I:ReadArtifacts R:RoleAndAccount)",
        ),
        (
            "statements without Sid are named by position",
            Req::role(PIPELINE_ROLE).eval(Some(&[unnamed]), Res::None),
            "Allowed(I:s1)",
        ),
    ]);
}

#[test]
fn service_principals_are_decided_by_the_resource_policy_alone() {
    const PIPELINE_ROLE_ARN: &str = PIPELINE_ROLE;
    let trust = statements(
        r#"{"Sid": "CodePipeline", "Effect": "Allow", "Principal": {"Service": "codepipeline.amazonaws.com"}, "Action": "sts:AssumeRole"}"#,
    );
    let trust_with_deny = statements(
        r#"{"Sid": "CodePipeline", "Effect": "Allow", "Principal": {"Service": "codepipeline.amazonaws.com"}, "Action": "sts:AssumeRole"},
           {"Sid": "NoServices", "Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:PrincipalIsAWSService": "true"}}}"#,
    );
    let service = |name: &str| {
        Req::service(name)
            .action("sts:AssumeRole")
            .resource(PIPELINE_ROLE_ARN)
            .account(Some(A))
            .kind(ResourceKind::RoleTrust)
    };
    check(vec![
        (
            "the service is trusted",
            service("codepipeline.amazonaws.com").eval(Some(&[]), Res::Doc(&trust)),
            "Allowed(R:CodePipeline)",
        ),
        (
            "identity policies do not matter, known or not",
            service("codepipeline.amazonaws.com").eval(None, Res::Doc(&trust)),
            "Allowed(R:CodePipeline)",
        ),
        (
            "another service",
            service("codebuild.amazonaws.com").eval(None, Res::Doc(&trust)),
            "NotAllowed(Resource)",
        ),
        (
            "unknown trust policy",
            service("codepipeline.amazonaws.com").eval(None, Res::Unknown),
            "Unknown(missing:Resource)",
        ),
        (
            "a deny on aws:PrincipalIsAWSService, which the request fixes",
            service("codepipeline.amazonaws.com").eval(None, Res::Doc(&trust_with_deny)),
            "Denied(R:NoServices)",
        ),
    ]);
}
