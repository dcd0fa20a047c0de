//! Terraform configurations loaded end to end: accounts from providers, modules followed,
//! policies with spans in the `.tf` files.

use std::path::PathBuf;

use xacct_model::policy_file::{PolicyKind, Subject};

use super::*;

/// Links files given as (path, text).
fn run(files: &[(&str, &str)]) -> HashMap<PathBuf, Arc<FileContents>> {
    let sources: Vec<Source<'_>> = files
        .iter()
        .map(|(path, text)| Source {
            path: Path::new(path),
            text,
            settings: Settings::default(),
        })
        .collect();
    link(&sources)
}

fn contents<'c>(linked: &'c HashMap<PathBuf, Arc<FileContents>>, path: &str) -> &'c Contents {
    &linked[Path::new(path)].contents
}

const PROVIDERS: &str = r#"
provider "aws" {
  alias  = "tools"
  region = "us-east-2"
  assume_role {
    role_arn = "arn:aws:iam::${var.accounts["tools"]}:role/terraform"
  }
}
provider "aws" {
  alias  = "prod"
  region = "us-east-2"
  assume_role { role_arn = "arn:aws:iam::222222222222:role/terraform" }
}
variable "accounts" {
  default = { tools = "111111111111" }
}
module "prod" {
  source    = "./prod"
  providers = { aws = aws.prod }
  tools_role = module.tools.role_arn
}
module "tools" {
  source    = "./tools"
  providers = { aws = aws.tools }
}
"#;

const TOOLS: &str = r#"
resource "aws_iam_role" "pipeline" {
  name = "pipeline"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "codepipeline.amazonaws.com" } }]
  })
}
output "role_arn" { value = aws_iam_role.pipeline.arn }
"#;

const PROD: &str = r#"
variable "tools_role" {}
resource "aws_iam_role" "deploy" {
  name = "deploy"
  assume_role_policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "${var.tools_role}"}}]
}
EOF
}
"#;

#[test]
fn accounts_come_from_the_providers_modules_are_created_through() {
    let linked = run(&[
        ("/r/main.tf", PROVIDERS),
        ("/r/tools/main.tf", TOOLS),
        ("/r/prod/main.tf", PROD),
    ]);
    let tools = contents(&linked, "/r/tools/main.tf");
    let [trust] = tools.policies.as_slice() else {
        panic!("{tools:?}")
    };
    assert_eq!(trust.kind, Some(PolicyKind::Trust));
    let Some(Subject::RoleArn(arn)) = &trust.subject else {
        panic!("{trust:?}")
    };
    // The account from the `assume_role` of the provider the module is passed, built from a
    // variable's default.
    assert_eq!(arn.value, "arn:aws:iam::111111111111:role/pipeline");
    // jsonencode: spans in the object written in the file.
    let action = &trust.document.statements[0].action.as_ref().unwrap().values[0];
    assert_eq!(&TOOLS[action.span.range()], "\"sts:AssumeRole\"");

    let prod = contents(&linked, "/r/prod/main.tf");
    let [trust] = prod.policies.as_slice() else {
        panic!("{prod:?}")
    };
    let Some(Subject::RoleArn(arn)) = &trust.subject else {
        panic!("{trust:?}")
    };
    assert_eq!(arn.value, "arn:aws:iam::222222222222:role/deploy");
    // The heredoc is parsed in place; the module input (another module's output, through
    // the root) is substituted and shows at its `${`.
    let principal = &trust.document.statements[0].principal.as_ref().unwrap();
    let aws = &principal.entries[0].value;
    assert_eq!(aws.value, "arn:aws:iam::111111111111:role/pipeline");
    assert_eq!(&PROD[aws.span.range()], "\"${var.tools_role}\"");
    assert!(prod.issues.is_empty(), "{:?}", prod.issues);
}

