variable "env" {
  type        = string
  description = "The environment: dev, staging or prod."

  validation {
    condition     = contains(["dev", "staging", "prod"], var.env)
    error_message = "The environment must be dev, staging or prod."
  }
}

variable "region" {
  type    = string
  default = "eu-west-3"
}

variable "db_instance_class" {
  type        = string
  description = "The RDS instance class of the shared MySQL database."

  validation {
    condition     = startswith(var.db_instance_class, "db.")
    error_message = "The instance class must be an RDS class, such as db.t3.medium or db.r5.2xlarge."
  }
}

variable "db_allocated_storage" {
  type    = number
  default = 20
}

variable "db_multi_az" {
  type    = bool
  default = false
}

variable "db_backup_retention_days" {
  type    = number
  default = 1
}

variable "db_password" {
  type      = string
  sensitive = true
  default   = "change-me-in-a-secret-store"
}

variable "cache_node_type" {
  type    = string
  default = "cache.t3.micro"
}

variable "coupons_pitr" {
  type    = bool
  default = false
}
