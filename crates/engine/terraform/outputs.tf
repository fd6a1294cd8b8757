output "db_endpoint" {
  value = aws_db_instance.main.endpoint
}

output "assets_domain" {
  value = aws_cloudfront_distribution.assets.domain_name
}
