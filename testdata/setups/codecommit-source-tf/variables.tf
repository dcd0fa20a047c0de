variable "region" {
  type    = string
  default = "us-east-2"
}

variable "tools_account_id" {
  type        = string
  description = "The pipeline account (AccountA)"
}

variable "prod_account_id" {
  type        = string
  description = "The account that owns the CodeDeploy application (AccountB)"
}
