package main

import (
	"context"
	"io"
	"slices"
	"time"

	"github.com/physid/physid/internal/experiments/images"
	"github.com/physid/physid/internal/shard"
	"github.com/physid/physid/learned/vision"
)

// images icc's tasks are its trained models: run r of the ResNet is task r,
// of the NODE runs + r, seeded seed + r either way. A shard trains its runs
// and records their test-set probabilities; the merge computes the
// reliabilities from all of them (images.ICCFromRuns, as the single-machine
// run does) and writes through finishICC.

var _ = registerCombiner("images icc", combineICC)

// iccShardSettings are the flags that change images icc's result; the data
// folder or set named identifies the input (there is no scenario file).
type iccShardSettings struct {
	Method     string  `json:"method"`
	Solver     string  `json:"solver"`
	TestSolver string  `json:"test_solver"`
	TestStep   float64 `json:"test_step"`
	Data       string  `json:"data"`
	Dataset    string  `json:"dataset"`
	Precision  string  `json:"precision"`
	Epochs     int     `json:"epochs"`
	Width      int     `json:"width"`
	Blocks     int     `json:"blocks"`
	Seed       uint64  `json:"seed"`
	Runs       int     `json:"runs"`
}

func (s iccShardSettings) options() imagesOptions {
	o := defaultImagesOptions()
	o.method, o.solver, o.testSolver, o.testStep = s.Method, s.Solver, s.TestSolver, s.TestStep
	o.data, o.dataset, o.precision = s.Data, s.Dataset, s.Precision
	o.epochs, o.width, o.blocks, o.seed = s.Epochs, s.Width, s.Blocks, s.Seed
	o.quiet = true
	return o
}

// iccShard trains shard o.shard of images icc's runs and writes them.
func iccShard(ctx context.Context, o imagesOptions, runs int, dir string, split *vision.Split, cfg images.ICCConfig, stdout io.Writer) error {
	set := iccShardSettings{o.method, o.solver, o.testSolver, o.testStep, o.data, o.dataset, o.precision, o.epochs, o.width, o.blocks, o.seed, runs}
	r, err := newShardRun("images icc", o.shard, "", set)
	if err != nil {
		return err
	}
	tasks := 2 * runs
	cfg.Only = r.owns
	t0 := time.Now()
	res, err := images.ICCRuns(ctx, split, cfg)
	if err != nil {
		return r.fail(dir, experimentError(err))
	}
	type runSummary struct {
		Task  int    `json:"task"`
		Model string `json:"model"`
		Seed  uint64 `json:"seed"`
	}
	var summary []runSummary
	for _, run := range res {
		summary = append(summary, runSummary{run.Task, run.Model, run.Seed})
	}
	return r.finish(dir, tasks, "runs", time.Since(t0).Seconds(), summary, res, stdout)
}

// combineICC merges the shards of images icc into what it writes on one
// machine: icc.json.
func combineICC(m *shard.Merged, out string, stdout io.Writer) error {
	var set iccShardSettings
	if err := mergedSettings(m, "images icc", &set); err != nil {
		return err
	}
	o := set.options()
	split, err := loadImageSplit(o)
	if err != nil {
		return err
	}
	parts, err := decodeParts[[]images.ICCRun](m)
	if err != nil {
		return err
	}
	runs := slices.Concat(parts...)
	cfg := iccConfig(o, set.Runs, split, io.Discard)
	models, err := images.ICCFromRuns(split, cfg, runs)
	if err != nil {
		return usagef("merge: %v", err)
	}
	return finishICC(out, o, set.Runs, split.Name, models, stdout)
}
