package dynamics_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/physid/physid/dynamics"
)

func TestSignalHoldAndLinear(t *testing.T) {
	times, vals := []float64{0, 1, 2, 3}, []float64{10, 20, 30, 40}
	h, err := dynamics.NewSignal("u", times, vals, dynamics.Hold)
	require.NoError(t, err)
	l, err := dynamics.NewSignal("u", times, vals, dynamics.LinearInterp)
	require.NoError(t, err)
	for _, tc := range []struct{ t, hold, lin float64 }{
		{0, 10, 10}, {0.5, 10, 15}, {1, 20, 20}, {2.999, 30, 39.99}, {3, 40, 40}, {0.25, 10, 12.5}, {2, 30, 30},
	} {
		assert.Equal(t, tc.hold, h.At(tc.t), "hold at %g", tc.t)
		assert.InDelta(t, tc.lin, l.At(tc.t), 1e-12, "linear at %g", tc.t)
	}
	assert.NoError(t, h.Check(3))
	assert.Equal(t, times, h.Breakpoints())
	assert.Nil(t, l.Breakpoints())
	assert.Equal(t, 40.0, h.At(3.5))
	require.Error(t, h.Check(3.5))
	assert.Contains(t, h.Check(3.5).Error(), "input u needed at t=3.5")
	_, err = dynamics.NewSignal("u", []float64{0, 0}, []float64{1, 2}, dynamics.Hold)
	assert.Error(t, err)
}

func TestSignalAtAllocatesNothing(t *testing.T) {
	s, err := dynamics.NewSignal("u", []float64{0, 1, 2, 3}, []float64{1, 2, 3, 4}, dynamics.LinearInterp)
	require.NoError(t, err)
	x := 0.0
	assert.Zero(t, testing.AllocsPerRun(100, func() {
		for _, tt := range []float64{0.1, 0.7, 1.3, 2.9, 0.2} {
			x += s.At(tt)
		}
	}))
}

func TestMergeBreakpoints(t *testing.T) {
	assert.Equal(t, []float64{0, 1, 2, 5}, dynamics.MergeBreakpoints([]float64{0, 2, 5}, []float64{1, 2}))
}
