//! The one place that decides what a file is: which syntax to parse it with, and which kind of
//! document it holds, by content (the extension only picks between JSON and YAML).

use std::path::Path;

use xacct_syntax::json::Node;

/// How a file is to be parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    /// Strict JSON (RFC 8259).
    Json,
    /// YAML 1.2, CloudFormation's short-form tags included.
    Yaml,
}

/// The syntax of a file: `.json` is JSON, `.yaml`/`.yml` YAML; for anything else (CloudFormation's
/// `.template`, a file given on stdin) JSON when the text starts with `{` or `[`, else YAML.
pub fn syntax_of(path: &Path, text: &str) -> Syntax {
    match path.extension().and_then(|e| e.to_str()) {
        Some("json") => Syntax::Json,
        Some("yaml" | "yml") => Syntax::Yaml,
        _ => match text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .as_bytes()
            .first()
        {
            Some(b'{' | b'[') => Syntax::Json,
            _ => Syntax::Yaml,
        },
    }
}

/// True when YAML text looks like a CloudFormation template: a walked YAML file that does not
/// parse is reported only then (a Helm chart or a CI config is none of xacct's business).
pub fn looks_like_template(text: &str) -> bool {
    text.contains("AWSTemplateFormatVersion")
        || text.contains("\nResources:")
        || text.starts_with("Resources:")
}

/// What kind of document a file holds, judged by its top-level keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentKind {
    /// A pipeline declaration, `get-pipeline` output or `create-pipeline` input.
    Pipeline,
    /// An IAM policy document or an AWS CLI output that holds one.
    Policy,
    /// A CloudFormation template.
    Template,
    /// A bucket's object ownership setting.
    BucketOwnership,
    /// CodeBuild projects (`aws codebuild batch-get-projects`): their encryption keys.
    BuildProjects,
    /// A bucket's region (`aws s3api get-bucket-location`).
    BucketLocation,
    /// ECS services (`aws ecs describe-services`): their clusters and task definitions.
    EcsServices,
    /// An ECS task definition (`aws ecs describe-task-definition`): the roles it names.
    TaskDefinition,
    /// KMS aliases and their keys (`aws kms list-aliases`).
    KeyAliases,
    /// The targets of an EventBridge rule (`aws events list-targets-by-rule`).
    EventTargets,
    /// What a CodeDeploy deployment reaches: a deployment group, instances, Auto Scaling
    /// groups, launch templates or configurations, instance profiles.
    Compute,
    /// A CDK cloud assembly manifest (`cdk.out/manifest.json`): read for where its templates
    /// are deployed, nothing to check in itself.
    CdkManifest,
    /// A Terraform configuration (`.tf`, HCL).
    Terraform,
    /// A Terraform plan or state as `terraform show -json` prints it.
    TerraformPlan,
    /// Nothing xacct knows.
    Unknown,
}

