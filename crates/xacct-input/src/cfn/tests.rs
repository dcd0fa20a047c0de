use super::*;
use crate::Limits;
use xacct_model::policy_file::PolicyKind;

fn facts() -> StackFacts {
    StackFacts {
        account: AccountId::parse("111111111111"),
        region: Some("us-east-2".to_string()),
        name: Some("ci".to_string()),
        parameters: [("DevAccountId".to_string(), "222222222222".to_string())].into(),
        resources: [(
            "Key".to_string(),
            "1234abcd-12ab-34cd-56ef-1234567890ab".to_string(),
        )]
        .into(),
        ..StackFacts::default()
    }
}

const TEMPLATE: &str = r#"
Parameters:
  DevAccountId: {Type: String}
  Env: {Type: String, Default: prod}
  Unset: {Type: String}
  Subnets: {Type: CommaDelimitedList, Default: "a,b"}
Mappings:
  Regions:
    us-east-2: {Ami: ami-123}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  Unknown: !Equals [!Ref Unset, x]
  Both: !And [!Condition IsProd, !Condition Unknown]
  Either: !Or [!Condition IsProd, !Condition Unknown]
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: deployer
      Path: /service-role/
  Unnamed:
    Type: AWS::IAM::Role
    Properties: {}
  Key:
    Type: AWS::KMS::Key
    Properties: {}
  OtherKey:
    Type: AWS::KMS::Key
    Properties: {}
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "artifacts-${AWS::Region}-${AWS::AccountId}"
Outputs:
  Values:
    Value:
      - !Ref DevAccountId
      - !Ref Env
      - !Ref Unset
      - !Sub "arn:aws:iam::${DevAccountId}:role/x"
      - !Sub "${Role.Arn}|${!Literal}|${AWS::Partition}|${AWS::StackName}"
      - !Sub ["${A}-${B}", {A: !Ref Env, B: one}]
      - !Join [":", [a, !Ref Env, 3]]
      - !Select [1, !Ref Subnets]
      - !Select [0, !Split ["/", "x/y"]]
      - !If [IsProd, yes-prod, no]
      - !If [IsDev, dev, not-dev]
      - !If [Unknown, a, b]
      - !If [Both, a, b]
      - !If [Either, either, b]
      - !FindInMap [Regions, !Ref "AWS::Region", Ami]
      - !GetAtt Role.Arn
      - !GetAtt Unnamed.Arn
      - !GetAtt Key.Arn
      - !Ref OtherKey
      - !GetAtt Bucket.Arn
      - !Ref Bucket
      - !ImportValue shared-key
      - !If [IsProd, !Ref AWS::NoValue, kept]
      - last
"#;

/// The template's `Outputs.Values.Value` list, evaluated.
fn evaluated(facts: &StackFacts) -> Owned {
    let doc = xacct_syntax::yaml::parse(TEMPLATE).unwrap();
    let template = Template::new(&doc.root, facts, &Limits::default());
    let list = doc
        .root
        .get("Outputs")
        .unwrap()
        .get("Values")
        .unwrap()
        .get("Value")
        .unwrap();
    template.eval(list).unwrap()
}

fn values(facts: &StackFacts) -> Vec<String> {
    evaluated(facts)
        .as_array()
        .unwrap()
        .iter()
        .map(|n| scalar_text(n).unwrap())
        .collect()
}

#[test]
fn intrinsics_resolve_from_parameters_defaults_pseudo_parameters_and_resources() {
    let got = values(&facts());
    let want = [
        "222222222222",
        "prod",
        "${Unset}",
        "arn:aws:iam::222222222222:role/x",
        "arn:aws:iam::111111111111:role/service-role/deployer|${Literal}|aws|ci",
        "prod-one",
        "a:prod:3",
        "b",
        "x",
        "yes-prod",
        "not-dev",
        "${Fn::If Unknown}",
        "${Fn::If Both}",
        "either",
        "ami-123",
        "arn:aws:iam::111111111111:role/service-role/deployer",
        "arn:aws:iam::111111111111:role/${Unnamed}",
        "arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "${OtherKey}",
        "arn:aws:s3:::artifacts-us-east-2-111111111111",
        "artifacts-us-east-2-111111111111",
        "${ImportValue shared-key}",
        // The `AWS::NoValue` item is gone.
        "last",
    ];
    assert_eq!(got, want);
}

