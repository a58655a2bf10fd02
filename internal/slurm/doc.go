// Package slurm writes and submits the batch scripts that run a sharded
// identify command on a Slurm cluster: an array job of N tasks, each running
// the command with --shard auto (so task I does shard I of N), and a merge
// job that depends on the array and combines the N partial results.
//
// The scripts need nothing on the cluster but the identify binary on a file
// system the nodes share; they run it by absolute path. Submit runs sbatch
// --parsable and returns the job ids; Jobs reads job states back with
// `scontrol -o show job`, which works without an accounting database.
//
// local-cluster.sh beside this file starts a real one-node cluster for the
// tests (see package slurmtest).
package slurm