#[test]
fn a_policy_document_data_source_renders_its_blocks_with_their_spans() {
    let text = r#"
data "aws_caller_identity" "me" {}
data "aws_iam_policy_document" "key" {
  statement {
    actions   = ["kms:Decrypt"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.me.account_id}:root", "*"]
    }
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.us-east-2.amazonaws.com"]
    }
  }
}
resource "aws_kms_key" "k" {
  policy = data.aws_iam_policy_document.key.json
}
"#;
    let linked = run(&[("/k/main.tf", text)]);
    let key = contents(&linked, "/k/main.tf");
    let [policy] = key.policies.as_slice() else {
        panic!("{key:?}")
    };
    assert_eq!(policy.kind, Some(PolicyKind::Key));
    // No provider says the account: the key's ARN keeps placeholders, and so does the root.
    let Some(Subject::Key(arn)) = &policy.subject else {
        panic!("{policy:?}")
    };
    assert_eq!(
        arn,
        "arn:aws:kms:${aws.region}:${aws.account_id}:key/${aws_kms_key.k.key_id}"
    );
    let statement = &policy.document.statements[0];
    let principals = &statement.principal.as_ref().unwrap().entries;
    assert_eq!(principals[1].value.value, "*");
    assert_eq!(&text[principals[1].value.span.range()], "\"*\"");
    assert_eq!(statement.conditions.len(), 1);
    assert!(policy.issues.is_empty());
}

#[test]
fn modules_that_call_each_other_are_a_cycle_not_a_hang() {
    let a = "module \"b\" {\n  source = \"../b\"\n}\n";
    let b = "module \"a\" {\n  source = \"../a\"\n}\nmodule \"me\" {\n  source = \"./\"\n}\n";
    let linked = run(&[("/c/a/main.tf", a), ("/c/b/main.tf", b)]);
    let issues: Vec<&Issue> = linked
        .values()
        .flat_map(|c| c.contents.issues.iter())
        .collect();
    assert!(
        issues.iter().any(|i| i.kind == IssueKind::Cycle),
        "{issues:?}"
    );
}

#[test]
fn what_is_known_only_once_applied_stays_unknown() {
    let text = r#"
variable "trust" {}
resource "aws_iam_role" "r" {
  name               = "r"
  assume_role_policy = var.trust
}
resource "aws_iam_role_policy" "p" {
  role   = aws_iam_role.r.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = var.effect, Action = "s3:GetObject", Resource = "*" }]
  })
}
"#;
    let linked = run(&[("/u/main.tf", text)]);
    let c = contents(&linked, "/u/main.tf");
    assert_eq!(c.policies.len(), 2, "{c:?}");
    // Both stand in as unknown reach, and say why (XA006, with --strict).
    assert!(c.policies.iter().all(|p| p
        .document
        .statements
        .iter()
        .all(xacct_model::managed::is_stand_in)));
    assert_eq!(
        c.issues
            .iter()
            .filter(|i| i.kind == IssueKind::CannotEvaluate)
            .count(),
        2,
        "{:?}",
        c.issues
    );
}

#[test]
fn a_syntax_error_is_reported_where_it_is() {
    let linked = run(&[("/e/main.tf", "resource \"a\" \"b\" {\n  x = \n}\n")]);
    let error = linked[Path::new("/e/main.tf")]
        .syntax_error
        .as_ref()
        .unwrap();
    assert_eq!(error.kind, IssueKind::Unreadable);
    assert!(error.message.starts_with("invalid HCL"), "{error:?}");
}

#[test]
fn values_that_double_at_each_reference_run_out_of_budget_not_memory() {
    let mut text = String::from("locals {\n  s0 = \"xxxxxxxxxxxxxxxx\"\n  l0 = [\"x\"]\n");
    for i in 1..64 {
        text.push_str(&format!(
            "  s{i} = \"${{local.s{p}}}${{local.s{p}}}\"\n  l{i} = [local.l{p}, local.l{p}]\n",
            p = i - 1
        ));
    }
    text.push_str("}\nresource \"aws_iam_role\" \"r\" {\n  name = local.s63\n  assume_role_policy = jsonencode(local.l63)\n}\n");
    let started = std::time::Instant::now();
    let linked = run(&[("/x/main.tf", &text)]);
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    let issues = &contents(&linked, "/x/main.tf").issues;
    assert!(
        issues
            .iter()
            .any(|i| i.kind == IssueKind::Limit(crate::Limit::EvalSteps)),
        "{issues:?}"
    );
}

