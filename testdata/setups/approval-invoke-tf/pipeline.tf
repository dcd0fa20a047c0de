# A V2 pipeline: S3 source, manual approval notified on the topic, then the invoke of deploy-prod.
resource "aws_codepipeline" "release_gate" {
  name           = "release-gate"
  role_arn       = aws_iam_role.pipeline.arn
  pipeline_type  = "V2"
  execution_mode = "QUEUED"

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
      run_order        = 1
      output_artifacts = ["SourceArtifact"]

      configuration = {
        S3Bucket             = aws_s3_bucket.sources.bucket
        S3ObjectKey          = "release/app.zip"
        PollForSourceChanges = false
      }
    }
  }

  stage {
    name = "Approve"

    action {
      name      = "ApproveRelease"
      category  = "Approval"
      owner     = "AWS"
      provider  = "Manual"
      version   = "1"
      run_order = 1

      configuration = {
        NotificationArn = aws_sns_topic.approvals.arn
        CustomData      = "Approve the release to production"
      }
    }
  }

  stage {
    name = "Release"

    action {
      name      = "StartDeploy"
      category  = "Invoke"
      owner     = "AWS"
      provider  = "CodePipeline"
      version   = "1"
      run_order = 1

      configuration = {
        PipelineName = "deploy-prod"
        Variables    = jsonencode([{ name = "RELEASE", value = "#{codepipeline.PipelineExecutionId}" }])
      }
    }
  }
}
