# The ops account lets the prod account's Lambda invoke role of the pipeline invoke
# release-notifier.
provider "aws" {
  region              = "us-east-2"
  allowed_account_ids = ["333333333333"]
}

resource "aws_lambda_permission" "pipeline_invoke" {
  statement_id  = "pipeline-invoke"
  action        = "lambda:InvokeFunction"
  function_name = "release-notifier"
  principal     = "arn:aws:iam::222222222222:role/LambdaInvoke_Role"
}
