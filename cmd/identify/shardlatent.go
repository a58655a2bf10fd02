package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	explatent "github.com/physid/physid/internal/experiments/latent"
	"github.com/physid/physid/internal/shard"
	"github.com/physid/physid/learned/latent"
)

// latent compare's tasks are its trained models, numbered row by row (rnn,
// gru, latent ODE with adjoint, naive, aca), then by fraction, then by seed.
// A shard trains its runs and records their results (and the trained θ of
// the examples plotted); the merge assembles the table from all of them
// (explatent.CompareFromRuns, as the single-machine run does, rebuilding
// the examples with latent.Refit) and writes through finishLatentCompare.

var _ = registerCombiner("latent compare", combineLatent)

// latentShardSettings are the flags that change latent compare's result;
// the data folder is identified by the shard's scenario field.
type latentShardSettings struct {
	Epochs    int    `json:"epochs"`
	Sequences int    `json:"sequences"`
	Fractions string `json:"fractions"`
	Seeds     int    `json:"seeds"`
}

func (s latentShardSettings) config() (explatent.CompareConfig, error) {
	fs, err := parseFractions(s.Fractions)
	if err != nil {
		return explatent.CompareConfig{}, err
	}
	cfg := explatent.CompareConfig{Base: latent.TrainConfig{Epochs: s.Epochs, Sequences: s.Sequences}, Observed: fs, Seeds: s.Seeds}
	if cfg.Seeds < 1 || cfg.Base.Epochs < 0 || cfg.Base.Sequences < 0 {
		return cfg, usagef("--seeds %d, --epochs %d, --sequences %d: want ≥ 1, ≥ 0, ≥ 0", cfg.Seeds, cfg.Base.Epochs, cfg.Base.Sequences)
	}
	return cfg, nil
}

// latentTasks is the number of runs: 5 rows × fractions × seeds.
func latentTasks(cfg explatent.CompareConfig) int { return 5 * len(cfg.Observed) * cfg.Seeds }

func latentCompareShard(data string, set latentShardSettings, out, shardValue string, stdout, stderr io.Writer) error {
	cfg, err := set.config()
	if err != nil {
		return err
	}
	if out == "" {
		return usagef("--shard: give --out DIR for the shard's result")
	}
	d, err := loadLatentData(data)
	if err != nil {
		return err
	}
	r, err := newShardRun("latent compare", shardValue, "", struct {
		Data string `json:"data"`
		latentShardSettings
	}{data, set})
	if err != nil {
		return err
	}
	if err := checkOutDir("--out", out); err != nil {
		return err
	}
	cfg.Only = r.owns
	t0 := time.Now()
	runs, err := explatent.CompareRuns(d, cfg, func(res latent.Result) {
		fmt.Fprintf(stderr, "%-10s %-8s %3.0f%%  test MSE %.4g  (%.2f s per epoch)\n", res.Model, res.Method, 100*res.Observed, res.TestMSE, res.EpochSeconds)
	})
	switch {
	case errors.Is(err, latent.ErrConfig) || errors.Is(err, latent.ErrData):
		return usageError{err: r.fail(out, err)}
	case err != nil:
		return runtimeError{r.fail(out, err)}
	}
	type runSummary struct {
		Task     int     `json:"task"`
		Model    string  `json:"model"`
		Method   string  `json:"method"`
		Observed float64 `json:"observed"`
		TestMSE  float64 `json:"test_mse"`
	}
	var summary []runSummary
	for _, run := range runs {
		summary = append(summary, runSummary{run.Task, run.Result.Model, run.Result.Method, run.Result.Observed, run.Result.TestMSE})
	}
	tasks := latentTasks(cfg)
	return r.finish(out, tasks, "runs", time.Since(t0).Seconds(), summary, runs, stdout)
}

// combineLatent merges the shards of latent compare into what it writes on
// one machine with --out: result.json and reconstructions.png.
func combineLatent(m *shard.Merged, out string, stdout io.Writer) error {
	var set struct {
		Data string `json:"data"`
		latentShardSettings
	}
	if err := mergedSettings(m, "latent compare", &set); err != nil {
		return err
	}
	cfg, err := set.config()
	if err != nil {
		return err
	}
	d, err := loadLatentData(set.Data)
	if err != nil {
		return err
	}
	parts, err := decodeParts[[]explatent.CompareRun](m)
	if err != nil {
		return err
	}
	runs := slices.Concat(parts...)
	cmp, err := explatent.CompareFromRuns(d, cfg, runs)
	if err != nil {
		return usagef("merge: %v", err)
	}
	return finishLatentCompare(cmp, out, false, stdout)
}
