package threebody_test

import (
	"context"
	"math"
	"os"
	"testing"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/identify"
	"github.com/physid/physid/internal/experiments/threebody"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestThreeBodyPaperSettings runs the paper's experiment (Sec. 4.4) with each
// gradient method: the [0, 2] extrapolation MSE must be at most 1e-6 and every
// mass within 1e-3 relative of the truth, in every seed. Measured at seed 1
// (PaperSolver lands on every observation): MSE 6.4e-9 (aca), 1.5e-8
// (adjoint), 6.0e-9 (naive), masses within 1.4e-5, 8.9e-5 and 1.4e-5 — so the
// bounds leave a factor of about 60 (MSE) and 10 (masses) for other seeds and
// platforms, and are still 700 times tighter
// than the paper's reported 7e-4 (the authors' code reaches 8e-8 here).
// The default run uses one seed per method; PHYSID_LONG=1 runs seeds 1–3.
func TestThreeBodyPaperSettings(t *testing.T) {
	seeds := []uint64{1}
	if os.Getenv("PHYSID_LONG") != "" {
		seeds = []uint64{1, 2, 3}
	}
	p, masses := threebody.PaperProblem(1000, 0, 0)
	for _, method := range []aca.Method{&aca.ACA{}, &aca.Adjoint{}, &aca.Naive{}} {
		for _, seed := range seeds {
			q := *p
			q.Method = method
			res, err := identify.Fit(context.Background(), &q, threebody.PaperOptions(seed), threebody.PaperAdam())
			require.NoError(t, err)
			ex, err := identify.Extrapolate(&q, res.Params, 2, 2000, masses, threebody.TruthSettings())
			require.NoError(t, err)
			t.Logf("%s seed %d: masses %.7f, extrapolation MSE %.3g, %.2fs, %d nfe/epoch", method.Name(), seed, res.Params, ex.MSE, res.Seconds, res.NFE/res.Epochs)
			assert.LessOrEqual(t, ex.MSE, 1e-6, method.Name())
			for i, m := range masses {
				assert.InDelta(t, m, res.Params[i], 1e-3*m, "%s m%d", method.Name(), i+1)
			}
		}
	}
}

// TestThreeBodySecondOrderOptimizers: from the same start, L-BFGS and LM recover
// the masses to 1e-6 relative from noise-free data.
func TestThreeBodySecondOrderOptimizers(t *testing.T) {
	p, masses := threebody.PaperProblem(1000, 0, 0)
	for _, opt := range []identify.Optimizer{&identify.LBFGS{}, &identify.LM{}} {
		res, err := identify.Fit(context.Background(), p, &identify.Options{Seed: 1}, opt)
		require.NoError(t, err)
		for i, m := range masses {
			assert.InDelta(t, m, res.Params[i], 1e-6*m, "%s m%d", opt.Name(), i+1)
		}
		t.Logf("%s: %d gradient evaluations, masses %.9f", opt.Name(), res.Starts[0].Evals, res.Params)
	}
}

// TestThreeBodyNoiseCoverage: with observation noise 1e-3 the masses come back
// within 3 standard errors in at least 9 of 10 seeds.
func TestThreeBodyNoiseCoverage(t *testing.T) {
	covered := 0
	for seed := uint64(1); seed <= 10; seed++ {
		p, masses := threebody.PaperProblem(1000, 1e-3, seed)
		res, err := identify.Fit(context.Background(), p, &identify.Options{Seed: seed}, &identify.LM{})
		require.NoError(t, err)
		require.NotNil(t, res.StdErr)
		in := true
		for i, m := range masses {
			if math.Abs(res.Params[i]-m) > 3*res.StdErr[i] {
				in = false
			}
		}
		if in {
			covered++
		}
	}
	assert.GreaterOrEqual(t, covered, 9)
}

func BenchmarkThreeBodyGradient(b *testing.B) {
	p, _ := threebody.PaperProblem(1000, 0, 0)
	theta := []float64{1, 1, 1}
	loss, err := aca.NewLeastSquares(p.Model.Dim(), p.Observed, p.Values, p.Weights)
	require.NoError(b, err)
	prob := &aca.Problem{Model: p.Model, Theta: theta, Z0: p.Z0, Times: p.Times, Loss: loss}
	for _, m := range aca.Methods() {
		b.Run(m.Name(), func(b *testing.B) {
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

func BenchmarkThreeBodyFit100Epochs(b *testing.B) {
	p, _ := threebody.PaperProblem(1000, 0, 0)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := identify.Fit(context.Background(), p, threebody.PaperOptions(1), threebody.PaperAdam()); err != nil {
			b.Fatal(err)
		}
	}
}