#[test]
fn an_unbound_stack_leaves_its_account_and_region_as_placeholders() {
    let got = values(&StackFacts::default());
    assert_eq!(got[0], "${DevAccountId}");
    assert_eq!(
        got[15],
        "arn:aws:iam::${AWS::AccountId}:role/service-role/deployer"
    );
    assert_eq!(
        got[17],
        "arn:aws:kms:${AWS::Region}:${AWS::AccountId}:key/${Key}"
    );
    // The mapping is keyed by a region that is not known: unknown too.
    assert_eq!(got[14], "${Fn::FindInMap Regions}");
}

#[test]
fn evaluated_values_keep_the_span_of_the_template_text() {
    let evaluated = evaluated(&facts());
    let sub = &evaluated.as_array().unwrap()[3];
    assert_eq!(
        &TEMPLATE[sub.span.range()],
        r#"!Sub "arn:aws:iam::${DevAccountId}:role/x""#
    );
}

const PIPELINE: &str = r#"
Parameters:
  DevAccountId: {Type: String}
Resources:
  Pipeline:
    Type: AWS::CodePipeline::Pipeline
    Metadata:
      xacct:
        ignore: [XA503, XA9]
        reason: reviewed with the platform team
    Properties:
      RoleArn: !GetAtt PipelineRole.Arn
      RestartExecutionOnUpdate: true
      ArtifactStores:
        - Region: us-east-2
          ArtifactStore:
            Type: S3
            Location: artifacts
            EncryptionKey: {Id: !GetAtt Key.Arn, Type: KMS}
      Stages:
        - Name: Source
          Actions:
            - Name: Src
              ActionTypeId: {Category: Source, Owner: AWS, Provider: S3, Version: 1}
              Configuration: {S3Bucket: src, S3ObjectKey: app.zip, PollForSourceChanges: false}
              OutputArtifacts: [{Name: App}]
              RunOrder: "2"
  PipelineRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: pipeline
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: codepipeline.amazonaws.com}, Action: sts:AssumeRole}
      Policies:
        - PolicyName: inline
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: sts:AssumeRole, Resource: !Sub "arn:aws:iam::${DevAccountId}:role/*"}
      ManagedPolicyArns:
        - !Ref Shared
        - arn:aws:iam::aws:policy/AdministratorAccess
        - arn:aws:iam::999999999999:policy/elsewhere
  Shared:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      ManagedPolicyName: shared
      PolicyDocument:
        Statement:
          - {Effect: Allow, Action: s3:GetObject, Resource: "*"}
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Statement:
          - {Effect: Allow, Principal: {AWS: !Sub "arn:aws:iam::${AWS::AccountId}:root"}, Action: "kms:*", Resource: "*"}
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: artifacts
      OwnershipControls: {Rules: [{ObjectOwnership: BucketOwnerEnforced}]}
  BucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Bucket
      PolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {AWS: !GetAtt PipelineRole.Arn}, Action: s3:*, Resource: "arn:aws:s3:::artifacts/*"}
  NeverDeployed:
    Type: AWS::IAM::Role
    Condition: Never
    Properties:
      RoleName: never
      AssumeRolePolicyDocument: {Statement: []}
Conditions:
  Never: !Equals [a, b]
"#;

