# The CodeDeploy application and deployment group that the pipeline's ExternalDeploy action
# names, its service role, and the EC2 instance it deploys to. The instance runs with the
# instance profile of instance_role.tf; its CodeDeploy agent downloads each revision with
# that profile's role.
resource "aws_codedeploy_app" "app" {
  name             = "AccountBApplicationName"
  compute_platform = "Server"
}

resource "aws_codedeploy_deployment_group" "group" {
  app_name              = aws_codedeploy_app.app.name
  deployment_group_name = "AccountBApplicationGroupName"
  service_role_arn      = aws_iam_role.codedeploy_service.arn

  ec2_tag_filter {
    key   = "Name"
    type  = "KEY_AND_VALUE"
    value = "AccountBWebServer"
  }
}

resource "aws_instance" "web" {
  ami                  = "ami-0123456789abcdef0"
  instance_type        = "t3.micro"
  iam_instance_profile = aws_iam_instance_profile.instance.name

  tags = {
    Name = "AccountBWebServer"
  }
}

# The role CodeDeploy itself works with in this account.
resource "aws_iam_role" "codedeploy_service" {
  name = "CodeDeployServiceRole"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "codedeploy.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "codedeploy_service" {
  role       = aws_iam_role.codedeploy_service.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSCodeDeployRole"
}
