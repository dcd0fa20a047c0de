# The customer managed key of the artifact store, usable by the production account.
resource "aws_kms_key" "artifacts" {
  description         = "Pipeline artifacts, usable by the production account"
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.artifact_key.json
}

resource "aws_kms_alias" "artifacts" {
  name          = "alias/PipelineName-Key"
  target_key_id = aws_kms_key.artifacts.key_id
}

data "aws_iam_policy_document" "artifact_key" {
  policy_id = "key-consolepolicy-3"

  statement {
    sid       = "Enable IAM User Permissions"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }

  statement {
    sid = "Allow use of the key"
    actions = [
      "kms:Encrypt",
      "kms:Decrypt",
      "kms:ReEncrypt*",
      "kms:GenerateDataKey*",
      "kms:DescribeKey",
    ]
    resources = ["*"]

    principals {
      type = "AWS"
      identifiers = [
        "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:role/service-role/CodePipeline_Service_Role",
        "arn:aws:iam::${var.prod_account_id}:root",
      ]
    }
  }
}
