output "artifact_bucket" {
  value = aws_s3_bucket.artifacts.bucket
}

output "artifact_key_arn" {
  value = aws_kms_key.artifacts.arn
}

output "pipeline_role_arn" {
  value = aws_iam_role.pipeline.arn
}
