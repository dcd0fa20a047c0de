resource "aws_s3_bucket" "artifacts" {
  bucket = "codepipeline-us-east-2-1234567890"
}

resource "aws_s3_bucket_ownership_controls" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
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
        Resource  = [aws_s3_bucket.artifacts.arn, "${aws_s3_bucket.artifacts.arn}/*"]
        Condition = {
          Bool = { "aws:SecureTransport" = false }
        }
      },
      {
        Sid       = "CrossAccountArtifacts"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${var.prod_account_id}:root" }
        Action    = ["s3:Get*", "s3:Put*"]
        Resource  = "${aws_s3_bucket.artifacts.arn}/*"
      },
      {
        Sid       = "CrossAccountList"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${var.prod_account_id}:root" }
        Action    = "s3:ListBucket"
        Resource  = aws_s3_bucket.artifacts.arn
      },
    ]
  })
}