#[test]
fn modules_outside_the_run_and_from_registries_stay_unknown() {
    let text = r#"
module "far" {
  source = "../../elsewhere"
}
module "registry" {
  source = "terraform-aws-modules/iam/aws"
}
resource "aws_iam_role_policy" "p" {
  role   = "r"
  policy = module.far.policy
}
resource "aws_iam_role_policy" "q" {
  role   = "r"
  policy = module.registry.policy
}
"#;
    let linked = run(&[("/m/main.tf", text)]);
    let c = contents(&linked, "/m/main.tf");
    assert_eq!(c.policies.len(), 2);
    // Said with --strict (XA006), once a module.
    let said: Vec<&str> = c
        .issues
        .iter()
        .filter(|i| i.kind == IssueKind::CannotEvaluate && i.message.starts_with("module"))
        .map(|i| &text[i.span.range()])
        .collect();
    assert_eq!(
        said,
        ["\"../../elsewhere\"", "\"terraform-aws-modules/iam/aws\""]
    );
    assert!(c.policies.iter().all(|p| p
        .document
        .statements
        .iter()
        .all(xacct_model::managed::is_stand_in)));
}

const DEPLOY_ROOT: &str = r#"
provider "aws" {
  region = "us-east-2"
  assume_role { role_arn = "arn:aws:iam::222222222222:role/terraform" }
}
provider "aws" {
  alias  = "elsewhere"
  region = "us-east-2"
}
provider "aws" {
  alias  = "tagged"
  region = "us-east-2"
  assume_role { role_arn = "arn:aws:iam::222222222222:role/terraform" }
  default_tags {
    tags = { Env = "prod", Name = "default" }
  }
}
resource "aws_codedeploy_app" "app" {
  name = "Shop"
}
resource "aws_codedeploy_deployment_group" "web" {
  app_name              = aws_codedeploy_app.app.name
  deployment_group_name = "web"
  autoscaling_groups    = [aws_autoscaling_group.web.name]
  ec2_tag_set {
    ec2_tag_filter {
      key   = "Name"
      type  = "KEY_AND_VALUE"
      value = "web"
    }
    ec2_tag_filter {
      key  = "Web"
      type = "KEY_ONLY"
    }
  }
  ec2_tag_set {
    ec2_tag_filter {
      value = "prod"
      type  = "VALUE_ONLY"
    }
  }
  on_premises_instance_tag_filter {
    key   = "Rack"
    type  = "KEY_AND_VALUE"
    value = "7"
  }
}
resource "aws_codedeploy_app" "functions" {
  name             = "Functions"
  compute_platform = "Lambda"
}
resource "aws_codedeploy_deployment_group" "functions" {
  app_name              = aws_codedeploy_app.functions.name
  deployment_group_name = "functions"
}
"#;

const DEPLOY_FLEET: &str = r#"
variable "tags" {}
resource "aws_autoscaling_group" "web" {
  min_size = 1
  max_size = 2
  mixed_instances_policy {
    launch_template {
      launch_template_specification {
        launch_template_name = aws_launch_template.web.name
      }
      override {
        launch_template_specification {
          launch_template_id = aws_launch_template.arm.id
          version            = "$Latest"
        }
      }
    }
  }
}
resource "aws_launch_template" "web" {
  name = "web"
  iam_instance_profile { name = aws_iam_instance_profile.web.name }
}
resource "aws_launch_template" "arm" {
  iam_instance_profile { arn = aws_iam_instance_profile.web.arn }
}
resource "aws_iam_instance_profile" "web" {
  name = "web"
  path = "/app/"
  role = aws_iam_role.web.name
}
resource "aws_iam_role" "web" {
  name = "web-role"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [] })
}
resource "aws_instance" "tagged" {
  iam_instance_profile = "web"
  tags = { Name = "web", Env = "prod" }
}
resource "aws_instance" "tags_unknown" {
  iam_instance_profile = "web"
  tags                 = var.tags
}
resource "aws_instance" "by_default_tags" {
  provider             = aws.tagged
  iam_instance_profile = "other"
  tags                 = { Name = "web" }
}
resource "aws_instance" "own_tags_unknown" {
  provider             = aws.tagged
  iam_instance_profile = "web"
  tags                 = var.tags
}
resource "aws_instance" "elsewhere" {
  provider             = aws.elsewhere
  iam_instance_profile = "web"
  tags                 = { Name = "web", Env = "prod" }
}
"#;

