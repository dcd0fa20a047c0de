locals {
  # Each name is made from the other: Terraform refuses the configuration.
  artifact_prefix = "${local.pipeline_prefix}-artifacts"
  pipeline_prefix = "${local.artifact_prefix}-pipeline"
}

resource "aws_s3_bucket" "logs" {
  bucket = local.artifact_prefix
}
