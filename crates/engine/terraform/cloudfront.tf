resource "aws_s3_bucket" "assets" {
  bucket = "opsdojo-assets-${var.env}"
  tags   = local.tags
}

resource "aws_cloudfront_distribution" "assets" {
  enabled    = true
  comment    = "Static assets for ${var.env}"
  web_acl_id = aws_wafv2_web_acl.edge.arn

  origin {
    domain_name = aws_s3_bucket.assets.bucket_regional_domain_name
    origin_id   = "assets"
  }

  default_cache_behavior {
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    target_origin_id       = "assets"
    viewer_protocol_policy = "redirect-to-https"
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = true
  }

  tags = local.tags
}
