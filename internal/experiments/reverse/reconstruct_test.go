package reverse_test

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/integrate"
	"github.com/physid/physid/internal/experiments/reverse"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func uniformTimes(T float64, n int) []float64 {
	ts := make([]float64, n)
	for i := range ts {
		ts[i] = T * float64(i+1) / float64(n)
	}
	return ts
}

// TestReconstructExponentialDecay: for dz/dt = −z the backward flow
// is expanding but only by e^T, so at tight tolerances the backward solve
// recovers z0 to about e^T·tol.
func TestReconstructExponentialDecay(t *testing.T) {
	r, err := reverse.Reconstruct(dynamics.Exponential{}, []float64{-1}, 0, []float64{1}, uniformTimes(2, 10),
		&integrate.Settings{RTol: 1e-10, ATol: 1e-12})
	require.NoError(t, err)
	require.Len(t, r.Times, 11)
	assert.Equal(t, 0.0, r.Times[0])
	assert.Equal(t, []float64{1}, r.Forward[0])
	assert.Equal(t, r.Forward[10], r.Backward[10], "the backward solve starts from the forward end state")
	assert.Equal(t, 0.0, r.Error[10])
	for i, ti := range r.Times {
		assert.InDelta(t, math.Exp(-ti), r.Forward[i][0], 1e-9)
	}
	assert.Less(t, r.MaxError, 1e-8) // e²·1e-10 plus the forward error
	assert.Positive(t, r.ForwardStats.NFE)
	assert.Positive(t, r.BackwardStats.NFE)
}

// TestReconstructVanDerPolDrifts is the paper's Fig. 4 point: the
// van der Pol limit cycle attracts forward in time, so it repels backward and
// the backward solve's local errors grow. From z0 = (2, 0) at mu = 1 over
// T = 20 at the default tolerances (measured: 1.6 at t = 0, the backward
// trajectory leaves the cycle) the error at t0 exceeds 0.1 and is 1000× the
// error a quarter of the way back, while a tight tolerance (1e-10) shrinks it
// but cannot make the growth go away.
func TestReconstructVanDerPolDrifts(t *testing.T) {
	ts := uniformTimes(20, 100)
	r, err := reverse.Reconstruct(dynamics.VanDerPol{}, []float64{1}, 0, []float64{2, 0}, ts, nil)
	require.NoError(t, err)
	t.Logf("max error %.3g; error at t=15: %.3g, t=10: %.3g, t=0: %.3g", r.MaxError, r.Error[75], r.Error[50], r.Error[0])
	assert.Greater(t, r.Error[0], 0.1)
	assert.Equal(t, r.Error[0], r.MaxError)
	assert.Greater(t, r.Error[0], 1000*r.Error[75])

	tight, err := reverse.Reconstruct(dynamics.VanDerPol{}, []float64{1}, 0, []float64{2, 0}, ts,
		&integrate.Settings{RTol: 1e-10, ATol: 1e-13, MaxSteps: 1e6})
	require.NoError(t, err)
	assert.Less(t, tight.MaxError, r.MaxError)
	assert.Greater(t, tight.Error[0], 100*tight.Error[75])
}

func TestReconstructErrors(t *testing.T) {
	_, err := reverse.Reconstruct(dynamics.Exponential{}, []float64{1}, 0, []float64{1}, nil, nil)
	assert.True(t, errors.Is(err, integrate.ErrBadInput))
	_, err = reverse.Reconstruct(dynamics.Exponential{}, []float64{1}, 0, []float64{1}, []float64{1, 0.5}, nil)
	assert.True(t, errors.Is(err, integrate.ErrBadInput))
}

func ExampleReconstruct() {
	times := []float64{2.5, 5, 7.5, 10}
	r, err := reverse.Reconstruct(dynamics.VanDerPol{}, []float64{1}, 0, []float64{2, 0}, times, nil)
	if err != nil {
		panic(err)
	}
	for i, t := range r.Times {
		fmt.Printf("t=%-4g forward (%7.4f, %7.4f)  backward (%7.4f, %7.4f)\n", t, r.Forward[i][0], r.Forward[i][1], r.Backward[i][0], r.Backward[i][1])
	}
	fmt.Printf("max error %.2g at t=0\n", r.Error[0])
	// Output:
	// t=0    forward ( 2.0000,  0.0000)  backward ( 2.0017, -0.0045)
	// t=2.5  forward (-0.8410, -2.6775)  backward (-0.8411, -2.6776)
	// t=5    forward (-0.8371,  1.3071)  backward (-0.8371,  1.3071)
	// t=7.5  forward ( 1.6301, -0.7028)  backward ( 1.6301, -0.7028)
	// t=10   forward (-2.0083,  0.0329)  backward (-2.0083,  0.0329)
	// max error 0.0045 at t=0
}
