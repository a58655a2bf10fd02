package identify_test

import (
	"context"
	"math"
	"sync/atomic"
	"testing"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/identify"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// panicky is Lotka–Volterra whose second clone panics in Func: one start of
// a fit (whichever gets it) meets a bug, the other does not.
type panicky struct {
	dynamics.LotkaVolterra
	clones *atomic.Int32
	bad    bool
}

func (p panicky) Clone() dynamics.Dynamics {
	return panicky{clones: p.clones, bad: p.clones.Add(1) == 2}
}

func (p panicky) Func(dst []float64, t float64, z, theta []float64) {
	if p.bad {
		panic("index out of range [3] with length 2")
	}
	p.LotkaVolterra.Func(dst, t, z, theta)
}

// TestFitRecoversAPanickingStart: a panic in a start's goroutine used to
// crash the process (errgroup does not recover). It is now that start's
// internal error; the other start's result is returned.
func TestFitRecoversAPanickingStart(t *testing.T) {
	p := lvProblem(t, 0, 0)
	p.Model = panicky{clones: new(atomic.Int32)}
	res, err := identify.Fit(context.Background(), p, &identify.Options{Epochs: 5, Starts: 2, Jitter: 0.05}, &identify.LM{})
	require.ErrorIs(t, err, identify.ErrInternal)
	require.NotNil(t, res)
	require.NotNil(t, res.Params, "the healthy start's result is kept")
	bad := 0
	for _, s := range res.Starts {
		if s.Message != "" && s.Status == "diverged" && s.Params == nil {
			bad++
			assert.Contains(t, s.Message, "internal error: index out of range")
		}
	}
	assert.Equal(t, 1, bad)
}

// TestFitRejectsAMismatchedResume: a saved state of the wrong length used to
// panic in the objective (index out of range).
func TestFitRejectsAMismatchedResume(t *testing.T) {
	p := lvProblem(t, 0, 0)
	resume := []identify.StartResult{{State: &identify.OptimizerState{U: []float64{1, 2}, M: []float64{0, 0}, V: []float64{0, 0}}}}
	_, err := identify.Fit(context.Background(), p, &identify.Options{Epochs: 5, Resume: resume}, &identify.Adam{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the problem has 4")
}

// TestAdamStopsAtANonFiniteState: dz/dt = kz from z0 = 1e100 has a finite
// loss but a gradient (~1e201) whose square overflows Adam's second moment;
// the fit used to carry on with a frozen state. It now stops as diverged at
// that epoch, keeping the best finite point.
func TestAdamStopsAtANonFiniteState(t *testing.T) {
	p := &identify.Problem{Model: dynamics.Exponential{}, Params: []identify.Parameter{{Name: "k", Init: 1}},
		Z0: []float64{1e100}, Times: []float64{1}, Values: []float64{0}}
	res, err := identify.Fit(context.Background(), p, &identify.Options{Epochs: 20}, &identify.Adam{})
	require.NoError(t, err, "a start that diverged after a finite loss keeps its best point")
	s := res.Starts[0]
	assert.Equal(t, "diverged", s.Status)
	assert.Contains(t, s.Message, "adam: the second-moment estimate overflowed at epoch 1 (gradient 1.")
	assert.Contains(t, s.Message, "keeping the best finite point")
	require.NotNil(t, s.Params)
	for _, v := range append(s.Params, s.Loss) {
		assert.False(t, math.IsInf(v, 0) || math.IsNaN(v))
	}
	for _, v := range s.State.V {
		assert.False(t, math.IsInf(v, 0), "the saved state is the last finite one")
	}
}

// TestResumeLMFromTheBestPoint: LM saves no state; a resume continues from
// the best point with the epochs and the work counting on.
func TestResumeLMFromTheBestPoint(t *testing.T) {
	p := lvProblem(t, 0, 0)
	first, err := identify.Fit(context.Background(), p, &identify.Options{Epochs: 2}, &identify.LM{Windows: 1})
	require.NoError(t, err)
	res, err := identify.Fit(context.Background(), p, &identify.Options{Epochs: 6, Resume: first.Starts}, &identify.LM{Windows: 1})
	require.NoError(t, err)
	s := res.Starts[0]
	assert.Greater(t, s.NFE, first.Starts[0].NFE)
	assert.LessOrEqual(t, s.Loss, first.Loss)
	require.Greater(t, len(s.History), 2)
	assert.Equal(t, first.Starts[0].History, s.History[:len(first.Starts[0].History)])
	assert.Equal(t, 3, s.History[len(first.Starts[0].History)].Epoch, "the epochs continue counting")
}