#[test]
fn deployment_targets_lead_across_files_to_their_roles() {
    use xacct_model::compute::{Compute, Missing, TagFilterType, Target};
    let linked = run(&[("d/main.tf", DEPLOY_ROOT), ("d/fleet.tf", DEPLOY_FLEET)]);
    let mut compute = Compute::default();
    for (i, path) in ["d/main.tf", "d/fleet.tf"].iter().enumerate() {
        let c = contents(&linked, path);
        assert!(
            c.issues.iter().all(|i| i.kind != IssueKind::Shape),
            "{:?}",
            c.issues
        );
        compute.extend(c.compute.clone().in_file(FileId(i as u32)));
    }
    let group = &compute.deployment_groups[0];
    assert_eq!(
        (group.application.value.as_str(), group.name.value.as_str()),
        ("Shop", "web")
    );
    // An application without `compute_platform` deploys to servers.
    assert_eq!(group.compute_platform.as_deref(), Some("Server"));
    assert_eq!(
        compute.deployment_groups[1].compute_platform.as_deref(),
        Some("Lambda")
    );
    assert!(!compute.deployment_groups[1].deploys_to_instances());
    let kinds: Vec<Vec<Option<TagFilterType>>> = group
        .ec2_tag_groups
        .iter()
        .map(|g| g.iter().map(|f| f.kind).collect())
        .collect();
    assert_eq!(
        kinds,
        [
            vec![
                Some(TagFilterType::KeyAndValue),
                Some(TagFilterType::KeyOnly)
            ],
            vec![Some(TagFilterType::ValueOnly)]
        ]
    );
    // The Auto Scaling group has no name before apply: its placeholder names it.
    assert_eq!(
        group.auto_scaling_groups[0].value,
        "${aws_autoscaling_group.web.name}"
    );
    assert_eq!(
        compute.instance_profiles[0].arn.as_deref(),
        Some("arn:aws:iam::222222222222:instance-profile/app/web")
    );
    let resolution = compute.resolve(0);
    let links: Vec<(Target, &str, &str)> = resolution
        .links
        .iter()
        .map(|l| (l.target, l.role.as_str(), l.profile_by.as_str()))
        .collect();
    assert_eq!(
        links,
        [(
            Target::Instance(0),
            "arn:aws:iam::222222222222:role/web-role",
            "instance `aws_instance.tagged`"
        )],
        "one link per role and profile, the first way found"
    );
    let gaps: Vec<(Missing, &str)> = resolution
        .gaps
        .iter()
        .map(|g| (g.missing, g.what.as_str()))
        .collect();
    // Tags not known and a provider whose account is not known decide nothing; on-premises
    // instances are not among the inputs.
    assert_eq!(
        gaps,
        [
            (Missing::Instances, "whether instance `aws_instance.tags_unknown` is one of deployment group `web`'s is not known (its account, region or a tag is left open, or a filter has no `Type`)"),
            // Selected by the value `prod` of its provider's default tag `Env`.
            (Missing::InstanceProfile, "instance profile `other` of instance `aws_instance.by_default_tags` is not among the inputs: which role it gives is not known"),
            (Missing::Instances, "whether instance `aws_instance.own_tags_unknown` is one of deployment group `web`'s is not known (its account, region or a tag is left open, or a filter has no `Type`)"),
            (Missing::Instances, "whether instance `aws_instance.elsewhere` is one of deployment group `web`'s is not known (its account, region or a tag is left open, or a filter has no `Type`)"),
            (Missing::OnPremisesInstances, "deployment group `web` also deploys to on-premises instances, whose IAM user or role is not known"),
        ]
    );
    // The provider's default tags, the instance's own winning.
    let tags: Vec<(&str, &str)> = compute.instances[2]
        .tags
        .iter()
        .map(|t| (t.key.as_str(), t.value.as_str()))
        .collect();
    assert_eq!(tags, [("Env", "prod"), ("Name", "web")]);
    // Its own tags not known may replace any default tag: none is certain.
    let tags: Vec<&str> = compute.instances[3]
        .tags
        .iter()
        .map(|t| t.key.as_str())
        .collect();
    assert_eq!(tags, ["${var.tags}"]);
    // Both launch templates of the mixed instances policy are followed.
    let asg = &compute.auto_scaling_groups[0];
    assert_eq!(asg.launch_templates.len(), 2);
    assert_eq!(asg.launch_templates[0].name.as_deref(), Some("web"));
    assert_eq!(
        asg.launch_templates[1].id.as_deref(),
        Some("${aws_launch_template.arm.id}")
    );
}

