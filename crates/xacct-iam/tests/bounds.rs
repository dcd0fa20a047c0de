//! Documented behaviour of the policies beyond a role's own and a resource's: SCPs, RCPs,
//! permissions boundaries, session policies and KMS grants. Every row is one sentence of the
//! AWS documentation and the decision it implies for one request, as
//! `common::summary` writes it (`I` identity, `R` resource, `SCP`, `RCP`, `PB` permissions
//! boundary, `SP` session policy, `G` grant; each with the statement's `Sid`).
//!
//! Sources: the IAM user guide, "How AWS enforcement code logic evaluates requests to allow or
//! deny access" (quoted as "Evaluation"), "Permissions boundaries for IAM entities"
//! ("Boundaries"), "Session policies" and the STS `AssumeRole` reference ("Sessions"); the AWS
//! Organizations user guide, "SCP evaluation" and "RCP evaluation"; the KMS developer guide,
//! "Grants in AWS KMS" ("Grants").

mod common;

use common::{check, statements, Bounded, Req, Res, A, DEPLOY_ROLE, PIPELINE_ROLE};
use xacct_iam::{Context, ResourceKind};

/// A deployment group of account A, asked for by the pipeline role (also of A).
fn deploy() -> Req {
    Req::role(PIPELINE_ROLE)
        .action("codedeploy:CreateDeployment")
        .resource("arn:aws:codedeploy:us-east-2:111111111111:deploymentgroup:app/group")
        .kind(ResourceKind::Other)
}

