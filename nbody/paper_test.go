package nbody_test

import (
	"testing"

	"github.com/physid/physid/nbody"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPaperUnits checks K1 and K2 against the paper's scales evaluated in exact
// rational arithmetic and rounded to float64; 1e-14 relative allows the few ulps
// that the floating-point products and quotients may lose.
func TestPaperUnits(t *testing.T) {
	g, m, z0 := nbody.PaperThreeBody()
	assert.InEpsilon(t, 0.20048437269236738, g.Gravity, 1e-14)
	assert.InEpsilon(t, 7.239323869320315, g.VelocityScale, 1e-14)
	assert.Equal(t, 3, g.Bodies)
	assert.Equal(t, 3, g.Dims)
	assert.Equal(t, []float64{1.1, 1.1, 0.9}, m)
	names := g.StateNames()
	want := map[string]float64{
		"x1": 0, "y1": 0.2, "z1": 0, "x2": 0.5, "y2": 0, "z2": 0.5, "x3": 0, "y3": 0, "z3": 0.5,
		"vx1": 0, "vy1": 0.1, "vz1": 0, "vx2": 0, "vy2": 0, "vz2": 0.1, "vx3": 0.1, "vy3": 0, "vz3": 0,
	}
	require.Len(t, z0, len(want))
	for i, x := range z0 {
		assert.Equal(t, want[names[i]], x, names[i])
	}
	require.NoError(t, g.Validate(z0, m))
	// Each call returns fresh slices.
	_, m2, z2 := nbody.PaperThreeBody()
	m2[0], z2[0] = 9, 9
	assert.Equal(t, 1.1, m[0])
	assert.Equal(t, 0.0, z0[0])
}
