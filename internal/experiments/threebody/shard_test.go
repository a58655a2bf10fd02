package threebody_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/physid/physid/internal/experiments/threebody"
)

// TestCompareShardsMerge: the 16 runs of a comparison (8 rows × 2 seeds)
// split three ways (run k in shard k mod 3, CompareConfig.Only) merge to the
// whole comparison, every number the same but the timings: each run depends
// only on its seed.
func TestCompareShardsMerge(t *testing.T) {
	cfg := paperCompare(2)
	cfg.Budget = tinyBudget
	whole, err := threebody.CompareThreeBody(context.Background(), cfg)
	require.NoError(t, err)
	var parts []*threebody.Comparison
	for i := range 3 {
		c := cfg
		c.Only = func(k int) bool { return k%3 == i }
		part, err := threebody.CompareThreeBody(context.Background(), c)
		require.NoError(t, err)
		parts = append(parts, part)
	}
	assert.Equal(t, threebody.StatusSkipped, parts[1].Rows[0].Runs[0].Status, "run 0 is shard 0's")
	merged, err := threebody.MergeComparisons(parts[2], parts[0], parts[1])
	require.NoError(t, err)
	untimed := func(c *threebody.Comparison) {
		c.Seconds = 0
		for i := range c.Rows {
			c.Rows[i].Seconds = 0
			for k := range c.Rows[i].Runs {
				c.Rows[i].Runs[k].Seconds = 0
			}
		}
	}
	untimed(whole)
	untimed(merged)
	require.Len(t, merged.Rows, len(whole.Rows))
	for i := range whole.Rows {
		w, m := whole.Rows[i], merged.Rows[i]
		assert.Equal(t, w.Trained == nil, m.Trained == nil)
		assert.Equal(t, w.TrainedTheta, m.TrainedTheta)
		w.Trained, m.Trained = nil, nil
		// %v, not assert.Equal: a NaN (no validation MSE) equals itself in print only.
		assert.True(t, fmt.Sprintf("%+v", w) == fmt.Sprintf("%+v", m), "%s %s", w.Model, w.Method)
	}
	_, err = threebody.MergeComparisons(parts[0], parts[1])
	assert.ErrorContains(t, err, "threebody: merge: run 1 of lstm-aug is in no shard")
	_, err = threebody.MergeComparisons(parts[0], parts[1], parts[2], parts[1])
	assert.ErrorContains(t, err, "threebody: merge: run 2 of lstm is in two shards")
}
