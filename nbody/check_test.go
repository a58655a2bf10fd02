package nbody_test

import (
	"errors"
	"math"
	"testing"

	"github.com/physid/physid/nbody"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckStateCloseEncounter(t *testing.T) {
	g := nbody.Gravity{Bodies: 3, Dims: 2, MinSeparation: 1e-3}
	// Bodies 1 and 3 are 4e-4 apart, bodies 2 and 3 5e-4: the closest pair is named.
	z := []float64{0, 0, 5e-4 + 4e-4, 0, 4e-4, 0, 1, 2, 3, 4, 5, 6}
	err := g.CheckState(2.5, z, []float64{1, 1, 1})
	require.Error(t, err)
	assert.True(t, errors.Is(err, nbody.ErrCloseEncounter))
	assert.Equal(t, "nbody: close encounter: bodies 1 and 3 are 0.0004 apart at t=2.5 (minimum separation 0.001)", err.Error())

	// Far apart: no error. At exactly MinSeparation: no error (the floor is strict).
	z[4] = 3
	z[2] = 1e-3
	assert.NoError(t, g.CheckState(0, z, nil))

	// The default floor is 1e-6.
	g = nbody.Gravity{Bodies: 2, Dims: 1}
	assert.NoError(t, g.CheckState(0, []float64{0, 2e-6, 0, 0}, nil))
	err = g.CheckState(-1, []float64{0, 5e-7, 0, 0}, nil)
	assert.ErrorIs(t, err, nbody.ErrCloseEncounter)
	assert.ErrorContains(t, err, "bodies 1 and 2 are 5e-07 apart at t=-1 (minimum separation 1e-06)")
}

func TestValidate(t *testing.T) {
	g, m, z0 := nbody.PaperThreeBody()
	require.NoError(t, g.Validate(z0, m))

	with := func(i int, x float64) []float64 {
		z := append([]float64(nil), z0...)
		z[i] = x
		return z
	}
	on := append([]float64(nil), z0...)
	copy(on[6:9], on[0:3]) // body 3 on top of body 1
	for _, tc := range []struct {
		name   string
		g      nbody.Gravity
		z0, m  []float64
		target error
		msg    string
	}{
		{"zero mass", g, z0, []float64{1.1, 0, 0.9}, nbody.ErrNonPositiveMass, "m2 = 0"},
		{"negative mass", g, z0, []float64{1.1, 1.1, -0.9}, nbody.ErrNonPositiveMass, "m3 = -0.9"},
		{"NaN mass", g, z0, []float64{math.NaN(), 1.1, 0.9}, nbody.ErrNonPositiveMass, "m1 = NaN"},
		{"coincident", g, on, m, nbody.ErrCloseEncounter, "bodies 1 and 3 start 0 apart"},
		{"non-finite state", g, with(10, math.Inf(1)), m, nbody.ErrInvalid, "initial vy1 = +Inf"},
		{"short state", g, z0[:17], m, nbody.ErrInvalid, "initial state has 17 values, want 18"},
		{"mass count", g, z0, m[:2], nbody.ErrInvalid, "2 masses for 3 bodies"},
		{"no bodies", nbody.Gravity{Dims: 3}, nil, nil, nbody.ErrInvalid, "Bodies = 0"},
		{"no dims", nbody.Gravity{Bodies: 3}, nil, m, nbody.ErrInvalid, "Dims = 0"},
		{"negative floor", nbody.Gravity{Bodies: 3, Dims: 3, MinSeparation: -1}, z0, m, nbody.ErrInvalid, "MinSeparation = -1"},
		{"NaN K1", nbody.Gravity{Bodies: 3, Dims: 3, Gravity: math.NaN()}, z0, m, nbody.ErrInvalid, "Gravity = NaN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.g.Validate(tc.z0, tc.m)
			assert.ErrorIs(t, err, tc.target)
			assert.ErrorContains(t, err, tc.msg)
		})
	}
}
