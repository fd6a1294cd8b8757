resource "aws_elasticache_cluster" "sessions" {
  cluster_id      = "sessions-${var.env}"
  engine          = "redis"
  node_type       = var.cache_node_type
  num_cache_nodes = 1
  port            = 6379

  tags = local.tags
}
