resource "aws_s3_bucket" "artifacts" {
  bucket = "codepipeline-us-east-2-1234567890"
}

resource "aws_s3_bucket_ownership_controls" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

