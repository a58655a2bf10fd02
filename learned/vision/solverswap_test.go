package vision

import (
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/physid/physid/integrate"
)

// subsetHead returns the first n training and m test images of the shipped
// subset (it is stratified and shuffled, so every class appears).
func subsetHead(t *testing.T, n, m int) *Split {
	t.Helper()
	s, err := Subset()
	require.NoError(t, err)
	head := func(d *Dataset, k int) *Dataset {
		return &Dataset{Shape: d.Shape, Classes: d.Classes, Pixels: d.Pixels[:k*d.Shape.Size()], Labels: d.Labels[:k]}
	}
	return &Split{Name: "head", Train: head(s.Train, n), Test: head(s.Test, m)}
}

// TestNODESolverSwap trains a small NODE briefly with HeunEuler and tests it
// with other tableaux without retraining (paper Table 2): a NODE learned a
// flow, not a fixed stack of layers, so its accuracy must barely move.
func TestNODESolverSwap(t *testing.T) {
	n, epochs := 600, 2
	if os.Getenv("PHYSID_LONG") != "" {
		n, epochs = 6000, 4
	}
	data := subsetHead(t, n, 500)
	m, err := NewClassifier(Config{Model: "node", Width: 8})
	require.NoError(t, err)
	res, err := Train(context.Background(), m, data, TrainConfig{Epochs: epochs, Batch: 16, Seed: 2})
	require.NoError(t, err)
	require.Less(t, res.TestError, 0.8, "the NODE learned something (chance is 0.9)")
	mean, std := Standardize(data.Train)
	for _, tb := range []*integrate.Tableau{integrate.BogackiShampine, integrate.Fehlberg, integrate.Euler, integrate.RK2, integrate.RK4} {
		s := DefaultSettings()
		s.Method = tb
		require.NoError(t, m.SetSolver(nil, s, ""))
		e, err := TestError(m, res.Theta, data.Test, mean, std, 64)
		require.NoError(t, err)
		t.Logf("%s: test error %.3f (heuneuler %.3f)", tb.Name, e, res.TestError)
		// 500 test images: 0.04 is 20 images, a few points of accuracy.
		assert.InDelta(t, res.TestError, e, 0.04, tb.Name)
	}
	// For contrast, a ResNet-style change of depth: drop a block.
	d, err := m.WithoutBlock(0)
	require.NoError(t, err)
	e, err := TestError(d, res.Theta, data.Test, mean, std, 64)
	require.NoError(t, err)
	t.Logf("first block dropped: test error %.3f", e)
}
