# Production account (AccountB) and pipeline account (AccountA) of the CodePipeline
# cross-account walkthrough, each created through a provider that assumes a role there.
provider "aws" {
  alias  = "tools"
  region = var.region

  assume_role {
    role_arn = "arn:aws:iam::${var.tools_account_id}:role/terraform"
  }
}

provider "aws" {
  alias  = "prod"
  region = var.region

  assume_role {
    role_arn = "arn:aws:iam::${var.prod_account_id}:role/terraform"
  }
}

module "tools" {
  source          = "./tools"
  prod_account_id = var.prod_account_id

  providers = {
    aws = aws.tools
  }
}

module "prod" {
  source            = "./prod"
  tools_account_id  = var.tools_account_id
  artifact_bucket   = module.tools.artifact_bucket
  artifact_key_arn  = module.tools.artifact_key_arn
  pipeline_role_arn = module.tools.pipeline_role_arn

  providers = {
    aws = aws.prod
  }
}
