variable "tools_account_id" {
  type        = string
  description = "The pipeline account (AccountA)"
}

variable "artifact_bucket" {
  type = string
}

variable "artifact_key_arn" {
  type        = string
  description = "The pipeline's artifact key in the pipeline account, by key ARN"
}

variable "pipeline_role_arn" {
  type = string
}
