# The repository's change events go to the tools account's default event bus, with a role of
# this account.
data "aws_region" "current" {}

resource "aws_iam_role" "events_to_pipeline_bus" {
  name = "EventsToPipelineBus"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "events.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "put_events" {
  name = "PutEventsOnPipelineBus"
  role = aws_iam_role.events_to_pipeline_bus.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "events:PutEvents"
      Resource = "arn:aws:events:${data.aws_region.current.name}:${var.tools_account_id}:event-bus/default"
    }]
  })
}

resource "aws_cloudwatch_event_rule" "repository_changes" {
  name = "MyDemoRepoToPipelineAccount"
  event_pattern = jsonencode({
    source        = ["aws.codecommit"]
    "detail-type" = ["CodeCommit Repository State Change"]
  })
}

resource "aws_cloudwatch_event_target" "pipeline_bus" {
  rule     = aws_cloudwatch_event_rule.repository_changes.name
  arn      = "arn:aws:events:${data.aws_region.current.name}:${var.tools_account_id}:event-bus/default"
  role_arn = "arn:aws:iam::${var.tools_account_id}:role/EventsStartPipeline"
}
