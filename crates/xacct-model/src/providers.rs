//! What the CodePipeline user guide says about each action provider: how many artifacts it
//! takes and makes, and whether it may run in another account.
//!
//! Sources: the user guide's "Valid action types and providers" table and per-action references
//! (artifact counts), and the cross-account walkthrough ("Cross-account actions are not supported
//! for … Jenkins build actions"). These numbers are not in the API model.

/// Whether an action provider may run in another account through an action `roleArn`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrossAccount {
    /// Documented to work.
    Supported,
    /// Documented not to work; the text says where.
    Unsupported(&'static str),
    /// The documentation says nothing either way.
    Undocumented,
}

/// An inclusive range of artifact counts.
pub type Count = (u8, u8);

/// One provider's facts.
#[derive(Clone, Copy, Debug)]
pub struct ProviderInfo {
    /// `actionTypeId.category` (`*` for any).
    pub category: &'static str,
    /// `actionTypeId.owner`.
    pub owner: &'static str,
    /// `actionTypeId.provider` (`*` for any).
    pub provider: &'static str,
    /// Input artifacts it takes, when documented.
    pub inputs: Option<Count>,
    /// Output artifacts it makes, when documented.
    pub outputs: Option<Count>,
    /// Cross-account support.
    pub cross_account: CrossAccount,
}

const fn p(
    category: &'static str,
    owner: &'static str,
    provider: &'static str,
    inputs: Option<Count>,
    outputs: Option<Count>,
    cross_account: CrossAccount,
) -> ProviderInfo {
    ProviderInfo {
        category,
        owner,
        provider,
        inputs,
        outputs,
        cross_account,
    }
}

use CrossAccount::{Supported, Undocumented, Unsupported};

const JENKINS: &str = "the cross-account walkthrough: \"Cross-account actions are not supported for … Jenkins build actions\"";
const COMMANDS: &str = "the Commands action reference: the action runs with the pipeline's service role in the pipeline account";

/// The catalogue. Order matters: the first match wins, so specific entries come before `*`.
pub static PROVIDERS: &[ProviderInfo] = &[
    p("Source", "AWS", "S3", Some((0, 0)), Some((1, 1)), Supported),
    p(
        "Source",
        "AWS",
        "CodeCommit",
        Some((0, 0)),
        Some((1, 1)),
        Supported,
    ),
    p(
        "Source",
        "AWS",
        "ECR",
        Some((0, 0)),
        Some((1, 1)),
        Supported,
    ),
    p(
        "Source",
        "ThirdParty",
        "GitHub",
        Some((0, 0)),
        Some((1, 1)),
        Supported,
    ),
    p(
        "Source",
        "AWS",
        "CodeStarSourceConnection",
        Some((0, 0)),
        Some((1, 1)),
        Undocumented,
    ),
    p(
        "Build",
        "AWS",
        "CodeBuild",
        Some((1, 5)),
        Some((0, 5)),
        Supported,
    ),
    p(
        "Test",
        "AWS",
        "CodeBuild",
        Some((1, 5)),
        Some((0, 5)),
        Supported,
    ),
    p(
        "Build",
        "AWS",
        "ECRBuildAndPublish",
        None,
        None,
        Undocumented,
    ),
    p(
        "Deploy",
        "AWS",
        "CodeDeploy",
        Some((1, 1)),
        Some((0, 0)),
        Supported,
    ),
    p(
        "Deploy",
        "AWS",
        "ECS",
        Some((1, 1)),
        Some((0, 0)),
        Supported,
    ),
    p("Deploy", "AWS", "S3", Some((1, 1)), Some((0, 0)), Supported),
    p(
        "Deploy",
        "AWS",
        "ElasticBeanstalk",
        Some((1, 1)),
        Some((0, 0)),
        Undocumented,
    ),
    p(
        "Deploy",
        "AWS",
        "ServiceCatalog",
        Some((1, 1)),
        Some((0, 0)),
        Undocumented,
    ),
    p(
        "Deploy",
        "AWS",
        "CloudFormation",
        Some((0, 10)),
        Some((0, 1)),
        Supported,
    ),
    p(
        "Deploy",
        "AWS",
        "CloudFormationStackSet",
        None,
        None,
        Supported,
    ),
    p(
        "Deploy",
        "AWS",
        "CloudFormationStackInstances",
        None,
        None,
        Supported,
    ),
    p(
        "Deploy",
        "AWS",
        "CodeDeployToECS",
        Some((1, 5)),
        Some((0, 0)),
        Supported,
    ),
    p("Deploy", "AWS", "AppConfig", None, None, Undocumented),
    p("Deploy", "AWS", "EKS", None, None, Undocumented),
    p("Deploy", "AWS", "EC2", None, None, Undocumented),
    p(
        "Approval",
        "AWS",
        "Manual",
        Some((0, 0)),
        Some((0, 0)),
        Undocumented,
    ),
    p(
        "Invoke",
        "AWS",
        "Lambda",
        Some((0, 5)),
        Some((0, 5)),
        Supported,
    ),
    p(
        "Invoke",
        "AWS",
        "StepFunctions",
        Some((0, 1)),
        Some((0, 1)),
        Supported,
    ),
    p(
        "Compute",
        "AWS",
        "Commands",
        Some((1, 10)),
        Some((0, 1)),
        Unsupported(COMMANDS),
    ),
    p("*", "Custom", "*", Some((0, 5)), Some((0, 5)), Supported),
];