#[test]
fn a_pipeline_resource_becomes_the_api_declaration() {
    let doc = xacct_syntax::yaml::parse(PIPELINE).unwrap();
    let contents = load_template(&doc.root, None, &facts(), &Limits::default());
    assert_eq!(contents.pipelines.len(), 1);
    let root = &contents.pipelines[0].root;
    let pipeline = root.get("pipeline").unwrap();
    assert_eq!(
        pipeline.get("roleArn").unwrap().as_str(),
        Some("arn:aws:iam::111111111111:role/pipeline")
    );
    // CloudFormation's own settings are not part of the declaration.
    assert!(pipeline.get("restartExecutionOnUpdate").is_none());
    // An unnamed pipeline is named after its logical ID, unknown until deployed.
    assert_eq!(pipeline.get("name").unwrap().as_str(), Some("${Pipeline}"));
    let store = pipeline
        .get("artifactStores")
        .unwrap()
        .get("us-east-2")
        .unwrap();
    assert_eq!(store.get("location").unwrap().as_str(), Some("artifacts"));
    assert_eq!(
        store
            .get("encryptionKey")
            .unwrap()
            .get("id")
            .unwrap()
            .as_str(),
        Some("arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab")
    );
    let action = &pipeline.get("stages").unwrap().as_array().unwrap()[0]
        .get("actions")
        .unwrap()
        .as_array()
        .unwrap()[0];
    let type_id = action.get("actionTypeId").unwrap();
    assert_eq!(type_id.get("version").unwrap().as_str(), Some("1"));
    let configuration = action.get("configuration").unwrap();
    // Configuration keys are the provider's own; scalars are strings.
    assert_eq!(
        configuration.get("PollForSourceChanges").unwrap().as_str(),
        Some("false")
    );
    assert_eq!(
        action.get("runOrder").unwrap().value,
        Value::Number("2".into())
    );
    assert_eq!(
        action.get("outputArtifacts").unwrap().as_array().unwrap()[0]
            .get("name")
            .unwrap()
            .as_str(),
        Some("App")
    );
    // And the declaration is valid for the API model.
    assert_eq!(
        xacct_model::api::validate_pipeline_document(root),
        Vec::new()
    );
    let loaded = xacct_model::pipeline::load_pipeline(root);
    assert_eq!(loaded.pipeline.stages.len(), 1);
}

#[test]
fn policies_name_their_subjects() {
    let doc = xacct_syntax::yaml::parse(PIPELINE).unwrap();
    let contents = load_template(&doc.root, None, &facts(), &Limits::default());
    let summary: Vec<(PolicyKind, String, Option<String>)> = contents
        .policies
        .iter()
        .map(|p| {
            let subject = match p.subject.as_ref().unwrap() {
                Subject::RoleArn(arn) => arn.value.clone(),
                Subject::Bucket(b) => format!("bucket {b}"),
                Subject::Key(k) => format!("key {k}"),
                Subject::RoleName(n) => format!("role name {}", n.value),
                Subject::ManagedPolicy(arn) => format!("managed policy {}", arn.value),
                Subject::Targets(targets) => {
                    let ids: Vec<&str> = targets.iter().map(|t| t.value.as_str()).collect();
                    format!("targets {}", ids.join(","))
                }
                Subject::EventBus(arn) => format!("bus {arn}"),
                Subject::Function(arn) => format!("function {arn}"),
            };
            (p.kind.unwrap(), subject, p.name.clone())
        })
        .collect();
    let role = "arn:aws:iam::111111111111:role/pipeline".to_string();
    assert_eq!(
        summary,
        [
            (PolicyKind::Trust, role.clone(), None),
            (PolicyKind::Identity, role.clone(), Some("inline".into())),
            (
                PolicyKind::Identity,
                role.clone(),
                Some("arn:aws:iam::111111111111:policy/shared".into())
            ),
            (
                PolicyKind::Identity,
                role.clone(),
                Some("arn:aws:iam::aws:policy/AdministratorAccess".into())
            ),
            (
                PolicyKind::Identity,
                role.clone(),
                Some("arn:aws:iam::999999999999:policy/elsewhere".into())
            ),
            // The declared managed policy is also the document of its ARN, for the roles that
            // set it as their permissions boundary.
            (
                PolicyKind::Identity,
                "managed policy arn:aws:iam::111111111111:policy/shared".into(),
                Some("arn:aws:iam::111111111111:policy/shared".into())
            ),
            (
                PolicyKind::Key,
                "key arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
                    .into(),
                Some("Key".into())
            ),
            (PolicyKind::Bucket, "bucket artifacts".into(), None),
        ]
    );
    // The declared managed policy brings its own statement; the AWS one its known part; the
    // one declared elsewhere stands as an allow nobody can decide.
    assert_eq!(
        contents.policies[2].document.statements[0]
            .action
            .as_ref()
            .unwrap()
            .values[0]
            .value,
        "s3:GetObject"
    );
    assert!(contents.policies[3].document.statements[0]
        .conditions
        .is_empty());
    assert_eq!(
        contents.policies[4].document.statements[0].conditions[0]
            .key
            .value,
        xacct_model::managed::NOT_GIVEN_KEY
    );
    assert_eq!(
        contents.ownership,
        [(
            "artifacts".to_string(),
            Spanned::new(
                "BucketOwnerEnforced".to_string(),
                contents.ownership[0].1.span
            )
        )]
    );
}

