resource "aws_db_instance" "main" {
  identifier              = "opsdojo-${var.env}"
  engine                  = "mysql"
  engine_version          = "8.0"
  instance_class          = var.db_instance_class
  allocated_storage       = var.db_allocated_storage
  storage_encrypted       = true
  multi_az                = var.db_multi_az
  backup_retention_period = var.db_backup_retention_days
  username                = "opsdojo"
  password                = var.db_password
  skip_final_snapshot     = var.env != "prod"

  tags = local.tags

  lifecycle {
    prevent_destroy = true
  }
}
