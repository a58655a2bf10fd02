// Package shard splits a run made of independent, numbered tasks (the starts
// of a multistart fit, the points of a profile, the runs of a comparison)
// across machines and puts the pieces back together.
//
// Task k belongs to shard k mod N, so every shard's share is fixed by (k, N)
// alone, and a task's seed (TaskSeed) depends only on the run's seed and k:
// the same task computes the same numbers on whichever machine runs it. Each
// shard writes its tasks' results as a Partial, DIR/shard-I-of-N.json
// (atomically), and Merge reads the N partials back, checks that they belong
// to one run (same command, scenario hash, settings and N; no shard missing
// or given twice) and returns them in shard order for the command's own
// combine step, which turns them into exactly what the single-machine run
// writes.
package shard
