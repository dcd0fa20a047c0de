# The bucket the pipeline's S3 deploy action ExternalPublish writes into, and the grant that lets
# CrossAccount_Role, which the action runs as, upload to it.
resource "aws_s3_bucket" "static_assets" {
  bucket = "accountb-static-assets"
}

resource "aws_s3_bucket_policy" "static_assets" {
  bucket = "accountb-static-assets"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureConnections"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = ["arn:aws:s3:::accountb-static-assets", "arn:aws:s3:::accountb-static-assets/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
}

resource "aws_iam_role_policy" "static_assets" {
  name = "StaticAssetsPublish"
  role = aws_iam_role.cross_account.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "s3:PutObject"
      Resource = "arn:aws:s3:::accountb-static-assets/*"
    }]
  })
}
