# The production account's instance, without the application and deployment group: those were
# created in the staging account (../staging), where the pipeline's CrossAccount_Role does not
# look for them.
resource "aws_instance" "web" {
  ami                  = "ami-0123456789abcdef0"
  instance_type        = "t3.micro"
  iam_instance_profile = aws_iam_instance_profile.instance.name

  tags = {
    Name = "AccountBWebServer"
  }
}
