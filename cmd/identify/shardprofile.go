package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/physid/physid/identify"
	"github.com/physid/physid/internal/shard"
)

// A profile's tasks are its sides: task 2j is the lower side of the j-th
// profiled parameter (in --params order, or the free parameters'), 2j+1 its
// upper side; task k is shard k mod N's. Every shard first fits the optimum
// of all parameters itself (the same deterministic fit), then walks its
// sides. The merge takes each side from the shard that walked it and writes
// through finishProfile, the single-machine profile's own output stage.

var _ = registerCombiner("profile", combineProfile)

// profileShardSettings are the flags that change a profile's result, as
// given; the scenario's bytes (its SHA-256) are the rest.
type profileShardSettings struct {
	Params    string `json:"params"`
	Points    int    `json:"points"`
	Optimizer string `json:"optimizer"`
	Epochs    int    `json:"epochs"`
}

// profileTasks is the number of sides of the profile: two per parameter.
func profileTasks(p *identify.Problem, idx []int) int {
	if idx != nil {
		return 2 * len(idx)
	}
	n := 0
	for _, q := range p.Params {
		if !q.Fixed {
			n++
		}
	}
	return 2 * n
}

type sideSummary struct {
	Task      int      `json:"task"`
	Parameter string   `json:"parameter"`
	Side      string   `json:"side"`
	Stop      string   `json:"stop"`
	Limit     *float64 `json:"limit"`
	Points    int      `json:"points"`
}

// profileShard walks shard o.shard of the profile's sides and writes them.
func profileShard(ctx context.Context, o profileFlags, dir string, p *identify.Problem, opts *identify.Options, opt identify.Optimizer, set identify.ProfileSettings, stdout io.Writer) error {
	r, err := newShardRun("profile", o.shard, o.file, profileShardSettings{Params: o.params, Points: o.points, Optimizer: o.optimizer, Epochs: o.epochs})
	if err != nil {
		return err
	}
	tasks := profileTasks(p, set.Params)
	set.Only = r.owns
	t0 := time.Now()
	res, err := identify.Profile(ctx, p, opts, opt, set)
	switch {
	case errors.Is(err, identify.ErrNotProfilable):
		return fitError{r.fail(dir, fmt.Errorf("%s: shard %s: %w", o.file, r.spec, err))}
	case err != nil:
		return runtimeError{r.fail(dir, fmt.Errorf("%s: shard %s: %w", o.file, r.spec, err))}
	case res.Interrupted:
		return runtimeError{r.fail(dir, fmt.Errorf("%s: shard %s: interrupted before its sides finished", o.file, r.spec))}
	}
	var summary []sideSummary
	for j, pp := range res.Profiles {
		for d, s := range []identify.ProfileSide{pp.Lower, pp.Upper} {
			if !r.owns(2*j + d) {
				continue
			}
			ss := sideSummary{Task: 2*j + d, Parameter: pp.Name, Side: [2]string{"lower", "upper"}[d], Stop: s.Stop, Points: len(s.Points)}
			if s.Found() {
				ss.Limit = finite(s.Limit)
			}
			summary = append(summary, ss)
		}
	}
	return r.finish(dir, tasks, "sides", time.Since(t0).Seconds(), summary, res, stdout)
}

// combineProfile merges the shards of a profile into what the profile writes
// on one machine: the same profile.json, plots and report.
func combineProfile(m *shard.Merged, out string, stdout io.Writer) error {
	var set profileShardSettings
	if err := mergedScenarioSettings(m, "profile", &set); err != nil {
		return err
	}
	o := profileFlags{file: m.Scenario, params: set.Params, points: set.Points, optimizer: set.Optimizer, epochs: set.Epochs}
	sc, _, _, _, _, err := prepareProfile(o)
	if err != nil {
		return err
	}
	parts, err := decodeParts[*identify.ProfileResult](m)
	if err != nil {
		return err
	}
	res, err := identify.MergeProfiles(parts...)
	if err != nil {
		return usagef("merge: %v", err)
	}
	return finishProfile(out, false, sc, res, stdout, stdout)
}