#[test]
fn suppressions_cover_their_resource() {
    let doc = xacct_syntax::yaml::parse(PIPELINE).unwrap();
    let contents = load_template(&doc.root, None, &facts(), &Limits::default());
    assert_eq!(contents.suppressions.len(), 1);
    let s = &contents.suppressions[0];
    assert_eq!(s.resource, "Pipeline");
    let codes: Vec<&str> = s.codes.iter().map(|c| c.value.as_str()).collect();
    assert_eq!(codes, ["XA503", "XA9"]);
    assert_eq!(s.reason.as_deref(), Some("reviewed with the platform team"));
    let text = &PIPELINE[s.span.range()];
    assert!(
        text.starts_with("Pipeline:") && text.ends_with("RunOrder: \"2\""),
        "{text}"
    );
}

#[test]
fn an_undecided_condition_checks_the_first_branch_of_a_structure_and_says_so() {
    let text = r#"
Conditions:
  InRegion: !Equals [!Ref "AWS::Region", us-east-1]
Resources:
  Thing:
    Type: AWS::S3::Bucket
    Properties:
      Same: !If [InRegion, x, x]
      Scalar: !If [InRegion, x, y]
      Structure: !If [InRegion, {A: 1}, {A: 2}]
"#;
    let doc = xacct_syntax::yaml::parse(text).unwrap();
    let facts = StackFacts::default();
    let template = Template::new(&doc.root, &facts, &Limits::default());
    let properties = doc
        .root
        .get("Resources")
        .unwrap()
        .get("Thing")
        .unwrap()
        .get("Properties")
        .unwrap();
    let evaluated = template.eval(properties).unwrap();
    assert_eq!(evaluated.get("Same").unwrap().as_str(), Some("x"));
    assert_eq!(
        evaluated.get("Scalar").unwrap().as_str(),
        Some("${Fn::If InRegion}")
    );
    assert_eq!(
        evaluated.get("Structure").unwrap().get("A").unwrap().value,
        Value::Number("1".into())
    );
    let assumptions = template.assumptions();
    assert_eq!(assumptions.len(), 1);
    assert_eq!(&text[assumptions[0].0.range()], "{A: 1}");
    assert_eq!(assumptions[0].1, "InRegion");
}

