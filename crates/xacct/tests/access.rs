//! `xacct access` on the walkthrough setup (`testdata/setups/walkthrough`), alone and with the
//! overlays of `testdata/access/`: an SCP of the production account, a permissions boundary
//! named but not given, the same boundary given, a session policy. Exact output, exit status
//! (0 allowed, 1 denied, 3 unknown, 2 when the question cannot be asked), text and JSON.

mod common;

use common::{repo_root, stdout, xacct};

const ROLE: &str = "arn:aws:iam::222222222222:role/CrossAccount_Role";
const KEY: &str = "arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const OBJECT: &str =
    "arn:aws:s3:::codepipeline-us-east-2-1234567890/MyFirstPipeline/MyAppBuild/a1b2c3d";
const WALKTHROUGH: &str = "testdata/setups/walkthrough";
/// CrossAccount_Role reading an artifact of the pipeline.
const READ_ARTIFACT: [&str; 6] = [
    "--principal",
    ROLE,
    "--action",
    "s3:GetObject",
    "--resource",
    OBJECT,
];

/// Runs `xacct access` from the repository root: (exit status, stdout, stderr).
fn access(args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["access"];
    all.extend_from_slice(args);
    let output = xacct(&repo_root(), &all);
    (
        output.status.code().unwrap_or(-1),
        stdout(&output),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Asks whether CrossAccount_Role may decrypt with the pipeline key, reading `paths`.
fn decrypt(extra: &[&str]) -> (i32, String, String) {
    let mut args = vec![
        "--principal",
        ROLE,
        "--action",
        "kms:Decrypt",
        "--resource",
        KEY,
    ];
    args.extend_from_slice(extra);
    access(&args)
}

/// Asks the decrypt question of `paths` and checks the exact answer, its exit status and that
/// nothing is said on stderr.
fn decrypt_answers(paths: &[&str], status: i32, text: &str) {
    let (got_status, out, err) = decrypt(paths);
    assert_eq!(out, text);
    assert_eq!((got_status, err.as_str()), (status, ""));
}

#[test]
fn allowed_with_the_statements_of_both_accounts() {
    decrypt_answers(
        &[WALKTHROUGH],
        0,
        "allowed: `arn:aws:iam::222222222222:role/CrossAccount_Role` may kms:Decrypt on `arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab`
  Allow  testdata/setups/walkthrough/prod-222222222222/CrossAccount_Role-kms.json:7:13  identity policy `PipelineArtifactKey` of `arn:aws:iam::222222222222:role/CrossAccount_Role`
  Allow  testdata/setups/walkthrough/tools-111111111111/artifact-key-policy.json:2:261  key policy of `arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab`, statement `Allow use of the key`, through the role's account
",
    );
}

#[test]
fn denied_by_an_scp_of_the_role_account() {
    decrypt_answers(
        &[WALKTHROUGH, "testdata/access/scp"],
        1,
        "denied: `arn:aws:iam::222222222222:role/CrossAccount_Role` may not kms:Decrypt on `arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab`: an explicit Deny
  Deny   testdata/access/scp/protect-keys.json:11:98  SCP `ProtectKeys`, statement `OwnKeysOnly`
",
    );
    let (status, out, _) = decrypt(&["--format", "json", WALKTHROUGH, "testdata/access/scp"]);
    let answer: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        answer,
        serde_json::json!({
            "version": 1,
            "principal": ROLE,
            "action": "kms:Decrypt",
            "resource": KEY,
            "decision": "denied",
            "explicit_deny": true,
            "statements": [{
                "effect": "Deny",
                "side": "scp",
                "policy": "SCP `ProtectKeys`",
                "sid": "OwnKeysOnly",
                "file": "testdata/access/scp/protect-keys.json",
                "line": 11,
                "column": 98,
                "via_account_root": false,
            }],
            "no_allow": null,
            "read": [],
            "unknown": [],
        })
    );
    assert_eq!(status, 1);
}

#[test]
fn unknown_when_a_permissions_boundary_is_named_but_not_given() {
    decrypt_answers(
        &[WALKTHROUGH, "testdata/access/boundary-missing"],
        3,
        "unknown: whether `arn:aws:iam::222222222222:role/CrossAccount_Role` may kms:Decrypt on `arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab`
  ?      `arn:aws:iam::222222222222:role/CrossAccount_Role` names the permissions boundary `arn:aws:iam::222222222222:policy/DeployBoundary`, whose document is not given (`aws iam get-policy-version` output, bound with `policy` in xacct.toml)
",
    );
}

#[test]
fn denied_by_a_permissions_boundary_that_does_not_allow_what_the_role_policies_do() {
    decrypt_answers(
        &[WALKTHROUGH, "testdata/access/boundary"],
        1,
        "denied: `arn:aws:iam::222222222222:role/CrossAccount_Role` may not kms:Decrypt on `arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab`: its permissions boundary `arn:aws:iam::222222222222:policy/DeployBoundary` does not allow it, though its own policies do
  read   testdata/setups/walkthrough/prod-222222222222/CrossAccount_Role-artifacts.json:4:23  identity policy `PipelineArtifacts` of `arn:aws:iam::222222222222:role/CrossAccount_Role`
  read   testdata/setups/walkthrough/prod-222222222222/CrossAccount_Role-codedeploy.json:4:23  identity policy `CodeDeployAccess` of `arn:aws:iam::222222222222:role/CrossAccount_Role`
  read   testdata/setups/walkthrough/prod-222222222222/CrossAccount_Role-kms.json:4:23  identity policy `PipelineArtifactKey` of `arn:aws:iam::222222222222:role/CrossAccount_Role`
  read   testdata/setups/walkthrough/prod-222222222222/CrossAccount_Role-static-assets.json:4:23  identity policy `StaticAssetsPublish` of `arn:aws:iam::222222222222:role/CrossAccount_Role`
  read   testdata/setups/walkthrough/tools-111111111111/artifact-key-policy.json:2:16  key policy of `arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab`
  read   testdata/access/boundary/DeployBoundary.json:3:21  permissions boundary `arn:aws:iam::222222222222:policy/DeployBoundary`
",
    );
}

#[test]
fn a_condition_key_the_request_does_not_carry_is_unknown_until_given() {
    let read = READ_ARTIFACT;
    let (status, out, _) = access(&[&read[..], &[WALKTHROUGH]].concat());
    assert_eq!(
        out,
        "unknown: whether `arn:aws:iam::222222222222:role/CrossAccount_Role` may s3:GetObject on `arn:aws:s3:::codepipeline-us-east-2-1234567890/MyFirstPipeline/MyAppBuild/a1b2c3d`
  ?      condition `Bool` on `aws:SecureTransport`: the request's `aws:SecureTransport` is not known
"
    );
    assert_eq!(status, 3);
    let given = [
        &read[..],
        &["--context", "aws:SecureTransport=true", WALKTHROUGH],
    ]
    .concat();
    let (status, out, _) = access(&given);
    assert_eq!(
        out,
        "allowed: `arn:aws:iam::222222222222:role/CrossAccount_Role` may s3:GetObject on `arn:aws:s3:::codepipeline-us-east-2-1234567890/MyFirstPipeline/MyAppBuild/a1b2c3d`
  Allow  testdata/setups/walkthrough/prod-222222222222/CrossAccount_Role-artifacts.json:7:13  identity policy `PipelineArtifacts` of `arn:aws:iam::222222222222:role/CrossAccount_Role`
  Allow  testdata/setups/walkthrough/tools-111111111111/artifact-bucket-policy.json:2:583  bucket policy of `codepipeline-us-east-2-1234567890`, statement `CrossAccountArtifacts`, through the role's account
"
    );
    assert_eq!(status, 0);
    // Over plain HTTP the bucket policy's own Deny decides.
    let insecure = [
        &read[..],
        &["--context", "aws:SecureTransport=false", WALKTHROUGH],
    ]
    .concat();
    let (status, out, _) = access(&insecure);
    assert_eq!(status, 1, "{out}");
    assert!(out.starts_with("denied: "), "{out}");
    assert!(out.contains("statement `DenyInsecureConnections`"), "{out}");
}

#[test]
fn a_session_policy_bounds_the_session() {
    let session = ["--session-policy", "testdata/access/session-s3-only.json"];
    let (status, out, _) = decrypt(&[&session[..], &[WALKTHROUGH]].concat());
    assert_eq!(
        out.lines().next().unwrap(),
        "denied: `arn:aws:iam::222222222222:role/CrossAccount_Role` may not kms:Decrypt on `arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab`: no session policy allows it"
    );
    assert!(
        out.ends_with("  read   testdata/access/session-s3-only.json:1:1  session policy\n"),
        "{out}"
    );
    assert_eq!(status, 1);
    let read = [
        &READ_ARTIFACT[..],
        &["--context", "aws:SecureTransport=true"],
    ]
    .concat();
    let (status, out, _) = access(&[&read[..], &session[..], &[WALKTHROUGH]].concat());
    assert!(
        out.ends_with(
            "  Allow  testdata/access/session-s3-only.json:5:20  session policy, statement `ArtifactsOnly`\n"
        ),
        "{out}"
    );
    assert_eq!(status, 0);
}

#[test]
fn a_service_principal_asks_of_the_trust_policy_alone() {
    let (status, out, _) = access(&[
        "--principal",
        "codepipeline.amazonaws.com",
        "--action",
        "sts:AssumeRole",
        "--resource",
        "arn:aws:iam::111111111111:role/service-role/CodePipeline_Service_Role",
        WALKTHROUGH,
    ]);
    assert_eq!(
        out,
        "allowed: `codepipeline.amazonaws.com` may sts:AssumeRole on `arn:aws:iam::111111111111:role/service-role/CodePipeline_Service_Role`
  Allow  testdata/setups/walkthrough/tools-111111111111/CodePipeline_Service_Role.json:11:17  trust policy of `arn:aws:iam::111111111111:role/service-role/CodePipeline_Service_Role`
"
    );
    assert_eq!(status, 0);
}

#[test]
fn a_question_that_cannot_be_asked_exits_2_with_the_input_escaped() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--principal", "arn:aws:s3:::x\u{1b}[31m", "--action", "kms:Decrypt", "--resource", KEY],
            "error: --principal `arn:aws:s3:::x\\u{1b}[31m` is neither an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME) nor a service principal (codepipeline.amazonaws.com)\n",
        ),
        (
            &["--principal", ROLE, "--action", "Decrypt", "--resource", KEY],
            "error: --action `Decrypt` is not an IAM action (SERVICE:Action, e.g. kms:Decrypt)\n",
        ),
        (
            &["--principal", ROLE, "--action", "kms:Decrypt", "--resource", "key/1"],
            "error: --resource `key/1` is not an ARN (e.g. arn:aws:s3:::bucket/key)\n",
        ),
        (
            &["--principal", ROLE, "--action", "kms:Decrypt", "--resource", KEY, "--context", "=x"],
            "error: --context `=x` names no condition key (KEY=VALUE, e.g. aws:SecureTransport=true)\n",
        ),
        (
            &["--principal", ROLE, "--action", "kms:Decrypt", "--resource", KEY, "--session-policy", "testdata/setups/walkthrough/tools-111111111111/pipeline.json"],
            "error: --session-policy testdata/setups/walkthrough/tools-111111111111/pipeline.json holds no policy document (`xacct lint testdata/setups/walkthrough/tools-111111111111/pipeline.json` says why)\n",
        ),
    ];
    for (args, want) in cases {
        let (status, out, err) = access(&[args, &[WALKTHROUGH][..]].concat());
        assert_eq!(
            (status, out.as_str(), err.as_str()),
            (2, "", *want),
            "{args:?}"
        );
    }
}
