env                  = "dev"
db_instance_class    = "db.t3.medium"
db_allocated_storage = 20