#[test]
fn a_reference_to_a_role_in_a_principal_is_marked_as_its_name() {
    const KEYS: &str = r#"
Parameters:
  AdminArn: {Type: String}
Resources:
  Named:
    Type: AWS::IAM::Role
    Properties: {RoleName: deployer}
  Unnamed:
    Type: AWS::IAM::Role
    Properties: {}
  Builder:
    Type: AWS::IAM::User
    Properties: {}
  Key:
    Type: AWS::KMS::Key
    Properties:
      BypassPolicyLockoutSafetyCheck: true
      KeyPolicy:
        Statement:
          - Effect: Allow
            Principal:
              AWS: [!Ref Named, !Ref Unnamed, !Ref Builder, !Ref AdminArn, !GetAtt Unnamed.Arn]
            Action: kms:*
            Resource: "*"
  OtherKey:
    Type: AWS::KMS::Key
    Properties:
      BypassPolicyLockoutSafetyCheck: false
      KeyPolicy:
        Statement: {Effect: Deny, NotPrincipal: {AWS: !Sub "${Unnamed}"}, Action: kms:*, Resource: "*"}
  ThirdKey:
    Type: AWS::KMS::Key
    Properties:
      BypassPolicyLockoutSafetyCheck: !Ref AdminArn
      KeyPolicy: {Statement: []}
"#;
    let doc = xacct_syntax::yaml::parse(KEYS).unwrap();
    let contents = load_template(&doc.root, None, &facts(), &Limits::default());
    let principals = |i: usize| -> Vec<String> {
        contents.policies[i].document.statements[0]
            .principal
            .iter()
            .flat_map(|p| p.entries.iter().map(|e| e.value.value.to_string()))
            .collect()
    };
    // `Ref` of a role gives its name: the literal one, else the name placeholder; a
    // parameter stays a placeholder, an ARN an ARN.
    assert_eq!(
        principals(0),
        [
            "deployer",
            "${Unnamed.RoleName}",
            "${Builder.UserName}",
            "${AdminArn}",
            "arn:aws:iam::111111111111:role/${Unnamed}",
        ]
    );
    assert_eq!(principals(1), ["${Unnamed.RoleName}"]);
    // The marked value keeps the span of the `!Ref` it came from.
    let marked = &contents.policies[1].document.statements[0]
        .principal
        .as_ref()
        .unwrap()
        .entries[0];
    assert_eq!(&KEYS[marked.value.span.range()], "!Sub \"${Unnamed}\"");
    let bypass: Vec<bool> = contents
        .policies
        .iter()
        .map(|p| p.bypass_lockout_check)
        .collect();
    // True, false, and a parameter without a value (which might be true).
    assert_eq!(bypass, [true, false, true]);
}

#[test]
fn organization_policies_and_permissions_boundaries() {
    let text = r#"
Resources:
  Guardrail:
    Type: AWS::Organizations::Policy
    Properties:
      Name: OwnKeysOnly
      Type: SERVICE_CONTROL_POLICY
      TargetIds: ["222222222222", "ou-ab12-34cd56ef"]
      Content:
        Version: "2012-10-17"
        Statement:
          - Sid: Deny
            Effect: Deny
            Action: kms:Decrypt
            Resource: "*"
  Perimeter:
    Type: AWS::Organizations::Policy
    Properties:
      Type: RESOURCE_CONTROL_POLICY
      TargetIds: [!Ref DevAccountId]
      Content: '{"Version": "2012-10-17", "Statement": [{"Sid": "NoOthers", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}'
  Tags:
    Type: AWS::Organizations::Policy
    Properties:
      Type: TAG_POLICY
      Content: {tags: {}}
  Boundary:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: s3:*
            Resource: "*"
  Deploy:
    Type: AWS::IAM::Role
    Properties:
      RoleName: Deploy
      PermissionsBoundary: !Ref Boundary
      AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: []}
Parameters:
  DevAccountId: {Type: String}
