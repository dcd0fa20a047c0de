# The default event bus accepts events from the prod account; a rule on it starts the pipeline
# with a role of this account.
resource "aws_cloudwatch_event_bus_policy" "allow_prod" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AllowProdPutEvents"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::${var.prod_account_id}:root" }
      Action    = "events:PutEvents"
      Resource  = "arn:aws:events:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:event-bus/default"
    }]
  })
}

resource "aws_iam_role" "events_start_pipeline" {
  name = "EventsStartPipeline"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "events.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "start_pipeline" {
  name = "StartPipeline"
  role = aws_iam_role.events_start_pipeline.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "codepipeline:StartPipelineExecution"
      Resource = aws_codepipeline.pipeline.arn
    }]
  })
}

resource "aws_cloudwatch_event_rule" "start_pipeline" {
  name = "StartMyFirstPipeline"
  event_pattern = jsonencode({
    source  = ["aws.codecommit"]
    account = [var.prod_account_id]
  })
}

resource "aws_cloudwatch_event_target" "pipeline" {
  rule     = aws_cloudwatch_event_rule.start_pipeline.name
  arn      = aws_codepipeline.pipeline.arn
  role_arn = aws_iam_role.events_start_pipeline.arn
}
