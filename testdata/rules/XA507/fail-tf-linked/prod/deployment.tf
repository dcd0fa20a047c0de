# The walkthrough's deployment group deploying to an Auto Scaling group, whose instances start
# from a launch template with the web-servers instance profile. Its role may get the revision
# but not decrypt it with the pipeline's key. The group and the launch template have no name of
# their own: Terraform leaves them to apply, and the references still lead to them.
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
  name_prefix        = "web-servers-"
  min_size           = 1
  max_size           = 2
  availability_zones = ["us-east-2a"]

  launch_template {
    id      = aws_launch_template.web.id
    version = aws_launch_template.web.latest_version
  }
}

resource "aws_launch_template" "web" {
  name_prefix   = "web-servers-"
  image_id      = "ami-0123456789abcdef0"
  instance_type = "t3.micro"

  iam_instance_profile {
    arn = aws_iam_instance_profile.web.arn
  }
}

resource "aws_iam_instance_profile" "web" {
  name = "web-servers"
  role = aws_iam_role.web.name
}

resource "aws_iam_role" "web" {
  name = "web-servers"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "web_revisions" {
  name = "PipelineRevisions"
  role = aws_iam_role.web.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = "s3:Get*", Resource = "arn:aws:s3:::${var.artifact_bucket}/*" },
      { Effect = "Allow", Action = "s3:ListBucket", Resource = "arn:aws:s3:::${var.artifact_bucket}" },
      { Effect = "Allow", Action = "kms:DescribeKey", Resource = var.artifact_key_arn },
    ]
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
