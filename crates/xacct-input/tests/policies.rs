//! Policy files in each AWS CLI shape: what is read, what it governs, and where spans point.

use xacct_input::cli::{load_policy_file, PolicyFile};
use xacct_input::{IssueKind, Syntax};
use xacct_model::policy::{Effect, PrincipalKind};
use xacct_model::policy_file::{PolicyKind, Subject};
use xacct_syntax::json::parse;

fn load(text: &str) -> PolicyFile {
    let doc = parse(text).unwrap();
    load_policy_file(&doc.root, text, Syntax::Json, &Default::default())
}

#[test]
fn a_bare_bucket_policy_names_its_bucket() {
    let text = r#"{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::222222222222:root"]},
         "Action": ["s3:Get*", "s3:Put*"], "Resource": "arn:aws:s3:::codepipeline-us-east-2-1234567890/*"},
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"},
         "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::codepipeline-us-east-2-1234567890"}]}"#;
    let file = load(text);
    let entry = &file.entries[0];
    assert_eq!(entry.kind, Some(PolicyKind::Bucket));
    assert_eq!(
        entry.subject,
        Some(Subject::Bucket("codepipeline-us-east-2-1234567890".into()))
    );
    let first = &entry.document.statements[0];
    assert_eq!(first.effect.as_ref().map(|e| e.value), Some(Effect::Allow));
    let principal = &first.principal.as_ref().unwrap().entries[0];
    assert_eq!(principal.kind, PrincipalKind::Aws);
    assert_eq!(
        &text[principal.value.span.range()],
        "\"arn:aws:iam::222222222222:root\""
    );
    assert_eq!(first.action.as_ref().unwrap().values.len(), 2);
    assert!(entry.issues.is_empty());
}

#[test]
fn get_role_output_is_the_roles_trust_policy() {
    let text = r#"{"Role": {"RoleName": "CrossAccount_Role", "Arn": "arn:aws:iam::222222222222:role/CrossAccount_Role",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111111111111:role/CodePipeline_Service_Role"}, "Action": "sts:AssumeRole"}]}}}"#;
    let entry = &load(text).entries[0];
    assert_eq!(entry.kind, Some(PolicyKind::Trust));
    assert!(
        matches!(&entry.subject, Some(Subject::RoleArn(arn)) if arn.value == "arn:aws:iam::222222222222:role/CrossAccount_Role")
    );
}

#[test]
fn get_bucket_policy_output_is_parsed_inside_the_string_with_outer_spans() {
    let text = r#"{
    "Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::222222222222:root\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::artifacts/*\"}]}"
}"#;
    let file = load(text);
    let entry = &file.entries[0];
    assert_eq!(entry.kind, Some(PolicyKind::Bucket));
    assert_eq!(entry.subject, Some(Subject::Bucket("artifacts".into())));
    let action = &entry.document.statements[0].action.as_ref().unwrap().values[0];
    assert_eq!(action.value, "s3:GetObject");
    assert_eq!(&text[action.span.range()], r#"\"s3:GetObject\""#);
}

#[test]
fn get_key_policy_output_is_a_key_policy() {
    let text = r#"{"Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111111111111:root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}]}", "PolicyName": "default"}"#;
    let entry = &load(text).entries[0];
    assert_eq!(entry.kind, Some(PolicyKind::Key));
    assert_eq!(entry.subject, None);
    assert_eq!(entry.name.as_deref(), Some("default"));
}

#[test]
fn a_broken_embedded_policy_is_a_syntax_error_in_the_outer_file() {
    let text = r#"{"Policy": "{\"Version\":\"2012-10-17\",}"}"#;
    let file = load(text);
    assert!(file.entries.is_empty());
    assert_eq!(file.issues.len(), 1);
    assert_eq!(file.issues[0].kind, IssueKind::Unreadable);
    assert_eq!(
        file.issues[0].message,
        "invalid JSON: unexpected `}`, expected a string key"
    );
    assert_eq!(&text[file.issues[0].span.range()], "}");
}

