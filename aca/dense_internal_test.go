package aca

import (
	"testing"

	"github.com/physid/physid/dynamics"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestACADenseAllocatesNothingPerStep: a warm ACA gradient with dense output
// allocates the same few values (the result and its slices) whatever the
// number of steps and of interpolated observations: the forward solve, the
// record and the backward sweep through the interpolant reuse their buffers.
func TestACADenseAllocatesNothingPerStep(t *testing.T) {
	allocs := func(T float64, n int) (float64, int) {
		times := make([]float64, n)
		for i := range times {
			times[i] = T * float64(i+1) / float64(n)
		}
		p := testProblem(dynamics.VanDerPol{}, []float64{1.3}, []float64{2, 0}, times)
		s := &Settings{RTol: 1e-8, ATol: 1e-8}
		m := &ACA{}
		res, err := m.Gradient(p, s)
		require.NoError(t, err)
		require.NotEmpty(t, m.rec.inside, "observations inside steps")
		return testing.AllocsPerRun(5, func() { _, _ = m.Gradient(p, s) }), res.Stats.Accepted
	}
	few, nf := allocs(5, 100)
	many, nm := allocs(20, 2000)
	t.Logf("allocations per gradient: %v (%d steps), %v (%d steps)", few, nf, many, nm)
	require.Greater(t, nm, 3*nf)
	assert.Equal(t, few, many)
}

// TestACADenseMatchesLanding: at a tight tolerance the gradient through the
// dense output and the landing one agree (both converge to the derivative
// of the exact solution), while taking fewer steps.
func TestACADenseMatchesLanding(t *testing.T) {
	times := make([]float64, 300)
	for i := range times {
		times[i] = 0.01 * float64(i+1)
	}
	p := testProblem(dynamics.VanDerPol{}, []float64{1.3}, []float64{2, 0}, times)
	dense, err := (&ACA{}).Gradient(p, &Settings{RTol: 1e-10, ATol: 1e-10})
	require.NoError(t, err)
	land, err := (&ACA{}).Gradient(p, &Settings{RTol: 1e-10, ATol: 1e-10, Land: true})
	require.NoError(t, err)
	t.Logf("steps: dense %d, landing %d", dense.Stats.Accepted, land.Stats.Accepted)
	assert.Less(t, dense.Stats.Accepted, land.Stats.Accepted)
	assertRelClose(t, land.Theta, dense.Theta, 1e-7)
	assertRelClose(t, land.Z0, dense.Z0, 1e-7)
}