/// The pipeline role's identity policy: CodeDeploy on everything.
fn id_deploy() -> String {
    statements(r#"{"Sid": "Id", "Effect": "Allow", "Action": "codedeploy:*", "Resource": "*"}"#)
}

/// One statement as a document.
fn one(effect: &str, sid: &str, action: &str, extra: &str) -> String {
    statements(&format!(
        r#"{{"Sid": "{sid}", "Effect": "{effect}", "Action": "{action}", "Resource": "*"{extra}}}"#
    ))
}

/// Runs rows of (citation, decision, expected decision); each citation quotes its source.
fn table(rows: Vec<(&str, String, &str)>) {
    assert!(rows.iter().all(|(cite, _, _)| cite.contains('"')));
    check(rows);
}

#[test]
fn service_control_policies() {
    let id = id_deploy();
    let id = [id.as_str()];
    let deny_deploy = one("Deny", "DenyDeploy", "codedeploy:*", "");
    let allow_s3 = one("Allow", "AllowS3", "s3:*", "");
    let allow_deploy = one("Allow", "AllowDeploy", "codedeploy:*", "");
    let full = one("Allow", "Full", "*", "");
    let deny_s3 = one("Deny", "DenyS3", "s3:*", "");
    let deny_outside_org = one(
        "Deny",
        "DenyOutsideOrg",
        "codedeploy:*",
        r#", "Condition": {"StringNotEquals": {"aws:ResourceOrgID": "o-mine"}}"#,
    );
    let scps = |list: Vec<(&'static str, Option<&'static str>)>| Bounded {
        scps: list,
        ..Bounded::default()
    };
    // Leaked for the 'static texts the rows borrow: a test's few documents.
    let leak = |s: &String| -> &'static str { Box::leak(s.clone().into_boxed_str()) };
    let trust = statements(
        r#"{"Sid": "Trust", "Effect": "Allow", "Principal": {"Service": "codepipeline.amazonaws.com"}, "Action": "sts:AssumeRole"}"#,
    );
    let bucket = statements(&format!(
        r#"{{"Sid": "Bucket", "Effect": "Allow", "Principal": {{"AWS": "{DEPLOY_ROLE}"}}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::artifacts/*"}}"#
    ));
    let reader = one("Allow", "Read", "s3:GetObject", "");
    let deny_get = one("Deny", "DenyGet", "s3:GetObject", "");
    let kms = one("Allow", "Kms", "kms:Decrypt", "");
    let key_to_b = statements(&format!(
        r#"{{"Sid": "KeyToB", "Effect": "Allow", "Principal": {{"AWS": "{DEPLOY_ROLE}"}}, "Action": "kms:Decrypt", "Resource": "*"}}"#
    ));
    let own_keys = one(
        "Deny",
        "OwnKeysOnly",
        "kms:Decrypt",
        r#", "Condition": {"StringNotEquals": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}}"#,
    );
    let rows = vec![
        (
            "Evaluation: \"These include AWS Organizations SCPs and RCPs … If the enforcement code finds even one explicit deny that applies, the enforcement code returns a final decision of Deny\"",
            deploy().eval_bounded(Some(&id), Res::None, &scps(vec![(leak(&deny_deploy), None)])),
            "Denied(SCP:DenyDeploy)",
        ),
        (
            "Evaluation: \"SCPs apply to principals of the account where the SCPs are attached\" (a service principal is none)",
            Req::service("codepipeline.amazonaws.com")
                .action("sts:AssumeRole")
                .resource(PIPELINE_ROLE)
                .account(Some(A))
                .kind(ResourceKind::RoleTrust)
                .eval_bounded(None, Res::Doc(&trust), &scps(vec![(leak(&one("Deny", "DenyAll", "*", "")), None)])),
            "Allowed(R:Trust)",
        ),
        (
            "Boundaries: \"SCPs are applied to an entire AWS account. They limit permissions for every request made by a principal within the account\" (on another account's bucket too)",
            Req::role(DEPLOY_ROLE).eval_bounded(Some(&[&reader]), Res::Doc(&bucket), &scps(vec![(leak(&deny_get), None)])),
            "Denied(SCP:DenyGet)",
        ),
        (
            "Evaluation: \"If the enforcement code does not find any applicable Allow statements in the SCPs, then the enforcement code returns a final decision of Deny\" (SCPs not given may allow at the same level: unknown)",
            deploy().eval_bounded(Some(&id), Res::None, &scps(vec![(leak(&allow_s3), None)])),
            "Unknown(scp-level)",
        ),
        (
            "SCP evaluation: \"there must be an explicit Allow statement at every level from the root through each OU in the direct path to the account\"",
            deploy().eval_bounded(Some(&id), Res::None, &scps(vec![(leak(&full), Some("r-root")), (leak(&allow_s3), Some("ou-prod"))])),
            "Unknown(scp-level)",
        ),
        (
            "SCP evaluation: \"there must be an explicit Allow statement at every level …\" (every level allows)",
            deploy().eval_bounded(Some(&id), Res::None, &scps(vec![(leak(&full), Some("r-root")), (leak(&allow_deploy), Some("111111111111"))])),
            "Allowed(I:Id SCP:Full SCP:AllowDeploy)",
        ),
        (
            "SCP evaluation: \"an explicit Allow statement at every level\" (one SCP of a level that allows suffices there)",
            deploy().eval_bounded(Some(&id), Res::None, &scps(vec![(leak(&allow_s3), Some("ou-prod")), (leak(&allow_deploy), Some("ou-prod"))])),
            "Allowed(I:Id SCP:AllowDeploy)",
        ),
        (
            "SCP evaluation: \"AWS Organizations attaches an AWS managed SCP policy named FullAWSAccess which allows all services and actions\" (a Deny-only guardrail stands beside it)",
            deploy().eval_bounded(Some(&id), Res::None, &scps(vec![(leak(&deny_s3), None)])),
            "Allowed(I:Id)",
        ),
        (
            "SCP evaluation: \"SCP evaluation follows a deny-by-default model\" (an SCP that allows grants nothing by itself)",
            deploy().eval_bounded(Some(&[]), Res::None, &scps(vec![(leak(&full), None)])),
            "NotAllowed(Both)",
        ),
        (
            "Evaluation: \"The AWS enforcement code evaluates all policies within the account that apply to the request\" (an SCP whose content is not given)",
            deploy().eval_bounded(Some(&id), Res::None, &Bounded { unknown_scp: true, ..Bounded::default() }),
            "Unknown(missing:Scp)",
        ),
        (
            "Evaluation: \"looks for a Deny statement that applies to the request\" (its condition on a key the request does not tell)",
            deploy().eval_bounded(Some(&id), Res::None, &scps(vec![(leak(&deny_outside_org), None)])),
            "Unknown(DenyOutsideOrg/aws:ResourceOrgID:UnknownKey)",
        ),
        (
            "Evaluation: \"looks for a Deny statement that applies to the request\" (its condition does not hold)",
            deploy()
                .context(Context::new().with("aws:ResourceOrgID", ["o-mine"]))
                .eval_bounded(Some(&id), Res::None, &scps(vec![(leak(&deny_outside_org), None)])),
            "Allowed(I:Id)",
        ),
        (
            "Global condition keys: aws:ResourceAccount, \"Use this key to compare the resource owner's AWS account ID with the account ID in the policy\" (fixed by the request: a key of another account)",
            Req::role(DEPLOY_ROLE)
                .action("kms:Decrypt")
                .resource("arn:aws:kms:us-east-2:111111111111:key/k")
                .account(Some(A))
                .kind(ResourceKind::KmsKey)
                .eval_bounded(Some(&[&kms]), Res::Doc(&key_to_b), &scps(vec![(leak(&own_keys), None)])),
            "Denied(SCP:OwnKeysOnly)",
        ),
        (
            "Global condition keys: aws:ResourceAccount, \"Use this key to compare the resource owner's AWS account ID with the account ID in the policy\" (a key of the role's own account)",
            Req::role(DEPLOY_ROLE)
                .action("kms:Decrypt")
                .resource("arn:aws:kms:us-east-2:222222222222:key/k")
                .account(Some("222222222222"))
                .kind(ResourceKind::KmsKey)
                .eval_bounded(Some(&[&kms]), Res::Doc(&key_to_b), &scps(vec![(leak(&own_keys), None)])),
            "Allowed(R:KeyToB)",
        ),
    ];
    table(rows);
}

#[test]
fn resource_control_policies() {
    let reader = one("Allow", "Read", "s3:GetObject", "");
    let bucket = statements(&format!(
        r#"{{"Sid": "Bucket", "Effect": "Allow", "Principal": {{"AWS": "{DEPLOY_ROLE}"}}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::artifacts/*"}}"#
    ));
    let outside_org = statements(
        r#"{"Sid": "DenyOutsideOrg", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-mine"}}}"#,
    );
    let other_action = statements(
        r#"{"Sid": "DenyDelete", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": "*"}"#,
    );
    let allow_all = statements(
        r#"{"Sid": "RcpAll", "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}"#,
    );
    let not_services = statements(
        r#"{"Sid": "DenyAssume", "Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole", "Resource": "*", "Condition": {"BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}"#,
    );
    let trust = statements(&format!(
        r#"{{"Sid": "Trust", "Effect": "Allow", "Principal": {{"Service": "codepipeline.amazonaws.com", "AWS": "{PIPELINE_ROLE}"}}, "Action": "sts:AssumeRole"}}"#
    ));
    let assume = one("Allow", "Assume", "sts:AssumeRole", "");
    let rcps = |list: Vec<&str>| Bounded {
        rcps: list
            .into_iter()
            .map(|s| &*Box::leak(s.to_string().into_boxed_str()))
            .collect(),
        ..Bounded::default()
    };
    let org = |id: &str| {
        Context::new()
            .with("aws:SecureTransport", ["true"])
            .with("aws:PrincipalOrgID", [id])
    };
    let rows = vec![
        (
            "Evaluation: \"RCPs apply to resources of the account that the RCPs are attached to\" (its explicit deny wins)",
            Req::role(DEPLOY_ROLE).context(org("o-other")).eval_bounded(Some(&[&reader]), Res::Doc(&bucket), &rcps(vec![&outside_org])),
            "Denied(RCP:DenyOutsideOrg)",
        ),
        (
            "Evaluation: \"RCPs apply to resources of the account that the RCPs are attached to\" (its condition does not hold)",
            Req::role(DEPLOY_ROLE).context(org("o-mine")).eval_bounded(Some(&[&reader]), Res::Doc(&bucket), &rcps(vec![&outside_org])),
            "Allowed(I:Read R:Bucket)",
        ),
        (
            "Evaluation: \"RCPFullAWSAccess can't be detached, so there will always be an Allow statement\"",
            Req::role(DEPLOY_ROLE).eval_bounded(Some(&[&reader]), Res::Doc(&bucket), &rcps(vec![&other_action])),
            "Allowed(I:Read R:Bucket)",
        ),
        (
            "RCP evaluation: \"This AWS managed policy does not grant access\" (nor does an RCP that allows)",
            Req::role(DEPLOY_ROLE).eval_bounded(Some(&[]), Res::None, &rcps(vec![&allow_all])),
            "NotAllowed(Both)",
        ),
        (
            "Evaluation: \"RCPs apply to resources of the account that the RCPs are attached to\" (whoever asks: a role)",
            Req::role(PIPELINE_ROLE)
                .action("sts:AssumeRole")
                .resource("arn:aws:iam::111111111111:role/Deploy")
                .kind(ResourceKind::RoleTrust)
                .eval_bounded(Some(&[&assume]), Res::Doc(&trust), &rcps(vec![&not_services])),
            "Denied(RCP:DenyAssume)",
        ),
        (
            "Evaluation: \"RCPs apply to resources of the account that the RCPs are attached to\" (whoever asks: a service, told apart by aws:PrincipalIsAWSService)",
            Req::service("codepipeline.amazonaws.com")
                .action("sts:AssumeRole")
                .resource("arn:aws:iam::111111111111:role/Deploy")
                .kind(ResourceKind::RoleTrust)
                .eval_bounded(None, Res::Doc(&trust), &rcps(vec![&not_services])),
            "Allowed(R:Trust)",
        ),
    ];
    table(rows);
}

#[test]
fn permissions_boundaries() {
    let id = id_deploy();
    let id = [id.as_str()];
    let s3_only = one("Allow", "S3Only", "s3:*", "");
    let bound = one("Allow", "Bound", "codedeploy:*", "");
    let everything = one("Allow", "All", "*", "");
    let with_deny = statements(
        r#"{"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"}, {"Sid": "DenyDeploy", "Effect": "Deny", "Action": "codedeploy:*", "Resource": "*"}"#,
    );
    let boundary = |text: &str| Bounded {
        boundary: Some(Some(Box::leak(text.to_string().into_boxed_str()))),
        ..Bounded::default()
    };
    let not_principal = statements(&format!(
        r#"{{"Sid": "DenyOthers", "Effect": "Deny", "NotPrincipal": {{"AWS": ["{PIPELINE_ROLE}", "arn:aws:iam::111111111111:root"]}}, "Action": "s3:*", "Resource": "arn:aws:s3:::artifacts/*"}}, {{"Sid": "Bucket", "Effect": "Allow", "Principal": {{"AWS": "{PIPELINE_ROLE}"}}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::artifacts/*"}}"#
    ));
    let names_role = statements(&format!(
        r#"{{"Sid": "Bucket", "Effect": "Allow", "Principal": {{"AWS": "{PIPELINE_ROLE}"}}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::artifacts/*"}}"#
    ));
    let names_deploy = statements(&format!(
        r#"{{"Sid": "Bucket", "Effect": "Allow", "Principal": {{"AWS": "{DEPLOY_ROLE}"}}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::artifacts/*"}}"#
    ));
    let reader = one("Allow", "Read", "s3:GetObject", "");
    let kms_only = one("Allow", "KmsOnly", "kms:*", "");
    let rows = vec![
        (
            "Boundaries: \"An entity's permissions boundary allows it to perform only the actions that are allowed by both its identity-based policies and its permissions boundaries\"",
            deploy().eval_bounded(Some(&id), Res::None, &boundary(&s3_only)),
            "NotAllowed(Boundary)",
        ),
        (
            "Boundaries: \"allowed by both its identity-based policies and its permissions boundaries\" (both allow)",
            deploy().eval_bounded(Some(&id), Res::None, &boundary(&bound)),
            "Allowed(I:Id PB:Bound)",
        ),
        (
            "Boundaries: \"it limits the user's permissions but does not provide permissions on its own\"",
            deploy().eval_bounded(Some(&[]), Res::None, &boundary(&everything)),
            "NotAllowed(Both)",
        ),
        (
            "Boundaries: \"An explicit deny in either of these policies overrides the allow\"",
            deploy().eval_bounded(Some(&id), Res::None, &boundary(&with_deny)),
            "Denied(PB:DenyDeploy)",
        ),
        (
            "Boundaries: \"You can use an AWS managed policy or a customer managed policy to set the boundary\" (named, its document not given)",
            deploy().eval_bounded(Some(&id), Res::None, &Bounded { boundary: Some(None), ..Bounded::default() }),
            "Unknown(missing:Boundary)",
        ),
        (
            "Boundaries: \"The NotPrincipal element with a Deny effect will always deny any IAM principal that has a permissions boundary policy attached, regardless of the values specified in the NotPrincipal element\"",
            Req::role(PIPELINE_ROLE).eval_bounded(Some(&[&reader]), Res::Doc(&not_principal), &boundary(&everything)),
            "Denied(R:DenyOthers)",
        ),
        (
            "Boundaries: \"will always deny any IAM principal that has a permissions boundary policy attached\" (without one, the role and its account listed are excluded)",
            Req::role(PIPELINE_ROLE).eval_bounded(Some(&[&reader]), Res::Doc(&not_principal), &Bounded::default()),
            "Allowed(I:Read R:Bucket)",
        ),
        (
            "Boundaries: \"an implicit deny in a permissions boundary does not limit the permissions granted by a resource-based policy\", and later \"does limit the permissions granted to the ARN of the underlying\" entity",
            Req::role(PIPELINE_ROLE).eval_bounded(Some(&[]), Res::Doc(&names_role), &boundary(&kms_only)),
            "Unknown(Bucket/BoundaryAndResourcePolicy)",
        ),
        (
            "Boundaries: \"Permissions boundaries reduce permissions that are granted to an entity by identity-based policies\" (across accounts the identity side is needed)",
            Req::role(DEPLOY_ROLE).eval_bounded(Some(&[&reader]), Res::Doc(&names_deploy), &boundary(&kms_only)),
            "NotAllowed(Boundary)",
        ),
    ];
    table(rows);
}

#[test]
fn session_policies() {
    let id = id_deploy();
    let id = [id.as_str()];
    let session = |texts: Vec<String>| Bounded {
        session: Some(
            texts
                .into_iter()
                .map(|t| &*Box::leak(t.into_boxed_str()))
                .collect(),
        ),
        ..Bounded::default()
    };
    let rows = vec![
        (
            "Sessions: \"The resulting session's permissions are the intersection of the role's identity-based policy and the session policies\"",
            deploy().eval_bounded(Some(&id), Res::None, &session(vec![one("Allow", "S3Only", "s3:*", "")])),
            "NotAllowed(Session)",
        ),
        (
            "Sessions: \"You cannot use session policies to grant more permissions than those allowed by the identity-based policy of the role that is being assumed\"",
            deploy().eval_bounded(Some(&[]), Res::None, &session(vec![one("Allow", "All", "*", "")])),
            "NotAllowed(Both)",
        ),
        (
            "Sessions: \"the intersection of the role's identity-based policy and the session policies\" (an inline and a managed session policy: either may allow)",
            deploy().eval_bounded(Some(&id), Res::None, &session(vec![one("Allow", "S3Only", "s3:*", ""), one("Allow", "Sess", "codedeploy:*", "")])),
            "Allowed(I:Id SP:Sess)",
        ),
        (
            "Boundaries: \"Session policies … An explicit deny in any of these policies overrides the allow\"",
            deploy().eval_bounded(Some(&id), Res::None, &session(vec![statements(r#"{"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"}, {"Sid": "NoDeploy", "Effect": "Deny", "Action": "codedeploy:*", "Resource": "*"}"#)])),
            "Denied(SP:NoDeploy)",
        ),
    ];
    table(rows);
}

#[test]
fn kms_grants() {
    const KEY: &str = "arn:aws:kms:us-east-2:111111111111:key/k";
    let decrypt = |who: &str| {
        Req::role(who)
            .action("kms:Decrypt")
            .resource(KEY)
            .account(Some(A))
            .kind(ResourceKind::KmsKey)
    };
    let admin_only = statements(
        r#"{"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:role/Admin"}, "Action": "kms:*", "Resource": "*"}"#,
    );
    let grant = |grantee: &str, operations: &str, condition: &str| -> &'static str {
        Box::leak(
            statements(&format!(
                r#"{{"Sid": "Grant1", "Effect": "Allow", "Principal": {{"AWS": "{grantee}"}}, "Action": {operations}, "Resource": "*"{condition}}}"#
            ))
            .into_boxed_str(),
        )
    };
    let grants = |list: Vec<&'static str>| Bounded {
        grants: list,
        ..Bounded::default()
    };
    let id_kms = one("Allow", "IdKms", "kms:Decrypt", "");
    let rows = vec![
        (
            "Grants: \"the grant allows the grantee principal to call the specified grant operations on the KMS key provided that all conditions specified in the grant are met\"",
            decrypt(PIPELINE_ROLE).eval_bounded(Some(&[]), Res::Doc(&admin_only), &grants(vec![grant(PIPELINE_ROLE, r#"["kms:Decrypt"]"#, "")])),
            "Allowed(G:Grant1)",
        ),
        (
            "Grants: \"the grant allows the grantee principal to call the specified grant operations\" (no other operation)",
            decrypt(PIPELINE_ROLE).eval_bounded(Some(&[]), Res::Doc(&admin_only), &grants(vec![grant(PIPELINE_ROLE, r#"["kms:Encrypt"]"#, "")])),
            "NotAllowed(Both)",
        ),
        (
            "Grants: \"provided that all conditions specified in the grant are met\" (an encryption context the request does not tell)",
            decrypt(PIPELINE_ROLE).eval_bounded(Some(&[]), Res::Doc(&admin_only), &grants(vec![grant(PIPELINE_ROLE, r#"["kms:Decrypt"]"#, r#", "Condition": {"StringEquals": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::artifacts"}}"#)])),
            "Unknown(Grant1/kms:EncryptionContext:aws:s3:arn:UnknownKey)",
        ),
        (
            "Grants: \"Each grant allows access to exactly one KMS key. You can create a grant for a KMS key in a different AWS account\" (with the role's own allow)",
            decrypt(DEPLOY_ROLE).eval_bounded(Some(&[&id_kms]), Res::Doc(&admin_only), &grants(vec![grant(DEPLOY_ROLE, r#"["kms:Decrypt"]"#, "")])),
            "Allowed(I:IdKms G:Grant1)",
        ),
        (
            "Grants: \"You can create a grant for a KMS key in a different AWS account\" (without the role's own allow: not said)",
            decrypt(DEPLOY_ROLE).eval_bounded(Some(&[]), Res::Doc(&admin_only), &grants(vec![grant(DEPLOY_ROLE, r#"["kms:Decrypt"]"#, "")])),
            "Unknown(Grant1/CrossAccountGrant)",
        ),
        (
            "Grants: \"You can create a grant for an AWS principal (IAM user, IAM role, or AWS account)\" (an account grant delegates to its IAM policies, as a key policy does)",
            decrypt(PIPELINE_ROLE).eval_bounded(Some(&[&id_kms]), Res::Doc(&admin_only), &grants(vec![grant("arn:aws:iam::111111111111:root", r#"["kms:Decrypt"]"#, "")])),
            "Allowed(I:IdKms G:Grant1@root)",
        ),
    ];
    table(rows);
}