/// The catalogue entry for an action type, if the guide documents it.
pub fn lookup(category: &str, owner: &str, provider: &str) -> Option<ProviderInfo> {
    let custom_jenkins = owner == "Custom" && provider.to_ascii_lowercase().contains("jenkins");
    if custom_jenkins {
        return Some(p(
            "*",
            "Custom",
            "Jenkins",
            Some((0, 5)),
            Some((0, 5)),
            Unsupported(JENKINS),
        ));
    }
    PROVIDERS
        .iter()
        .find(|info| {
            (info.category == "*" || info.category == category)
                && info.owner == owner
                && (info.provider == "*" || info.provider == provider)
        })
        .copied()
}

/// True for a source action (category `Source`).
pub fn is_source(category: &str) -> bool {
    category == "Source"
}

/// What an action's own role (its `roleArn`, else the pipeline role) does with the artifact
/// store: which of the store questions apply to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArtifactUse {
    /// `s3:GetObject` on its input artifacts.
    pub read: bool,
    /// `kms:Decrypt` with the store key on its input artifacts (the object's content).
    pub decrypt: bool,
    /// `s3:PutObject` and `kms:GenerateDataKey` for its output artifacts.
    pub write: bool,
    /// `s3:ListBucket` on the store's bucket.
    pub list: bool,
}

impl ArtifactUse {
    /// Reads, decrypts, writes and lists: what CodePipeline's own job workers do for an
    /// action that consumes or produces artifacts (CloudFormation reads the template out of
    /// the artifact with the action role; the cross-account walkthrough's note "Other AWS
    /// resources will require policies specific to their resource requirements").
    pub const ALL: ArtifactUse = ArtifactUse {
        read: true,
        decrypt: true,
        write: true,
        list: true,
    };
    /// Touches nothing in the store.
    pub const NONE: ArtifactUse = ArtifactUse {
        read: false,
        decrypt: false,
        write: false,
        list: false,
    };
}

/// Which role touches an action's artifacts, per provider.
///
/// - CodeBuild: the build project's service role downloads the inputs and uploads the outputs
///   (the CodeBuild action reference: the project's service role needs the artifact bucket and
///   key); the action role only calls `codebuild:StartBuild`/`BatchGetBuilds`.
/// - CodeDeploy (EC2/on-premises): the action role registers the revision's S3 location and
///   creates the deployment; the CodeDeploy agent downloads and decrypts the bundle with the
///   instances' role. The cross-account walkthrough ("Create a pipeline in CodePipeline that
///   uses resources from another AWS account") gives `CrossAccount_Role` only the CodeDeploy
///   policy and `s3:GetObject*`/`s3:PutObject`/`s3:PutObjectAcl` on the bucket's objects (no
///   KMS, no `s3:ListBucket`), and gives the KMS policy and `s3:ListBucket` to the EC2 instance
///   role. So the action role is asked for `s3:GetObject` only (the walkthrough grants it "to
///   retrieve input artifacts"; a HEAD of an SSE-KMS object needs no key permission), never for
///   the key or the listing.
/// - Every other AWS provider: [`ArtifactUse::ALL`].
pub fn artifact_use(action: &crate::Action) -> ArtifactUse {
    if action.owner() == "AWS" && action.provider() == "CodeBuild" {
        ArtifactUse::NONE
    } else if action.is("AWS", "CodeDeploy") {
        ArtifactUse {
            read: true,
            decrypt: false,
            write: false,
            list: false,
        }
    } else {
        ArtifactUse::ALL
    }
}

/// A configuration value of the action that holds no variable (known before the run).
fn literal_config<'a>(action: &'a crate::Action, key: &str) -> Option<&'a str> {
    action
        .config(key)
        .map(|v| v.value.as_str())
        .filter(|v| !crate::symbol::has_variable(v))
}