"#;
    let doc = xacct_syntax::yaml::parse(text).unwrap();
    let contents = load_template(&doc.root, Some(text), &facts(), &Limits::default());
    assert!(contents.issues.is_empty(), "{:?}", contents.issues);
    let organization: Vec<(PolicyKind, Vec<String>, Option<String>, String)> = contents
        .policies
        .iter()
        .filter(|p| p.kind.is_some_and(PolicyKind::is_organization))
        .map(|p| {
            let Some(Subject::Targets(targets)) = &p.subject else {
                panic!("{:?}", p.subject)
            };
            (
                p.kind.unwrap(),
                targets.iter().map(|t| t.value.clone()).collect(),
                p.name.clone(),
                p.document.statements[0]
                    .sid
                    .as_ref()
                    .unwrap()
                    .value
                    .to_string(),
            )
        })
        .collect();
    assert_eq!(
        organization,
        [
            (
                PolicyKind::ServiceControl,
                vec!["222222222222".to_string(), "ou-ab12-34cd56ef".to_string()],
                Some("OwnKeysOnly".to_string()),
                "Deny".to_string()
            ),
            (
                PolicyKind::ResourceControl,
                vec!["222222222222".to_string()],
                Some("Perimeter".to_string()),
                "NoOthers".to_string()
            ),
        ]
    );
    // The role's boundary is the template's managed policy, by what `Ref` of it gives.
    assert_eq!(contents.boundaries.len(), 1);
    let boundary = &contents.boundaries[0];
    assert_eq!(boundary.role.value, "arn:aws:iam::111111111111:role/Deploy");
    let managed: Vec<&str> = contents
        .policies
        .iter()
        .filter_map(|p| match &p.subject {
            Some(Subject::ManagedPolicy(arn)) => Some(arn.value.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(managed, [boundary.policy.value.as_str()]);
}

#[test]
fn an_ecs_service_gives_the_roles_of_its_task_definition() {
    let text = r#"
Resources:
  Cluster: {Type: AWS::ECS::Cluster, Properties: {ClusterName: web}}
  TaskRole: {Type: AWS::IAM::Role, Properties: {RoleName: api-task}}
  Definition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      TaskRoleArn: !GetAtt TaskRole.Arn
      ExecutionRoleArn: ecsTaskExecutionRole
  Service:
    Type: AWS::ECS::Service
    Properties: {ServiceName: api, Cluster: !Ref Cluster, TaskDefinition: !Ref Definition}
  Unnamed:
    Type: AWS::ECS::Service
    Properties: {Cluster: !Ref Cluster, TaskDefinition: !Ref Definition}
  Elsewhere:
    Type: AWS::ECS::Service
    Properties: {ServiceName: other, TaskDefinition: "arn:aws:ecs:us-east-2:111111111111:task-definition/x:1"}
"#;
    let doc = xacct_syntax::yaml::parse(text).unwrap();
    let contents = load_template(&doc.root, None, &facts(), &Limits::default());
    // A generated service name, or a task definition outside the template: unknown.
    assert_eq!(contents.ecs_services.len(), 1);
    let service = &contents.ecs_services[0];
    assert_eq!(
        (service.cluster.as_str(), service.name.value.as_str()),
        ("web", "api")
    );
    let xacct_model::ecs::ServiceTaskDefinition::Declared(definition) = &service.task_definition
    else {
        panic!("the template's own task definition");
    };
    let roles: Vec<&str> = definition.roles().map(|r| r.value.as_str()).collect();
    assert_eq!(
        roles,
        [
            "arn:aws:iam::111111111111:role/api-task",
            "ecsTaskExecutionRole"
        ]
    );
}

#[test]
fn a_key_alias_names_its_key_arn_only_when_known_in_full() {
    let template = r#"
Parameters:
  KeyArn: {Type: String}
Resources:
  Key: {Type: AWS::KMS::Key, Properties: {}}
  Other: {Type: AWS::KMS::Key, Properties: {}}
  ByRef: {Type: AWS::KMS::Alias, Properties: {AliasName: alias/by-ref, TargetKeyId: !Ref Key}}
  ByArn: {Type: AWS::KMS::Alias, Properties: {AliasName: alias/by-arn, TargetKeyId: !GetAtt Key.Arn}}
  Literal:
    Type: AWS::KMS::Alias
    Properties: {AliasName: alias/literal, TargetKeyId: "arn:aws:kms:eu-west-1:333333333333:key/0987dcba-09fe-87dc-65ba-ab0987654321"}
  Unknown: {Type: AWS::KMS::Alias, Properties: {AliasName: alias/unknown, TargetKeyId: !Ref Other}}
  Param: {Type: AWS::KMS::Alias, Properties: {AliasName: alias/param, TargetKeyId: !Ref KeyArn}}
  NoName: {Type: AWS::KMS::Alias, Properties: {AliasName: by-ref, TargetKeyId: !Ref Key}}
"#;
    let doc = xacct_syntax::yaml::parse(template).unwrap();
    let aliases = |facts: &StackFacts| -> Vec<(String, String, String)> {
        load_template(&doc.root, None, facts, &Limits::default())
            .aliases
            .into_iter()
            .map(|a| {
                let at = &template[a.name.span.start as usize..a.name.span.end as usize];
                (a.name.value, at.to_string(), a.key_arn)
            })
            .collect()
    };
    let key = "arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let other = "arn:aws:kms:eu-west-1:333333333333:key/0987dcba-09fe-87dc-65ba-ab0987654321";
    let t = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
    assert_eq!(
        aliases(&facts()),
        vec![
            t("alias/by-ref", "alias/by-ref", key),
            t("alias/by-arn", "alias/by-arn", key),
            t("alias/literal", "alias/literal", other),
        ]
    );
    // Deployed nowhere known: the key ID and the stack's account are placeholders.
    assert_eq!(
        aliases(&StackFacts::default()),
        vec![t("alias/literal", "alias/literal", other)]
    );
}

#[test]
fn event_rules_and_bus_policies() {
    let text = r#"
Resources:
  ToBus:
    Type: AWS::Events::Rule
    Properties:
      Targets:
        - Id: bus
          Arn: arn:aws:events:us-east-2:222222222222:event-bus/default
          RoleArn: !GetAtt Role.Arn
        - Id: unknown
          Arn: !GetAtt Elsewhere.Arn
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: ToBus
      AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: {Service: events.amazonaws.com}, Action: sts:AssumeRole}]}
  New:
    Type: AWS::Events::EventBusPolicy
    Properties:
      StatementId: New
      Statement: {Effect: Allow, Principal: {AWS: "333333333333"}, Action: events:PutEvents, Resource: "*"}
  Old:
    Type: AWS::Events::EventBusPolicy
    Properties:
      EventBusName: orders
      StatementId: Old
      Action: events:PutEvents
      Principal: "*"
      Condition: {Type: StringEquals, Key: aws:PrincipalOrgID, Value: o-abc}
  Bus:
    Type: AWS::Events::EventBus
    Properties:
      Name: audit
      Policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "333333333333"}, Action: events:PutEvents, Resource: "*"}]}
