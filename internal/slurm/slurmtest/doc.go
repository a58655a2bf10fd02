// Package slurmtest starts a real one-node Slurm cluster for a test, with
// internal/slurm/local-cluster.sh, and stops it when the test ends, passed
// or failed. Tests that use it are skipped unless PHYSID_SLURM=1.
package slurmtest
