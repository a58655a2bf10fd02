package slurm_test

import (
	"fmt"

	"github.com/physid/physid/internal/slurm"
)

func ExampleJob_ArrayScript() {
	j := &slurm.Job{
		Name:    "identify-fit",
		Command: []string{"/shared/bin/identify", "fit", "three_body.toml", "--starts", "16", "--out", "runs/fit"},
		Merge:   []string{"/shared/bin/identify", "merge", "runs/fit", "--shards", "4"},
		Tasks:   4,
		Time:    "00:30:00",
	}
	fmt.Print(j.ArrayScript("/shared/runs/fit/slurm/logs"))
	// Output:
	// #!/bin/bash
	// # Written by `identify slurm`: 4 array tasks, task I running shard I of 4.
	// #SBATCH --array=0-3
	// #SBATCH --job-name=identify-fit
	// #SBATCH --output=/shared/runs/fit/slurm/logs/task-%a.out
	// #SBATCH --time=00:30:00
	// set -euo pipefail
	// echo "identify slurm: array job ${SLURM_ARRAY_JOB_ID:-?} task ${SLURM_ARRAY_TASK_ID:-?} of ${SLURM_ARRAY_TASK_COUNT:-?} on $(hostname)"
	// exec /shared/bin/identify fit three_body.toml --starts 16 --out runs/fit --shard auto
}

func ExampleParseJobID() {
	id, err := slurm.ParseJobID("4242;cluster\n")
	fmt.Println(id, err)
	// Output: 4242 <nil>
}
