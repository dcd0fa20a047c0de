# Broken: the pipeline role may publish to another topic than the one the approval notifies.
resource "aws_iam_role" "pipeline" {
  name = "CodePipeline_Service_Role"
  path = "/service-role/"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "codepipeline.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "pipeline" {
  name = "CodePipelineServicePolicy"
  role = aws_iam_role.pipeline.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "Artifacts"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:GetObjectVersion", "s3:GetBucketVersioning", "s3:PutObject", "s3:PutObjectAcl"]
        Resource = "${aws_s3_bucket.artifacts.arn}/*"
      },
      {
        Sid      = "ListArtifacts"
        Effect   = "Allow"
        Action   = "s3:ListBucket"
        Resource = aws_s3_bucket.artifacts.arn
      },
      {
        Sid      = "SourceBucket"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:GetObjectVersion", "s3:GetBucketVersioning"]
        Resource = [aws_s3_bucket.sources.arn, "${aws_s3_bucket.sources.arn}/*"]
      },
      {
        Sid      = "ArtifactKey"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey*", "kms:Encrypt", "kms:ReEncrypt*"]
        Resource = aws_kms_key.artifacts.arn
      },
      {
        Sid      = "ApprovalNotifications"
        Effect   = "Allow"
        Action   = "sns:Publish"
        Resource = "arn:aws:sns:us-east-2:111111111111:release-announcements"
      },
      {
        Sid      = "InvokeDeployPipeline"
        Effect   = "Allow"
        Action   = "codepipeline:StartPipelineExecution"
        Resource = "arn:aws:codepipeline:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:deploy-prod"
      },
    ]
  })
}
