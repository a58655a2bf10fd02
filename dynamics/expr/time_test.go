package expr_test

import (
	"math"
	"testing"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/internal/problems"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDfDtDrivenOscillator: the symbolic ∂f/∂t of the expression model equals
// the hand-derived one of problems.DrivenOscillator up to rounding (1e-15
// relative: the same formula, possibly multiplied in another order) and
// central differences of Func in t (the checker's ~1e-9).
func TestDfDtDrivenOscillator(t *testing.T) {
	m := mustNew(t, drivenSpec)
	hand := problems.DrivenOscillator{F: 0.3}
	got, want := make([]float64, 2), make([]float64, 2)
	for _, tt := range []float64{0, 0.7, 3.1, 19.9} {
		z, th := []float64{0.8, -0.4}, []float64{1.2, 0.1, 1.25}
		m.DfDt(got, tt, z, th)
		hand.DfDt(want, tt, z, th)
		assert.Zero(t, got[0])
		assert.InDelta(t, want[1], got[1], 1e-15*math.Max(1, math.Abs(want[1])), "t=%g", tt)
		worst, err := dynamics.CheckTimeDerivative(m, tt, z, th)
		require.NoError(t, err)
		assert.Less(t, worst, 1e-7, "t=%g", tt)
	}
	require.NoError(t, m.Err())
	d, err := m.Partial("v", "t")
	require.NoError(t, err)
	assert.Equal(t, "0.3*(w*cos(t*w))", d)
}

// TestDfDtAutonomous: a model whose equations do not mention t writes zeros.
func TestDfDtAutonomous(t *testing.T) {
	m := mustNew(t, vanDerPolSpec)
	dst := []float64{7, 7}
	m.DfDt(dst, 0.3, []float64{1, 2}, []float64{0.5})
	assert.Equal(t, []float64{0, 0}, dst)
	assert.Panics(t, func() { m.DfDt(dst[:1], 0.3, []float64{1, 2}, []float64{0.5}) })
}