#[test]
fn a_name_known_only_once_applied_names_nothing_in_another_configuration() {
    use xacct_model::compute::{Compute, Missing};
    let other = r#"
provider "aws" {
  region = "us-east-2"
  assume_role { role_arn = "arn:aws:iam::222222222222:role/terraform" }
}
resource "aws_autoscaling_group" "web" {
  min_size             = 1
  max_size             = 1
  launch_configuration = "web"
}
"#;
    let root = DEPLOY_ROOT.replace(
        "resource \"aws_codedeploy_app\" \"functions\"",
        "resource \"aws_autoscaling_group\" \"unused\" {}\nresource \"aws_codedeploy_app\" \"functions\"",
    );
    let linked = run(&[("a/main.tf", &root), ("b/main.tf", other)]);
    let mut compute = Compute::default();
    for (i, path) in ["a/main.tf", "b/main.tf"].iter().enumerate() {
        compute.extend(
            contents(&linked, path)
                .compute
                .clone()
                .in_file(FileId(i as u32)),
        );
    }
    // `${aws_autoscaling_group.web.name}` of a/ is not b/'s group of the same address.
    let gaps: Vec<Missing> = compute.resolve(0).gaps.iter().map(|g| g.missing).collect();
    assert!(gaps.contains(&Missing::AutoScalingGroup), "{gaps:?}");
    assert!(!gaps.contains(&Missing::LaunchConfiguration), "{gaps:?}");
}

#[test]
fn a_plan_gives_its_deployment_targets_too() {
    let text = r#"{
  "format_version": "1.2",
  "planned_values": {"root_module": {"resources": [
    {"address": "aws_codedeploy_deployment_group.g", "mode": "managed", "type": "aws_codedeploy_deployment_group", "name": "g",
     "provider_name": "registry.terraform.io/hashicorp/aws",
     "values": {"app_name": "Shop", "deployment_group_name": "web", "autoscaling_groups": [],
                "ec2_tag_filter": [{"key": "Name", "type": "KEY_AND_VALUE", "value": "web"}],
                "ec2_tag_set": [], "on_premises_instance_tag_filter": []}},
    {"address": "aws_instance.web", "mode": "managed", "type": "aws_instance", "name": "web",
     "provider_name": "registry.terraform.io/hashicorp/aws",
     "values": {"iam_instance_profile": "web", "tags": {"Name": "web"}, "tags_all": {"Name": "web", "Team": "shop"}, "launch_template": []}},
    {"address": "aws_instance.tags_later", "mode": "managed", "type": "aws_instance", "name": "tags_later",
     "provider_name": "registry.terraform.io/hashicorp/aws",
     "values": {"iam_instance_profile": "web", "tags": {"Name": "api"}}},
    {"address": "aws_iam_instance_profile.web", "mode": "managed", "type": "aws_iam_instance_profile", "name": "web",
     "provider_name": "registry.terraform.io/hashicorp/aws",
     "values": {"name": "web", "path": "/", "role": "web-role"}}
  ]}},
  "resource_changes": [{"address": "aws_instance.tags_later", "change": {"after_unknown": {"tags_all": true}}}],
  "configuration": {"provider_config": {"aws": {"name": "aws", "expressions": {
    "region": {"constant_value": "us-east-2"},
    "allowed_account_ids": {"constant_value": ["222222222222"]}}}}}
}"#;
    let source = xacct_syntax::SourceFile::new("plan.json", text.to_string());
    let input = crate::load(FileId(3), &source, None, true, &crate::Options::default());
    let compute = &input.documents.compute;
    assert_eq!(compute.deployment_groups.len(), 1, "{:?}", input.issues);
    let group = &compute.deployment_groups[0];
    assert_eq!(group.place.file, FileId(3));
    assert_eq!(
        group.place.account,
        xacct_model::arn::AccountId::parse("222222222222")
    );
    assert_eq!(
        compute.instances[0].tags.len(),
        2,
        "tags_all, with the default tags"
    );
    let resolution = compute.resolve(0);
    let roles: Vec<&str> = resolution.links.iter().map(|l| l.role.as_str()).collect();
    assert_eq!(roles, ["arn:aws:iam::222222222222:role/web-role"]);
    // `tags_all` known only once applied: the tags it adds are not known, so the filter that
    // its own `Name=api` does not match decides nothing (xacct does not reason about which
    // keys default tags may add: unknown, never a guess).
    let gaps: Vec<&str> = resolution.gaps.iter().map(|g| g.what.as_str()).collect();
    assert_eq!(
        gaps,
        ["whether instance `aws_instance.tags_later` is one of deployment group `web`'s is not known (its account, region or a tag is left open, or a filter has no `Type`)"]
    );
    // The filter's span is its object in the plan.
    let span = group.ec2_tag_groups[0][0].span;
    assert!(text[span.start as usize..span.end as usize].starts_with("{\"key\": \"Name\""));
}

