# The walkthrough's deployment group deploying to an Auto Scaling group whose launch template
# takes its instance profile from an SSM parameter, read only when Terraform runs: which role
# the instances run with is not known, so the account's EC2 roles stand in as candidates.
data "aws_ssm_parameter" "web_profile" {
  name = "/web-servers/instance-profile"
}

resource "aws_codedeploy_app" "app" {
  name             = "AccountBApplicationName"
  compute_platform = "Server"
}

resource "aws_codedeploy_deployment_group" "group" {
  app_name              = aws_codedeploy_app.app.name
  deployment_group_name = "AccountBApplicationGroupName"
  service_role_arn      = aws_iam_role.codedeploy_service.arn
  autoscaling_groups    = [aws_autoscaling_group.web.name]
}

resource "aws_autoscaling_group" "web" {
  name               = "web-servers"
  min_size           = 1
  max_size           = 2
  availability_zones = ["us-east-2a"]

  launch_template {
    name = aws_launch_template.web.name
  }
}

resource "aws_launch_template" "web" {
  name          = "web-servers"
  image_id      = "ami-0123456789abcdef0"
  instance_type = "t3.micro"

  iam_instance_profile {
    name = data.aws_ssm_parameter.web_profile.value
  }
}

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
