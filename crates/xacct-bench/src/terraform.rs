//! A generated Terraform tree for the Terraform benchmark: a root module with a provider per
//! account, and per team a pipeline-account module (key and its policy document, artifact
//! bucket, its policy and ownership, the pipeline role and its policy, a pipeline whose deploy
//! action runs in the team's target account) and a target-account module (the action's role
//! and its policy), wired by module outputs as teams write them. Ten resources a team.

use std::fmt::Write;

/// The files of a tree of `teams` teams: (path relative to the tree, text).
pub fn tree(teams: usize) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut root = String::from("variable \"region\" {\n  default = \"us-east-2\"\n}\n\n");
    for team in 0..teams {
        let tools = 100_000_000_000u64 + team as u64;
        let target = 200_000_000_000u64 + team as u64;
        let _ = write!(
            root,
            r#"provider "aws" {{
  alias  = "tools{team}"
  region = var.region
  assume_role {{
    role_arn = "arn:aws:iam::{tools}:role/terraform"
  }}
}}

provider "aws" {{
  alias  = "target{team}"
  region = var.region
  assume_role {{
    role_arn = "arn:aws:iam::{target}:role/terraform"
  }}
}}

module "pipeline{team}" {{
  source            = "./teams/t{team}/pipeline"
  team              = "t{team}"
  target_account_id = "{target}"
  providers = {{
    aws = aws.tools{team}
  }}
}}

module "target{team}" {{
  source            = "./teams/t{team}/workload"
  team              = "t{team}"
  pipeline_role_arn = module.pipeline{team}.pipeline_role_arn
  artifact_bucket   = module.pipeline{team}.artifact_bucket
  artifact_key_arn  = module.pipeline{team}.artifact_key_arn
  providers = {{
    aws = aws.target{team}
  }}
}}

"#
        );
        files.push((
            format!("teams/t{team}/pipeline/main.tf"),
            PIPELINE.to_string(),
        ));
        files.push((
            format!("teams/t{team}/workload/main.tf"),
            TARGET.to_string(),
        ));
    }
    files.insert(0, ("main.tf".to_string(), root));
    files
}

const PIPELINE: &str = r#"variable "team" {}
variable "target_account_id" {}

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  name   = "${var.team}-release"
  bucket = "codepipeline-${data.aws_region.current.name}-${var.team}-artifacts"
}

resource "aws_kms_key" "artifacts" {
  description = "Artifacts of ${local.name}"
  policy      = data.aws_iam_policy_document.key.json
}

resource "aws_kms_alias" "artifacts" {
  name          = "alias/${local.name}"
  target_key_id = aws_kms_key.artifacts.key_id
}

data "aws_iam_policy_document" "key" {
  statement {
    sid       = "Administration"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
  statement {
    sid       = "Use"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
    resources = ["*"]
    principals {
      type = "AWS"
      identifiers = [
        aws_iam_role.pipeline.arn,
        "arn:aws:iam::${var.target_account_id}:role/${var.team}-deploy",
      ]
    }
  }
}

resource "aws_s3_bucket" "artifacts" {
  bucket = local.bucket
}

resource "aws_s3_bucket_ownership_controls" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_policy" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "DenyInsecureConnections"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.artifacts.arn, "${aws_s3_bucket.artifacts.arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
      {
        Sid       = "TargetRead"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${var.target_account_id}:role/${var.team}-deploy" }
        Action    = ["s3:GetObject*", "s3:ListBucket"]
        Resource  = [aws_s3_bucket.artifacts.arn, "${aws_s3_bucket.artifacts.arn}/*"]
      },
    ]
  })
}

resource "aws_iam_role" "pipeline" {
  name = "${local.name}-pipeline"
  assume_role_policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "codepipeline.amazonaws.com"}, "Action": "sts:AssumeRole"}
  ]
}
EOF
}

resource "aws_iam_role_policy" "pipeline" {
  name = "pipeline"
  role = aws_iam_role.pipeline.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["s3:GetObject*", "s3:PutObject*", "s3:ListBucket"], Resource = [aws_s3_bucket.artifacts.arn, "${aws_s3_bucket.artifacts.arn}/*"] },
      { Effect = "Allow", Action = ["kms:Decrypt", "kms:GenerateDataKey*", "kms:Encrypt", "kms:DescribeKey"], Resource = aws_kms_key.artifacts.arn },
      { Effect = "Allow", Action = ["codebuild:StartBuild", "codebuild:BatchGetBuilds"], Resource = "*" },
      { Effect = "Allow", Action = "sts:AssumeRole", Resource = "arn:aws:iam::${var.target_account_id}:role/${var.team}-deploy" },
    ]
  })
}

resource "aws_codepipeline" "release" {
  name     = local.name
  role_arn = aws_iam_role.pipeline.arn

  artifact_store {
    type     = "S3"
    location = aws_s3_bucket.artifacts.bucket
    encryption_key {
      id   = aws_kms_key.artifacts.arn
      type = "KMS"
    }
  }

  stage {
    name = "Source"
    action {
      name             = "Source"
      category         = "Source"
      owner            = "AWS"
      provider         = "S3"
      version          = "1"
      output_artifacts = ["source"]
      configuration = {
        S3Bucket    = aws_s3_bucket.artifacts.bucket
        S3ObjectKey = "${var.team}/source.zip"
      }
    }
  }

  stage {
    name = "Build"
    action {
      name             = "Build"
      category         = "Build"
      owner            = "AWS"
      provider         = "CodeBuild"
      version          = "1"
      input_artifacts  = ["source"]
      output_artifacts = ["build"]
      configuration = {
        ProjectName = "${var.team}-build"
      }
    }
  }

  stage {
    name = "Deploy"
    dynamic "action" {
      for_each = ["blue", "green"]
      content {
        name            = "Deploy-${action.value}"
        category        = "Deploy"
        owner           = "AWS"
        provider        = "S3"
        version         = "1"
        run_order       = action.key + 1
        input_artifacts = ["build"]
        role_arn        = "arn:aws:iam::${var.target_account_id}:role/${var.team}-deploy"
        configuration = {
          BucketName = "${var.team}-site-${action.value}"
          Extract    = "true"
        }
      }
    }
  }
}

output "pipeline_role_arn" {
  value = aws_iam_role.pipeline.arn
}

output "artifact_bucket" {
  value = aws_s3_bucket.artifacts.bucket
}

output "artifact_key_arn" {
  value = aws_kms_key.artifacts.arn
}
"#;

const TARGET: &str = r#"variable "team" {}
variable "pipeline_role_arn" {}
variable "artifact_bucket" {}
variable "artifact_key_arn" {}

resource "aws_iam_role" "deploy" {
  name = "${var.team}-deploy"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = var.pipeline_role_arn }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "deploy" {
  name = "deploy"
  role = aws_iam_role.deploy.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["s3:GetObject*", "s3:ListBucket"], Resource = ["arn:aws:s3:::${var.artifact_bucket}", "arn:aws:s3:::${var.artifact_bucket}/*"] },
      { Effect = "Allow", Action = "kms:Decrypt", Resource = var.artifact_key_arn },
      { Effect = "Allow", Action = ["s3:PutObject", "s3:PutObjectAcl"], Resource = "arn:aws:s3:::${var.team}-site-*/*" },
    ]
  })
}
"#;
