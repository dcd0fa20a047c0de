//! `aws codebuild batch-get-projects` output: each project's name, ARN (its account and
//! region) and `encryptionKey`, the key CodeBuild encrypts the build's output artifacts with.

use xacct_model::pipeline::Spanned;
use xacct_model::workspace::BuildProject;
use xacct_model::Arn;
use xacct_syntax::json::Node;

use crate::issue::{Issue, IssueKind};

const COMMAND: &str = "aws codebuild batch-get-projects";

/// True for `{"projects": [{"arn": "arn:aws:codebuild:…"}, …]}`: what the command prints,
/// told apart from other documents with a `projects` list by a CodeBuild project ARN.
pub fn is_projects(root: &Node) -> bool {
    root.get("projects")
        .and_then(Node::as_array)
        .is_some_and(|projects| {
            projects.iter().any(|p| {
                p.get("arn")
                    .and_then(Node::as_str)
                    .is_some_and(|arn| arn.starts_with("arn:") && arn.contains(":codebuild:"))
            })
        })
}

/// Reads the projects, with what is of the wrong shape. A project whose ARN does not parse, or
/// with no name, is left out (and reported); one without `encryptionKey` keeps it unknown, as
/// CodeBuild always prints the key it uses (the AWS managed key by its alias ARN).
pub fn load(root: &Node) -> (Vec<BuildProject>, Vec<Issue>) {
    let mut projects = Vec::new();
    let mut issues = Vec::new();
    let Some(list) = root.get("projects").and_then(Node::as_array) else {
        return (projects, issues);
    };
    for node in list {
        let (Some(name), Some(arn)) = (node.get("name"), node.get("arn")) else {
            issues.push(Issue::new(
                IssueKind::Shape,
                node.span,
                format!("a project of `{COMMAND}` output without `name` or `arn`"),
            ));
            continue;
        };
        let (Some(name_text), Some(arn_text)) = (name.as_str(), arn.as_str()) else {
            issues.push(Issue::new(
                IssueKind::Shape,
                node.span,
                format!("`name` and `arn` of `{COMMAND}` output are strings"),
            ));
            continue;
        };
        let Ok(parsed) = Arn::parse(arn_text) else {
            issues.push(Issue::new(
                IssueKind::Shape,
                arn.span,
                format!("`{COMMAND}` output: the project ARN does not parse"),
            ));
            continue;
        };
        // CodeBuild always names the key it encrypts with; without it the key is unknown.
        let Some(key) = node.get("encryptionKey") else {
            continue;
        };
        let Some(key_text) = key.as_str() else {
            issues.push(Issue::new(
                IssueKind::Shape,
                key.span,
                format!("`encryptionKey` of `{COMMAND}` output is a string"),
            ));
            continue;
        };
        let service_role = node.get("serviceRole").and_then(|role| {
            let text = role.as_str();
            if text.is_none() {
                issues.push(Issue::new(
                    IssueKind::Shape,
                    role.span,
                    format!("`serviceRole` of `{COMMAND}` output is a string"),
                ));
            }
            Some(Spanned::new(text?.to_string(), role.span))
        });
        projects.push(BuildProject {
            name: Spanned::new(name_text.to_string(), name.span),
            account: parsed.account_id(),
            region: Some(parsed.region.to_string()).filter(|r| !r.is_empty()),
            encryption_key: Some(Spanned::new(key_text.to_string(), key.span)),
            service_role,
        });
    }
    (projects, issues)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_name_account_region_and_key() {
        let text = r#"{"projects": [{"name": "B", "arn": "arn:aws:codebuild:eu-west-1:123456789012:project/B", "encryptionKey": "arn:aws:kms:eu-west-1:123456789012:alias/aws/s3", "serviceRole": "arn:aws:iam::123456789012:role/service-role/build"}, {"name": "C", "arn": "arn:aws:codebuild:eu-west-1:123456789012:project/C"}], "projectsNotFound": []}"#;
        let document = xacct_syntax::json::parse(text).unwrap();
        assert!(is_projects(&document.root));
        let (projects, issues) = load(&document.root);
        assert!(issues.is_empty());
        // C prints no key: unknown, left out.
        assert_eq!(projects.len(), 1);
        let p = &projects[0];
        assert_eq!(p.name.value, "B");
        assert_eq!(
            p.account.map(|a| a.to_string()).as_deref(),
            Some("123456789012")
        );
        assert_eq!(p.region.as_deref(), Some("eu-west-1"));
        assert!(p.uses_aws_managed_key());
        assert_eq!(
            p.service_role_arn().map(|(arn, _)| arn).as_deref(),
            Some("arn:aws:iam::123456789012:role/service-role/build")
        );
    }

    #[test]
    fn a_list_of_other_projects_is_not_codebuild() {
        let document = xacct_syntax::json::parse(r#"{"projects": [{"arn": "x"}]}"#).unwrap();
        assert!(!is_projects(&document.root));
    }

    #[test]
    fn bucket_location_null_is_us_east_1() {
        for (text, region) in [
            (r#"{"LocationConstraint": null}"#, "us-east-1"),
            (r#"{"LocationConstraint": "EU"}"#, "eu-west-1"),
            (r#"{"LocationConstraint": "ap-south-1"}"#, "ap-south-1"),
        ] {
            let document = xacct_syntax::json::parse(text).unwrap();
            let got = crate::cli::load_bucket_location(&document.root).unwrap();
            assert_eq!(got.value, region);
        }
    }
}
