package identify

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/dynamics"
)

// TestObjectiveKeepsWorstReconstruction: with the adjoint, the objective keeps
// the statistics of its worst backward reconstruction, for a fit's one warning;
// with ACA there is none. Van der Pol on [0, 10] at 1e-7 drifts by ~1e8
// tolerance units (the shipped scenario), far above cmd/identify's 1000.
func TestObjectiveKeepsWorstReconstruction(t *testing.T) {
	m := dynamics.VanDerPol{}
	times := Linspace(0.5, 10, 20)
	values, err := Simulate(m, []float64{1}, 0, []float64{2, 0}, times, &aca.Settings{RTol: 1e-10, ATol: 1e-10})
	require.NoError(t, err)
	p := &Problem{Model: m, Params: []Parameter{{Name: "mu", Init: 1.5, Min: 0, Max: 10}}, Z0: []float64{2, 0},
		Times: times, Values: values, Solver: aca.Settings{RTol: 1e-7, ATol: 1e-7, MaxSteps: 1000000}}
	for _, tc := range []struct {
		method aca.Method
		has    bool
	}{{&aca.ACA{}, false}, {&aca.Adjoint{}, true}} {
		p.Method = tc.method
		o, err := newObjective(p)
		require.NoError(t, err)
		u := o.uOf(o.theta)
		grad := make([]float64, len(u))
		for _, du := range []float64{0, 0.01} {
			u[0] += du
			_, err = o.eval(u, grad)
			require.NoError(t, err)
		}
		assert.Equal(t, tc.has, o.worst.HasReconstruction, tc.method.Name())
		if tc.has {
			assert.Greater(t, o.worst.ReconstructionError, 1000.0)
		}
	}
}
