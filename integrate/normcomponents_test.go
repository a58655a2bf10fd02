package integrate_test

import (
	"testing"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/integrate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// withQuadrature is Van der Pol with an appended quadrature q' = 1e3·x², a
// component f never reads and whose local error is large.
type withQuadrature struct{ dynamics.VanDerPol }

func (withQuadrature) Dim() int { return 3 }

func (m withQuadrature) Func(dst []float64, t float64, z, theta []float64) {
	m.VanDerPol.Func(dst[:2], t, z[:2], theta)
	dst[2] = 1e3 * z[0] * z[0]
}

// TestNormComponents: with NormComponents = 2 the quadrature rides along, so
// the solve takes exactly the steps of Van der Pol alone and its z is
// bit-identical; with every component in the norm the quadrature's error
// chooses smaller steps.
func TestNormComponents(t *testing.T) {
	times := []float64{1, 2, 5}
	theta, z0 := []float64{2}, []float64{2, 0}
	base, stBase, err := integrate.Solve(dynamics.VanDerPol{}, theta, 0, z0, times, &integrate.Settings{RTol: 1e-6})
	require.NoError(t, err)
	q, stQ, err := integrate.Solve(withQuadrature{}, theta, 0, []float64{2, 0, 0}, times, &integrate.Settings{RTol: 1e-6, NormComponents: 2})
	require.NoError(t, err)
	assert.Equal(t, stBase, stQ)
	for k := range times {
		assert.Equal(t, base[k], q[k][:2])
	}
	_, stAll, err := integrate.Solve(withQuadrature{}, theta, 0, []float64{2, 0, 0}, times, &integrate.Settings{RTol: 1e-6})
	require.NoError(t, err)
	assert.Greater(t, stAll.Accepted, stBase.Accepted)
}
