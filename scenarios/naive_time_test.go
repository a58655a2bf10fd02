package scenarios_test

import (
	"math"
	"testing"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/dynamics/expr"
	"github.com/physid/physid/internal/problems"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNaiveOnExpressionDrivenOscillator: the system of
// damped_driven_oscillator.toml, built directly with dynamics/expr (not from
// the file), has f depending on t through F·sin(w·t); the naive gradient
// differentiates the stage times through the model's symbolic ∂f/∂t. At
// rtol = atol = 1e-10 it agrees with ACA and with central differences of
// 1e-12 solves (good to ~1e-8, aca.FDStep) to 1e-6 relative, and with the
// naive gradient of the hand-written problems.DrivenOscillator to 1e-9 (the
// two models differ only in rounding).
func TestNaiveOnExpressionDrivenOscillator(t *testing.T) {
	m, err := expr.New(expr.Spec{
		State:     []string{"x", "v"},
		Params:    []string{"k", "c", "w"},
		Constants: []expr.Constant{{Name: "F", Value: 0.3}},
		Equations: []expr.Equation{{Name: "x", Expr: "v"}, {Name: "v", Expr: "-k*x - c*v + F*sin(w*t)"}},
	})
	require.NoError(t, err)
	times := make([]float64, 40)
	obs := make([]float64, 2*len(times))
	for i := range times {
		times[i] = 20 * float64(i+1) / float64(len(times))
		obs[2*i] = math.Cos(times[i]) // a made-up target, so the gradient is generic
	}
	loss, err := aca.NewLeastSquares(2, nil, obs, nil)
	require.NoError(t, err)
	p := &aca.Problem{Model: m, Theta: []float64{1.2, 0.1, 1.25}, Z0: []float64{1, 0}, Times: times, Loss: loss}
	s := &aca.Settings{RTol: 1e-10, ATol: 1e-10}

	naive, err := aca.Gradient(p, s, &aca.Naive{})
	require.NoError(t, err)
	ref, err := aca.Gradient(p, s, &aca.ACA{})
	require.NoError(t, err)
	fdr, err := aca.FiniteDifferences(p, &aca.Settings{RTol: 1e-12, ATol: 1e-12}, 0)
	require.NoError(t, err)
	q := *p
	q.Model = problems.DrivenOscillator{F: 0.3}
	hand, err := aca.Gradient(&q, s, &aca.Naive{})
	require.NoError(t, err)

	got := append(naive.Theta, naive.Z0...)
	relClose := func(want []float64, tol float64, what string) {
		t.Helper()
		scale := 0.0
		for _, v := range want {
			scale = math.Max(scale, math.Abs(v))
		}
		for i := range want {
			assert.LessOrEqual(t, math.Abs(got[i]-want[i])/scale, tol, "%s, component %d: want %.12g got %.12g", what, i, want[i], got[i])
		}
	}
	relClose(append(ref.Theta, ref.Z0...), 1e-6, "ACA")
	relClose(append(fdr.Theta, fdr.Z0...), 1e-6, "finite differences")
	relClose(append(hand.Theta, hand.Z0...), 1e-9, "hand-written model")
}
