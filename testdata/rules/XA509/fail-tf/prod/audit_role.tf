# Read-only access for the tools account's operators during releases.
resource "aws_iam_role" "release_audit" {
  name = "Release_Audit_Role"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::${var.tools_account_id}:root" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "release_audit" {
  role       = aws_iam_role.release_audit.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}