#[test]
fn a_deployment_group_is_in_its_service_role_account_when_the_provider_does_not_say() {
    let text = r#"
resource "aws_codedeploy_deployment_group" "g" {
  app_name              = "Shop"
  deployment_group_name = "web"
  service_role_arn      = "arn:aws:iam::333333333333:role/CodeDeployServiceRole"
}
resource "aws_codedeploy_deployment_group" "h" {
  app_name              = "Shop"
  deployment_group_name = "api"
  service_role_arn      = var.role
  ecs_service {
    cluster_name = "shop"
    service_name = "api"
  }
}
"#;
    let linked = run(&[("g/main.tf", text)]);
    let groups = &contents(&linked, "g/main.tf").compute.deployment_groups;
    let accounts: Vec<Option<String>> = groups
        .iter()
        .map(|g| g.place.account.map(|a| a.to_string()))
        .collect();
    assert_eq!(accounts, [Some("333333333333".to_string()), None]);
    // Its application is not among the inputs, but its ECS service says what it deploys to.
    assert!(groups[0].deploys_to_instances());
    assert!(!groups[1].deploys_to_instances());
}

#[test]
fn event_targets_and_bus_policies_are_placed_in_their_providers_account() {
    let prod = r#"
data "aws_region" "current" {}
variable "tools_role" {}
resource "aws_iam_role" "to_bus" {
  name               = "ToBus"
  assume_role_policy = "{}"
}
resource "aws_cloudwatch_event_target" "bus" {
  rule     = "changes"
  arn      = "arn:aws:events:${data.aws_region.current.name}:111111111111:event-bus/default"
  role_arn = aws_iam_role.to_bus.arn
}
"#;
    let tools = r#"
output "role_arn" { value = "x" }
resource "aws_cloudwatch_event_bus_policy" "allow" {
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "222222222222" }, Action = "events:PutEvents", Resource = "*" }]
  })
}
"#;
    let linked = run(&[
        ("main.tf", PROVIDERS),
        ("prod/main.tf", prod),
        ("tools/main.tf", tools),
    ]);
    let rules = &contents(&linked, "prod/main.tf").event_rules;
    let [rule] = rules.as_slice() else {
        panic!("{rules:?}");
    };
    assert_eq!(
        rule.name.as_ref().map(|n| n.value.as_str()),
        Some("changes")
    );
    assert_eq!(rule.account, xacct_model::AccountId::parse("222222222222"));
    assert_eq!(
        rule.targets[0].bus_account(),
        xacct_model::AccountId::parse("111111111111")
    );
    assert_eq!(
        rule.targets[0].role_account(),
        xacct_model::AccountId::parse("222222222222")
    );
    let buses: Vec<_> = contents(&linked, "tools/main.tf")
        .policies
        .iter()
        .filter(|p| p.kind == Some(PolicyKind::EventBus))
        .map(|p| p.subject.clone())
        .collect();
    assert_eq!(
        buses,
        [Some(Subject::EventBus(
            "arn:aws:events:us-east-2:111111111111:event-bus/default".to_string()
        ))]
    );
}

