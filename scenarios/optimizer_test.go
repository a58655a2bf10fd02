package scenarios_test

import (
	"testing"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/identify"
	"github.com/physid/physid/scenarios"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOptimizerAndMethodValues: the [fit] and [gradient] names become values
// carrying the file's settings.
func TestOptimizerAndMethodValues(t *testing.T) {
	sc, err := scenarios.Load("three_body.toml")
	require.NoError(t, err)
	opt, err := sc.Optimizer()
	require.NoError(t, err)
	assert.Equal(t, &identify.Adam{LR: 0.1, LRDecay: 0.95, Betas: [2]float64{0.5, 0.5}}, opt)
	assert.IsType(t, &aca.ACA{}, sc.FitProblem().Method)

	for name, want := range map[string]identify.Optimizer{"lbfgs": &identify.LBFGS{}, "lm": &identify.LM{}} {
		sc.Fit.Optimizer = name
		opt, err := sc.Optimizer()
		require.NoError(t, err)
		assert.Equal(t, want, opt)
		assert.Equal(t, name, opt.Name())
	}
	sc.Fit.Optimizer = "sgd"
	_, err = sc.Optimizer()
	assert.ErrorContains(t, err, "allowed: adam, lbfgs, lm")
}
