use xacct_syntax::json::parse;
use xacct_syntax::Span;

use super::shapes::{self, UNENFORCED_PATTERNS};
use super::*;

/// A get-pipeline output as the AWS CLI prints it for a cross-account pipeline.
const GET_PIPELINE_OUTPUT: &str = r##"{
    "pipeline": {
        "name": "payments-service",
        "roleArn": "arn:aws:iam::111111111111:role/service-role/AWSCodePipelineServiceRole-payments",
        "artifactStore": {
            "type": "S3",
            "location": "codepipeline-us-east-1-111111111111",
            "encryptionKey": {
                "id": "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                "type": "KMS"
            }
        },
        "stages": [
            {
                "name": "Source",
                "actions": [
                    {
                        "name": "Source",
                        "actionTypeId": {
                            "category": "Source",
                            "owner": "AWS",
                            "provider": "CodeCommit",
                            "version": "1"
                        },
                        "runOrder": 1,
                        "configuration": {
                            "BranchName": "main",
                            "OutputArtifactFormat": "CODE_ZIP",
                            "PollForSourceChanges": "false",
                            "RepositoryName": "payments-service"
                        },
                        "outputArtifacts": [{"name": "SourceArtifact"}],
                        "inputArtifacts": [],
                        "region": "us-east-1",
                        "namespace": "SourceVariables"
                    }
                ]
            },
            {
                "name": "Build",
                "actions": [
                    {
                        "name": "Build",
                        "actionTypeId": {
                            "category": "Build",
                            "owner": "AWS",
                            "provider": "CodeBuild",
                            "version": "1"
                        },
                        "runOrder": 1,
                        "configuration": {
                            "ProjectName": "payments-build",
                            "EnvironmentVariables": "[{\"name\":\"COMMIT\",\"value\":\"#{SourceVariables.CommitId}\",\"type\":\"PLAINTEXT\"}]"
                        },
                        "outputArtifacts": [{"name": "BuildArtifact"}],
                        "inputArtifacts": [{"name": "SourceArtifact"}],
                        "region": "us-east-1",
                        "namespace": "BuildVariables"
                    }
                ]
            },
            {
                "name": "Deploy-Prod",
                "actions": [
                    {
                        "name": "CreateChangeSet",
                        "actionTypeId": {
                            "category": "Deploy",
                            "owner": "AWS",
                            "provider": "CloudFormation",
                            "version": "1"
                        },
                        "runOrder": 1,
                        "configuration": {
                            "ActionMode": "CHANGE_SET_REPLACE",
                            "Capabilities": "CAPABILITY_IAM,CAPABILITY_NAMED_IAM",
                            "ChangeSetName": "payments-changeset",
                            "RoleArn": "arn:aws:iam::222222222222:role/CloudFormationDeployRole",
                            "StackName": "payments-prod",
                            "TemplatePath": "BuildArtifact::packaged.yaml"
                        },
                        "outputArtifacts": [],
                        "inputArtifacts": [{"name": "BuildArtifact"}],
                        "roleArn": "arn:aws:iam::222222222222:role/CrossAccountPipelineRole",
                        "region": "us-east-1"
                    },
                    {
                        "name": "DeployApp",
                        "actionTypeId": {
                            "category": "Deploy",
                            "owner": "AWS",
                            "provider": "CodeDeploy",
                            "version": "1"
                        },
                        "runOrder": 2,
                        "configuration": {
                            "ApplicationName": "payments",
                            "DeploymentGroupName": "payments-prod"
                        },
                        "outputArtifacts": [],
                        "inputArtifacts": [{"name": "BuildArtifact"}],
                        "roleArn": "arn:aws:iam::222222222222:role/CrossAccountPipelineRole",
                        "region": "us-east-1",
                        "timeoutInMinutes": 60
                    }
                ]
            }
        ],
        "version": 7,
        "executionMode": "SUPERSEDED",
        "pipelineType": "V1"
    },
    "metadata": {
        "pipelineArn": "arn:aws:codepipeline:us-east-1:111111111111:payments-service",
        "created": "2024-03-01T10:15:42.123000+00:00",
        "updated": 1717171717.5
    }
}"##;