/// The IAM API (and so SDK and raw API users, and tools built on them) returns policy
/// documents URL-encoded (RFC 3986); `aws iam get-role` decodes them, scripts often do not.
#[test]
fn url_encoded_policies_are_decoded_with_spans_in_the_file() {
    let text = r#"{"Role": {"Arn": "arn:aws:iam::222222222222:role/Deploy", "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22AWS%22%3A%22%2A%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D"}}"#;
    let file = load(text);
    assert!(file.issues.is_empty(), "{:?}", file.issues);
    let entry = &file.entries[0];
    assert_eq!(entry.kind, Some(PolicyKind::Trust));
    let statement = &entry.document.statements[0];
    let principal = &statement.principal.as_ref().unwrap().entries[0];
    assert_eq!(principal.value.value, "*");
    // The span covers the escapes that spell `"*"` in the file.
    assert_eq!(&text[principal.value.span.range()], "%22%2A%22");
    let action = &statement.action.as_ref().unwrap().values[0];
    assert_eq!(&text[action.span.range()], "%22sts%3AAssumeRole%22");
    // Broken JSON inside the encoding: the error at its escape.
    let broken = r#"{"Policy": "%7B%22Version%22%3A%7D"}"#;
    let file = load(broken);
    assert_eq!(file.issues.len(), 1);
    assert_eq!(&broken[file.issues[0].span.range()], "%7D");
}

/// Values of the wrong type in a shape xacct recognises are reported where they are, never
/// passed over in silence.
#[test]
fn wrong_shapes_are_issues_at_their_spans() {
    let cases: &[(&str, &str, &str)] = &[
        (
            r#"{"Role": 5}"#,
            "5",
            "`Role` must be an object, as `aws iam get-role` prints it; found a number",
        ),
        (
            r#"{"Policy": null}"#,
            "null",
            "`Policy` must be a policy document (an object, or JSON in a string), as `aws s3api get-bucket-policy` prints it; found null",
        ),
        (
            r#"{"Role": {"Arn": ["x"], "AssumeRolePolicyDocument": {"Statement": []}}}"#,
            r#"["x"]"#,
            "`Arn` must be a string, as `aws iam get-role` prints it; found a list",
        ),
        (
            r#"{"PolicyVersion": {"Document": 7}}"#,
            "7",
            "`Document` must be a policy document (an object, or JSON in a string), as `aws iam get-policy-version` prints it; found a number",
        ),
        (
            r#"{"Policy": "[1, 2]"}"#,
            "[1, 2]",
            "`Policy` must be a policy document, as `aws s3api get-bucket-policy` prints it; found a list",
        ),
        (
            r#"{"RoleDetailList": {"Arn": "x"}}"#,
            r#"{"Arn": "x"}"#,
            "`RoleDetailList` must be a list, as `aws iam get-account-authorization-details` prints it; found an object",
        ),
    ];
    for (text, at, message) in cases {
        let file = load(text);
        assert_eq!(file.issues.len(), 1, "{text}: {:?}", file.issues);
        let issue = &file.issues[0];
        assert_eq!(issue.kind, IssueKind::Shape, "{text}");
        assert_eq!(&issue.message, message, "{text}");
        assert_eq!(&text[issue.span.range()], *at, "{text}");
    }
}

#[test]
fn account_authorization_details_are_read() {
    let text = r#"{"RoleDetailList": [{"Arn": "arn:aws:iam::222222222222:role/Deploy",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "sts:AssumeRole"}]},
        "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}],
        "AttachedManagedPolicies": [{"PolicyArn": "arn:aws:iam::222222222222:policy/Managed"}]}],
      "Policies": [{"Arn": "arn:aws:iam::222222222222:policy/Managed", "PolicyVersionList": [
        {"IsDefaultVersion": false, "Document": {"Statement": []}},
        {"IsDefaultVersion": true, "Document": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "kms:*", "Resource": "*"}]}}]}]}"#;
    let file = load(text);
    assert!(file.issues.is_empty(), "{:?}", file.issues);
    let kinds: Vec<_> = file
        .entries
        .iter()
        .map(|e| (e.kind, e.name.clone()))
        .collect();
    assert_eq!(
        kinds,
        [
            (Some(PolicyKind::Trust), None),
            (Some(PolicyKind::Identity), Some("inline".to_string())),
            (
                Some(PolicyKind::Identity),
                Some("arn:aws:iam::222222222222:policy/Managed".to_string())
            ),
        ]
    );
    assert_eq!(file.entries[2].document.statements.len(), 1);
}

