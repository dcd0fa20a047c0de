# The pipeline's S3 source bucket, in the production account (AccountB): the pipeline role of the
# tools account reads the source object and the bucket's versioning (action-reference-S3,
# "Service role permissions: S3 source action"), which across accounts this bucket policy must
# allow too.
resource "aws_s3_bucket" "source" {
  bucket = "awscodepipeline-demobucket-example-date"
}

resource "aws_s3_bucket_versioning" "source" {
  bucket = aws_s3_bucket.source.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_policy" "source" {
  bucket = aws_s3_bucket.source.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "DenyInsecureConnections"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.source.arn, "${aws_s3_bucket.source.arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
      {
        Sid       = "PipelineReadsSource"
        Effect    = "Allow"
        Principal = { AWS = var.pipeline_role_arn }
        Action    = ["s3:GetObject", "s3:GetObjectVersion"]
        Resource  = "${aws_s3_bucket.source.arn}/*"
      },
      {
        Sid       = "PipelineChecksVersioning"
        Effect    = "Allow"
        Principal = { AWS = var.pipeline_role_arn }
        Action    = "s3:GetBucketVersioning"
        Resource  = aws_s3_bucket.source.arn
      },
    ]
  })
}