/// The same kind of pipeline as a bare declaration with the V2 fields.
const V2_DECLARATION: &str = r#"{
    "name": "orders.v2@team_a-b",
    "roleArn": "arn:aws:iam::111111111111:role/PipelineRole",
    "artifactStores": {
        "us-east-1": {"type": "S3", "location": "artifacts-us-east-1.example"},
        "eu-west-1": {
            "type": "S3",
            "location": "artifacts-eu-west-1",
            "encryptionKey": {"id": "alias/pipeline", "type": "KMS"}
        }
    },
    "stages": [
        {
            "name": "Source",
            "actions": [
                {
                    "name": "Source",
                    "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "CodeStarSourceConnection", "version": "1"},
                    "configuration": {
                        "ConnectionArn": "arn:aws:codestar-connections:us-east-1:111111111111:connection/abc",
                        "FullRepositoryId": "example/orders",
                        "BranchName": "main"
                    },
                    "outputArtifacts": [{"name": "Src", "files": ["build/**"]}]
                }
            ]
        },
        {
            "name": "Deploy",
            "beforeEntry": {
                "conditions": [
                    {
                        "result": "FAIL",
                        "rules": [
                            {
                                "name": "NoAlarms",
                                "ruleTypeId": {"category": "Rule", "owner": "AWS", "provider": "CloudWatchAlarm", "version": "1"},
                                "configuration": {"AlarmName": "orders-5xx"},
                                "region": "eu-west-1"
                            }
                        ]
                    }
                ]
            },
            "onFailure": {"result": "RETRY", "retryConfiguration": {"retryMode": "FAILED_ACTIONS"}},
            "actions": [
                {
                    "name": "Migrate",
                    "actionTypeId": {"category": "Compute", "owner": "AWS", "provider": "Commands", "version": "1"},
                    "commands": ["./migrate.sh"],
                    "inputArtifacts": [{"name": "Src"}],
                    "outputVariables": ["SCHEMA_VERSION"],
                    "environmentVariables": [{"name": "STAGE", "value": "prod", "type": "PLAINTEXT"}],
                    "region": "eu-west-1",
                    "runOrder": 999,
                    "timeoutInMinutes": 5
                }
            ]
        }
    ],
    "executionMode": "QUEUED",
    "pipelineType": "V2",
    "variables": [
        {"name": "Environment", "defaultValue": "prod", "description": "Target environment"}
    ],
    "triggers": [
        {
            "providerType": "CodeStarSourceConnection",
            "gitConfiguration": {
                "sourceActionName": "Source",
                "push": [{"branches": {"includes": ["main", "release/*"]}, "filePaths": {"excludes": ["docs/**"]}}],
                "pullRequest": [{"events": ["OPEN", "UPDATED"], "branches": {"includes": ["main"]}}]
            }
        }
    ]
}"#;

fn issues(text: &str) -> Vec<ShapeIssue> {
    let doc = parse(text).expect("test documents are valid JSON");
    validate_pipeline_document(&doc.root)
}

/// The span of the only occurrence of `needle` in `text`.
fn span_of(text: &str, needle: &str) -> Span {
    let start = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in the document"));
    assert_eq!(
        text.rfind(needle),
        Some(start),
        "{needle:?} occurs more than once"
    );
    Span::new(start as u32, (start + needle.len()) as u32)
}

/// The only issue of a document.
fn single_issue(text: &str) -> ShapeIssue {
    let mut found = issues(text);
    assert_eq!(found.len(), 1, "expected one issue, got {found:#?}");
    found.remove(0)
}

/// A bare declaration with one stage holding `action` (JSON text).
fn with_action(action: &str) -> String {
    format!(
        r#"{{"name": "p", "roleArn": "arn:aws:iam::111111111111:role/r", "stages": [{{"name": "S", "actions": [{action}]}}]}}"#
    )
}

