package aca_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/physid/physid/aca"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// forcedOscillator is x” = −θ0·x − θ1·x' + ε Σ_{j≥2} θ_j sin(j·t): a damped
// oscillator driven by #θ − 2 harmonics of weight ε. With small ε the extra
// parameters barely change z (and a), yet each has its own nonzero adjoint
// g_j, so the backward solve's dimension grows with #θ while its dynamics do
// not.
type forcedOscillator struct {
	np  int
	eps float64
}

func (m forcedOscillator) Dim() int       { return 2 }
func (m forcedOscillator) NumParams() int { return m.np }

func (m forcedOscillator) Func(dst []float64, t float64, z, theta []float64) {
	x, v := z[0], z[1]
	force := 0.0
	for j := 2; j < m.np; j++ {
		force += theta[j] * math.Sin(float64(j)*t)
	}
	dst[0] = v
	dst[1] = -theta[0]*x - theta[1]*v + m.eps*force
}

func (m forcedOscillator) JVP(dst []float64, t float64, z, theta, vz, vtheta []float64) {
	x, v := z[0], z[1]
	dst[0] = vz[1]
	dst[1] = -theta[0]*vz[0] - theta[1]*vz[1]
	if vtheta != nil {
		dst[1] += -vtheta[0]*x - vtheta[1]*v
		for j := 2; j < m.np; j++ {
			dst[1] += m.eps * vtheta[j] * math.Sin(float64(j)*t)
		}
	}
}

func (m forcedOscillator) VJP(dz, dtheta []float64, t float64, z, theta, u []float64) {
	x, v := z[0], z[1]
	dz[0] += -theta[0] * u[1]
	dz[1] += u[0] - theta[1]*u[1]
	if dtheta != nil {
		dtheta[0] += -x * u[1]
		dtheta[1] += -v * u[1]
		for j := 2; j < m.np; j++ {
			dtheta[j] += m.eps * math.Sin(float64(j)*t) * u[1]
		}
	}
}

func forcedProblem(t *testing.T, np int, eps float64) *aca.Problem {
	t.Helper()
	times := []float64{1, 2, 3, 4, 5}
	vals := make([]float64, 2*len(times))
	for i := range vals {
		vals[i] = 0.1 * float64(i%3)
	}
	loss, err := aca.NewLeastSquares(2, nil, vals, nil)
	require.NoError(t, err)
	theta := make([]float64, np)
	theta[0], theta[1] = 4, 0.3
	for j := 2; j < np; j++ {
		theta[j] = 1 / float64(j)
	}
	return &aca.Problem{Model: forcedOscillator{np: np, eps: eps}, Theta: theta, Z0: []float64{1, 0}, Times: times, Loss: loss}
}

// TestAdjointStepsIndependentOfParams: the parameter adjoint g is a
// quadrature, left out of the backward error norm by default, so 300
// parameters that barely matter (ε = 1e-9: they move z by ~1e-9, below the
// tolerance) take exactly the backward steps of 3.
func TestAdjointStepsIndependentOfParams(t *testing.T) {
	s := &aca.Settings{RTol: 1e-8, ATol: 1e-8}
	steps := map[string]int{}
	for _, errconQ := range []bool{false, true} {
		for _, np := range []int{3, 300} {
			res, err := (&aca.Adjoint{ErrconQ: errconQ}).Gradient(forcedProblem(t, np, 1e-9), s)
			require.NoError(t, err)
			steps[fmt.Sprintf("errconQ=%v np=%d", errconQ, np)] = res.Stats.BackwardAccepted + res.Stats.BackwardRejected
		}
	}
	t.Logf("backward attempts: %v", steps)
	assert.Equal(t, steps["errconQ=false np=3"], steps["errconQ=false np=300"])
}

// TestAdjointManyParamsMatchesACA: with 300 parameters that all matter, the
// adjoint gradient (g outside the error norm) still agrees with ACA, which
// is exact for its own solve: both are within the tolerances (1e-10) of the
// true gradient, so they agree to about 1e-6 relative in the largest
// component, the adjoint's usual backward drift.
func TestAdjointManyParamsMatchesACA(t *testing.T) {
	p := forcedProblem(t, 300, 0.05)
	s := &aca.Settings{RTol: 1e-10, ATol: 1e-10}
	want, err := (&aca.ACA{}).Gradient(p, s)
	require.NoError(t, err)
	for _, errconQ := range []bool{false, true} {
		got, err := (&aca.Adjoint{ErrconQ: errconQ}).Gradient(p, s)
		require.NoError(t, err)
		scale := 0.0
		for _, v := range want.Theta {
			scale = math.Max(scale, math.Abs(v))
		}
		for j := range want.Theta {
			assert.InDelta(t, want.Theta[j], got.Theta[j], 1e-6*scale, "errconQ=%v θ%d", errconQ, j)
		}
		assert.InDeltaSlice(t, want.Z0, got.Z0, 1e-6*scale)
	}
}
