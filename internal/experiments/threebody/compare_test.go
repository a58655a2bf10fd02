package threebody_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"testing"
	"time"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/identify"
	"github.com/physid/physid/internal/experiments/threebody"
	"github.com/physid/physid/learned"
	"github.com/physid/physid/nbody"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// paperCompare is the paper's three-body comparison input.
func paperCompare(runs int) threebody.CompareConfig {
	p, masses := threebody.PaperProblem(1000, 0, 0)
	return threebody.CompareConfig{Problem: p, TrueParams: masses, Truth: threebody.TruthSettings(), Runs: runs}
}

// logTable writes the comparison beside the paper's Table 5.
func logTable(t *testing.T, c *threebody.Comparison) {
	t.Helper()
	for _, r := range c.Rows {
		paper := ""
		for _, q := range c.Paper {
			if q.Model == r.Model && q.Method == r.Method {
				paper = fmt.Sprintf("(paper %.2g ± %.2g)", q.Mean, q.Std)
			}
		}
		t.Logf("%-8s %-7s test MSE %.3g ± %.2g %-22s future MSE %.3g %6.1fs %6d params  %s",
			r.Model, r.Method, r.TestMSEMean, r.TestMSEStd, paper, r.FutureMSEMean, r.Seconds, r.Parameters, r.Status)
		for _, run := range r.Runs {
			t.Logf("    seed %d: test MSE %.3g, future MSE %.3g, train loss %.3g, val MSE %.3g, %d epochs, %.1fs, %s %s",
				run.Seed, run.TestMSE, run.FutureMSE, run.TrainLoss, run.ValMSE, run.Epochs, run.Seconds, run.Status, run.Message)
		}
	}
	t.Logf("persistence: test MSE %.3g, future MSE %.3g", c.PersistenceMSE, c.PersistenceFutureMSE)
	t.Logf("%d runs in %.1fs", c.Runs, c.Seconds)
}

// tinyBudget trains every model for a few epochs: enough to exercise every
// code path, not to learn.
var tinyBudget = threebody.Budget{LSTMEpochs: 30, NODEEpochs: 8, ODEEpochs: 10}

// TestCompareReduced is the -short comparison: lstm and ode (all three
// gradient methods) on a reduced budget. The physics fit must beat the learned.LSTM
// by orders of magnitude (it reaches ~1e-8 against ~0.1).
func TestCompareReduced(t *testing.T) {
	cfg := paperCompare(1)
	cfg.Models = []string{threebody.ModelLSTM, threebody.ModelODE}
	cfg.Budget = threebody.ReducedBudget()
	c, err := threebody.CompareThreeBody(context.Background(), cfg)
	require.NoError(t, err)
	logTable(t, c)
	lstm := c.Row(threebody.ModelLSTM, "")
	require.NotNil(t, lstm)
	require.Len(t, c.Rows, 4)
	for _, m := range threebody.CompareMethods {
		ode := c.Row(threebody.ModelODE, m)
		require.NotNil(t, ode, m)
		assert.Equal(t, threebody.StatusOK, ode.Status)
		assert.Less(t, ode.TestMSEMean, lstm.TestMSEMean, m)
		assert.Equal(t, 3, ode.Parameters)
		assert.Len(t, ode.Trajectory, len(c.Times)*3)
	}
	// ODE-ACA reaches a test MSE of 6.4e-9 here (seed 1, measured on amd64;
	// the README's Table 5 row). The bound is 100× that: room for a different
	// platform's rounding (FMA, BLAS) amplified along the chaotic orbit, while
	// a physics fit that converges 100× worse than it does now fails. (The
	// paper's 7e-4, 1e5× the measured value, would pass almost any fit.)
	const odeACAMeasured = 6.4e-9
	assert.LessOrEqual(t, c.Row(threebody.ModelODE, "aca").TestMSEMean, 100*odeACAMeasured, "ODE-ACA test MSE")
	assert.Len(t, c.Truth, len(c.Times)*3)
	assert.Equal(t, []string{"x1", "y1", "z1"}, c.PlotNames)
	assert.Equal(t, 1.0, c.TrainEnd)
	assert.Len(t, c.Paper, 8)
	t.Logf("persistence (the observations, then the last one): test MSE %.3g, future MSE %.3g", c.PersistenceMSE, c.PersistenceFutureMSE)
	assert.InDelta(t, 0.0265, c.PersistenceMSE, 1e-3)

	b, err := json.Marshal(c)
	require.NoError(t, err)
	var doc struct {
		Models []map[string]any `json:"models"`
		Paper  []map[string]any `json:"paper"`
	}
	require.NoError(t, json.Unmarshal(b, &doc))
	require.Len(t, doc.Models, 4)
	assert.Nil(t, doc.Models[0]["gradient_method"], "lstm has no gradient method")
	assert.Equal(t, "aca", doc.Models[1]["gradient_method"])
	assert.Contains(t, doc.Models[1], "test_mse_mean")
	assert.Nil(t, doc.Paper[0]["gradient_method"])
}

