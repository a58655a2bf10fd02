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

// TestFitDefaults: a scenario without [fit] fits with LM for 200 epochs from
// the init as given (no jitter) and reports the classic covariance; the
// three-body scenario keeps the paper's Adam, 100 epochs and jitter 0.1.
func TestFitDefaults(t *testing.T) {
	sc, err := scenarios.Load("lotka_volterra.toml")
	require.NoError(t, err)
	opt, err := sc.Optimizer()
	require.NoError(t, err)
	assert.Equal(t, &identify.LM{}, opt)
	o := sc.Options()
	assert.Equal(t, 200, o.Epochs)
	assert.Equal(t, 0.0, o.Jitter)
	assert.Equal(t, 1, o.Starts)
	assert.Equal(t, identify.Classic, o.Covariance)

	sc, err = scenarios.Load("three_body.toml")
	require.NoError(t, err)
	opt, err = sc.Optimizer()
	require.NoError(t, err)
	assert.Equal(t, "adam", opt.Name())
	o = sc.Options()
	assert.Equal(t, 100, o.Epochs)
	assert.Equal(t, 0.1, o.Jitter)
	sc.Fit.Optimizer, sc.Fit.Epochs = "adam", 0
	assert.Equal(t, 100, sc.Options().Epochs, "adam's own limit when [fit] gives none")
}
