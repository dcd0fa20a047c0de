# A pipeline whose source is a CodeCommit repository of the production account and whose Staging
# stage deploys with CodeDeploy there.
resource "aws_codepipeline" "pipeline" {
  name     = "MyFirstPipeline"
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

    # The repository is in the production account: the action runs as CrossAccount_Role there.
    action {
      name             = "Source"
      category         = "Source"
      owner            = "AWS"
      provider         = "CodeCommit"
      version          = "1"
      run_order        = 1
      output_artifacts = ["MyApp"]
      role_arn         = "arn:aws:iam::${var.prod_account_id}:role/CrossAccount_Role"

      configuration = {
        RepositoryName       = "MyDemoRepo"
        BranchName           = "main"
        PollForSourceChanges = false
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
      run_order        = 1
      input_artifacts  = ["MyApp"]
      output_artifacts = ["MyAppBuild"]

      configuration = {
        ProjectName = "MyAppBuild"
      }
    }
  }

  stage {
    name = "Staging"

    action {
      name            = "ExternalDeploy"
      category        = "Deploy"
      owner           = "AWS"
      provider        = "CodeDeploy"
      version         = "1"
      run_order       = 1
      input_artifacts = ["MyAppBuild"]
      role_arn        = "arn:aws:iam::${var.prod_account_id}:role/CrossAccount_Role"

      configuration = {
        ApplicationName     = "AccountBApplicationName"
        DeploymentGroupName = "AccountBApplicationGroupName"
      }
    }

    action {
      name            = "ExternalPublish"
      category        = "Deploy"
      owner           = "AWS"
      provider        = "S3"
      version         = "1"
      run_order       = 2
      input_artifacts = ["MyAppBuild"]
      role_arn        = "arn:aws:iam::${var.prod_account_id}:role/CrossAccount_Role"

      configuration = {
        BucketName = "accountb-static-assets"
        Extract    = "true"
      }
    }
  }
}
