//! Kubernetes controllers of the simulated cluster, computed as Kubernetes computes them.

pub mod hpa;
