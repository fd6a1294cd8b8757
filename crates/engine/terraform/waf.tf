resource "aws_wafv2_web_acl" "edge" {
  name  = "opsdojo-edge-${var.env}"
  scope = "CLOUDFRONT"

  default_action {
    allow {}
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "opsdojo-edge-${var.env}"
    sampled_requests_enabled   = true
  }

  tags = local.tags
}
