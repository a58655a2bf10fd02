package threebody_test

import (
	"testing"

	"github.com/physid/physid/internal/experiments/threebody"
	"github.com/physid/physid/scenarios"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestScenarioFileMatchesPaperProblem: `identify reproduce three-body` runs
// scenarios/three_body.toml, so the file must say what PaperProblem,
// TruthSettings and PaperAdam say. (Its physics — masses, z0, K1, K2 and the
// windows — is checked against nbody in package scenarios.)
func TestScenarioFileMatchesPaperProblem(t *testing.T) {
	sc, err := scenarios.Load("../../../scenarios/three_body.toml")
	require.NoError(t, err)
	want, _ := threebody.PaperProblem(len(sc.Times), 0, 0)
	got := sc.FitProblem()
	assert.Equal(t, want.Weights, got.Weights, "time_weight = TimeWeight")
	// The same system, masses, z0 and times simulated with the same
	// tolerances, noise-free: the same numbers.
	assert.Equal(t, want.Values, got.Values)
	require.Len(t, got.Params, len(want.Params))
	for i, p := range want.Params {
		assert.Equal(t, p.Name, got.Params[i].Name)
		assert.Equal(t, p.Init, got.Params[i].Init, "%s init", p.Name)
	}
	ps := threebody.PaperSolver()
	assert.Equal(t, ps.RTol, got.Solver.RTol)
	assert.Equal(t, ps.ATol, got.Solver.ATol)
	ts := threebody.TruthSettings()
	require.NotNil(t, sc.Simulate)
	assert.Equal(t, ts.RTol, sc.Simulate.RTol)
	assert.Equal(t, ts.ATol, sc.Simulate.ATol)
	assert.Zero(t, sc.Simulate.Noise)

	opt, err := sc.Optimizer()
	require.NoError(t, err)
	assert.Equal(t, threebody.PaperAdam(), opt)
	want0, o := threebody.PaperOptions(sc.Fit.Seed), sc.Options()
	assert.Equal(t, want0.Epochs, o.Epochs)
	assert.Equal(t, want0.Jitter, o.Jitter)
	assert.Equal(t, want0.Seed, o.Seed)
}
