//! The four seed documents the project started from, requirement by requirement: each row
//! quotes what a seed requires, names a fixture that breaks (or keeps) it, and the code and
//! severity xacct must give, so that a regression in any seed requirement fails CI. Where a
//! seed says a setup fails, the finding is an error; where it advises, a warning.
//!
//! The rule page of each code must quote the seed's words too (`page_quotes`), so a reader of
//! `xacct explain` sees the sentence the rule enforces.
//!
//! Seeds: the CodePipeline user guide's cross-account walkthrough ("Create a pipeline in
//! CodePipeline that uses resources from another AWS account"), the CodeDeploy user guide's
//! "Deploy an Application in a Different AWS Account", The Scale Factory's post on cross-account
//! S3 deploys and object ownership, and the Stack Overflow question "Cross-account pass role is
//! not allowed" with its answers.

use std::path::Path;

mod common;
use common::{repo_root, run_fixture};

#[derive(Clone, Copy, Debug)]
enum Seed {
    Walkthrough,
    CodeDeploy,
    Blog,
    PassRole,
}

#[derive(Debug)]
enum Expect {
    /// A finding of this code and severity whose message contains `saying`.
    Finding {
        code: &'static str,
        severity: &'static str,
        saying: &'static str,
        /// Words of the seed the rule's page quotes.
        page_quotes: &'static str,
    },
    /// No finding at all: the seed's own setup, or what it recommends.
    Clean,
}

struct Requirement {
    seed: Seed,
    /// The seed's words.
    says: &'static str,
    /// A fixture under `testdata/` that breaks the requirement (or keeps it, for `Clean`).
    fixture: &'static str,
    expect: Expect,
}

use Expect::{Clean, Finding};
use Seed::{Blog, CodeDeploy, PassRole, Walkthrough};