// TestRunResultJSON: values that are not finite are written as null.
func TestRunResultJSON(t *testing.T) {
	b, err := json.Marshal(threebody.RunResult{Seed: 2, TestMSE: math.NaN(), FutureMSE: math.Inf(1), TrainLoss: 0.5, ValMSE: math.NaN(), Status: threebody.StatusDiverged})
	require.NoError(t, err)
	assert.JSONEq(t, `{"seed": 2, "test_mse": null, "future_mse": null, "train_loss": 0.5, "val_mse": null, "epochs": 0, "seconds": 0, "status": "diverged"}`, string(b))
	b, err = json.Marshal(threebody.ModelResult{Model: "node", Method: "aca", TestMSEMean: math.NaN(), TestMSEStd: math.NaN(), FutureMSEMean: math.NaN()})
	require.NoError(t, err)
	assert.Contains(t, string(b), `"test_mse_mean":null`)
}

// TestCompareDeterministic: the same seeds give bit-identical numbers with one
// worker and with several, for every model and gradient method.
func TestCompareDeterministic(t *testing.T) {
	var got [3]*threebody.Comparison
	for i, workers := range []int{1, 3, 3} {
		cfg := paperCompare(2)
		cfg.Budget, cfg.Workers = tinyBudget, workers
		var err error
		got[i], err = threebody.CompareThreeBody(context.Background(), cfg)
		require.NoError(t, err)
	}
	require.Len(t, got[0].Rows, 8)
	for i := 1; i < 3; i++ {
		for r, row := range got[0].Rows {
			other := got[i].Rows[r]
			assert.Equal(t, row.Model, other.Model)
			assert.Equal(t, row.Method, other.Method)
			assert.Equal(t, row.Trajectory, other.Trajectory, "%s %s", row.Model, row.Method)
			for k, run := range row.Runs {
				o := other.Runs[k]
				assert.Equal(t, []float64{run.TestMSE, run.TrainLoss}, []float64{o.TestMSE, o.TrainLoss}, "%s %s seed %d", row.Model, row.Method, run.Seed)
				assert.Equal(t, run.Status, o.Status)
			}
		}
	}
	// Different seeds train differently.
	lstm := got[0].Row(threebody.ModelLSTM, "")
	assert.NotEqual(t, lstm.Runs[0].TestMSE, lstm.Runs[1].TestMSE)
}

// TestCompareProgressAndCancel: progress arrives for every run, and a
// cancelled context stops training and marks the runs interrupted.
func TestCompareProgressAndCancel(t *testing.T) {
	cfg := paperCompare(1)
	cfg.Models = []string{threebody.ModelLSTM, threebody.ModelNODE}
	cfg.Methods = []string{"aca"}
	cfg.Budget = threebody.Budget{LSTMEpochs: 100000, NODEEpochs: 100000}
	ctx, cancel := context.WithCancel(context.Background())
	done := map[string]bool{}
	epochs := 0
	cfg.Progress = func(ev threebody.CompareProgress) {
		if ev.Done {
			done[ev.Model+"/"+ev.Method] = true
			require.NotNil(t, ev.Run)
			return
		}
		if epochs++; epochs == 50 {
			cancel()
		}
	}
	began := time.Now()
	c, err := threebody.CompareThreeBody(ctx, cfg)
	require.NoError(t, err)
	assert.Less(t, time.Since(began), 30*time.Second)
	assert.True(t, c.Interrupted)
	assert.Equal(t, map[string]bool{"lstm/": true, "node/aca": true}, done)
	for _, r := range c.Rows {
		assert.Equal(t, threebody.StatusInterrupted, r.Runs[0].Status, r.Model)
		assert.Contains(t, r.Status, "interrupted in 1 of 1 runs")
		assert.False(t, math.IsNaN(r.TestMSEMean), "interrupted runs are still evaluated")
	}
}

