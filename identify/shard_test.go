package identify_test

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/physid/physid/identify"
)

// TestFitShardsMergeToTheWholeFit: a fit of 9 starts split three ways
// (start k in shard k mod 3, Options.Only) merges to the whole fit exactly:
// each start is seeded by (seed, k) and its point is row k of the design of
// all 9, whichever shard runs it, so every number is the same bit for bit.
func TestFitShardsMergeToTheWholeFit(t *testing.T) {
	p := lvProblem(t, 0.05, 1)
	for i := range p.Params {
		p.Params[i].Min, p.Params[i].Max = 0.02, 3
	}
	base := identify.Options{Starts: 9, Seed: 5, Epochs: 15}
	whole, err := identify.Fit(context.Background(), p, &base, &identify.LM{})
	require.NoError(t, err)
	var parts []*identify.Result
	for i := range 3 {
		o := base
		o.Only = func(k int) bool { return k%3 == i }
		part, err := identify.Fit(context.Background(), p, &o, &identify.LM{})
		require.NoError(t, err)
		assert.Equal(t, -1, part.Best, "a shard chooses no best start")
		assert.Nil(t, part.Covariance)
		require.Len(t, part.Starts, 3)
		for j, s := range part.Starts {
			assert.Equal(t, i+3*j, s.Start)
		}
		parts = append(parts, part)
	}
	merged, err := identify.MergeFits(p, &base, parts[2], parts[0], parts[1])
	require.NoError(t, err)
	whole.Seconds, merged.Seconds = 0, 0
	assert.Equal(t, whole, merged)

	_, err = identify.MergeFits(p, &base, parts[0], parts[1])
	assert.EqualError(t, err, "identify: merge: start 2 is missing")
	_, err = identify.MergeFits(p, &base, parts[0], parts[1], parts[2], parts[1])
	assert.EqualError(t, err, "identify: merge: start 1 is given twice")
}

// TestProfileShardsMergeToTheWholeProfile: the four sides of a two-parameter
// profile split three ways (side k in shard k mod 3) merge to the whole
// profile: every shard fits the same optimum, and each side is the same walk.
func TestProfileShardsMergeToTheWholeProfile(t *testing.T) {
	p := decayProblem(t, 4)
	opts := &identify.Options{Jitter: -1}
	whole, err := identify.Profile(context.Background(), p, opts, &identify.LM{}, identify.ProfileSettings{Points: 8})
	require.NoError(t, err)
	var parts []*identify.ProfileResult
	for i := range 3 {
		part, err := identify.Profile(context.Background(), p, opts, &identify.LM{}, identify.ProfileSettings{Points: 8, Only: func(k int) bool { return k%3 == i }})
		require.NoError(t, err)
		parts = append(parts, part)
	}
	assert.Equal(t, identify.StopSkipped, parts[1].Profiles[0].Lower.Stop, "side 0 is shard 0's")
	assert.True(t, math.IsNaN(parts[1].Profiles[0].Lower.Limit))
	merged, err := identify.MergeProfiles(parts...)
	require.NoError(t, err)
	whole.Optimum.Seconds, merged.Optimum.Seconds = 0, 0
	assert.Equal(t, whole, merged)

	_, err = identify.MergeProfiles(parts[0], parts[1])
	assert.EqualError(t, err, "identify: merge: no shard walked the lower side of c")
	_, err = identify.MergeProfiles(parts[0], parts[1], parts[2], parts[0])
	assert.EqualError(t, err, "identify: merge: the lower side of k is walked by two shards")
}
