# The CodeDeploy application and deployment group the pipeline's ExternalDeploy action names,
# created through the staging account's provider.
data "aws_caller_identity" "current" {}

resource "aws_codedeploy_app" "app" {
  name             = "AccountBApplicationName"
  compute_platform = "Server"
}

resource "aws_codedeploy_deployment_group" "group" {
  app_name              = aws_codedeploy_app.app.name
  deployment_group_name = "AccountBApplicationGroupName"
  service_role_arn      = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/CodeDeployServiceRole"

  ec2_tag_filter {
    key   = "Name"
    type  = "KEY_AND_VALUE"
    value = "AccountBWebServer"
  }
}
