//! Real policies: the CodePipeline user guide's cross-account walkthrough ("Create a pipeline in
//! CodePipeline that uses resources from another AWS account"), with account A (111111111111)
//! owning the pipeline, its artifact bucket and key, and account B (222222222222) owning
//! `CrossAccount_Role`; and the trust policy of a CDK-style deployment role.

mod common;

use common::{check, Req, Res, PIPELINE_ROLE};
use xacct_iam::{Context, ResourceKind};

const BUCKET: &str = "arn:aws:s3:::codepipeline-us-east-2-1234567890";
const ARTIFACT: &str =
    "arn:aws:s3:::codepipeline-us-east-2-1234567890/MyPipeline/SourceArti/abc.zip";
const KEY: &str = "arn:aws:kms:us-east-2:111111111111:key/2222222-3333333-4444-556677EXAMPLE";
const CROSS_ROLE: &str = "arn:aws:iam::222222222222:role/CrossAccount_Role";

/// Account A's artifact bucket policy, as the walkthrough gives it.
const BUCKET_POLICY: &str = r#"{
    "Version": "2012-10-17",
    "Id": "SSEAndSSLPolicy",
    "Statement": [
        {
            "Sid": "DenyUnEncryptedObjectUploads",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:PutObject",
            "Resource": "arn:aws:s3:::codepipeline-us-east-2-1234567890/*",
            "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}
        },
        {
            "Sid": "DenyInsecureConnections",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": "arn:aws:s3:::codepipeline-us-east-2-1234567890/*",
            "Condition": {"Bool": {"aws:SecureTransport": false}}
        },
        {
            "Sid": "",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::222222222222:root"},
            "Action": ["s3:Get*", "s3:Put*"],
            "Resource": "arn:aws:s3:::codepipeline-us-east-2-1234567890/*"
        },
        {
            "Sid": "",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::222222222222:root"},
            "Action": "s3:ListBucket",
            "Resource": "arn:aws:s3:::codepipeline-us-east-2-1234567890"
        }
    ]
}"#;

/// The policy the walkthrough attaches to `CrossAccount_Role` for the artifacts.
const CROSS_ROLE_S3: &str = r#"{
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Action": ["s3:GetObject*", "s3:PutObject", "s3:PutObjectAcl", "codecommit:ListBranches", "codecommit:ListRepositories"],
        "Resource": ["arn:aws:s3:::codepipeline-us-east-2-1234567890/*"]
    }]
}"#;

/// The policy the walkthrough attaches to `CrossAccount_Role` for the key.
const CROSS_ROLE_KMS: &str = r#"{
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Action": ["kms:DescribeKey", "kms:GenerateDataKey*", "kms:Encrypt", "kms:ReEncrypt*", "kms:Decrypt"],
        "Resource": ["arn:aws:kms:us-east-2:111111111111:key/2222222-3333333-4444-556677EXAMPLE"]
    }]
}"#;

/// The statement the walkthrough adds to the pipeline's service role.
const PIPELINE_ROLE_ASSUME: &str = r#"{
    "Version": "2012-10-17",
    "Statement": {
        "Effect": "Allow",
        "Action": "sts:AssumeRole",
        "Resource": ["arn:aws:iam::222222222222:role/*"]
    }
}"#;

/// Account A's key: the default statement, and use of the key for the pipeline role and
/// account B.
const KEY_POLICY: &str = r#"{
    "Version": "2012-10-17",
    "Id": "key-consolepolicy-3",
    "Statement": [
        {
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
            "Action": "kms:*",
            "Resource": "*"
        },
        {
            "Sid": "Allow use of the key",
            "Effect": "Allow",
            "Principal": {"AWS": [
                "arn:aws:iam::111111111111:role/service-role/Pipeline",
                "arn:aws:iam::222222222222:root"
            ]},
            "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
            "Resource": "*"
        }
    ]
}"#;

/// `CrossAccount_Role`'s trust policy, trusting the pipeline's service role by name.
const TRUST_PIPELINE_ROLE: &str = r#"{
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111111111111:role/service-role/Pipeline"},
        "Action": "sts:AssumeRole"
    }]
}"#;

/// The trust policy the console writes for "Another AWS account": account A as a whole.
const TRUST_ACCOUNT_A: &str = r#"{
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
        "Action": "sts:AssumeRole",
        "Condition": {}
    }]
}"#;

/// A CDK-style deployment role: trusts the pipeline account, but only roles of the pipeline.
const TRUST_CDK: &str = r#"{
    "Version": "2012-10-17",
    "Statement": [{
        "Sid": "TrustPipelineRoles",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
        "Action": ["sts:AssumeRole", "sts:TagSession"],
        "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/service-role/Pipeline*"}}
    }]
}"#;

/// The pipeline's own trust policy: the CodePipeline service.
const TRUST_CODEPIPELINE: &str = r#"{
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "codepipeline.amazonaws.com"}, "Action": "sts:AssumeRole"}]
}"#;

/// What CodePipeline's requests look like: over TLS, objects encrypted with KMS.
fn codepipeline_context() -> Context {
    Context::new()
        .with("aws:SecureTransport", ["true"])
        .with("s3:x-amz-server-side-encryption", ["aws:kms"])
}

fn cross_role() -> Req {
    Req::role(CROSS_ROLE)
        .resource(ARTIFACT)
        .context(codepipeline_context())
}

#[test]
fn the_walkthrough_bucket_policy() {
    let both = [CROSS_ROLE_S3, CROSS_ROLE_KMS];
    check(vec![
        (
            "CrossAccount_Role reads an artifact",
            cross_role().eval(Some(&both), Res::Doc(BUCKET_POLICY)),
            "Allowed(I:s0 R:s2@root)",
        ),
        (
            "CrossAccount_Role writes an encrypted artifact",
            cross_role()
                .action("s3:PutObject")
                .eval(Some(&both), Res::Doc(BUCKET_POLICY)),
            "Allowed(I:s0 R:s2@root)",
        ),
        (
            "without its own policy, the bucket policy is not enough",
            cross_role().eval(Some(&[CROSS_ROLE_KMS]), Res::Doc(BUCKET_POLICY)),
            "NotAllowed(Identity)",
        ),
        (
            "an upload without the encryption header",
            cross_role()
                .action("s3:PutObject")
                .context(
                    Context::new()
                        .with("aws:SecureTransport", ["true"])
                        .with_absent("s3:x-amz-server-side-encryption"),
                )
                .eval(Some(&both), Res::Doc(BUCKET_POLICY)),
            "Denied(R:DenyUnEncryptedObjectUploads)",
        ),
        (
            "an upload encrypted with AES256",
            cross_role()
                .action("s3:PutObject")
                .context(codepipeline_context().with("s3:x-amz-server-side-encryption", ["AES256"]))
                .eval(Some(&both), Res::Doc(BUCKET_POLICY)),
            "Denied(R:DenyUnEncryptedObjectUploads)",
        ),
        (
            "a plain-HTTP read",
            cross_role()
                .context(Context::new().with("aws:SecureTransport", ["false"]))
                .eval(Some(&both), Res::Doc(BUCKET_POLICY)),
            "Denied(R:DenyInsecureConnections)",
        ),
        (
            "transport unknown: the read hangs on the deny",
            cross_role()
                .context(Context::new())
                .eval(Some(&both), Res::Doc(BUCKET_POLICY)),
            "Unknown(DenyInsecureConnections/aws:SecureTransport:UnknownKey)",
        ),
        (
            "an upload with nothing known: both denies may apply",
            cross_role()
                .action("s3:PutObject")
                .context(Context::new())
                .eval(Some(&both), Res::Doc(BUCKET_POLICY)),
            "Unknown(DenyUnEncryptedObjectUploads/s3:x-amz-server-side-encryption:UnknownKey DenyInsecureConnections/aws:SecureTransport:UnknownKey)",
        ),
        (
            "listing the bucket: allowed to the account, not by the role's policy",
            cross_role()
                .action("s3:ListBucket")
                .resource(BUCKET)
                .eval(Some(&both), Res::Doc(BUCKET_POLICY)),
            "NotAllowed(Identity)",
        ),
        (
            "deleting an artifact: neither side allows",
            cross_role()
                .action("s3:DeleteObject")
                .eval(Some(&both), Res::Doc(BUCKET_POLICY)),
            "NotAllowed(Both)",
        ),
        (
            "the pipeline role needs its own allow: the bucket policy only names account B",
            Req::role(PIPELINE_ROLE)
                .resource(ARTIFACT)
                .context(codepipeline_context())
                .eval(Some(&[PIPELINE_ROLE_ASSUME]), Res::Doc(BUCKET_POLICY)),
            "NotAllowed(Both)",
        ),
        (
            "a role of a third account",
            Req::role("arn:aws:iam::333333333333:role/Intruder")
                .resource(ARTIFACT)
                .context(codepipeline_context())
                .eval(Some(&[CROSS_ROLE_S3]), Res::Doc(BUCKET_POLICY)),
            "NotAllowed(Resource)",
        ),
    ]);
}

#[test]
fn the_walkthrough_key_policy() {
    let decrypt = |role: &str| {
        Req::role(role)
            .action("kms:Decrypt")
            .resource(KEY)
            .account(None)
            .kind(ResourceKind::KmsKey)
    };
    check(vec![
        (
            "CrossAccount_Role decrypts: key policy names account B, its policy allows",
            decrypt(CROSS_ROLE).eval(Some(&[CROSS_ROLE_S3, CROSS_ROLE_KMS]), Res::Doc(KEY_POLICY)),
            "Allowed(I:s0 R:Allow use of the key@root)",
        ),
        (
            "CrossAccount_Role without its KMS policy",
            decrypt(CROSS_ROLE).eval(Some(&[CROSS_ROLE_S3]), Res::Doc(KEY_POLICY)),
            "NotAllowed(Identity)",
        ),
        (
            "CrossAccount_Role, key policy unknown",
            decrypt(CROSS_ROLE).eval(Some(&[CROSS_ROLE_KMS]), Res::Unknown),
            "Unknown(missing:Resource)",
        ),
        (
            "the pipeline role is named by the key policy: enough on its own",
            decrypt(PIPELINE_ROLE).eval(Some(&[PIPELINE_ROLE_ASSUME]), Res::Doc(KEY_POLICY)),
            "Allowed(R:Allow use of the key)",
        ),
        (
            "another role of account A: the default statement delegates to IAM",
            decrypt("arn:aws:iam::111111111111:role/Other").eval(Some(&[]), Res::Doc(KEY_POLICY)),
            "NotAllowed(Identity)",
        ),
    ]);
}

#[test]
fn the_walkthrough_trust_policies() {
    let assume = |role: &str| {
        Req::role(PIPELINE_ROLE)
            .action("sts:AssumeRole")
            .resource(role)
            .account(None)
            .kind(ResourceKind::RoleTrust)
            .context(Context::new())
    };
    check(vec![
        (
            "the pipeline role assumes CrossAccount_Role, trusted by name",
            assume(CROSS_ROLE).eval(Some(&[PIPELINE_ROLE_ASSUME]), Res::Doc(TRUST_PIPELINE_ROLE)),
            "Allowed(I:s0 R:s0)",
        ),
        (
            "trusted by account",
            assume(CROSS_ROLE).eval(Some(&[PIPELINE_ROLE_ASSUME]), Res::Doc(TRUST_ACCOUNT_A)),
            "Allowed(I:s0 R:s0@root)",
        ),
        (
            "without the walkthrough's statement on the pipeline role",
            assume(CROSS_ROLE).eval(Some(&[]), Res::Doc(TRUST_PIPELINE_ROLE)),
            "NotAllowed(Identity)",
        ),
        (
            "a role of account A that is not trusted by name",
            Req::role("arn:aws:iam::111111111111:role/Other")
                .action("sts:AssumeRole")
                .resource(CROSS_ROLE)
                .account(None)
                .kind(ResourceKind::RoleTrust)
                .eval(Some(&[PIPELINE_ROLE_ASSUME]), Res::Doc(TRUST_PIPELINE_ROLE)),
            "NotAllowed(Resource)",
        ),
        (
            "a role in account C trusting account A: the pipeline role may not reach it",
            assume("arn:aws:iam::333333333333:role/CrossAccount_Role")
                .eval(Some(&[PIPELINE_ROLE_ASSUME]), Res::Doc(TRUST_ACCOUNT_A)),
            "NotAllowed(Identity)",
        ),
        (
            "CodePipeline assumes the pipeline role",
            Req::service("codepipeline.amazonaws.com")
                .action("sts:AssumeRole")
                .resource(PIPELINE_ROLE)
                .account(None)
                .kind(ResourceKind::RoleTrust)
                .eval(None, Res::Doc(TRUST_CODEPIPELINE)),
            "Allowed(R:s0)",
        ),
    ]);
}

#[test]
fn a_cdk_style_trust_policy_with_a_principal_arn_condition() {
    const DEPLOY_ROLE: &str = "arn:aws:iam::222222222222:role/cdk-hnb659fds-deploy-role";
    let assume = |principal: &str| {
        Req::role(principal)
            .action("sts:AssumeRole")
            .resource(DEPLOY_ROLE)
            .account(None)
            .kind(ResourceKind::RoleTrust)
            .context(Context::new())
    };
    let assume_any = r#"{"Version": "2012-10-17", "Statement": [{"Sid": "AssumeAny", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}"#;
    check(vec![
        (
            "the pipeline role: its ARN matches the condition",
            assume(PIPELINE_ROLE).eval(Some(&[assume_any]), Res::Doc(TRUST_CDK)),
            "Allowed(I:AssumeAny R:TrustPipelineRoles@root)",
        ),
        (
            "a pipeline action role with the prefix",
            assume("arn:aws:iam::111111111111:role/service-role/PipelineBuildAction")
                .eval(Some(&[assume_any]), Res::Doc(TRUST_CDK)),
            "Allowed(I:AssumeAny R:TrustPipelineRoles@root)",
        ),
        (
            "another role of the pipeline account: the condition fails",
            assume("arn:aws:iam::111111111111:role/Developer")
                .eval(Some(&[assume_any]), Res::Doc(TRUST_CDK)),
            "NotAllowed(Resource)",
        ),
        (
            "a role of another account: not trusted at all",
            assume("arn:aws:iam::333333333333:role/service-role/Pipeline")
                .eval(Some(&[assume_any]), Res::Doc(TRUST_CDK)),
            "NotAllowed(Resource)",
        ),
        (
            "the pipeline role without an identity allow",
            assume(PIPELINE_ROLE).eval(Some(&[]), Res::Doc(TRUST_CDK)),
            "NotAllowed(Identity)",
        ),
        (
            "the pipeline role, identity policies unknown",
            assume(PIPELINE_ROLE).eval(None, Res::Doc(TRUST_CDK)),
            "Unknown(missing:Identity)",
        ),
    ]);
}
