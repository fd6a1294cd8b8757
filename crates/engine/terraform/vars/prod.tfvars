env                      = "prod"
db_instance_class        = "db.r5.2xlarge"
db_allocated_storage     = 200
db_multi_az              = true
db_backup_retention_days = 7
cache_node_type          = "cache.m5.large"
coupons_pitr             = true
