package aca_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/physid/physid/aca"
)

// TestFiniteDifferencesToy: on dz/dt = kz with L = z(T)², dL/dk = 2T z0² e^{2kT}
// and dL/dz0 = 2 z0 e^{2kT}. With 1e-12 solves and the default step 1e-4 the
// central difference errs by h²|L‴|/6 ≈ 1e-7 absolute (L‴ = 8e²) plus
// ~1e-12·|L|/h, so 1e-7 relative is the bound (measured 7e-9).
func TestFiniteDifferencesToy(t *testing.T) {
	const T = 1.0
	exact := 2 * T * math.Exp(2*T)
	res, err := aca.FiniteDifferences(toy(1, 1, T), &aca.Settings{RTol: 1e-12, ATol: 1e-12}, 0)
	require.NoError(t, err)
	assert.InEpsilon(t, exact, res.Theta[0], 1e-7)
	assert.InEpsilon(t, exact, res.Z0[0], 1e-7)
	assert.InEpsilon(t, math.Exp(2*T), res.Loss, 1e-10)
	assert.Positive(t, res.Stats.NFEForward)
}

// TestReconstructionError: only the adjoint measures it. On the toy (a stable
// linear flow both ways over [0, 1]) its backward solve returns to z0 within a
// tolerance unit; on van der Pol at rtol = atol = 1e-7 the reversed flow is
// unstable (the limit cycle repels backward) and the drift grows with the span:
// 15 units over [0, 3] here, 1.2e8 over [0, 10] in the shipped scenario (which
// cmd/identify's tests check against the warning threshold).
func TestReconstructionError(t *testing.T) {
	s := &aca.Settings{RTol: 1e-5, ATol: 1e-5}
	for _, m := range aca.Methods() {
		m = aca.NeedZ0(m) // the tests read dL/dz0
		res, err := m.Gradient(toy(1, 1, 1), s)
		require.NoError(t, err)
		if m.Name() != "adjoint" {
			assert.False(t, res.Stats.HasReconstruction, m.Name())
			assert.Zero(t, res.Stats.ReconstructionError, m.Name())
			continue
		}
		assert.True(t, res.Stats.HasReconstruction)
		assert.Less(t, res.Stats.ReconstructionError, 1.0)
	}
	res, err := (&aca.Adjoint{}).Gradient(vdpProblem(t), &aca.Settings{RTol: 1e-7, ATol: 1e-7})
	require.NoError(t, err)
	t.Logf("van der Pol on [0, 3]: reconstruction error %.3g", res.Stats.ReconstructionError)
	assert.True(t, res.Stats.HasReconstruction)
	assert.Greater(t, res.Stats.ReconstructionError, 10.0)
}

// TestReconstructionErrorAllAtT0: with every observation at t0 there is no
// backward solve and nothing to drift.
func TestReconstructionErrorAllAtT0(t *testing.T) {
	res, err := (&aca.Adjoint{}).Gradient(toy(1, 1, 0), nil)
	require.NoError(t, err)
	assert.True(t, res.Stats.HasReconstruction)
	assert.Zero(t, res.Stats.ReconstructionError)
}