"#;
    let doc = xacct_syntax::yaml::parse(text).unwrap();
    let contents = load_template(&doc.root, None, &facts(), &Limits::default());
    assert!(contents.issues.is_empty(), "{:?}", contents.issues);
    let [rule] = contents.event_rules.as_slice() else {
        panic!("{:?}", contents.event_rules);
    };
    assert_eq!(rule.name.as_ref().map(|n| n.value.as_str()), Some("ToBus"));
    assert_eq!(rule.targets.len(), 2);
    assert_eq!(
        rule.targets[0].role.as_ref().map(|r| r.value.as_str()),
        Some("arn:aws:iam::111111111111:role/ToBus")
    );
    // A target the template cannot say stays an unknown account.
    assert_eq!(rule.targets[1].bus_account(), None);
    let buses: Vec<(String, usize)> = contents
        .policies
        .iter()
        .filter(|p| p.kind == Some(PolicyKind::EventBus))
        .map(|p| match &p.subject {
            Some(Subject::EventBus(arn)) => (arn.clone(), p.document.statements.len()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        buses,
        [
            (
                "arn:aws:events:us-east-2:111111111111:event-bus/default".to_string(),
                1
            ),
            (
                "arn:aws:events:us-east-2:111111111111:event-bus/orders".to_string(),
                1
            ),
            (
                "arn:aws:events:us-east-2:111111111111:event-bus/audit".to_string(),
                1
            ),
        ]
    );
    // The older form becomes the statement EventBridge makes of it.
    let old = &contents
        .policies
        .iter()
        .find(|p| p.name.as_deref() == Some("Old"))
        .unwrap()
        .document;
    let statement = &old.statements[0];
    assert_eq!(statement.conditions.len(), 1);
    assert!(statement.principal.is_some() && statement.resource.is_some());
}

/// `AWS::Lambda::Permission`: one statement of the function's policy, as `AddPermission` makes
/// it, on the function `FunctionName` names in the stack's account and region (a qualifier
/// kept), each part spanning its property; a permission that does not evaluate is left out.
#[test]
fn lambda_permissions_are_statements_of_their_functions_policy() {
    let text = r#"Resources:
  ByName:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: notify
      Action: lambda:InvokeFunction
      Principal: arn:aws:iam::222222222222:role/Invoker
  Alias:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: notify:live
      Action: lambda:InvokeFunction
      Principal: events.amazonaws.com
      SourceArn: arn:aws:events:us-east-2:111111111111:rule/r
      SourceAccount: "111111111111"
  ByArn:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: arn:aws:lambda:us-east-2:333333333333:function:other
      Action: lambda:InvokeFunction
      Principal: "222222222222"
  Unknown:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !GetAtt Elsewhere.Arn
      Action: lambda:InvokeFunction
      Principal: "222222222222"
"#;
    let doc = xacct_syntax::yaml::parse(text).unwrap();
    let contents = load_template(&doc.root, None, &facts(), &Limits::default());
    let functions: Vec<(String, String, String)> = contents
        .policies
        .iter()
        .filter(|p| p.kind == Some(PolicyKind::Function))
        .map(|p| {
            let Some(Subject::Function(arn)) = &p.subject else {
                panic!("{:?}", p.subject);
            };
            let statement = &p.document.statements[0];
            let principal = statement.principal.as_ref().unwrap();
            let entry = &principal.entries[0];
            (
                arn.clone(),
                format!("{:?} {}", entry.kind, entry.value.value),
                text[statement.action.as_ref().unwrap().values[0].span.range()].to_string(),
            )
        })
        .collect();
    assert_eq!(
        functions,
        [
            (
                "arn:aws:lambda:us-east-2:111111111111:function:notify".to_string(),
                "Aws arn:aws:iam::222222222222:role/Invoker".to_string(),
                "lambda:InvokeFunction".to_string()
            ),
            (
                "arn:aws:lambda:us-east-2:111111111111:function:notify:live".to_string(),
                "Service events.amazonaws.com".to_string(),
                "lambda:InvokeFunction".to_string()
            ),
            (
                "arn:aws:lambda:us-east-2:333333333333:function:other".to_string(),
                "Aws 222222222222".to_string(),
                "lambda:InvokeFunction".to_string()
            ),
        ]
    );
    // The sources are conditions, with the spans of their properties.
    let alias = &contents
        .policies
        .iter()
        .find(|p| p.name.as_deref() == Some("Alias"))
        .unwrap()
        .document
        .statements[0];
    let rendered: Vec<(String, String, String)> = alias
        .conditions
        .iter()
        .map(|c| {
            (
                c.operator.value.to_string(),
                c.key.value.to_string(),
                text[c.values[0].span.range()].to_string(),
            )
        })
        .collect();
    assert_eq!(
        rendered,
        [
            (
                "ArnLike".to_string(),
                "AWS:SourceArn".to_string(),
                "arn:aws:events:us-east-2:111111111111:rule/r".to_string()
            ),
            (
                "StringEquals".to_string(),
                "AWS:SourceAccount".to_string(),
                "\"111111111111\"".to_string()
            ),
        ]
    );
}
