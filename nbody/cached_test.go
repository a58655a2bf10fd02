package nbody_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/physid/physid/nbody"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCachedBitIdentical: Func, JVP, VJP and CheckState of a Cached equal
// Gravity's float for float, at states that repeat (cache hits, from any of
// the slots), that differ only in velocities (a hit on the positions), and at
// more states than the cache holds (evictions).
func TestCachedBitIdentical(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	paper, _, _ := nbody.PaperThreeBody()
	for _, g := range []nbody.Gravity{paper, {Bodies: 5, Dims: 2, Gravity: 0.7, MinSeparation: 0.05}} {
		c := g.Cached()
		n := g.Dim()
		var states [][]float64
		var masses []float64
		for range 12 {
			z, m := randomSystem(rng, g)
			states, masses = append(states, z), m
		}
		u := make([]float64, n)
		vt := make([]float64, g.Bodies)
		for i := range u {
			u[i] = 2*rng.Float64() - 1
		}
		vt[1] = 0.5
		want, got := make([]float64, n), make([]float64, n)
		wz, gz := make([]float64, n), make([]float64, n)
		wt, gt := make([]float64, g.Bodies), make([]float64, g.Bodies)
		for round := range 200 {
			z := states[rng.IntN(len(states))]
			if round%7 == 0 { // same positions, new velocities
				z = append([]float64(nil), z...)
				for i := g.Bodies * g.Dims; i < n; i++ {
					z[i] = 2*rng.Float64() - 1
				}
			}
			switch round % 3 {
			case 0:
				g.Func(want, 0, z, masses)
				c.Func(got, 0, z, masses)
				require.Equal(t, want, got, "Func")
			case 1:
				g.JVP(want, 0, z, masses, u, vt)
				c.JVP(got, 0, z, masses, u, vt)
				require.Equal(t, want, got, "JVP")
			default:
				clear(wz)
				clear(gz)
				clear(wt)
				clear(gt)
				g.VJP(wz, wt, 0, z, masses, u)
				c.VJP(gz, gt, 0, z, masses, u)
				require.Equal(t, wz, gz, "VJP dz")
				require.Equal(t, wt, gt, "VJP dθ")
			}
			assert.Equal(t, g.CheckState(1, z, masses), c.CheckState(1, z, masses))
		}
	}
}

// TestCachedCheckState: the close-encounter test folded into the cache
// reports the same pair, separation and message as Gravity's, also when
// several pairs are close and on a tie.
func TestCachedCheckState(t *testing.T) {
	g := nbody.Gravity{Bodies: 4, Dims: 2, MinSeparation: 0.1}
	for _, pos := range [][]float64{
		{0, 0, 1, 0, 1, 0.05, 3, 3},    // bodies 2 and 3
		{0, 0, 0.02, 0, 1, 1, 1, 1.01}, // 1–2 (0.02) and 3–4 (0.01): the closer, 3–4
		{0, 0, 0.05, 0, 1, 1, 1, 1.05}, // a tie: the first pair
		{0, 0, 1, 0, 2, 0, 3, 0},       // no encounter
		{0, 0, math.NaN(), 0, 2, 0, 3, 0},
	} {
		z := append(append([]float64(nil), pos...), make([]float64, 8)...)
		c := g.Cached()
		f := make([]float64, g.Dim())
		c.Func(f, 0, z, []float64{1, 1, 1, 1}) // fills the cache as a solver's last stage does
		assert.Equal(t, g.CheckState(2, z, nil), c.CheckState(2, z, nil), "%v", pos)
		assert.Equal(t, g.CheckState(2, z, nil), g.Cached().CheckState(2, z, nil), "%v (cold cache)", pos)
	}
}

// TestCachedAllocatesNothing: once its slots are filled a Cached allocates
// nothing per call.
func TestCachedAllocatesNothing(t *testing.T) {
	g, masses, z0 := nbody.PaperThreeBody()
	c := g.Cached()
	f, dz, dt := make([]float64, g.Dim()), make([]float64, g.Dim()), make([]float64, 3)
	z := append([]float64(nil), z0...)
	allocs := testing.AllocsPerRun(100, func() {
		z[0] += 1e-3 // a new state: a miss
		c.Func(f, 0, z, masses)
		c.VJP(dz, dt, 0, z, masses, f)
		_ = c.CheckState(0, z, masses)
	})
	assert.Zero(t, allocs)
}
