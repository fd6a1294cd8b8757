resource "aws_dynamodb_table" "coupons" {
  name         = "coupons-${var.env}"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "code"

  attribute {
    name = "code"
    type = "S"
  }

  point_in_time_recovery {
    enabled = var.coupons_pitr
  }

  tags = local.tags
}
