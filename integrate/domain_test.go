package integrate_test

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/integrate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// errOutside is logGrowth's domain error.
var errOutside = errors.New("log of a non-positive state")

// logGrowth is z' = θ·log z, defined for z > 0 only. Its Func returns NaN
// outside the domain, as math.Log does, and its CheckState says why.
type logGrowth struct{ dynamics.Exponential }

func (logGrowth) Func(dst []float64, _ float64, z, theta []float64) {
	dst[0] = theta[0] * math.Log(z[0])
}

func (logGrowth) CheckState(t float64, z, _ []float64) error {
	if z[0] <= 0 {
		return fmt.Errorf("%w: z = %g at t=%g", errOutside, z[0], t)
	}
	return nil
}

var _ dynamics.StateChecker = logGrowth{}

// TestStateCheckerExplainsNonFinite: a non-finite f is reported by the model's
// own StateChecker when it has something to say, both at t0 and after an
// accepted step, rather than as ErrNonFinite "f[0] = NaN".
func TestStateCheckerExplainsNonFinite(t *testing.T) {
	for _, tc := range []struct {
		name string
		z0   float64
		s    *integrate.Settings
		want string
	}{
		// f(z0) = log(−1) is NaN at once.
		{"initial state", -1, nil, "z = -1 at t=0"},
		// Euler with h = 0.5 from 0.5: z(0.5) = 0.153, z(1) = −0.78, where f is NaN.
		{"after a step", 0.5, &integrate.Settings{Method: integrate.Euler, Step: 0.5}, "at t=1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := integrate.Solve(logGrowth{}, []float64{1}, 0, []float64{tc.z0}, []float64{2}, tc.s)
			require.Error(t, err)
			assert.ErrorIs(t, err, errOutside)
			assert.NotErrorIs(t, err, integrate.ErrNonFinite)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	// A model without a checker still gets ErrNonFinite.
	_, _, err := integrate.Solve(logGrowth{}.Exponential, []float64{math.NaN()}, 0, []float64{1}, []float64{1}, nil)
	assert.ErrorIs(t, err, integrate.ErrNonFinite)
}

// sqrtDecay is z' = −√z − 1, whose solution from z = 1 reaches the edge of
// the domain, z = 0, at t = 2 − 2 ln 2 and cannot go on.
type sqrtDecay struct{ dynamics.Exponential }

func (sqrtDecay) Func(dst []float64, _ float64, z, _ []float64) { dst[0] = -math.Sqrt(z[0]) - 1 }

func (sqrtDecay) CheckState(t float64, z, _ []float64) error {
	if z[0] < 0 {
		return fmt.Errorf("%w: sqrt of z = %.2g at t=%.4f", errOutside, z[0], t)
	}
	return nil
}

// TestStateCheckerExplainsUnderflow: an adaptive solver rejects every step
// past the edge of the domain until the step underflows; the error then
// carries the checker's verdict on the failed stage as well.
func TestStateCheckerExplainsUnderflow(t *testing.T) {
	_, _, err := integrate.Solve(sqrtDecay{}, []float64{1}, 0, []float64{1}, []float64{1}, nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, integrate.ErrStepUnderflow)
	assert.ErrorIs(t, err, errOutside)
	assert.Contains(t, err.Error(), "at t=0.6137")
	// Without a checker (the interface value hides CheckState), the plain underflow.
	_, _, err = integrate.Solve(struct{ dynamics.Dynamics }{sqrtDecay{}}, []float64{1}, 0, []float64{1}, []float64{1}, nil)
	assert.ErrorIs(t, err, integrate.ErrStepUnderflow)
	assert.NotErrorIs(t, err, errOutside)
	assert.Contains(t, err.Error(), "the system may be stiff")
}
