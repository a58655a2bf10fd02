package scenarios_test

import (
	"testing"

	"github.com/physid/physid/identify"
	"github.com/physid/physid/nbody"
	"github.com/physid/physid/scenarios"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestThreeBodyFileIsThePaperSetup: scenarios/three_body.toml writes the
// paper's three-body setup out as numbers; it must decode to exactly the
// setup of nbody.PaperThreeBody and nbody.PaperThreeBodyTimes (the one
// source): the system with its K1 and K2, the true masses, z0, the observed
// window and the extrapolation window. (The fitting settings are checked
// against internal/experiments/threebody there.)
func TestThreeBodyFileIsThePaperSetup(t *testing.T) {
	sc, err := scenarios.Load("three_body.toml")
	require.NoError(t, err)
	g, masses, z0 := nbody.PaperThreeBody()
	w := nbody.PaperThreeBodyTimes()

	require.Equal(t, "nbody", sc.Kind)
	got, ok := sc.Model.(nbody.Gravity)
	require.True(t, ok, "model is %T", sc.Model)
	assert.Equal(t, g.Bodies, got.Bodies)
	assert.Equal(t, g.Dims, got.Dims)
	assert.Equal(t, g.Gravity, got.Gravity, "K1 = gravity")
	assert.Equal(t, g.VelocityScale, got.VelocityScale, "K2 = velocity_scale")
	truth, ok := sc.TrueValues()
	require.True(t, ok)
	assert.Equal(t, masses, truth)
	assert.Equal(t, g.ParamNames(), sc.ParamNames)
	assert.Equal(t, z0, sc.Z0)

	pos, _ := g.Group(nbody.GroupPositions)
	assert.Equal(t, pos, sc.Observed, "the positions are observed")
	assert.Equal(t, w.T0, sc.T0)
	require.NotNil(t, sc.Simulate)
	assert.Equal(t, w.T0, sc.Simulate.T0)
	assert.Equal(t, w.T1, sc.Simulate.T1)
	assert.Equal(t, w.Points, sc.Simulate.Points)
	assert.Equal(t, identify.Linspace(w.T0, w.T1, w.Points), sc.Times)
	assert.Equal(t, w.Horizon, sc.Extrapolate.T1)
	assert.Equal(t, w.HorizonPoints, sc.Extrapolate.Points)
}