#[test]
fn a_single_statement_object_and_identity_classification() {
    // The walkthrough's service-role policy: `Statement` is one object, there is no principal.
    let text = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": ["arn:aws:iam::222222222222:role/*"]}}"#;
    let entry = &load(text).entries[0];
    assert_eq!(entry.kind, Some(PolicyKind::Identity));
    assert_eq!(entry.document.statements.len(), 1);
    assert!(entry.issues.is_empty());
}

#[test]
fn grammar_problems_are_issues_with_spans() {
    let text = r#"{"Version": "2012-10-18", "Statement": [{"Effect": "allow", "Principal": {"Aws": "*"}, "Action": "s3:*", "NotAction": "kms:*", "Resource": "*", "Condition": {"Bool": "x"}}, 7]}"#;
    let entry = &load(text).entries[0];
    let messages: Vec<(&str, &str)> = entry
        .issues
        .iter()
        .map(|i| (&text[i.span.range()], i.message.as_str()))
        .collect();
    assert_eq!(
        messages,
        vec![
            (
                "\"allow\"",
                "`Effect` must be \"Allow\" or \"Deny\" (case matters)"
            ),
            (
                "\"NotAction\"",
                "a statement may have `Action` or `NotAction`, not both"
            ),
            (
                "\"Aws\"",
                "unknown principal type `Aws`; expected AWS, Service, Federated or CanonicalUser"
            ),
            ("\"x\"", "condition operator `Bool` must map keys to values"),
            ("7", "a statement must be an object, found number"),
            (
                "\"2012-10-18\"",
                "`Version` must be \"2012-10-17\" (or the legacy \"2008-10-17\")"
            ),
        ]
    );
}

#[test]
fn account_authorization_details_give_every_role_its_policies() {
    let text = r#"{"RoleDetailList": [{"RoleName": "Deployer", "Arn": "arn:aws:iam::222222222222:role/Deployer",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "111111111111"}, "Action": "sts:AssumeRole"}]},
        "RolePolicyList": [{"PolicyName": "s3", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject*", "Resource": "*"}]}}],
        "AttachedManagedPolicies": [{"PolicyName": "Deploy", "PolicyArn": "arn:aws:iam::222222222222:policy/Deploy"}]}],
      "Policies": [{"Arn": "arn:aws:iam::222222222222:policy/Deploy", "PolicyVersionList": [
        {"Document": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}, "IsDefaultVersion": false},
        {"Document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "codedeploy:*", "Resource": "*"}]}, "IsDefaultVersion": true}]}]}"#;
    let file = load(text);
    let kinds: Vec<_> = file
        .entries
        .iter()
        .map(|e| (e.kind, e.name.as_deref()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (Some(PolicyKind::Trust), None),
            (Some(PolicyKind::Identity), Some("s3")),
            (
                Some(PolicyKind::Identity),
                Some("arn:aws:iam::222222222222:policy/Deploy")
            ),
        ]
    );
    assert_eq!(
        file.entries[2].document.statements[0]
            .action
            .as_ref()
            .unwrap()
            .values[0]
            .value,
        "codedeploy:*"
    );
}

/// `aws iam list-attached-role-policies`: each attached policy, AWS managed ones from the
/// vendored catalogue, the others of unknown reach; the role comes from the config.
#[test]
fn attached_policies_are_read_from_the_catalogue_or_stand_as_unknown() {
    let text = r#"{"AttachedPolicies": [
        {"PolicyName": "AWSCodeDeployDeployerAccess", "PolicyArn": "arn:aws:iam::aws:policy/AWSCodeDeployDeployerAccess"},
        {"PolicyName": "Custom", "PolicyArn": "arn:aws:iam::222222222222:policy/Custom"}]}"#;
    let file = load(text);
    assert!(file.issues.is_empty(), "{:?}", file.issues);
    assert_eq!(file.entries.len(), 2);
    let deployer = &file.entries[0];
    assert_eq!(deployer.kind, Some(PolicyKind::Identity));
    assert_eq!(deployer.subject, None);
    assert!(deployer
        .document
        .statements
        .iter()
        .all(|s| !xacct_model::managed::is_stand_in(s)));
    // Every span is where the file attaches it.
    let arn_at = text
        .find("\"arn:aws:iam::aws:policy/AWSCodeDeployDeployerAccess\"")
        .unwrap();
    assert_eq!(deployer.document.statements[0].span.start as usize, arn_at);
    let custom = &file.entries[1];
    assert!(xacct_model::managed::is_stand_in(
        &custom.document.statements[0]
    ));
}

/// An account's IAM in one file: a role's AWS managed policy that the export does not list in
/// `Policies` is still read, from the catalogue.
#[test]
fn authorization_details_attach_aws_managed_policies_the_file_leaves_out() {
    let text = r#"{"RoleDetailList": [{"Arn": "arn:aws:iam::222222222222:role/Deploy",
        "AttachedManagedPolicies": [{"PolicyArn": "arn:aws:iam::aws:policy/AWSCodeDeployDeployerAccess"}]}],
      "Policies": []}"#;
    let file = load(text);
    assert!(file.issues.is_empty(), "{:?}", file.issues);
    assert_eq!(file.entries.len(), 1);
    let role = "\"arn:aws:iam::222222222222:role/Deploy\"";
    let at = text.find(role).unwrap() as u32;
    assert_eq!(
        file.entries[0].subject,
        Some(Subject::RoleArn(xacct_model::Spanned::new(
            "arn:aws:iam::222222222222:role/Deploy".to_string(),
            xacct_syntax::Span::new(at, at + role.len() as u32)
        )))
    );
    assert!(!xacct_model::managed::is_stand_in(
        &file.entries[0].document.statements[0]
    ));
}

#[test]
fn describe_policy_output_is_an_scp_or_rcp_read_inside_its_content_string() {
    let text = r#"{"Policy": {"PolicySummary": {"Id": "p-1", "Name": "ProtectKeys", "Type": "SERVICE_CONTROL_POLICY", "AwsManaged": false},
        "Content": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"OwnKeysOnly\",\"Effect\":\"Deny\",\"Action\":\"kms:Decrypt\",\"Resource\":\"*\"}]}"}}"#;
    let file = load(text);
    assert!(file.issues.is_empty(), "{:?}", file.issues);
    let entry = &file.entries[0];
    assert_eq!(entry.kind, Some(PolicyKind::ServiceControl));
    assert_eq!(entry.subject, None);
    assert_eq!(entry.name.as_deref(), Some("ProtectKeys"));
    let sid = entry.document.statements[0].sid.as_ref().unwrap();
    assert_eq!(sid.value, "OwnKeysOnly");
    assert_eq!(&text[sid.span.range()], r#"\"OwnKeysOnly\""#);
    let rcp = text.replace("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY");
    assert_eq!(
        load(&rcp).entries[0].kind,
        Some(PolicyKind::ResourceControl)
    );
    // Tag, backup and AI opt-out policies hold no IAM policy: nothing to read.
    let tag = text.replace("SERVICE_CONTROL_POLICY", "TAG_POLICY");
    let file = load(&tag);
    assert!(file.entries.is_empty() && file.issues.is_empty());
    // Without its type an SCP cannot be told from an RCP.
    let untyped = text.replace(r#""Type": "SERVICE_CONTROL_POLICY", "#, "");
    let file = load(&untyped);
    assert!(file.entries.is_empty());
    let messages: Vec<&str> = file.issues.iter().map(|i| i.message.as_str()).collect();
    assert_eq!(
        messages,
        ["`PolicySummary.Type` is not given: cannot tell an SCP from an RCP"]
    );
    // A bucket policy (`Policy` a string) is still a bucket policy.
    assert_eq!(
        load(r#"{"Policy": "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}]}"}"#).entries[0].kind,
        Some(PolicyKind::Bucket)
    );
}

#[test]
fn get_role_names_the_roles_permissions_boundary() {
    let text = r#"{"Role": {"RoleName": "Deploy", "Arn": "arn:aws:iam::222222222222:role/Deploy",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []},
        "PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": "arn:aws:iam::222222222222:policy/Boundary"}}}"#;
    let file = load(text);
    assert_eq!(file.boundaries.len(), 1);
    let boundary = &file.boundaries[0];
    assert_eq!(boundary.role.value, "arn:aws:iam::222222222222:role/Deploy");
    assert_eq!(
        &text[boundary.policy.span.range()],
        "\"arn:aws:iam::222222222222:policy/Boundary\""
    );
    let wrong = text.replace(
        r#""PermissionsBoundaryArn": "arn:aws:iam::222222222222:policy/Boundary""#,
        r#""PermissionsBoundaryArn": 7"#,
    );
    let file = load(&wrong);
    assert!(file.boundaries.is_empty());
    assert_eq!(file.issues[0].kind, IssueKind::Shape);
}

#[test]
fn authorization_details_give_a_boundary_and_its_document() {
    let text = r#"{"RoleDetailList": [{"RoleName": "Deploy", "Arn": "arn:aws:iam::222222222222:role/Deploy",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []},
        "PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": "arn:aws:iam::222222222222:policy/Boundary"}}],
        "Policies": [
          {"PolicyName": "Boundary", "Arn": "arn:aws:iam::222222222222:policy/Boundary", "PolicyVersionList": [
            {"Document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}, "VersionId": "v1", "IsDefaultVersion": true}]},
          {"PolicyName": "Other", "Arn": "arn:aws:iam::222222222222:policy/Other", "PolicyVersionList": [
            {"Document": {"Version": "2012-10-17", "Statement": []}, "VersionId": "v1", "IsDefaultVersion": true}]}]}"#;
    let file = load(text);
    assert_eq!(file.boundaries.len(), 1);
    let documents: Vec<(Option<PolicyKind>, String)> = file
        .entries
        .iter()
        .filter_map(|e| match &e.subject {
            Some(Subject::ManagedPolicy(arn)) => Some((e.kind, arn.value.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        documents,
        [(
            Some(PolicyKind::Identity),
            "arn:aws:iam::222222222222:policy/Boundary".to_string()
        )]
    );
}

/// `aws lambda get-policy`: the function's resource policy, JSON in a string, tied to the ARN
/// its statements name (qualified or not: each alias and version has its own policy).
#[test]
fn lambda_get_policy_output_is_the_policy_of_the_function_it_names() {
    let text = r#"{
    "Policy": "{\"Version\":\"2012-10-17\",\"Id\":\"default\",\"Statement\":[{\"Sid\":\"x\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::222222222222:role/R\"},\"Action\":\"lambda:InvokeFunction\",\"Resource\":\"arn:aws:lambda:us-east-2:333333333333:function:notify\"}]}",
    "RevisionId": "4f1a2b3c-0000-4000-8000-000000000000"
}"#;
    let file = load(text);
    assert!(file.issues.is_empty(), "{:?}", file.issues);
    let entry = &file.entries[0];
    assert_eq!(entry.kind, Some(PolicyKind::Function));
    assert_eq!(
        entry.subject,
        Some(Subject::Function(
            "arn:aws:lambda:us-east-2:333333333333:function:notify".into()
        ))
    );
    let action = &entry.document.statements[0].action.as_ref().unwrap().values[0];
    assert_eq!(&text[action.span.range()], r#"\"lambda:InvokeFunction\""#);

    let alias = text.replace("function:notify", "function:notify:live");
    assert_eq!(
        load(&alias).entries[0].subject,
        Some(Subject::Function(
            "arn:aws:lambda:us-east-2:333333333333:function:notify:live".into()
        ))
    );
    // Statements about two ARNs (the function and an alias): tied to nothing, never guessed.
    let two = text.replace(
        r#"\"Resource\":\"arn:aws:lambda:us-east-2:333333333333:function:notify\""#,
        r#"\"Resource\":[\"arn:aws:lambda:us-east-2:333333333333:function:notify\",\"arn:aws:lambda:us-east-2:333333333333:function:notify:live\"]"#,
    );
    let entry = &load(&two).entries[0];
    assert_eq!(entry.kind, Some(PolicyKind::Function));
    assert_eq!(entry.subject, None);
}

/// A `Policy` string that is not JSON is the syntax error any policy in a string gives.
#[test]
fn a_lambda_policy_string_that_is_not_json_is_a_syntax_error() {
    let text = r#"{"Policy": "not json", "RevisionId": "r"}"#;
    let file = load(text);
    assert!(file.entries.is_empty());
    assert_eq!(file.issues.len(), 1);
    assert_eq!(file.issues[0].kind, IssueKind::Unreadable);
    assert_eq!(
        &text[file.issues[0].span.range()].chars().next(),
        &Some('n')
    );
}