const REQUIREMENTS: &[Requirement] = &[
    // The cross-account walkthrough (CodePipeline user guide).
    Requirement {
        seed: Walkthrough,
        says: "you cannot pass an artifact from one account to another if neither account is the pipeline account",
        fixture: "rules/XA201/fail.json",
        expect: Finding { code: "XA201", severity: "error", saying: "is produced in account", page_quotes: "neither account is the pipeline account" },
    },
    Requirement {
        seed: Walkthrough,
        says: "Cross-account actions are not supported for the following action types: Jenkins build actions",
        fixture: "examples/jenkins-cross-account/pipeline.json",
        expect: Finding { code: "XA202", severity: "error", saying: "Jenkins", page_quotes: "Jenkins build actions" },
    },
    Requirement {
        seed: Walkthrough,
        says: "Aliases are recognized only in the account that created the KMS key. For cross-account actions, you can only use the key ID or key ARN to identify the key. (alias name)",
        fixture: "examples/walkthrough-codedeploy-alias-name/pipeline.json",
        expect: Finding { code: "XA302", severity: "error", saying: "is an alias", page_quotes: "you can only use the key ID or key ARN to identify the key" },
    },
    Requirement {
        seed: Walkthrough,
        says: "For cross-account actions, you can only use the key ID or key ARN to identify the key. (alias ARN)",
        fixture: "examples/walkthrough-codedeploy-alias-arn/pipeline.json",
        expect: Finding { code: "XA302", severity: "error", saying: "is an alias", page_quotes: "you can only use the key ID or key ARN to identify the key" },
    },
    Requirement {
        seed: Walkthrough,
        says: "Cross-account actions involve using the role from the other account (AccountB), so specifying the key ID will use the key from the other account (AccountB).",
        fixture: "rules/XA303/fail.json",
        expect: Finding { code: "XA303", severity: "error", saying: "", page_quotes: "specifying the key ID will use the key from the other account" },
    },
    Requirement {
        seed: Walkthrough,
        says: "You must create your customer managed AWS KMS key in the same Region where the pipeline was created",
        fixture: "examples/walkthrough-key-in-us-east-1/pipeline.json",
        expect: Finding { code: "XA304", severity: "error", saying: "", page_quotes: "same Region where the pipeline was created" },
    },
    Requirement {
        seed: Walkthrough,
        says: "Edit the pipeline to use the customer managed AWS KMS key instead of the default key.",
        fixture: "rules/XA301/fail.json",
        expect: Finding { code: "XA301", severity: "error", saying: "encryptionKey", page_quotes: "customer managed" },
    },
    Requirement {
        seed: Walkthrough,
        says: "Edit the pipeline to use the customer managed AWS KMS key instead of the default key. (aws/s3 named)",
        fixture: "rules/XA305/fail.json",
        expect: Finding { code: "XA305", severity: "error", saying: "", page_quotes: "customer managed" },
    },
    Requirement {
        seed: Walkthrough,
        says: "Create or use an AWS KMS customer managed key in the Region for the pipeline, and grant permissions to use that key to the service role (CodePipeline_Service_Role) and AccountB.",
        fixture: "rules/XA311/fail",
        expect: Finding { code: "XA311", severity: "error", saying: "key policy", page_quotes: "grant permissions to use that key" },
    },
    Requirement {
        seed: Walkthrough,
        says: "You must use the account ID of AccountA in this policy as part of the resource ARN for the AWS KMS key, as shown here, or the policy will not work.",
        fixture: "rules/XA312/fail-key-account",
        expect: Finding { code: "XA312", severity: "error", saying: "", page_quotes: "or the policy will not work" },
    },
    Requirement {
        seed: Walkthrough,
        says: "Create an Amazon S3 bucket policy that grants AccountB access to the Amazon S3 bucket",
        fixture: "rules/XA401/fail",
        expect: Finding { code: "XA401", severity: "error", saying: "bucket policy", page_quotes: "bucket policy that grants `AccountB` access" },
    },
    Requirement {
        seed: Walkthrough,
        says: "Create a policy that allows access to the Amazon S3 bucket (codepipeline-us-east-2-1234567890) and attach it to CrossAccount_Role.",
        fixture: "rules/XA402/fail",
        expect: Finding { code: "XA402", severity: "error", saying: "", page_quotes: "retrieve input artifacts from" },
    },
    Requirement {
        seed: Walkthrough,
        says: "Create a policy that allows AccountA to assume a role configured by AccountB, and attach that policy to the service role (CodePipeline_Service_Role).",
        fixture: "rules/XA501/fail",
        expect: Finding { code: "XA501", severity: "error", saying: "", page_quotes: "assume a role configured by" },
    },
    Requirement {
        seed: Walkthrough,
        says: "Configure and attach an IAM role (CrossAccount_Role) with a trust relationship policy that allows the CodePipeline service role in AccountA to assume the role.",
        fixture: "rules/XA502/fail",
        expect: Finding { code: "XA502", severity: "error", saying: "trust policy", page_quotes: "trust relationship policy" },
    },
    Requirement {
        seed: Walkthrough,
        says: "this grants root level access to the account, and CodePipeline recommends scoping it down to the CodePipeline service role in AccountA (advice: a warning)",
        fixture: "rules/XA503/fail-root",
        expect: Finding { code: "XA503", severity: "warning", saying: "", page_quotes: "scoping it down" },
    },
    Requirement {
        seed: Walkthrough,
        says: "Create a policy that allows access to the deployment resources required by the pipeline and attach it to CrossAccount_Role.",
        fixture: "rules/XA506/fail",
        expect: Finding { code: "XA506", severity: "error", saying: "", page_quotes: "deployment resources required by the pipeline" },
    },
    Requirement {
        seed: Walkthrough,
        says: "Create a policy applied to the Amazon EC2 instance role configured for CodeDeploy that allows access to the Amazon S3 bucket",
        fixture: "rules/XA507/fail-linked-other-instance",
        expect: Finding { code: "XA507", severity: "error", saying: "cannot get the revision", page_quotes: "instance role" },
    },
    Requirement {
        seed: Walkthrough,
        says: "Create a policy applied to the Amazon EC2 instance role configured for CodeDeploy that allows access to the AWS KMS customer managed key",
        fixture: "rules/XA507/fail-linked-other-instance",
        expect: Finding { code: "XA507", severity: "error", saying: "cannot decrypt the revision", page_quotes: "instance role" },
    },
    Requirement {
        seed: Walkthrough,
        says: "Create a policy applied to the Amazon EC2 instance role configured for CodeDeploy that allows access to the Amazon S3 bucket (Terraform: the instance's profile names another role)",
        fixture: "rules/XA507/fail-tf-linked-other-instance",
        expect: Finding { code: "XA507", severity: "error", saying: "cannot get the revision", page_quotes: "instance role" },
    },
    Requirement {
        seed: Walkthrough,
        says: "Configure a policy for the instance role that allows it to access the Amazon S3 bucket where pipeline artifacts are stored (its s3:ListBucket statement; the download works without it: a warning)",
        fixture: "rules/XA507/fail-cfn-linked-list",
        expect: Finding { code: "XA507", severity: "warning", saying: "cannot list the artifact bucket", page_quotes: "Configure a policy for the instance role that allows it to access the Amazon S3 bucket where pipeline artifacts are stored" },
    },
    Requirement {
        seed: Walkthrough,
        says: "This is not the policy you will use. You must choose a policy to complete the wizard. ... choose Detach (AmazonS3ReadOnlyAccess; least privilege: a warning)",
        fixture: "rules/XA513/fail-cfn",
        expect: Finding { code: "XA513", severity: "warning", saying: "AmazonS3ReadOnlyAccess", page_quotes: "This is not the policy you will use" },
    },
    Requirement {
        seed: Walkthrough,
        says: "The whole walkthrough, as the guide writes it (with valid account IDs): it works.",
        fixture: "setups/walkthrough",
        expect: Clean,
    },
    Requirement {
        seed: Walkthrough,
        says: "The whole walkthrough as CloudFormation templates: it works.",
        fixture: "setups/walkthrough-cfn",
        expect: Clean,
    },
    Requirement {
        seed: Walkthrough,
        says: "The whole walkthrough as Terraform: it works.",
        fixture: "setups/walkthrough-tf",
        expect: Clean,
    },
    // The CodeDeploy user guide.
    Requirement {
        seed: CodeDeploy,
        says: "AWS CodeDeploy deployment groups and the Amazon EC2 instances to which they deploy are strictly tied to the accounts under which they were created (a group declared in another account than the action's role)",
        fixture: "rules/XA208/fail",
        expect: Finding { code: "XA208", severity: "error", saying: "the deployment fails", page_quotes: "strictly tied to the accounts" },
    },
    Requirement {
        seed: CodeDeploy,
        says: "AWS CodeDeploy deployment groups and the Amazon EC2 instances to which they deploy are strictly tied to the accounts under which they were created (the group created through another account's Terraform provider)",
        fixture: "rules/XA208/fail-tf",
        expect: Finding { code: "XA208", severity: "error", saying: "the deployment fails", page_quotes: "strictly tied to the accounts" },
    },
    Requirement {
        seed: CodeDeploy,
        says: "role-name represents the name of the IAM instance profile you just created (an instance profile ARN is no principal: the bucket policy is refused)",
        fixture: "rules/XA905/fail-instance-profile",
        expect: Finding { code: "XA905", severity: "error", saying: "is an instance profile", page_quotes: "represents the name of the IAM instance profile" },
    },
    Requirement {
        seed: CodeDeploy,
        says: "AWSCodeDeployDeployerAccess: Enables an IAM user to register and deploy revisions. (it passes no role: no XA902)",
        fixture: "rules/XA902/pass-cfn-managed-policies",
        expect: Clean,
    },
    // The Scale Factory post on object ownership.
    Requirement {
        seed: Blog,
        says: "when an IAM entity in one account uploads an object to a bucket in another account, the object is still owned by the uploading account ... a CodePipeline pipeline in the same account as the S3 bucket won't be able to use the objects as an artifact",
        fixture: "rules/XA405/fail-object-writer",
        expect: Finding { code: "XA405", severity: "error", saying: "stay owned by account", page_quotes: "won't be able to use the objects" },
    },
    Requirement {
        seed: Blog,
        says: "This role has the required permissions to upload objects to the S3 bucket.",
        fixture: "rules/XA506/fail-s3-deploy",
        expect: Finding { code: "XA506", severity: "error", saying: "allows s3:PutObject for the S3 action", page_quotes: "has the required permissions to upload objects to the S3 bucket" },
    },
    Requirement {
        seed: Blog,
        says: "The solution to this is to create an IAM role in the account with the S3 bucket (target account). ... The CodeDeploy action in another account (origin account) would then assume this role.",
        fixture: "rules/XA405/pass",
        expect: Clean,
    },
    // The Stack Overflow question "Cross-account pass role is not allowed".
    Requirement {
        seed: PassRole,
        says: "Cross-account pass role is not allowed ... Only the pipeline role is allowed to assume an action role in a different account. (RoleArn in the configuration, no action roleArn)",
        fixture: "examples/qa-cloudformation-passrole/pipeline.json",
        expect: Finding { code: "XA203", severity: "error", saying: "RoleArn", page_quotes: "Cross-account pass role is not allowed" },
    },
    Requirement {
        seed: PassRole,
        says: "This key must be accesible from all the accounts where the pipeline is distributed in.",
        fixture: "rules/XA311/fail-cfn",
        expect: Finding { code: "XA311", severity: "error", saying: "", page_quotes: "grant permissions to use that key" },
    },
    Requirement {
        seed: PassRole,
        says: "The pipeline (CI account) has to have a permission to assume a role in the other (DEV) account",
        fixture: "rules/XA501/fail-cfn",
        expect: Finding { code: "XA501", severity: "error", saying: "", page_quotes: "assume a role configured by" },
    },
    Requirement {
        seed: PassRole,
        says: "And that role has to allow to be assumed to the pipeline",
        fixture: "rules/XA502/fail-cfn",
        expect: Finding { code: "XA502", severity: "error", saying: "", page_quotes: "trust relationship policy" },
    },
    Requirement {
        seed: PassRole,
        says: "iam:PassRole in the action role's policy: the role it runs as passes the CloudFormation role",
        fixture: "rules/XA505/fail",
        expect: Finding { code: "XA505", severity: "error", saying: "", page_quotes: "iam:PassRole" },
    },
];

