# The artifact store and its customer managed key.
resource "aws_s3_bucket" "artifacts" {
  bucket = "codepipeline-us-east-2-1234567890"
}

resource "aws_s3_bucket_policy" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  policy = jsonencode({
    Version = "2012-10-17"
    Id      = "SSEAndSSLPolicy"
    Statement = [
      {
        Sid       = "DenyUnEncryptedObjectUploads"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:PutObject"
        Resource  = "${aws_s3_bucket.artifacts.arn}/*"
        Condition = {
          StringNotEquals = { "s3:x-amz-server-side-encryption" = "aws:kms" }
        }
      },
      {
        Sid       = "DenyInsecureConnections"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = "${aws_s3_bucket.artifacts.arn}/*"
        Condition = {
          Bool = { "aws:SecureTransport" = false }
        }
      },
    ]
  })
}

resource "aws_kms_key" "artifacts" {
  description         = "Pipeline artifacts"
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Id      = "key-consolepolicy-3"
    Statement = [
      {
        Sid       = "Enable IAM User Permissions"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "Allow use of the key"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/service-role/CodePipeline_Service_Role" }
        Action    = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
        Resource  = "*"
      },
    ]
  })
}

# The S3 source bucket, versioned, in the pipeline's account: the pipeline role's own policy
# lets it read the source (either side suffices in one account).
resource "aws_s3_bucket" "sources" {
  bucket = "release-gate-sources-111111111111"
}

resource "aws_s3_bucket_versioning" "sources" {
  bucket = aws_s3_bucket.sources.id

  versioning_configuration {
    status = "Enabled"
  }
}

# The topic the approval notifies, in the pipeline's region.
resource "aws_sns_topic" "approvals" {
  name = "release-approvals"
}
