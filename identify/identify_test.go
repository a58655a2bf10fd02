package identify_test

import (
	"context"
	"math"
	"testing"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/identify"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lvProblem observes Lotka–Volterra (true θ = 1.1, 0.4, 0.1, 0.4) at 30 times.
func lvProblem(t testing.TB, noise float64, seed uint64) *identify.Problem {
	m := dynamics.LotkaVolterra{}
	truth := []float64{1.1, 0.4, 0.1, 0.4}
	z0 := []float64{10, 5}
	times := identify.Linspace(0.5, 15, 30)
	states, err := identify.Simulate(m, truth, 0, z0, times, &aca.Settings{RTol: 1e-11, ATol: 1e-11})
	require.NoError(t, err)
	identify.AddNoise(states, noise, seed)
	names := m.ParamNames()
	params := make([]identify.Parameter, 4)
	for i := range params {
		params[i] = identify.Parameter{Name: names[i], Init: truth[i] * 1.15}
	}
	return &identify.Problem{Model: m, Params: params, Z0: z0, Times: times, Values: states,
		Solver: aca.Settings{RTol: 1e-9, ATol: 1e-9}}
}

var lvTruth = []float64{1.1, 0.4, 0.1, 0.4}

// TestOptimizersRecoverParameters: from noise-free data L-BFGS and LM recover θ
// to 1e-6 relative (the solver tolerance 1e-9 limits how exact the data fit
// can be); Adam, a first-order method on this stiff-ish valley, gets to 1e-2 in its budget.
func TestOptimizersRecoverParameters(t *testing.T) {
	for _, tc := range []struct {
		opt    identify.Optimizer
		epochs int
		tol    float64
	}{{&identify.LBFGS{}, 200, 1e-6}, {&identify.LM{}, 50, 1e-6}, {&identify.Adam{LR: 0.01, LRDecay: 0.999}, 1500, 1e-2}} {
		t.Run(tc.opt.Name(), func(t *testing.T) {
			p := lvProblem(t, 0, 0)
			opts := &identify.Options{Epochs: tc.epochs, Jitter: -1}
			res, err := identify.Fit(context.Background(), p, opts, tc.opt)
			require.NoError(t, err)
			for i, want := range lvTruth {
				assert.InDelta(t, want, res.Params[i], tc.tol*want, "%s %s", tc.opt.Name(), p.Params[i].Name)
			}
			t.Logf("%s: loss %.3g after %d epochs, %d gradient evaluations, %d nfe", tc.opt.Name(), res.Loss, res.Epochs, res.Starts[0].Evals, res.NFE)
		})
	}
}

// TestStandardErrorsCover: with noise σ = 0.05 the estimates fall within 3
// standard errors of the truth in at least 9 of 10 seeds (a 3σ interval covers
// 99.7% when the Gauss–Newton approximation holds).
func TestStandardErrorsCover(t *testing.T) {
	covered := 0
	for seed := uint64(1); seed <= 10; seed++ {
		p := lvProblem(t, 0.05, seed)
		res, err := identify.Fit(context.Background(), p, &identify.Options{Jitter: -1}, &identify.LM{})
		require.NoError(t, err)
		require.NotNil(t, res.StdErr)
		ok := true
		for i, want := range lvTruth {
			if math.Abs(res.Params[i]-want) > 3*res.StdErr[i] {
				ok = false
			}
		}
		if ok {
			covered++
		}
	}
	assert.GreaterOrEqual(t, covered, 9)
}

// TestMultiStartDeterministic: the same seed gives identical results whether
// the starts run on one goroutine or four.
func TestMultiStartDeterministic(t *testing.T) {
	run := func(workers int) *identify.Result {
		p := lvProblem(t, 0.01, 3)
		res, err := identify.Fit(context.Background(), p, &identify.Options{Epochs: 30, Starts: 4, Seed: 7, Workers: workers}, &identify.Adam{LR: 0.01})
		require.NoError(t, err)
		return res
	}
	a, b := run(1), run(4)
	assert.Equal(t, a.Params, b.Params)
	assert.Equal(t, a.Best, b.Best)
	for i := range a.Starts {
		assert.Equal(t, a.Starts[i].History, b.Starts[i].History)
	}
	assert.NotEqual(t, a.Starts[0].Init, a.Starts[1].Init, "starts are jittered differently")
}

// TestBoundsAreRespected: a bound below the truth holds the estimate inside it.
func TestBoundsAreRespected(t *testing.T) {
	p := lvProblem(t, 0, 0)
	p.Params[0].Min, p.Params[0].Max = 1.2, 2.0
	p.Params[0].Init = 1.5
	res, err := identify.Fit(context.Background(), p, &identify.Options{Epochs: 100, Jitter: -1}, &identify.LBFGS{})
	require.NoError(t, err)
	assert.Greater(t, res.Params[0], 1.2)
	assert.Less(t, res.Params[0], 1.21, "the optimum sits at the bound")
}

// TestInterruptKeepsBestAndResumes: a cancelled context stops the fit with the
// best parameters so far; resuming from the saved state reproduces the
// uninterrupted run exactly.
func TestInterruptKeepsBestAndResumes(t *testing.T) {
	opts := func() *identify.Options {
		return &identify.Options{Epochs: 40, Seed: 2}
	}
	adam := &identify.Adam{LR: 0.01}
	full, err := identify.Fit(context.Background(), lvProblem(t, 0, 0), opts(), adam)
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	o := opts()
	o.Progress = func(ev identify.Progress) {
		if ev.Epoch == 15 {
			cancel()
		}
	}
	part, err := identify.Fit(ctx, lvProblem(t, 0, 0), o, adam)
	require.NoError(t, err)
	assert.True(t, part.Interrupted)
	assert.Equal(t, 15, part.Starts[0].Epochs)
	assert.NotNil(t, part.Params)

	o = opts()
	o.Resume = part.Starts
	resumed, err := identify.Fit(context.Background(), lvProblem(t, 0, 0), o, adam)
	require.NoError(t, err)
	assert.Equal(t, full.Params, resumed.Params)
	assert.Equal(t, full.Starts[0].History, resumed.Starts[0].History)
}

func TestDivergedFitKeepsBest(t *testing.T) {
	p := lvProblem(t, 0, 0)
	p.Solver.MaxSteps = 2000
	// A huge learning rate throws the parameters where the solve fails.
	res, err := identify.Fit(context.Background(), p, &identify.Options{Epochs: 20, Jitter: -1}, &identify.Adam{LR: 50})
	require.NoError(t, err)
	assert.Equal(t, "diverged", res.Starts[0].Status)
	assert.Contains(t, res.Starts[0].Message, "epoch")
	assert.NotNil(t, res.Params)
}

func TestExtrapolate(t *testing.T) {
	p := lvProblem(t, 0, 0)
	ex, err := identify.Extrapolate(p, lvTruth, 30, 100, lvTruth, &aca.Settings{RTol: 1e-11, ATol: 1e-11})
	require.NoError(t, err)
	assert.Less(t, ex.MSE, 1e-12, "the truth extrapolates itself up to the solver tolerance")
	off := append([]float64(nil), lvTruth...)
	off[0] *= 1.01
	ex2, err := identify.Extrapolate(p, off, 30, 100, lvTruth, &aca.Settings{RTol: 1e-11, ATol: 1e-11})
	require.NoError(t, err)
	assert.Greater(t, ex2.MSE, 1e-4)
}
