env                  = "staging"
db_instance_class    = "db.t3.large"
db_allocated_storage = 50
