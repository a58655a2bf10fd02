package main

import (
	"bytes"
	"context"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/physid/physid/identify"
	"github.com/physid/physid/internal/shard"
	"github.com/physid/physid/scenarios"
)

// A fit's tasks are its starts: start k is shard k mod N's. Each start is
// seeded by (seed, k) and its point is row k of the Latin hypercube of all
// the starts, which every shard computes from (seed, starts) alike, so a
// start's result does not depend on the shard that runs it. The merge picks
// the best start and recomputes its covariance from its parameters (a
// deterministic function of them), then writes through finishFit, the
// single-machine fit's own output stage.

var _ = registerCombiner("fit", combineFit)

// fitShardSettings are the flags that change a fit's result, as given; the
// scenario's bytes (its SHA-256) are the rest.
type fitShardSettings struct {
	Method    string `json:"method"`
	Optimizer string `json:"optimizer"`
	Epochs    int    `json:"epochs"` // 0: the scenario's
	Seed      int64  `json:"seed"`   // −1: the scenario's
	Starts    int    `json:"starts"` // 0: the scenario's
}

func (s fitShardSettings) flags(file string) fitFlags {
	return fitFlags{file: file, method: s.Method, optimizer: s.Optimizer, epochs: s.Epochs, epochsSet: s.Epochs != 0,
		seed: s.Seed, starts: s.Starts, startsSet: s.Starts != 0}
}

// exactPayload is a shard's result: a summary to read and the exact values
// (gob keeps NaN and ±Inf, which JSON cannot), from which the merge rebuilds
// what the single-machine run computes bit for bit.
type exactPayload struct {
	Seconds float64 `json:"seconds"` // the shard's compute time
	Summary any     `json:"summary"`
	Exact   []byte  `json:"exact"`
}

type startSummary struct {
	Start  int      `json:"start"`
	Loss   *float64 `json:"loss"`
	Status string   `json:"status"`
}

func encodeExact(seconds float64, summary, v any) (exactPayload, error) {
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(v); err != nil {
		return exactPayload{}, err
	}
	return exactPayload{Seconds: seconds, Summary: summary, Exact: b.Bytes()}, nil
}

// decodeExact reads the exact values of shard p into v.
func decodeExact(p *shard.Partial, v any) error {
	var pl exactPayload
	if err := json.Unmarshal(p.Payload, &pl); err != nil {
		return fmt.Errorf("%s: not a %s shard: %v", p.Spec().FileName(), p.Command, err)
	}
	if err := gob.NewDecoder(bytes.NewReader(pl.Exact)).Decode(v); err != nil {
		return fmt.Errorf("%s: not a %s shard: %v", p.Spec().FileName(), p.Command, err)
	}
	return nil
}

// decodeParts decodes every shard's exact record, in shard order.
func decodeParts[T any](m *shard.Merged) ([]T, error) {
	parts := make([]T, len(m.Parts))
	for i, p := range m.Parts {
		if err := decodeExact(p, &parts[i]); err != nil {
			return nil, usageError{err: err}
		}
	}
	return parts, nil
}

// fitShard runs shard o.shard of the fit's starts and writes its records.
func fitShard(o fitFlags, sc *scenarios.Scenario, p *identify.Problem, opts *identify.Options, opt identify.Optimizer, stdout, progressOut io.Writer) error {
	if o.resume != "" {
		return usagef("--shard %s: a shard cannot --resume; rerun the shard (or resume the whole fit without --shard)", o.shard)
	}
	set := fitShardSettings{Method: o.method, Optimizer: o.optimizer, Seed: o.seed}
	if o.epochsSet {
		set.Epochs = o.epochs
	}
	if o.startsSet {
		set.Starts = o.starts
	}
	r, err := newShardRun("fit", o.shard, o.file, set)
	if err != nil {
		return err
	}
	dir := o.out
	if dir == "" {
		dir = defaultOut(o.file)
	}
	if err := checkOutDir("--out", dir); err != nil { // before the computation
		return err
	}
	starts := max(opts.Starts, 1)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	bar := newProgress(progressOut, sc.ParamNames, opts.Epochs, starts)
	opts.Progress = bar.update
	opts.Only = r.owns
	res, err := identify.Fit(ctx, p, opts, opt)
	bar.done()
	switch {
	case errors.Is(err, identify.ErrInternal):
		return internalError{r.fail(dir, fmt.Errorf("%s: shard %s: %w", o.file, r.spec, err))}
	case err != nil:
		return fitError{r.fail(dir, fmt.Errorf("%s: shard %s: fit failed: %w", o.file, r.spec, err))}
	case res.Interrupted:
		return runtimeError{r.fail(dir, fmt.Errorf("%s: shard %s: interrupted before its starts finished", o.file, r.spec))}
	}
	summary := make([]startSummary, len(res.Starts))
	for i, s := range res.Starts {
		summary[i] = startSummary{Start: s.Start, Status: s.Status}
		if s.Params != nil {
			l := s.Loss
			summary[i].Loss = &l
		}
	}
	return r.finish(dir, starts, "starts", res.Seconds, summary, res, stdout)
}

// mergedSettings decodes into set the settings the shards of command ran
// with.
func mergedSettings(m *shard.Merged, command string, set any) error {
	if err := json.Unmarshal(m.Settings, set); err != nil {
		return usagef("merge: the %s shards' settings: %v", command, err)
	}
	return nil
}

// mergedScenarioSettings is mergedSettings for a command that ran a scenario
// file, which it then checks is unchanged.
func mergedScenarioSettings(m *shard.Merged, command string, set any) error {
	if err := mergedSettings(m, command, set); err != nil {
		return err
	}
	return loadMergedScenario(m)
}

// loadMergedScenario checks that the scenario the shards ran is unchanged.
func loadMergedScenario(m *shard.Merged) error {
	hash, err := shard.HashFile(m.Scenario)
	if err != nil {
		return usagef("merge: the shards ran the scenario %s: %v", m.Scenario, unwrapPath(err))
	}
	if hash != m.ScenarioSHA256 {
		return usagef("merge: %s has changed since the shards ran it (SHA-256 %.12s…, the shards' %.12s…)", m.Scenario, hash, m.ScenarioSHA256)
	}
	return nil
}

// combineFit merges the shards of a fit into what the fit writes on one
// machine: the same result.json, history.csv, trajectory, plots and report.
func combineFit(m *shard.Merged, out string, stdout io.Writer) error {
	var set fitShardSettings
	if err := mergedScenarioSettings(m, "fit", &set); err != nil {
		return err
	}
	o := set.flags(m.Scenario)
	sc, p, opts, opt, err := prepareFit(o)
	if err != nil {
		return err
	}
	parts, err := decodeParts[*identify.Result](m)
	if err != nil {
		return err
	}
	res, fitErr := identify.MergeFits(p, opts, parts...)
	if res == nil {
		return usagef("merge: %v", fitErr)
	}
	fs, err := openOutSet("--out", out, fitOutputFiles(sc)...)
	if err != nil {
		return err
	}
	defer fs.close()
	return finishFit(fs, out, o, sc, p, opt, res, fitErr, stdout, stdout)
}
