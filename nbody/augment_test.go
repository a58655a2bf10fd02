package nbody_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/physid/physid/nbody"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
)

func TestAugmentedDim(t *testing.T) {
	assert.Equal(t, 81, nbody.AugmentedDim(3, 3)) // 3 bodies × (3 + 2·4·3)
	assert.Equal(t, 2*2*5, nbody.AugmentedDim(2, 2))
	assert.Equal(t, 3, nbody.AugmentedDim(1, 3)) // one body: its position only
}

// TestAugmentValues checks the feature order on two bodies 2 apart.
func TestAugmentValues(t *testing.T) {
	g := nbody.Gravity{Bodies: 2, Dims: 2}
	dst := make([]float64, nbody.AugmentedDim(2, 2))
	g.Augment(dst, []float64{1, 1, 1, 3})
	assert.InDeltaSlice(t, []float64{
		1, 1, // r1
		0, -2, 0, -1, 0, -0.5, 0, -0.25, // r1 − r2 over |·|^0..3
		1, 3, // r2
		0, 2, 0, 1, 0, 0.5, 0, 0.25, // r2 − r1 over |·|^0..3
	}, dst, 1e-15)
}

// TestAugmentDerivatives compares AugmentJVP and AugmentVJP with gonum's central
// differences (absolute step 1e-6) at random positions no closer than 0.3. There
// the features' third derivatives are at most ~3·4·5/0.3⁶ ≈ 1e5, so the
// truncation error is ~h²·1e5/6 ≈ 2e-8 and rounding ~1e-16·|f|/h ≈ 1e-9 with
// |f| ≤ 1/0.3³; 1e-6 relative to max(1, |entry|) is a safe bound that any wrong
// term (≥ 1e-2) exceeds. JVP and VJP must agree with each other to rounding.
func TestAugmentDerivatives(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, tc := range []struct{ bodies, dims int }{{2, 2}, {2, 3}, {3, 2}, {3, 3}, {4, 1}} {
		g := nbody.Gravity{Bodies: tc.bodies, Dims: tc.dims}
		t.Run(fmt.Sprintf("N=%d,d=%d", tc.bodies, tc.dims), func(t *testing.T) {
			nd, na := tc.bodies*tc.dims, nbody.AugmentedDim(tc.bodies, tc.dims)
			worst := 0.0
			for range 3 {
				z, _ := randomSystem(rng, g)
				pos := append([]float64(nil), g.Positions(z)...)
				want := mat.NewDense(na, nd, nil)
				fd.Jacobian(want, g.Augment, pos, &fd.JacobianSettings{Formula: fd.Central, Step: 1e-6})

				jvp, vjp := mat.NewDense(na, nd, nil), mat.NewDense(na, nd, nil)
				e, col := make([]float64, nd), make([]float64, na)
				for j := range nd {
					clear(e)
					e[j] = 1
					g.AugmentJVP(col, pos, e)
					jvp.SetCol(j, col)
				}
				u, row := make([]float64, na), make([]float64, nd)
				for i := range na {
					clear(u)
					clear(row)
					u[i] = 1
					g.AugmentVJP(row, pos, u)
					vjp.SetRow(i, row)
				}
				for i := range na {
					for j := range nd {
						w := want.At(i, j)
						scale := math.Max(1, math.Abs(w))
						worst = math.Max(worst, math.Abs(jvp.At(i, j)-w)/scale)
						worst = math.Max(worst, math.Abs(vjp.At(i, j)-w)/scale)
						assert.InDelta(t, jvp.At(i, j), vjp.At(i, j), 1e-12*scale, "(%d,%d)", i, j)
					}
				}
			}
			assert.Less(t, worst, 1e-6)
			t.Logf("worst relative error against finite differences %.2g", worst)
		})
	}
}

func TestAugmentVJPAdds(t *testing.T) {
	g, _, z := nbody.PaperThreeBody()
	pos := g.Positions(z)
	u := make([]float64, nbody.AugmentedDim(3, 3))
	for i := range u {
		u[i] = math.Sin(float64(i))
	}
	once := make([]float64, 9)
	g.AugmentVJP(once, pos, u)
	twice := append([]float64(nil), once...)
	g.AugmentVJP(twice, pos, u)
	require.NotZero(t, once[0])
	assert.InDeltaSlice(t, scaled(2, once), twice, 1e-13)
}
