package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/physid/physid/internal/experiments/threebody"
	"github.com/physid/physid/internal/shard"
	"github.com/physid/physid/learned"
)

// A comparison's tasks are its runs: run seed s of row i (the rows in
// compare.json's order: each model, node and ode once per gradient method)
// is task i·runs + s − 1, shard (i·runs + s − 1) mod N's. A run depends on
// its seed alone. The merge takes each run from the shard that trained it,
// a row's trajectory and trained network from the shard of its first run,
// and writes through writeCompare, the single-machine output stage.

var _ = registerCombiner("compare", combineCompare)

// compareShardSettings are the flags that change a comparison's result.
type compareShardSettings struct {
	Runs    int    `json:"runs"`
	Models  string `json:"models"`
	Methods string `json:"methods"`
	Budget  string `json:"budget"`
}

// comparePartial is a shard's comparison without its trained networks
// (interfaces, which gob cannot carry), and those as learned.Save wrote
// them, by row.
type comparePartial struct {
	Comparison *threebody.Comparison
	Trained    map[int][]byte
}

type runSummary struct {
	Task    int      `json:"task"`
	Row     string   `json:"row"`
	Seed    uint64   `json:"seed"`
	TestMSE *float64 `json:"test_mse"`
	Status  string   `json:"status"`
}

// compareShard trains shard o.shard of the comparison's runs and writes them.
func compareShard(ctx context.Context, o compareFlags, dir string, cfg threebody.CompareConfig, stdout io.Writer) error {
	r, err := newShardRun("compare", o.shard, o.file, compareShardSettings{o.runs, o.models, o.methods, o.budget})
	if err != nil {
		return err
	}
	tasks := o.runs * compareRows(cfg.Models, cfg.Methods)
	cfg.Only = r.owns
	t0 := time.Now()
	cmp, err := threebody.CompareThreeBody(ctx, cfg)
	switch {
	case errors.Is(err, threebody.ErrCompare):
		return usageError{err: r.fail(dir, fmt.Errorf("%s: shard %s: %w", o.file, r.spec, err))}
	case err != nil:
		return runtimeError{r.fail(dir, fmt.Errorf("%s: shard %s: %w", o.file, r.spec, err))}
	case cmp.Interrupted:
		return runtimeError{r.fail(dir, fmt.Errorf("%s: shard %s: interrupted before its runs finished", o.file, r.spec))}
	}
	part := comparePartial{Comparison: cmp, Trained: map[int][]byte{}}
	var summary []runSummary
	for i := range cmp.Rows {
		row := &cmp.Rows[i]
		if row.Trained != nil {
			var b bytes.Buffer
			if err := learned.Save(&b, row.Trained, row.TrainedTheta); err != nil {
				return runtimeError{r.fail(dir, fmt.Errorf("%s: shard %s: saving the trained %s: %w", o.file, r.spec, row.Model, err))}
			}
			part.Trained[i] = b.Bytes()
			row.Trained = nil
		}
		for k, run := range row.Runs {
			if run.Status != threebody.StatusSkipped {
				summary = append(summary, runSummary{Task: i*cmp.Runs + k, Row: compareRowName(row), Seed: run.Seed, TestMSE: finite(run.TestMSE), Status: run.Status})
			}
		}
	}
	return r.finish(dir, tasks, "runs", time.Since(t0).Seconds(), summary, part, stdout)
}

func compareRowName(r *threebody.ModelResult) string {
	if r.Method == "" {
		return r.Model
	}
	return r.Model + " (" + r.Method + ")"
}

// combineCompare merges the shards of a comparison into what compare writes
// on one machine: compare.json, compare.png and the trained models.
func combineCompare(m *shard.Merged, out string, stdout io.Writer) error {
	var set compareShardSettings
	if err := mergedScenarioSettings(m, "compare", &set); err != nil {
		return err
	}
	o := compareFlags{file: m.Scenario, runs: set.Runs, models: set.Models, methods: set.Methods, budget: set.Budget}
	sc, _, err := compareConfig(o)
	if err != nil {
		return err
	}
	parts := make([]*threebody.Comparison, len(m.Parts))
	for i, p := range m.Parts {
		var part comparePartial
		if err := decodeExact(p, &part); err != nil {
			return usageError{err: err}
		}
		for row, b := range part.Trained {
			if row < 0 || row >= len(part.Comparison.Rows) {
				return usagef("merge: %s: a trained network for row %d of %d", p.Spec().FileName(), row, len(part.Comparison.Rows))
			}
			model, theta, err := learned.Load(bytes.NewReader(b), learned.DecodeFeatures)
			if err != nil {
				return usagef("merge: %s: %v", p.Spec().FileName(), err)
			}
			part.Comparison.Rows[row].Trained, part.Comparison.Rows[row].TrainedTheta = model, theta
		}
		parts[i] = part.Comparison
	}
	cmp, err := threebody.MergeComparisons(parts...)
	if err != nil {
		return usagef("merge: %v", err)
	}
	return writeCompare(o, sc, out, cmp, stdout)
}