impl DocumentKind {
    /// Classifies a parsed file by content.
    pub fn detect(root: &Node) -> DocumentKind {
        let has = |key: &str| root.get(key).is_some();
        if root
            .get("pipeline")
            .is_some_and(|p| p.as_object().is_some())
            || (has("stages")
                && (has("name") || has("roleArn") || has("artifactStore") || has("artifactStores")))
        {
            DocumentKind::Pipeline
        } else if crate::cli::POLICY_KEYS.iter().any(|k| has(k)) {
            DocumentKind::Policy
        } else if has("OwnershipControls") {
            DocumentKind::BucketOwnership
        } else if crate::codebuild::is_projects(root) {
            DocumentKind::BuildProjects
        } else if crate::ecs::is_services(root) {
            DocumentKind::EcsServices
        } else if crate::ecs::is_task_definition(root) {
            DocumentKind::TaskDefinition
        } else if root.as_object().is_some_and(|m| m.len() == 1) && has("LocationConstraint") {
            DocumentKind::BucketLocation
        } else if crate::cli::is_alias_list(root) {
            DocumentKind::KeyAliases
        } else if crate::events::is_targets(root) {
            DocumentKind::EventTargets
        } else if crate::compute::COMPUTE_KEYS.iter().any(|k| has(k))
            || crate::compute::is_bare_deployment_group(root)
        {
            DocumentKind::Compute
        } else if has("Resources") || has("AWSTemplateFormatVersion") {
            DocumentKind::Template
        } else if crate::terraform::plan::is_plan(root) {
            DocumentKind::TerraformPlan
        } else if crate::cdk::is_manifest(root) {
            DocumentKind::CdkManifest
        } else {
            DocumentKind::Unknown
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_by_extension_then_content() {
        assert_eq!(syntax_of(Path::new("a.json"), "x: 1"), Syntax::Json);
        assert_eq!(syntax_of(Path::new("a.yml"), "{}"), Syntax::Yaml);
        assert_eq!(syntax_of(Path::new("a.template"), " \n{}"), Syntax::Json);
        assert_eq!(
            syntax_of(Path::new("a.template"), "\u{feff}["),
            Syntax::Json
        );
        assert_eq!(
            syntax_of(Path::new("a.template"), "Resources: {}"),
            Syntax::Yaml
        );
    }

    #[test]
    fn kinds_by_top_level_keys() {
        let kind =
            |text: &str| DocumentKind::detect(&xacct_syntax::json::parse(text).unwrap().root);
        assert_eq!(kind(r#"{"pipeline": {}}"#), DocumentKind::Pipeline);
        assert_eq!(
            kind(r#"{"stages": [], "name": "p"}"#),
            DocumentKind::Pipeline
        );
        assert_eq!(kind(r#"{"Statement": []}"#), DocumentKind::Policy);
        assert_eq!(kind(r#"{"RoleDetailList": []}"#), DocumentKind::Policy);
        assert_eq!(
            kind(r#"{"OwnershipControls": {}}"#),
            DocumentKind::BucketOwnership
        );
        assert_eq!(kind(r#"{"Resources": {}}"#), DocumentKind::Template);
        assert_eq!(
            kind(r#"{"Aliases": [{"AliasName": "alias/a"}]}"#),
            DocumentKind::KeyAliases
        );
        assert_eq!(
            kind(r#"{"Aliases": {"Quantity": 0}}"#),
            DocumentKind::Unknown
        );
        assert_eq!(
            kind(r#"{"deploymentGroupInfo": {}}"#),
            DocumentKind::Compute
        );
        assert_eq!(kind(r#"{"Reservations": []}"#), DocumentKind::Compute);
        assert_eq!(
            kind(r#"{"applicationName": "a", "deploymentGroupName": "g"}"#),
            DocumentKind::Compute
        );
        assert_eq!(
            kind(r#"{"version": "36.0.0", "artifacts": {}}"#),
            DocumentKind::CdkManifest
        );
        assert_eq!(
            kind(r#"{"format_version": "1.2", "planned_values": {}}"#),
            DocumentKind::TerraformPlan
        );
        assert_eq!(kind(r#"{"name": "x"}"#), DocumentKind::Unknown);
        assert_eq!(kind("[]"), DocumentKind::Unknown);
    }

    #[test]
    fn list_aliases_gives_each_alias_with_its_key_arn() {
        let text = r#"{"Aliases": [
            {"AliasName": "alias/app", "AliasArn": "arn:aws-cn:kms:cn-north-1:111111111111:alias/app", "TargetKeyId": "1234abcd-12ab-34cd-56ef-1234567890ab"},
            {"AliasName": "alias/aws/s3", "AliasArn": "arn:aws:kms:us-east-2:111111111111:alias/aws/s3"},
            {"AliasName": "alias/bad-arn", "AliasArn": "alias/bad-arn", "TargetKeyId": "1234abcd-12ab-34cd-56ef-1234567890ab"},
            {"AliasName": "alias/not-a-key", "AliasArn": "arn:aws:kms:us-east-2:111111111111:alias/not-a-key", "TargetKeyId": "${Key}"},
            {"AliasName": 7, "TargetKeyId": "1234abcd-12ab-34cd-56ef-1234567890ab"},
            "junk"
        ]}"#;
        let doc = xacct_syntax::json::parse(text).unwrap();
        let aliases = crate::cli::load_aliases(&doc.root);
        let read: Vec<(&str, &str, &str, String)> = aliases
            .iter()
            .map(|a| {
                let at = &text[a.name.span.start as usize..a.name.span.end as usize];
                (
                    a.name.value.as_str(),
                    at,
                    a.region.as_str(),
                    a.account.to_string(),
                )
            })
            .collect();
        assert_eq!(
            read,
            vec![(
                "alias/app",
                "\"alias/app\"",
                "cn-north-1",
                "111111111111".to_string()
            )]
        );
        assert_eq!(
            aliases[0].key_arn,
            "arn:aws-cn:kms:cn-north-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        );
    }
}