#[test]
fn ecs_services_name_their_task_definitions_by_arn_family_or_arn_without_revision() {
    // Three services in the prod provider's account and region: by `.arn` (its revision a
    // placeholder), by `.family` and by `.arn_without_revision` in another file, all leading to
    // the one definition of the family; one in the default cluster; one whose definition is
    // named by a literal ARN of another configuration, left as written.
    let prod = r#"
variable "tools_role" {}
resource "aws_ecs_cluster" "web" {
  name = "web-cluster"
}
resource "aws_iam_role" "task" {
  name               = "task"
  assume_role_policy = "{}"
}
resource "aws_ecs_task_definition" "web" {
  family             = "web"
  task_role_arn      = aws_iam_role.task.arn
  execution_role_arn = "arn:aws:iam::222222222222:role/ecsTaskExecutionRole"
}
resource "aws_ecs_service" "by_arn" {
  name            = "by-arn"
  cluster         = aws_ecs_cluster.web.id
  task_definition = aws_ecs_task_definition.web.arn
}
resource "aws_ecs_service" "by_family" {
  name            = "by-family"
  task_definition = aws_ecs_task_definition.web.family
}
resource "aws_ecs_service" "elsewhere" {
  name            = "elsewhere"
  cluster         = "web-cluster"
  task_definition = "arn:aws:ecs:us-east-2:222222222222:task-definition/other:3"
}
"#;
    let more = r#"
resource "aws_ecs_service" "without_revision" {
  name            = "without-revision"
  cluster         = "arn:aws:ecs:us-east-2:222222222222:cluster/web-cluster"
  task_definition = aws_ecs_task_definition.web.arn_without_revision
}
"#;
    let tools = r#"output "role_arn" { value = "x" }"#;
    let linked = run(&[
        ("main.tf", PROVIDERS),
        ("prod/main.tf", prod),
        ("prod/more.tf", more),
        ("tools/main.tf", tools),
    ]);
    let arn = "arn:aws:ecs:us-east-2:222222222222:task-definition/web:${module.prod.aws_ecs_task_definition.web.revision}";
    let main = contents(&linked, "prod/main.tf");
    let [definition] = main.task_definitions.as_slice() else {
        panic!("{:?}", main.task_definitions);
    };
    assert_eq!(definition.arn.as_deref(), Some(arn));
    assert_eq!(
        definition.task_role.as_ref().map(|r| r.value.as_str()),
        Some("arn:aws:iam::222222222222:role/task")
    );
    let services: Vec<(&str, &str, String)> = main
        .ecs_services
        .iter()
        .chain(&contents(&linked, "prod/more.tf").ecs_services)
        .map(|s| {
            let xacct_model::ecs::ServiceTaskDefinition::Arn(definition) = &s.task_definition
            else {
                panic!("{s:?}");
            };
            (
                s.cluster.as_str(),
                s.name.value.as_str(),
                definition.clone(),
            )
        })
        .collect();
    assert_eq!(
        services,
        [
            ("web-cluster", "by-arn", arn.to_string()),
            ("default", "by-family", arn.to_string()),
            (
                "web-cluster",
                "elsewhere",
                "arn:aws:ecs:us-east-2:222222222222:task-definition/other:3".to_string()
            ),
            ("web-cluster", "without-revision", arn.to_string()),
        ]
    );
    assert!(main.ecs_services.iter().all(|s| s.account
        == xacct_model::AccountId::parse("222222222222")
        && s.region.as_deref() == Some("us-east-2")));
}

