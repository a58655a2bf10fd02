package aca

import (
	"math"
	"testing"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/integrate"
	"github.com/physid/physid/internal/problems"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// autonomousView hides a model's DfDt, so Naive takes it to be autonomous.
type autonomousView struct{ dynamics.Dynamics }

// nonAutonomous are the time-dependent test problems: the damped driven
// oscillator of scenarios/damped_driven_oscillator.toml (hand-written; the
// expression version is checked in scenarios) and y' = θ·y·cos t.
func nonAutonomous() []struct {
	name string
	p    *Problem
} {
	grid := func(n int, t1 float64) []float64 {
		ts := make([]float64, n)
		for i := range ts {
			ts[i] = t1 * float64(i+1) / float64(n)
		}
		return ts
	}
	return []struct {
		name string
		p    *Problem
	}{
		{"driven", testProblem(problems.DrivenOscillator{F: 0.3}, []float64{1.2, 0.1, 1.25}, []float64{1, 0}, grid(25, 10))},
		{"expsin", testProblem(problems.ExpSin{}, []float64{0.7}, []float64{1.3}, grid(12, 6))},
	}
}

// TestNaiveNonAutonomousIsExactDerivativeOfAdaptiveProgram is
// TestNaiveIsExactDerivativeOfAdaptiveProgram for models whose f depends on
// t: the stage times t_n + c_s·h_n move with the step sizes, so the reverse
// pass needs ∂f/∂t. At rtol = atol = 1e-4 the step-size terms are large, and
// central differences of the full adaptive solve (step 1e-6, good to ~1e-9;
// too small to flip a decision of the controller) agree with naive to 1e-5.
// Without DfDt the same gradient is off by more than 1e-3: the check is not
// vacuous. HeunEuler is left out: its first-order controller loop makes the
// adaptive loss wiggle on scales below the FD step (on expsin central
// differences approach naive only as the step goes to 1e-8, where they agree
// to 2e-5), so no step gives a reference good to 1e-5.
func TestNaiveNonAutonomousIsExactDerivativeOfAdaptiveProgram(t *testing.T) {
	for _, c := range nonAutonomous() {
		for _, tb := range []*integrate.Tableau{integrate.Dopri5, integrate.BogackiShampine, integrate.Fehlberg} {
			t.Run(c.name+"/"+tb.Name, func(t *testing.T) {
				p := c.p
				s := &Settings{Method: tb, RTol: 1e-4, ATol: 1e-4, Step: 0.01, Land: true} // Naive lands
				res, err := (&Naive{}).Gradient(p, s)
				require.NoError(t, err)
				fdTheta, fdZ0 := adaptiveDiff(t, p, s)
				want := append(fdTheta, fdZ0...)
				assertRelClose(t, want, append(res.Theta, res.Z0...), 1e-5)

				q := *p
				q.Model = autonomousView{p.Model}
				blind, err := (&Naive{}).Gradient(&q, s)
				require.NoError(t, err)
				assert.Equal(t, res.Stats, blind.Stats, "∂f/∂t is not counted as an evaluation")
				assert.Greater(t, maxRelErr(want, append(blind.Theta, blind.Z0...)), 1e-3)
			})
		}
	}
}

// TestNaiveNonAutonomousMatchesACAAndFD: at rtol = atol = 1e-10 every method
// approximates the derivative of the exact flow to ~1e-9, so naive agrees with
// ACA and with central differences of 1e-12 solves (good to ~1e-8, FDStep's
// doc) to 1e-6 relative.
func TestNaiveNonAutonomousMatchesACAAndFD(t *testing.T) {
	for _, c := range nonAutonomous() {
		t.Run(c.name, func(t *testing.T) {
			s := &Settings{RTol: 1e-10, ATol: 1e-10}
			naive, err := (&Naive{}).Gradient(c.p, s)
			require.NoError(t, err)
			aca, err := (&ACA{}).Gradient(c.p, s)
			require.NoError(t, err)
			fdr, err := FiniteDifferences(c.p, &Settings{RTol: 1e-12, ATol: 1e-12}, 0)
			require.NoError(t, err)
			got := append(naive.Theta, naive.Z0...)
			assertRelClose(t, append(aca.Theta, aca.Z0...), got, 1e-6)
			assertRelClose(t, append(fdr.Theta, fdr.Z0...), got, 1e-6)
		})
	}
}

// TestNaiveExpSinClosedForm: y' = θ·y·cos t has y(t) = y0·exp(θ·sin t), so
// ∂y/∂θ = y·sin t and ∂y/∂y0 = y/y0, and the loss's own ∂L/∂y at the exact
// states gives dL/dθ and dL/dy0 in closed form. At rtol = atol = 1e-10 the
// solve is good to ~1e-9 and so is its gradient, naive's included: 1e-6.
func TestNaiveExpSinClosedForm(t *testing.T) {
	c := nonAutonomous()[1]
	p := c.p
	y0, theta := p.Z0[0], p.Theta[0]
	ys := make([]float64, len(p.Times))
	for k, tk := range p.Times {
		ys[k] = problems.ExpSin{}.Exact(tk, y0, theta)
	}
	g := make([]float64, len(ys))
	p.Loss.Eval(g, ys)
	var dTheta, dY0 float64
	for k, tk := range p.Times {
		dTheta += g[k] * ys[k] * math.Sin(tk)
		dY0 += g[k] * ys[k] / y0
	}
	for _, tb := range []*integrate.Tableau{integrate.Dopri5, integrate.Fehlberg, integrate.BogackiShampine} {
		t.Run(tb.Name, func(t *testing.T) {
			res, err := (&Naive{}).Gradient(p, &Settings{Method: tb, RTol: 1e-10, ATol: 1e-10})
			require.NoError(t, err)
			assertRelClose(t, []float64{dTheta, dY0}, append(res.Theta, res.Z0...), 1e-6)
		})
	}
}

// maxRelErr is the largest |want_i − got_i| relative to the largest |want_i|,
// assertRelClose's measure.
func maxRelErr(want, got []float64) float64 {
	num, den := 0.0, 1e-12
	for i := range want {
		num = math.Max(num, math.Abs(want[i]-got[i]))
		den = math.Max(den, math.Abs(want[i]))
	}
	return num / den
}
