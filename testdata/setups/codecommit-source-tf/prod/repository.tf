# The pipeline's source repository, in the production account (AccountB).
resource "aws_codecommit_repository" "source" {
  repository_name = "MyDemoRepo"
}
