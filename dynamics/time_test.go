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

// TestBuiltinsAreAutonomous: no built-in implements TimeDerivative, so gradient
// methods take ∂f/∂t = 0; central differences in t must agree (exactly zero
// here, since Func ignores t).
func TestBuiltinsAreAutonomous(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, m := range builtins() {
		t.Run(fmt.Sprintf("%T", m), func(t *testing.T) {
			worst, err := dynamics.CheckTimeDerivative(m, 10*rng.Float64(), randVec(rng, m.Dim()), randVec(rng, m.NumParams()))
			require.NoError(t, err)
			assert.Zero(t, worst)
		})
	}
}

// forced is z' = θ·cos(t)·z with ∂f/∂t = −θ·sin(t)·z, optionally wrong.
type forced struct{ wrong bool }

func (forced) Dim() int       { return 1 }
func (forced) NumParams() int { return 1 }
func (forced) Func(dst []float64, t float64, z, th []float64) {
	dst[0] = th[0] * math.Cos(t) * z[0]
}
func (forced) JVP(dst []float64, t float64, z, th, vz, vth []float64) {
	dst[0] = th[0] * math.Cos(t) * vz[0]
	if vth != nil {
		dst[0] += math.Cos(t) * z[0] * vth[0]
	}
}
func (forced) VJP(dz, dth []float64, t float64, z, th, u []float64) {
	dz[0] += u[0] * th[0] * math.Cos(t)
	if dth != nil {
		dth[0] += u[0] * math.Cos(t) * z[0]
	}
}

type forcedWithDfDt struct{ forced }

func (f forcedWithDfDt) DfDt(dst []float64, t float64, z, th []float64) {
	dst[0] = -th[0] * math.Sin(t) * z[0]
	if f.wrong {
		dst[0] = th[0] * math.Sin(t) * z[0]
	}
}

// TestCheckTimeDerivative: the right ∂f/∂t passes at the accuracy of central
// differences (~1e-9 with h = 1e-6), a wrong sign and a missing DfDt on a
// model that does depend on t both show as O(1).
func TestCheckTimeDerivative(t *testing.T) {
	z, th := []float64{1.5}, []float64{0.8}
	worst, err := dynamics.CheckTimeDerivative(forcedWithDfDt{}, 2.1, z, th)
	require.NoError(t, err)
	assert.Less(t, worst, 1e-7)
	worst, err = dynamics.CheckTimeDerivative(forcedWithDfDt{forced{wrong: true}}, 2.1, z, th)
	require.NoError(t, err)
	assert.Greater(t, worst, 0.5)
	worst, err = dynamics.CheckTimeDerivative(forced{}, 2.1, z, th)
	require.NoError(t, err)
	assert.Greater(t, worst, 0.5)
	_, err = dynamics.CheckTimeDerivative(forced{}, 2.1, []float64{1, 2}, th)
	assert.ErrorContains(t, err, "len(z)=2")
}