/// `aws_lambda_permission`: one statement of its function's policy, on the function
/// `function_name` names (with `qualifier`) in the provider's account and region; `source_arn`
/// a condition; a permission whose principal is known only once applied is left out.
#[test]
fn lambda_permissions_are_statements_of_their_functions_policy() {
    let tools = r#"
output "role_arn" { value = "x" }
variable "later" {}
resource "aws_lambda_function" "notify" {
  function_name = "notify"
  role          = "arn:aws:iam::111111111111:role/exec"
}
resource "aws_lambda_permission" "role" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.notify.function_name
  qualifier     = "live"
  principal     = "arn:aws:iam::222222222222:role/Invoker"
}
resource "aws_lambda_permission" "events" {
  action        = "lambda:InvokeFunction"
  function_name = "arn:aws:lambda:us-east-2:333333333333:function:other"
  principal     = "events.amazonaws.com"
  source_arn    = "arn:aws:events:us-east-2:111111111111:rule/r"
}
resource "aws_lambda_permission" "unknown" {
  action        = "lambda:InvokeFunction"
  function_name = "notify"
  principal     = var.later
}
"#;
    let linked = run(&[("main.tf", PROVIDERS), ("tools/main.tf", tools)]);
    let functions: Vec<_> = contents(&linked, "tools/main.tf")
        .policies
        .iter()
        .filter(|p| p.kind == Some(PolicyKind::Function))
        .map(|p| {
            let statement = &p.document.statements[0];
            (
                p.subject.clone(),
                statement.principal.as_ref().unwrap().entries[0]
                    .value
                    .value
                    .to_string(),
                statement
                    .conditions
                    .iter()
                    .map(|c| format!("{} {}", c.operator.value, c.key.value))
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    assert_eq!(
        functions,
        [
            (
                Some(Subject::Function(
                    "arn:aws:lambda:us-east-2:111111111111:function:notify:live".to_string()
                )),
                "arn:aws:iam::222222222222:role/Invoker".to_string(),
                Vec::<String>::new()
            ),
            (
                Some(Subject::Function(
                    "arn:aws:lambda:us-east-2:333333333333:function:other".to_string()
                )),
                "events.amazonaws.com".to_string(),
                vec!["ArnLike AWS:SourceArn".to_string()]
            ),
            // The principal known only once applied: a piece of unknown reach.
            (
                Some(Subject::Function(
                    "arn:aws:lambda:us-east-2:111111111111:function:notify".to_string()
                )),
                "*".to_string(),
                vec!["StringEquals xacct:ManagedPolicyNotGiven".to_string()]
            ),
        ]
    );
}

/// A bucket (`aws_s3_bucket`, with or without a policy) and a bucket policy
/// (`aws_s3_bucket_policy`) are in the account of the provider that creates them; a bucket whose
/// name is known only once applied, or one of a provider of unknown account, gives none.
#[test]
fn buckets_are_in_their_providers_account() {
    let prod = r#"
variable "tools_role" {}
variable "later" {}
resource "aws_s3_bucket" "source" {
  bucket = "source-bucket"
}
resource "aws_s3_bucket_policy" "source" {
  bucket = aws_s3_bucket.source.id
  policy = jsonencode({ Version = "2012-10-17", Statement = [] })
}
resource "aws_s3_bucket_policy" "elsewhere" {
  bucket = "bucket-of-a-policy-only"
  policy = jsonencode({ Version = "2012-10-17", Statement = [] })
}
resource "aws_s3_bucket" "later" {
  bucket = var.later
}
"#;
    let linked = run(&[
        ("main.tf", PROVIDERS),
        ("tools/main.tf", TOOLS),
        ("prod/main.tf", prod),
    ]);
    let prod_account = xacct_model::AccountId::parse("222222222222").unwrap();
    assert_eq!(
        contents(&linked, "prod/main.tf").bucket_accounts,
        [
            ("source-bucket".to_string(), prod_account),
            ("source-bucket".to_string(), prod_account),
            ("bucket-of-a-policy-only".to_string(), prod_account),
        ]
    );
    // A file loaded on its own, through the default provider of no known account.
    let alone = run(&[(
        "alone.tf",
        "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b\"\n}\n",
    )]);
    assert!(contents(&alone, "alone.tf").bucket_accounts.is_empty());
}
