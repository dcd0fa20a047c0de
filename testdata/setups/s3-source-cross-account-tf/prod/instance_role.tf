# The EC2 instance role of the deployment group.
resource "aws_iam_role" "instance" {
  name = "CodeDeploy_EC2_Instance_Role"

  assume_role_policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"Service": "ec2.amazonaws.com"},
      "Action": "sts:AssumeRole"
    }
  ]
}
EOF
}

resource "aws_iam_role_policy" "instance_artifacts" {
  name = "PipelineArtifactBucket"
  role = aws_iam_role.instance.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = "s3:Get*", Resource = "arn:aws:s3:::${var.artifact_bucket}/*" },
      { Effect = "Allow", Action = "s3:ListBucket", Resource = "arn:aws:s3:::${var.artifact_bucket}" },
    ]
  })
}

resource "aws_iam_role_policy" "instance_key" {
  name = "PipelineArtifactKey"
  role = aws_iam_role.instance.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["kms:DescribeKey", "kms:GenerateDataKey*", "kms:Encrypt", "kms:ReEncrypt*", "kms:Decrypt"]
      Resource = var.artifact_key_arn
    }]
  })
}

resource "aws_iam_instance_profile" "instance" {
  name = "CodeDeploy_EC2_Instance_Profile"
  role = aws_iam_role.instance.name
}
