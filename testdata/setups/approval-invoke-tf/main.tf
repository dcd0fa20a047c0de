# The pipeline account (tools). Its one provider allows only that account, so every resource here
# is in it.
provider "aws" {
  region              = "us-east-2"
  allowed_account_ids = ["111111111111"]
}

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
