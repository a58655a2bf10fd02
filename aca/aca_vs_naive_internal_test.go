package aca

import (
	"slices"
	"testing"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/integrate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/floats"
)

// TestACADiffersFromNaiveAtLooseTolerance: Naive differentiates through the
// step-size controller (h as a function of earlier error estimates) and ACA
// holds the accepted steps fixed, so their gradients differ by terms of the
// order of the local error. At rtol = atol = 1e-3 the relative difference
// ‖g_naive − g_aca‖/‖g_naive‖ of (dL/dθ, dL/dz0) measured 7.2e-3 (dopri5),
// 3.2e-3 (rk23), 1.0e-3 (heuneuler) and 4.9e-2 (rk45); the floor 1e-4 is 10×
// below the smallest, so the test fails if ACA starts differentiating the
// controller or Naive stops. At 1e-8 it measured 5.3e-8, 6.4e-8, 6.1e-9 and
// 3.7e-8; the ceiling 1e-6 is 15× above the largest and 100× below the
// floor, so the two still compute the same derivative when the step-size
// terms vanish. (1e-8, not tighter: heuneuler's first-order error estimate
// needs more than MaxSteps steps at 1e-10.)
func TestACADiffersFromNaiveAtLooseTolerance(t *testing.T) {
	const (
		looseFloor   = 1e-4 // at tolerance 1e-3
		tightCeiling = 1e-6 // at tolerance 1e-8
	)
	relDiff := func(t *testing.T, tb *integrate.Tableau, tol float64) float64 {
		p := testProblem(dynamics.VanDerPol{}, []float64{1.3}, []float64{2, 0}, []float64{0.7, 1.5, 3})
		// A given initial step and landing on the observations (Naive always
		// lands), as in TestNaiveIsExactDerivativeOfAdaptiveProgram.
		s := &Settings{Method: tb, RTol: tol, ATol: tol, Step: 0.01, Land: true}
		n, err := (&Naive{}).Gradient(p, s)
		require.NoError(t, err)
		a, err := (&ACA{}).Gradient(p, s)
		require.NoError(t, err)
		require.Equal(t, n.Loss, a.Loss, "one forward solve")
		gn, ga := slices.Concat(n.Theta, n.Z0), slices.Concat(a.Theta, a.Z0)
		d := make([]float64, len(gn))
		floats.SubTo(d, gn, ga)
		return floats.Norm(d, 2) / floats.Norm(gn, 2)
	}
	for _, tb := range []*integrate.Tableau{integrate.Dopri5, integrate.BogackiShampine, integrate.HeunEuler, integrate.Fehlberg} {
		t.Run(tb.Name, func(t *testing.T) {
			loose, tight := relDiff(t, tb, 1e-3), relDiff(t, tb, 1e-8)
			t.Logf("relative difference naive vs aca: %.3g at tolerance 1e-3, %.3g at 1e-8", loose, tight)
			assert.Greater(t, loose, looseFloor, "at loose tolerance the controller's terms must show")
			assert.Less(t, tight, tightCeiling, "at tight tolerance the two must agree")
		})
	}
}