#[test]
fn every_seed_requirement_holds_at_its_severity() {
    let root = repo_root();
    let mut failures = Vec::new();
    for r in REQUIREMENTS {
        let fixture = root.join("testdata").join(r.fixture);
        assert!(fixture.exists(), "{:?}: no fixture {}", r.seed, r.fixture);
        let output = run_fixture(&fixture, "json");
        let json: serde_json::Value = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("{}: not JSON ({e})", r.fixture));
        let found: Vec<(String, String, String)> = json["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .map(|d| {
                (
                    d["code"].as_str().unwrap_or_default().to_string(),
                    d["severity"].as_str().unwrap_or_default().to_string(),
                    d["message"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        match &r.expect {
            Finding {
                code,
                severity,
                saying,
                page_quotes,
            } => {
                let hit = found
                    .iter()
                    .any(|(c, s, m)| c == code && s == severity && m.contains(saying));
                if !hit {
                    failures.push(format!(
                        "{:?} \"{}\": {} gives no {severity} {code} saying {saying:?}; it gives {found:?}",
                        r.seed, r.says, r.fixture
                    ));
                }
                let page = std::fs::read_to_string(
                    root.join("crates/xacct-rules/rules")
                        .join(format!("{code}.md")),
                )
                .expect("rule page");
                // Pages wrap their lines: compare with runs of white space made one space.
                let page = page.split_whitespace().collect::<Vec<_>>().join(" ");
                if !page.contains(page_quotes) {
                    failures.push(format!(
                        "rules/{code}.md does not quote the {:?} seed: {page_quotes:?}",
                        r.seed
                    ));
                }
            }
            Clean => {
                if !found.is_empty() || output.status.code() != Some(0) {
                    failures.push(format!(
                        "{:?} \"{}\": {} should lint clean; it gives {found:?} (exit {:?})",
                        r.seed,
                        r.says,
                        r.fixture,
                        output.status.code()
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every seed has rows, and no two rows are the same case.
#[test]
fn the_table_covers_each_seed_once_per_case() {
    for seed in [Walkthrough, CodeDeploy, Blog, PassRole] {
        assert!(
            REQUIREMENTS
                .iter()
                .any(|r| std::mem::discriminant(&r.seed) == std::mem::discriminant(&seed)),
            "{seed:?} has no requirement"
        );
    }
    let mut seen = std::collections::HashSet::new();
    for r in REQUIREMENTS {
        assert!(seen.insert((r.fixture, r.says)), "{} twice", r.fixture);
        assert!(Path::new(r.fixture).is_relative());
    }
}