const BUILD_ACTION_TYPE: &str = r#""actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"}"#;

#[test]
fn valid_get_pipeline_output_has_no_issues() {
    assert_eq!(issues(GET_PIPELINE_OUTPUT), vec![]);
}

#[test]
fn valid_bare_declaration_has_no_issues() {
    let doc = parse(GET_PIPELINE_OUTPUT).unwrap();
    let declaration = doc.root.get("pipeline").unwrap();
    assert_eq!(validate_pipeline_document(declaration), vec![]);
    assert_eq!(
        issues(&with_action(&format!(
            r#"{{"name": "A", {BUILD_ACTION_TYPE}}}"#
        ))),
        vec![]
    );
}

#[test]
fn v2_fields_are_accepted() {
    assert_eq!(issues(V2_DECLARATION), vec![]);
}

#[test]
fn create_pipeline_input_with_tags_is_accepted() {
    let text = format!(
        r#"{{"pipeline": {}, "tags": [{{"key": "team", "value": ""}}]}}"#,
        with_action(&format!(r#"{{"name": "A", {BUILD_ACTION_TYPE}}}"#))
    );
    assert_eq!(issues(&text), vec![]);
}

#[test]
fn wrong_type() {
    let text = r#"{"pipeline": {"name": "p", "roleArn": 12, "stages": []}}"#;
    let issue = single_issue(text);
    assert_eq!(
        issue.kind,
        ShapeIssueKind::WrongType {
            expected: "string",
            found: "number"
        }
    );
    assert_eq!(issue.path, "pipeline.roleArn");
    assert_eq!(issue.span, Span::new(38, 40));
    assert!(issue.is_type_error());
    assert_eq!(
        issue.to_string(),
        "pipeline.roleArn: expected a string, found number"
    );
}

#[test]
fn wrong_type_for_containers_and_null() {
    let text = r#"{"name": "p", "roleArn": null, "stages": {}}"#;
    let found = issues(text);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(
        found[0].kind,
        ShapeIssueKind::WrongType {
            expected: "string",
            found: "null"
        }
    );
    assert_eq!(
        (found[0].path.as_str(), found[0].span),
        ("roleArn", Span::new(25, 29))
    );
    assert_eq!(
        found[1].kind,
        ShapeIssueKind::WrongType {
            expected: "array",
            found: "object"
        }
    );
    assert_eq!(
        (found[1].path.as_str(), found[1].span),
        ("stages", Span::new(41, 43))
    );

    let issue = single_issue("[]");
    assert_eq!(
        issue.kind,
        ShapeIssueKind::WrongType {
            expected: "object",
            found: "array"
        }
    );
    assert_eq!(issue.to_string(), "(root): expected an object, found array");
}

#[test]
fn integer_given_as_string() {
    let text = with_action(&format!(
        r#"{{"name": "A", {BUILD_ACTION_TYPE}, "runOrder": "1"}}"#
    ));
    let issue = single_issue(&text);
    assert_eq!(
        issue.kind,
        ShapeIssueKind::WrongType {
            expected: "integer",
            found: "string"
        }
    );
    assert_eq!(issue.path, "stages[0].actions[0].runOrder");
    let start = span_of(&text, r#""runOrder": "1""#).start + 12;
    assert_eq!(issue.span, Span::new(start, start + 3));
    assert_eq!(&text[issue.span.range()], r#""1""#);
}

#[test]
fn non_integral_numbers_are_not_integers() {
    for (number, found) in [
        ("1.0", "number with a fraction or exponent"),
        ("2e1", "number with a fraction or exponent"),
        ("99999999999999999999", "integer outside the 64-bit range"),
    ] {
        let text = with_action(&format!(
            r#"{{"name": "A", {BUILD_ACTION_TYPE}, "timeoutInMinutes": {number}}}"#
        ));
        let issue = single_issue(&text);
        assert_eq!(
            issue.kind,
            ShapeIssueKind::WrongType {
                expected: "integer",
                found
            }
        );
        assert_eq!(issue.span, span_of(&text, number));
    }
}

#[test]
fn unknown_member() {
    let text = with_action(&format!(
        r#"{{"name": "A", {BUILD_ACTION_TYPE}, "rolearn": "x"}}"#
    ));
    let issue = single_issue(&text);
    let ShapeKind::Structure { members, .. } = shapes::ACTION_DECLARATION.shape().kind else {
        panic!()
    };
    assert_eq!(
        issue.kind,
        ShapeIssueKind::UnknownMember {
            name: "rolearn".to_string(),
            allowed: members.iter().map(|&(name, _)| name).collect(),
        }
    );
    assert_eq!(issue.path, "stages[0].actions[0]");
    assert_eq!(issue.span, span_of(&text, r#""rolearn""#));
    assert!(issue.is_type_error());
    assert_eq!(
        issue.to_string(),
        "stages[0].actions[0]: unknown field \"rolearn\" (did you mean \"roleArn\"?), must be one of: name, \
         actionTypeId, runOrder, configuration, commands, outputArtifacts, inputArtifacts, outputVariables, \
         roleArn, region, namespace, timeoutInMinutes, environmentVariables"
    );
}

#[test]
fn missing_required_member() {
    let text =
        r#"{"name": "p", "roleArn": "r", "stages": [{"name": "S", "actions": [{"name": "A"}]}]}"#;
    let issue = single_issue(text);
    assert_eq!(
        issue.kind,
        ShapeIssueKind::MissingRequired {
            name: "actionTypeId"
        }
    );
    assert_eq!(issue.path, "stages[0].actions[0]");
    // The opening brace of the action object.
    assert_eq!(issue.span, Span::new(67, 68));
    assert_eq!(&text[67..], r#"{"name": "A"}]}]}"#);
    assert!(issue.is_type_error());
    assert_eq!(
        issue.to_string(),
        r#"stages[0].actions[0]: missing required field "actionTypeId""#
    );

    let issue =
        single_issue(r#"{"pipeline": {"name": "p", "roleArn": "r", "stages": [{"name": "S"}]}}"#);
    assert_eq!(
        issue.to_string(),
        r#"pipeline.stages[0]: missing required field "actions""#
    );
    assert_eq!(issue.span, Span::new(54, 55));
}

#[test]
fn string_too_long() {
    let value = "x".repeat(1001);
    let text = with_action(&format!(
        r#"{{"name": "A", {BUILD_ACTION_TYPE}, "configuration": {{"ProjectName": "{value}"}}}}"#
    ));
    let issue = single_issue(&text);
    assert_eq!(
        issue.kind,
        ShapeIssueKind::TooLong {
            max: 1000,
            len: 1001
        }
    );
    assert_eq!(issue.path, "stages[0].actions[0].configuration.ProjectName");
    assert_eq!(issue.span, span_of(&text, &format!("\"{value}\"")));
    assert!(!issue.on_key);
    assert!(!issue.is_type_error());
    assert_eq!(
        issue.to_string(),
        "stages[0].actions[0].configuration.ProjectName: value is 1001 characters long (at most 1000)"
    );
}

#[test]
fn string_length_counts_chars_not_bytes() {
    // 1000 two-byte chars: 2000 bytes, but within the 1000-char limit.
    let value = "é".repeat(1000);
    let text = with_action(&format!(
        r#"{{"name": "A", {BUILD_ACTION_TYPE}, "configuration": {{"K": "{value}"}}}}"#
    ));
    assert_eq!(issues(&text), vec![]);

    // 30 chars is AWSRegionName's max; 31 is one too many, and "" is below its min of 4.
    let text = with_action(&format!(
        r#"{{"name": "A", {BUILD_ACTION_TYPE}, "region": "{}"}}"#,
        "ü".repeat(31)
    ));
    assert_eq!(
        single_issue(&text).kind,
        ShapeIssueKind::TooLong { max: 30, len: 31 }
    );
    let text = with_action(&format!(
        r#"{{"name": "A", {BUILD_ACTION_TYPE}, "region": ""}}"#
    ));
    assert_eq!(
        single_issue(&text).kind,
        ShapeIssueKind::TooShort { min: 4, len: 0 }
    );
}

#[test]
fn config_key_too_long() {
    let key = "K".repeat(51);
    let text = with_action(&format!(
        r#"{{"name": "A", {BUILD_ACTION_TYPE}, "configuration": {{"{key}": "v"}}}}"#
    ));
    let issue = single_issue(&text);
    assert_eq!(issue.kind, ShapeIssueKind::TooLong { max: 50, len: 51 });
    assert_eq!(
        issue.path,
        format!("stages[0].actions[0].configuration.{key}")
    );
    assert_eq!(issue.span, span_of(&text, &format!("\"{key}\"")));
    assert!(issue.on_key);
    assert_eq!(
        issue.to_string(),
        format!("{}: key is 51 characters long (at most 50)", issue.path)
    );
}

#[test]
fn pattern_mismatch_points_at_the_char() {
    let text = r#"{"pipeline": {"name": "p", "roleArn": "r", "stages": [{"name": "Build stage", "actions": []}]}}"#;
    let issue = single_issue(text);
    assert_eq!(
        issue.kind,
        ShapeIssueKind::PatternMismatch {
            pattern: r"[A-Za-z0-9.@\-_]+",
            offending: ' ',
            value: "Build stage".to_string(),
        }
    );
    assert_eq!(issue.path, "pipeline.stages[0].name");
    assert_eq!(issue.span, Span::new(69, 70));
    assert_eq!(&text[69..70], " ");
    assert!(!issue.is_type_error());
    assert_eq!(
        issue.to_string(),
        r#"pipeline.stages[0].name: "Build stage" contains ` ` (allowed: [A-Za-z0-9.@\-_]+)"#
    );

    // A multi-byte char is pointed at whole.
    let text = r#"{"name": "p", "roleArn": "r", "stages": [{"name": "Bühne", "actions": []}]}"#;
    let issue = single_issue(text);
    assert_eq!(issue.span, span_of(text, "ü"));

    // With an escape in the string, offsets inside it no longer match the text: the whole string.
    let text = r#"{"name": "p", "roleArn": "r", "stages": [{"name": "A\tB", "actions": []}]}"#;
    let issue = single_issue(text);
    assert_eq!(issue.span, span_of(text, r#""A\tB""#));
    assert_eq!(
        issue.to_string(),
        r#"stages[0].name: "A\tB" contains U+0009 (allowed: [A-Za-z0-9.@\-_]+)"#
    );
}

#[test]
fn not_in_enum() {
    let text = with_action(
        r#"{"name": "A", "actionTypeId": {"category": "Bild", "owner": "AWS", "provider": "CodeBuild", "version": "1"}}"#,
    );
    let issue = single_issue(&text);
    assert_eq!(
        issue.kind,
        ShapeIssueKind::NotInEnum {
            allowed: &["Source", "Build", "Deploy", "Test", "Invoke", "Approval", "Compute"],
            value: "Bild".to_string(),
        }
    );
    assert_eq!(issue.path, "stages[0].actions[0].actionTypeId.category");
    assert_eq!(issue.span, span_of(&text, r#""Bild""#));
    assert_eq!(
        issue.to_string(),
        r#"stages[0].actions[0].actionTypeId.category: "Bild" is not one of: Source, Build, Deploy, Test, Invoke, Approval, Compute"#
    );
}

#[test]
fn run_order_out_of_range() {
    for (run_order, message) in [
        ("0", "0 is out of range (1..=999)"),
        ("1000", "1000 is out of range (1..=999)"),
    ] {
        let text = format!(
            r#"{{"pipeline": {{"name": "p", "roleArn": "r", "stages": [{{"name": "S", "actions": [{{"name": "A", {BUILD_ACTION_TYPE}}}, {{"name": "B", {BUILD_ACTION_TYPE}, "runOrder": {run_order}}}]}}]}}}}"#
        );
        let issue = single_issue(&text);
        assert_eq!(
            issue.kind,
            ShapeIssueKind::OutOfRange {
                min: Some(1),
                max: Some(999),
                value: run_order.parse().unwrap()
            }
        );
        assert_eq!(issue.path, "pipeline.stages[0].actions[1].runOrder");
        let start = text.find(&format!(": {run_order}}}")).unwrap() as u32 + 2;
        assert_eq!(issue.span, Span::new(start, start + run_order.len() as u32));
        assert!(!issue.is_type_error());
        assert_eq!(
            issue.to_string(),
            format!("pipeline.stages[0].actions[1].runOrder: {message}")
        );
    }
}

#[test]
fn too_many_variables() {
    let variables: Vec<String> = (0..51).map(|i| format!(r#"{{"name": "v{i}"}}"#)).collect();
    let text = format!(
        r#"{{"name": "p", "roleArn": "r", "stages": [], "pipelineType": "V2", "variables": [{}]}}"#,
        variables.join(", ")
    );
    let issue = single_issue(&text);
    assert_eq!(
        issue.kind,
        ShapeIssueKind::TooManyItems { max: 50, len: 51 }
    );
    assert_eq!(issue.path, "variables");
    let start = text.find('[').unwrap();
    let start = start + text[start + 1..].find('[').unwrap() + 1;
    assert_eq!(issue.span, Span::new(start as u32, text.len() as u32 - 1));
    assert_eq!(issue.to_string(), "variables: has 51 items (at most 50)");
}

#[test]
fn too_few_items() {
    let text = with_action(&format!(
        r#"{{"name": "A", {BUILD_ACTION_TYPE}, "commands": []}}"#
    ));
    let issue = single_issue(&text);
    assert_eq!(issue.kind, ShapeIssueKind::TooFewItems { min: 1, len: 0 });
    assert_eq!(issue.path, "stages[0].actions[0].commands");
    assert_eq!(issue.span, span_of(&text, "[]"));
}

#[test]
fn map_keys_and_paths() {
    let text = r#"{"pipeline": {"name": "p", "roleArn": "r", "stages": [],
        "artifactStores": {"us-east-1": {"type": "S3"}, "eu": {"type": "S3", "location": "bucket"}}}}"#;
    let found = issues(text);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(
        found[0].kind,
        ShapeIssueKind::MissingRequired { name: "location" }
    );
    assert_eq!(found[0].path, r#"pipeline.artifactStores["us-east-1"]"#);
    assert_eq!(
        found[0].span.start,
        text.find(r#"{"type": "S3"}"#).unwrap() as u32
    );
    assert_eq!(found[1].kind, ShapeIssueKind::TooShort { min: 4, len: 2 });
    assert_eq!(found[1].path, "pipeline.artifactStores.eu");
    assert_eq!(found[1].span, span_of(text, r#""eu""#));
    assert!(found[1].on_key);
}

#[test]
fn map_entry_count_uses_distinct_keys() {
    // RuleConfigurationMap allows at most 200 entries; a duplicated key is one entry to AWS.
    let rule = |entries: &[String]| {
        format!(
            r#"{{"name": "p", "roleArn": "r", "stages": [{{"name": "S", "actions": [], "beforeEntry": {{"conditions": [{{"rules": [{{"name": "R", "ruleTypeId": {{"category": "Rule", "provider": "P"}}, "configuration": {{{}}}}}]}}]}}}}]}}"#,
            entries.join(", ")
        )
    };
    let mut entries: Vec<String> = (0..200).map(|i| format!(r#""k{i}": "v""#)).collect();
    assert_eq!(issues(&rule(&entries)), vec![]);
    entries.push(r#""k0": "again""#.to_string());
    assert_eq!(issues(&rule(&entries)), vec![]);
    entries.push(r#""k200": "v""#.to_string());
    let issue = single_issue(&rule(&entries));
    assert_eq!(
        issue.kind,
        ShapeIssueKind::TooManyItems { max: 200, len: 201 }
    );
    assert_eq!(
        issue.path,
        "stages[0].beforeEntry.conditions[0].rules[0].configuration"
    );
}

#[test]
fn duplicate_members_are_each_checked() {
    let text = r#"{"name": "p", "name": "bad name", "roleArn": "r", "stages": []}"#;
    let issue = single_issue(text);
    assert!(matches!(
        issue.kind,
        ShapeIssueKind::PatternMismatch { offending: ' ', .. }
    ));
    assert_eq!(issue.span, Span::new(26, 27));
    assert_eq!(&text[22..32], r#""bad name""#);
}

#[test]
fn timestamps_accept_strings_and_numbers() {
    let text = r#"{"pipeline": {"name": "p", "roleArn": "r", "stages": []},
        "metadata": {"created": "2024-01-01T00:00:00Z", "updated": 1700000000, "pollingDisabledAt": true}}"#;
    let issue = single_issue(text);
    assert_eq!(
        issue.kind,
        ShapeIssueKind::WrongType {
            expected: "timestamp (string or number)",
            found: "boolean"
        }
    );
    assert_eq!(issue.path, "metadata.pollingDisabledAt");
    assert_eq!(
        issue.to_string(),
        "metadata.pollingDisabledAt: expected a timestamp (string or number), found boolean"
    );
}

#[test]
fn unknown_top_level_member_of_a_wrapped_document() {
    let text =
        r#"{"pipeline": {"name": "p", "roleArn": "r", "stages": []}, "ResponseMetadata": {}}"#;
    let issue = single_issue(text);
    assert_eq!(issue.path, "");
    assert_eq!(issue.span, span_of(text, r#""ResponseMetadata""#));
    assert_eq!(
        issue.to_string(),
        r#"(root): unknown field "ResponseMetadata", must be one of: pipeline, metadata, tags"#
    );
}

#[test]
fn display_examples() {
    let value = "a".repeat(1204);
    let text = format!(
        r#"{{"pipeline": {{"name": "p", "roleArn": "r", "stages": [{{"name": "S", "actions": [{{"name": "A", {BUILD_ACTION_TYPE}, "configuration": {{"RoleArn": "{value}"}}}}]}}]}}}}"#
    );
    assert_eq!(
        single_issue(&text).to_string(),
        "pipeline.stages[0].actions[0].configuration.RoleArn: value is 1204 characters long (at most 1000)"
    );
}

/// The generator is right when the table carries the model's numbers.
#[test]
fn derived_constraints_are_the_models() {
    let kind = |name: &str| {
        shape_by_name(name)
            .unwrap_or_else(|| panic!("{name} not generated"))
            .shape()
            .kind
    };
    assert_eq!(
        kind("ActionRunOrder"),
        ShapeKind::Integer {
            min: Some(1),
            max: Some(999)
        }
    );
    assert_eq!(
        kind("ActionTimeout"),
        ShapeKind::Integer {
            min: Some(5),
            max: Some(86400)
        }
    );
    assert_eq!(
        kind("PipelineVersion"),
        ShapeKind::Integer {
            min: Some(1),
            max: None
        }
    );
    assert_eq!(
        kind("PipelineVariableDeclarationList"),
        ShapeKind::List {
            member: shapes::PIPELINE_VARIABLE_DECLARATION,
            min: None,
            max: Some(50)
        }
    );
    assert_eq!(
        kind("ActionConfigurationValue"),
        ShapeKind::String {
            min: Some(1),
            max: Some(1000),
            pattern: None,
            enum_values: &[]
        }
    );
    assert_eq!(
        kind("ActionConfigurationKey"),
        ShapeKind::String {
            min: Some(1),
            max: Some(50),
            pattern: None,
            enum_values: &[]
        }
    );
    let ShapeKind::String {
        min: Some(1),
        max: Some(100),
        pattern: Some(pattern),
        enum_values: [],
    } = kind("StageName")
    else {
        panic!("StageName is {:?}", kind("StageName"));
    };
    assert_eq!(pattern.source, r"[A-Za-z0-9.@\-_]+");
    assert_eq!(
        pattern.ranges,
        &[('-', '.'), ('0', '9'), ('@', 'Z'), ('_', '_'), ('a', 'z')]
    );
    assert!(
        pattern.allows('@') && pattern.allows('-') && !pattern.allows(' ') && !pattern.allows('/')
    );
    let ShapeKind::Structure { members, required } = kind("PipelineDeclaration") else {
        panic!()
    };
    assert_eq!(required, &["name", "roleArn", "stages"]);
    assert_eq!(members[0], ("name", shapes::PIPELINE_NAME));
    assert_eq!(members.len(), 10);
    assert_eq!(
        kind("RuleConfigurationMap"),
        ShapeKind::Map {
            key: shapes::RULE_CONFIGURATION_KEY,
            value: shapes::RULE_CONFIGURATION_VALUE,
            min: Some(0),
            max: Some(200)
        }
    );
    assert_eq!(kind("Timestamp"), ShapeKind::Timestamp);
}

#[test]
fn shape_table_is_consistent() {
    assert!(
        SHAPES.windows(2).all(|w| w[0].name < w[1].name),
        "sorted by name, no duplicates"
    );
    for (index, shape) in SHAPES.iter().enumerate() {
        assert_eq!(shape_by_name(shape.name), Some(ShapeId(index as u16)));
        let targets: Vec<ShapeId> = match shape.kind {
            ShapeKind::Structure { members, required } => {
                for r in required {
                    assert!(members.iter().any(|(m, _)| m == r), "{}: {r}", shape.name);
                }
                members.iter().map(|&(_, id)| id).collect()
            }
            ShapeKind::List { member, .. } => vec![member],
            ShapeKind::Map { key, value, .. } => {
                assert!(
                    matches!(key.shape().kind, ShapeKind::String { .. }),
                    "{}",
                    shape.name
                );
                vec![key, value]
            }
            ShapeKind::String { min, pattern, .. } => {
                if pattern.is_some() {
                    assert!(
                        min >= Some(1),
                        "{}: an enforced pattern needs a min",
                        shape.name
                    );
                }
                vec![]
            }
            _ => vec![],
        };
        assert!(targets.iter().all(|t| usize::from(t.0) < SHAPES.len()));
    }
    assert_eq!(shape_by_name("CreatePipelineInput"), None);
    let unenforced: Vec<&str> = UNENFORCED_PATTERNS
        .iter()
        .map(|&(shape, _)| shape)
        .collect();
    assert!(unenforced.contains(&"RoleArn") && unenforced.contains(&"PipelineArn"));
}

#[test]
fn the_ascii_bitmap_finds_the_first_mismatch_as_the_ranges_do() {
    let patterns = [
        Pattern {
            source: "[A-Za-z0-9.@\\-_]+",
            ranges: &[('-', '.'), ('0', '9'), ('@', 'Z'), ('_', '_'), ('a', 'z')],
        },
        Pattern {
            source: "[\\u0000-\\uFFFF]+",
            ranges: &[('\u{0}', '\u{ffff}')],
        },
        Pattern {
            source: "[ -\\u007F]+",
            ranges: &[(' ', '\u{7f}')],
        },
        Pattern {
            source: "[é-ü]+",
            ranges: &[('é', 'ü')],
        },
    ];
    let texts = [
        "",
        "payments-service",
        "arn:aws:iam::111111111111:role/x",
        "a b",
        "\u{0}\u{7f}",
        "café",
        "éü",
        "ab€c",
        "~",
        "\u{10000}",
    ];
    for pattern in &patterns {
        for text in texts {
            let by_ranges = text.char_indices().find(|&(_, c)| !pattern.allows(c));
            assert_eq!(
                pattern.first_mismatch(text),
                by_ranges,
                "{} on {text:?}",
                pattern.source
            );
        }
    }
}
