locals {
  tags = {
    Environment = var.env
    Project     = "opsdojo"
  }
}

resource "aws_iam_user" "external_signin" {
  name = "external-signin-${var.env}"
  tags = local.tags
}

# The partner's API key that external-signin uses.
resource "aws_iam_access_key" "external_signin" {
  user = aws_iam_user.external_signin.name
}