func TestCompareBadInput(t *testing.T) {
	vdp := vanDerPolProblem(t)
	for _, tc := range []struct {
		name string
		edit func(*threebody.CompareConfig)
		want string
	}{
		{"no problem", func(c *threebody.CompareConfig) { c.Problem = nil }, "no problem"},
		{"runs 0", func(c *threebody.CompareConfig) { c.Runs = 0 }, "runs must be at least 1 (got 0)"},
		{"runs negative", func(c *threebody.CompareConfig) { c.Runs = -2 }, "runs must be at least 1 (got -2)"},
		{"unknown model", func(c *threebody.CompareConfig) { c.Models = []string{"ode", "gru"} },
			`unknown model "gru" (allowed: lstm, lstm-aug, node, ode)`},
		{"model twice", func(c *threebody.CompareConfig) { c.Models = []string{"ode", "ode"} }, `model "ode" listed twice`},
		{"unknown method", func(c *threebody.CompareConfig) { c.Methods = []string{"forward"} },
			`unknown gradient method "forward" (allowed: aca, adjoint, naive)`},
		{"true params", func(c *threebody.CompareConfig) { c.TrueParams = []float64{1} }, "1 true parameters for a model with 3"},
		{"not n-body lstm-aug", func(c *threebody.CompareConfig) {
			c.Problem, c.TrueParams, c.Models = vdp, []float64{1}, []string{"lstm-aug"}
		}, `model "lstm-aug" needs an N-body system (nbody.Gravity), not dynamics.VanDerPol (models allowed for this system: lstm, ode)`},
		{"not n-body node", func(c *threebody.CompareConfig) {
			c.Problem, c.TrueParams, c.Models = vdp, []float64{1}, nil
		}, `model "lstm-aug" needs an N-body system`},
		{"velocities observed", func(c *threebody.CompareConfig) {
			q := *c.Problem
			q.Observed = []int{0, 1, 2, 3, 4, 5, 6, 7, 9}
			c.Problem = &q
		}, `model "lstm-aug" needs every position observed`},
		{"uneven times", func(c *threebody.CompareConfig) {
			q := *c.Problem
			q.Times = append([]float64(nil), q.Times...)
			q.Times[5] += 1e-4
			c.Problem, c.Models = &q, []string{"lstm"}
		}, "observation times are not equally spaced"},
		{"bad lstm config", func(c *threebody.CompareConfig) { c.LSTM.Stride = -1 }, "lstm: stride must be at least 1 (got -1)"},
		{"bad node config", func(c *threebody.CompareConfig) { c.NODE.Precondition = "pca" }, `precondition "pca" (allowed: standardize, whiten, none)`},
		{"lstm window too long", func(c *threebody.CompareConfig) { c.LSTM.Window = 500 }, "leave 160 training steps before the hold-out, fewer than window+1 = 501"},
		{"bad node lr", func(c *threebody.CompareConfig) { c.NODE.LR = -1 }, `node: lr must be positive (got -1)`},
		{"horizon inside the window", func(c *threebody.CompareConfig) { c.Horizon = 0.5 }, `horizon 0.5 is not after the observed window [0, 1]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := paperCompare(1)
			tc.edit(&cfg)
			_, err := threebody.CompareThreeBody(context.Background(), cfg)
			require.Error(t, err)
			assert.ErrorIs(t, err, threebody.ErrCompare)
			assert.ErrorContains(t, err, tc.want)
		})
	}
	// lstm and ode work on any system.
	cfg := threebody.CompareConfig{Problem: vdp, TrueParams: []float64{1}, Runs: 1, Budget: tinyBudget,
		Models: []string{"lstm", "ode"}, Methods: []string{"aca"}, LSTM: threebody.LSTMConfig{Stride: 1, Window: 10}}
	c, err := threebody.CompareThreeBody(context.Background(), cfg)
	require.NoError(t, err)
	assert.Equal(t, []string{"x", "v"}, c.PlotNames)
	assert.Len(t, c.Rows, 2)
}

// vanDerPolProblem observes a van der Pol oscillator (μ = 1) on [0, 1].
func vanDerPolProblem(t *testing.T) *identify.Problem {
	t.Helper()
	m := dynamics.VanDerPol{}
	z0 := []float64{2, 0}
	times := identify.Linspace(0, 1, 101)
	vals, err := identify.Simulate(m, []float64{1}, 0, z0, times, &aca.Settings{RTol: 1e-10, ATol: 1e-12})
	require.NoError(t, err)
	return &identify.Problem{Model: m, Params: []identify.Parameter{{Name: "mu", Init: 0.5}}, Z0: z0, Times: times, Values: vals}
}

// TestCompareFull is the full-size comparison (PHYSID_LONG=1): every model and
// gradient method at the default budget, PHYSID_RUNS runs (default 1),
// checked against the targets.
func TestCompareFull(t *testing.T) {
	if os.Getenv("PHYSID_LONG") == "" {
		t.Skip("set PHYSID_LONG=1 for the full-size comparison (several minutes)")
	}
	runs := 1
	if v := os.Getenv("PHYSID_RUNS"); v != "" {
		_, err := fmt.Sscan(v, &runs)
		require.NoError(t, err)
	}
	c, err := threebody.CompareThreeBody(context.Background(), paperCompare(runs))
	require.NoError(t, err)
	logTable(t, c)
	mean := func(model, method string) float64 { return c.Row(model, method).TestMSEMean }
	// The targets that hold: the paper's ODE-ACA and NODE-ACA numbers are
	// beaten, and the physics model beats every learned one by orders of
	// magnitude.
	assert.Less(t, mean("ode", "aca"), 7e-4)
	assert.Less(t, mean("node", "aca"), 0.16)
	for _, r := range c.Rows {
		if r.Model != threebody.ModelODE {
			for _, m := range threebody.CompareMethods {
				assert.Less(t, 100*mean("ode", m), r.TestMSEMean, "ode %s against %s %s", m, r.Model, r.Method)
			}
		}
	}
	// The paper's orderings among the learned models and among the gradient
	// methods are reported, not asserted: the learned models all land near
	// the persistence level, where their order is decided by run-to-run
	// scatter, and the three gradient methods compute the same derivative
	// here (see the package doc).
	for _, o := range [][4]string{
		{"node", "aca", "lstm-aug", ""}, {"node", "aca", "lstm", ""},
		{"node", "aca", "node", "adjoint"}, {"node", "aca", "node", "naive"},
		{"ode", "aca", "ode", "adjoint"}, {"ode", "aca", "ode", "naive"},
	} {
		a, b := mean(o[0], o[1]), mean(o[2], o[3])
		t.Logf("%s %s < %s %s: %v (%.3g against %.3g)", o[0], o[1], o[2], o[3], a < b, a, b)
	}
	limit := 10 * time.Minute
	if runs > 1 {
		limit = 30 * time.Minute
	}
	assert.Less(t, c.Seconds, limit.Seconds())
}

// BenchmarkNODEGradient is one gradient of the node model's training loss on
// the paper's problem (738 parameters, 1000 observation times) by each method.
func BenchmarkNODEGradient(b *testing.B) {
	p, _ := threebody.PaperProblem(1000, 0, 0)
	g := p.Model.(nbody.Gravity)
	f, err := learned.NewThreeBodyNODE(g, nil, "")
	require.NoError(b, err)
	theta := learned.NewParams(f, 1)
	for i := range theta {
		theta[i] *= 0.01 // as at the start of training
	}
	loss, err := aca.NewLeastSquares(f.Dim(), p.Observed, p.Values, p.Weights)
	require.NoError(b, err)
	prob := &aca.Problem{Model: f, Theta: theta, Z0: p.Z0, Times: p.Times, Loss: loss}
	for _, name := range threebody.CompareMethods {
		m, err := aca.ByName(name)
		require.NoError(b, err)
		b.Run(name, func(b *testing.B) {
			var res *aca.Result
			b.ReportAllocs()
			for b.Loop() {
				if res, err = m.Gradient(prob, &p.Solver); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(res.Stats.NFEForward+res.Stats.NFEBackward), "nfe/op")
			b.ReportMetric(float64(res.Stats.Bytes), "held-bytes")
		})
	}
}
