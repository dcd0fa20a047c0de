# The ops account lets another role of the prod account invoke release-notifier, not the role
# the pipeline's Lambda action runs as.
provider "aws" {
  region              = "us-east-2"
  allowed_account_ids = ["333333333333"]
}

resource "aws_lambda_permission" "pipeline_invoke" {
  statement_id  = "pipeline-invoke"
  action        = "lambda:InvokeFunction"
  function_name = "release-notifier"
  principal     = "arn:aws:iam::222222222222:role/LambdaInvokeStaging_Role"
}