/// Where an S3 deploy action uploads: its target bucket and one object that stands for what it
/// writes (with `Extract` the files land under `ObjectKey` as a prefix, else `ObjectKey` is the
/// object). `None` for another action, or a bucket known only at run time.
pub fn s3_deploy_upload(action: &crate::Action) -> Option<(&str, String)> {
    if !(action.is("AWS", "S3") && action.category() == "Deploy") {
        return None;
    }
    let bucket = literal_config(action, "BucketName")?;
    let object = match literal_config(action, "ObjectKey") {
        Some(key) if literal_config(action, "Extract") == Some("false") => {
            format!("arn:aws:s3:::{bucket}/{key}")
        }
        Some(prefix) => format!(
            "arn:aws:s3:::{bucket}/{}/deployed-file",
            prefix.trim_end_matches('/')
        ),
        None => format!("arn:aws:s3:::{bucket}/deployed-file"),
    };
    Some((bucket, object))
}

/// The API calls CodePipeline makes with an action's role, grouped by the resource they
/// concern, for the providers whose needs the user guide lists: CodeDeploy (the cross-account
/// walkthrough's CodeDeploy policy), CloudFormation (by `ActionMode`), CodeBuild. Resources are
/// concrete ARNs in `region` and `account`, so that scoped policies match as they would in AWS.
pub fn required_calls(
    action: &crate::Action,
    region: &str,
    account: &str,
) -> Vec<(String, &'static [&'static str])> {
    let config = |key: &str| literal_config(action, key);
    let mut calls = Vec::new();
    if action.is("AWS", "CodeDeploy") {
        let (Some(app), Some(group)) = (config("ApplicationName"), config("DeploymentGroupName"))
        else {
            return calls;
        };
        let arn = |resource: std::fmt::Arguments<'_>| {
            format!("arn:aws:codedeploy:{region}:{account}:{resource}")
        };
        calls.push((
            arn(format_args!("deploymentgroup:{app}/{group}")),
            &["codedeploy:CreateDeployment", "codedeploy:GetDeployment"][..],
        ));
        calls.push((
            arn(format_args!(
                "deploymentconfig:CodeDeployDefault.OneAtATime"
            )),
            &["codedeploy:GetDeploymentConfig"][..],
        ));
        calls.push((
            arn(format_args!("application:{app}")),
            &[
                "codedeploy:GetApplicationRevision",
                "codedeploy:RegisterApplicationRevision",
            ][..],
        ));
    } else if action.is("AWS", "CloudFormation") {
        let Some(stack) = config("StackName") else {
            return calls;
        };
        let needed: &'static [&'static str] = match config("ActionMode").unwrap_or_default() {
            "CREATE_UPDATE" => &[
                "cloudformation:DescribeStacks",
                "cloudformation:CreateStack",
                "cloudformation:UpdateStack",
            ],
            "REPLACE_ON_FAILURE" => &[
                "cloudformation:DescribeStacks",
                "cloudformation:CreateStack",
                "cloudformation:UpdateStack",
                "cloudformation:DeleteStack",
            ],
            "DELETE_ONLY" => &[
                "cloudformation:DescribeStacks",
                "cloudformation:DeleteStack",
            ],
            "CHANGE_SET_REPLACE" => &[
                "cloudformation:DescribeStacks",
                "cloudformation:DescribeChangeSet",
                "cloudformation:CreateChangeSet",
                "cloudformation:DeleteChangeSet",
            ],
            "CHANGE_SET_EXECUTE" => &[
                "cloudformation:DescribeChangeSet",
                "cloudformation:ExecuteChangeSet",
            ],
            _ => &[],
        };
        if !needed.is_empty() {
            calls.push((
                format!("arn:aws:cloudformation:{region}:{account}:stack/{stack}/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"),
                needed,
            ));
        }
    } else if action.provider() == "CodeBuild" && action.owner() == "AWS" {
        let Some(project) = config("ProjectName") else {
            return calls;
        };
        calls.push((
            format!("arn:aws:codebuild:{region}:{account}:project/{project}"),
            &["codebuild:StartBuild", "codebuild:BatchGetBuilds"][..],
        ));
    }
    calls
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_source_and_s3_deploy_differ() {
        assert_eq!(lookup("Source", "AWS", "S3").unwrap().outputs, Some((1, 1)));
        assert_eq!(lookup("Deploy", "AWS", "S3").unwrap().inputs, Some((1, 1)));
    }

    #[test]
    fn jenkins_is_any_custom_provider_named_so() {
        let info = lookup("Build", "Custom", "JenkinsProviderName").unwrap();
        assert!(matches!(info.cross_account, Unsupported(_)));
        assert_eq!(
            lookup("Build", "Custom", "MyWorker").unwrap().cross_account,
            Supported
        );
        assert!(lookup("Build", "AWS", "Unheard").is_none());
    }
}
