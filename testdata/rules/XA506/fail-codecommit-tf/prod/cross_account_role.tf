# The role the pipeline assumes for its CodeCommit source and CodeDeploy actions.
resource "aws_iam_role" "cross_account" {
  name = "CrossAccount_Role"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = var.pipeline_role_arn }
      Action    = "sts:AssumeRole"
    }]
  })
}

# The source action's calls (action-reference-CodeCommit), on the repository of this account.
# Broken: codecommit:GetBranch is left out.
resource "aws_iam_role_policy" "codecommit" {
  name = "CodeCommitSource"
  role = aws_iam_role.cross_account.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow"
      Action = [
        "codecommit:GetCommit",
        "codecommit:UploadArchive",
        "codecommit:GetUploadArchiveStatus",
        "codecommit:CancelUploadArchive",
      ]
      Resource = aws_codecommit_repository.source.arn
    }]
  })
}

resource "aws_iam_role_policy" "codedeploy" {
  name = "CodeDeployAccess"
  role = aws_iam_role.cross_account.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow"
      Action = [
        "codedeploy:CreateDeployment",
        "codedeploy:GetDeployment",
        "codedeploy:GetDeploymentConfig",
        "codedeploy:GetApplicationRevision",
        "codedeploy:RegisterApplicationRevision",
      ]
      Resource = "*"
    }]
  })
}

resource "aws_iam_role_policy" "artifacts" {
  name   = "PipelineArtifacts"
  role   = aws_iam_role.cross_account.id
  policy = data.aws_iam_policy_document.artifacts.json
}

data "aws_iam_policy_document" "artifacts" {
  statement {
    actions   = ["s3:GetObject*", "s3:PutObject", "s3:PutObjectAcl"]
    resources = ["arn:aws:s3:::${var.artifact_bucket}/*"]
  }

  statement {
    actions   = ["s3:ListBucket"]
    resources = ["arn:aws:s3:::${var.artifact_bucket}"]
  }
}

resource "aws_iam_role_policy" "artifact_key" {
  name   = "PipelineArtifactKey"
  role   = aws_iam_role.cross_account.id
  policy = data.aws_iam_policy_document.artifact_key.json
}

data "aws_iam_policy_document" "artifact_key" {
  statement {
    actions = [
      "kms:DescribeKey",
      "kms:GenerateDataKey*",
      "kms:Encrypt",
      "kms:ReEncrypt*",
      "kms:Decrypt",
    ]
    resources = [var.artifact_key_arn]
  }
}
