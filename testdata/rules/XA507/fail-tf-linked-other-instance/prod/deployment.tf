# The walkthrough's deployment group, whose instance runs with another instance profile than
# the walkthrough's: AppServerProfile, whose role may only write application logs. The
# CodeDeploy agent on the instance downloads the revision with that role, and cannot.
resource "aws_codedeploy_app" "app" {
  name             = "AccountBApplicationName"
  compute_platform = "Server"
}

resource "aws_codedeploy_deployment_group" "group" {
  app_name              = aws_codedeploy_app.app.name
  deployment_group_name = "AccountBApplicationGroupName"
  service_role_arn      = aws_iam_role.codedeploy_service.arn

  ec2_tag_set {
    ec2_tag_filter {
      key   = "Name"
      type  = "KEY_AND_VALUE"
      value = "AccountBWebServer"
    }
  }

  ec2_tag_set {
    ec2_tag_filter {
      key  = "Environment"
      type = "KEY_ONLY"
    }
  }
}

resource "aws_instance" "web" {
  ami                  = "ami-0123456789abcdef0"
  instance_type        = "t3.micro"
  iam_instance_profile = aws_iam_instance_profile.app_server.name

  tags = {
    Name        = "AccountBWebServer"
    Environment = "production"
  }
}

# Not selected: no `Environment` tag.
resource "aws_instance" "bastion" {
  ami                  = "ami-0123456789abcdef0"
  instance_type        = "t3.micro"
  iam_instance_profile = aws_iam_instance_profile.instance.name

  tags = {
    Name = "AccountBWebServer"
  }
}

resource "aws_iam_instance_profile" "app_server" {
  name = "AppServerProfile"
  role = aws_iam_role.app_server.name
}

resource "aws_iam_role" "app_server" {
  name = "AppServerRole"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "app_server_logs" {
  name = "ApplicationLogs"
  role = aws_iam_role.app_server.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = "arn:aws:logs:us-east-2:222222222222:log-group:/app/web:*"
    }]
  })
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
