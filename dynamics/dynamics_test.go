package dynamics_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/physid/physid/dynamics"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func builtins() []dynamics.Dynamics {
	return []dynamics.Dynamics{dynamics.Exponential{}, dynamics.VanDerPol{}, dynamics.LotkaVolterra{}, dynamics.Linear{N: 3}, dynamics.Conv2D{H: 4, W: 5}}
}

// TestBuiltinDerivatives runs the checker at random points: central differences
// with h = 1e-6 are good to ~1e-9 on these O(1) polynomials, so 1e-6 leaves room.
func TestBuiltinDerivatives(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, m := range builtins() {
		t.Run(fmt.Sprintf("%T", m), func(t *testing.T) {
			for range 5 {
				z := randVec(rng, m.Dim())
				th := randVec(rng, m.NumParams())
				worst, err := dynamics.CheckDerivatives(m, rng.Float64(), z, th)
				require.NoError(t, err)
				assert.Less(t, worst, 1e-6)
			}
		})
	}
}

// wrongVDP has a deliberately wrong ∂f/∂μ, which the checker must catch.
type wrongVDP struct{ dynamics.VanDerPol }

func (w wrongVDP) VJP(dz, dtheta []float64, t float64, z, theta, u []float64) {
	w.VanDerPol.VJP(dz, dtheta, t, z, theta, u)
	dtheta[0] += 0.01 * u[1]
}

func TestCheckerCatchesWrongDerivative(t *testing.T) {
	worst, err := dynamics.CheckDerivatives(wrongVDP{}, 0, []float64{0.5, 1}, []float64{1})
	require.NoError(t, err)
	assert.Greater(t, worst, 5e-3)
}

func TestNames(t *testing.T) {
	for _, m := range builtins() {
		n := m.(dynamics.Named)
		assert.Len(t, n.StateNames(), m.Dim())
		assert.Len(t, n.ParamNames(), m.NumParams())
	}
	assert.Equal(t, []string{"a11", "a12", "a21", "a22"}, dynamics.Linear{N: 2}.ParamNames())
	assert.Equal(t, "a10_10", dynamics.Linear{N: 10}.ParamNames()[99])
	assert.Equal(t, "p2_3", dynamics.Conv2D{H: 2, W: 3}.StateNames()[5])
}

func TestNoAllocations(t *testing.T) {
	for _, m := range builtins() {
		z, th := make([]float64, m.Dim()), make([]float64, m.NumParams())
		dst, dz, dth := make([]float64, m.Dim()), make([]float64, m.Dim()), make([]float64, m.NumParams())
		a := testing.AllocsPerRun(10, func() {
			m.Func(dst, 0, z, th)
			m.JVP(dst, 0, z, th, z, th)
			m.VJP(dz, dth, 0, z, th, z)
		})
		assert.Zero(t, a, "%T", m)
	}
}

func TestCheckerReportsNonFinite(t *testing.T) {
	_, err := dynamics.CheckDerivatives(dynamics.Exponential{}, 0, []float64{math.Inf(1)}, []float64{1})
	assert.ErrorContains(t, err, "f[0]")
}

func randVec(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = 2*rng.Float64() - 1
	}
	return v
}

func ExampleCheckDerivatives() {
	worst, err := dynamics.CheckDerivatives(dynamics.VanDerPol{}, 0, []float64{2, 0.5}, []float64{1.5})
	fmt.Println(err, worst < 1e-8)
	// Output: <nil> true
}

// TestConv2DByHand checks one pixel of the correlation against a hand sum
// and the zero padding at a corner.
func TestConv2DByHand(t *testing.T) {
	c := dynamics.Conv2D{H: 3, W: 3}
	z := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}
	k := []float64{1, 0, -1, 2, 0, -2, 1, 0, -1} // a Sobel kernel
	f := make([]float64, 9)
	c.Func(f, 0, z, k)
	// centre: (1−3) + 2(4−6) + (7−9) = −8
	assert.Equal(t, -8.0, f[4])
	// top-left: only k22, k23, k32, k33 meet the image: 0·1 − 2·2 + 0·4 − 1·5 = −9
	assert.Equal(t, -9.0, f[0])
}
