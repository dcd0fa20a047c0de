# The pipeline's build project, with no encryption_key: CodeBuild then uses the AWS managed
# key alias/aws/s3 of the pipeline account.
resource "aws_codebuild_project" "build" {
  name         = "MyAppBuild"
  service_role = "arn:aws:iam::111111111111:role/service-role/codebuild-MyAppBuild-service-role"

  source {
    type = "CODEPIPELINE"
  }

  artifacts {
    type = "CODEPIPELINE"
  }

  environment {
    type         = "LINUX_CONTAINER"
    compute_type = "BUILD_GENERAL1_SMALL"
    image        = "aws/codebuild/standard:7.0"
  }
}
