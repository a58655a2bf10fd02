package toy_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/internal/experiments/toy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCompare: the library form of the paper's Fig. 6 has one row per T
// with the four methods in order; ACA's relative error stays below 1e-4 at
// rtol = atol = 1e-5 (as in aca's TestToyFig6), and every method's NFE is counted.
func TestCompare(t *testing.T) {
	Ts := []float64{1, 2, 4, 6, 8, 10}
	rows, err := toy.Compare(Ts, &aca.Settings{RTol: 1e-5, ATol: 1e-5})
	require.NoError(t, err)
	require.Len(t, rows, len(Ts))
	for i, r := range rows {
		assert.Equal(t, Ts[i], r.T)
		assert.InEpsilon(t, 2*math.Exp(2*r.T), r.Exact, 1e-15)
		require.Len(t, r.Methods, 4)
		for j, name := range []string{"aca", "adjoint", "naive", "forward"} {
			m := r.Methods[j]
			assert.Equal(t, name, m.Method)
			assert.InDelta(t, math.Abs(m.Gradient-r.Exact)/r.Exact, m.RelErr, 1e-15)
			assert.Positive(t, m.Stats.NFEForward)
		}
		assert.LessOrEqual(t, r.Methods[0].RelErr, 1e-4, "T=%g", r.T)
	}
}

func TestCompareReportsSolverFailure(t *testing.T) {
	_, err := toy.Compare([]float64{10}, &aca.Settings{RTol: 1e-5, ATol: 1e-5, MaxSteps: 3})
	assert.ErrorContains(t, err, "toy T=10, aca")
}

func ExampleCompare() {
	rows, err := toy.Compare([]float64{1, 10}, &aca.Settings{RTol: 1e-5, ATol: 1e-5})
	if err != nil {
		panic(err)
	}
	for _, r := range rows {
		m := r.Methods[0]
		fmt.Printf("T=%g exact=%.4g %s rel. error %.1e\n", r.T, r.Exact, m.Method, m.RelErr)
	}
	// Output:
	// T=1 exact=14.78 aca rel. error 2.3e-07
	// T=10 exact=9.703e+08 aca rel. error 8.5e-06
}
