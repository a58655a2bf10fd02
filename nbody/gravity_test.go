package nbody_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/nbody"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// randomSystem returns a state with positions in [−1, 1]^d, no two bodies closer
// than 0.3, velocities in [−1, 1]^d and masses in [0.5, 1.5]: well-scaled points
// at which every Jacobian entry is at most K1·m/0.3³ ≈ 50·K1.
func randomSystem(rng *rand.Rand, g nbody.Gravity) (z, masses []float64) {
	z = make([]float64, g.Dim())
	masses = make([]float64, g.Bodies)
	for {
		for i := range z {
			z[i] = 2*rng.Float64() - 1
		}
		if err := (nbody.Gravity{Bodies: g.Bodies, Dims: g.Dims, MinSeparation: 0.3}).CheckState(0, z, nil); err == nil {
			break
		}
	}
	for i := range masses {
		masses[i] = 0.5 + rng.Float64()
	}
	return z, masses
}

// TestDerivatives compares JVP and VJP with central differences of Func at random
// configurations. CheckDerivatives' step of 1e-6 leaves truncation error
// ~h²·|∂³f| ≈ 1e-12·K1·m/s⁶ and rounding ~1e-16·|f|/h ≈ 1e-9 at separations
// s ≥ 0.3, so 1e-6 is a wide margin that still catches any wrong term (≥ 1e-2).
func TestDerivatives(t *testing.T) {
	paper, _, _ := nbody.PaperThreeBody()
	rng := rand.New(rand.NewPCG(7, 11))
	for _, tc := range []struct {
		bodies, dims int
		k1, k2       float64
	}{
		{2, 2, 1, 1},
		{2, 3, 0.7, 1.3},
		{3, 2, 1, 1},
		{3, 3, paper.Gravity, paper.VelocityScale},
		{4, 1, 1.5, 0.5},
		{3, 4, 1, 2},
	} {
		g := nbody.Gravity{Bodies: tc.bodies, Dims: tc.dims, Gravity: tc.k1, VelocityScale: tc.k2}
		t.Run(fmt.Sprintf("N=%d,d=%d", tc.bodies, tc.dims), func(t *testing.T) {
			worstAll := 0.0
			for range 5 {
				z, m := randomSystem(rng, g)
				worst, err := dynamics.CheckDerivatives(g, 0, z, m)
				require.NoError(t, err)
				assert.Less(t, worst, 1e-6)
				worstAll = math.Max(worstAll, worst)
			}
			t.Logf("worst relative error %.2g", worstAll)
		})
	}
	t.Run("paper", func(t *testing.T) {
		g, m, z0 := nbody.PaperThreeBody()
		worst, err := dynamics.CheckDerivatives(g, 0, z0, m)
		require.NoError(t, err)
		assert.Less(t, worst, 1e-6)
		t.Logf("worst relative error %.2g", worst)
	})
}

// TestFuncNewton checks Func against forces worked out by hand.
func TestFuncNewton(t *testing.T) {
	// Two unit masses 2 apart on the x axis, K1 = 3, K2 = 5: each is pulled
	// towards the other with K1·m/s² = 3/4; positions move at K2·v.
	g := nbody.Gravity{Bodies: 2, Dims: 2, Gravity: 3, VelocityScale: 5}
	z := []float64{-1, 0, 1, 0, 0.1, 0.2, 0.3, 0.4}
	dst := make([]float64, 8)
	g.Func(dst, 0, z, []float64{1, 1})
	assert.InDeltaSlice(t, []float64{0.5, 1, 1.5, 2, 0.75, 0, -0.75, 0}, dst, 1e-15)

	// Three bodies on a right angle, default K1 = K2 = 1: body 1 at the origin
	// feels m2/1² along x and m3/2² along y; body 2 feels body 3 at distance √5.
	g = nbody.Gravity{Bodies: 3, Dims: 2}
	z = []float64{0, 0, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0}
	m := []float64{1, 2, 4}
	dst = make([]float64, 12)
	g.Func(dst, 0, z, m)
	s5 := math.Pow(5, 1.5)
	want := []float64{
		0, 0, 0, 0, 0, 0,
		2, 1, // body 1: 2·(1,0)/1 + 4·(0,2)/8
		-1 - 4/s5, 8 / s5, // body 2: 1·(−1,0)/1 + 4·(−1,2)/5^1.5
		2 / s5, -1.0/4 - 4/s5, // body 3: 1·(0,−2)/8 + 2·(1,−2)/5^1.5
	}
	assert.InDeltaSlice(t, want, dst, 1e-15)
}

// TestJVPVJPConventions checks the parts of the contract the checker cannot:
// VJP adds, a nil dtheta or vtheta is allowed, and uᵀ(J v) = (Jᵀu)ᵀv for random
// vectors (equal to rounding, ~1e-14 on these O(10) numbers).
func TestJVPVJPConventions(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	g := nbody.Gravity{Bodies: 3, Dims: 3, Gravity: 0.8, VelocityScale: 1.7}
	z, m := randomSystem(rng, g)
	n, p := g.Dim(), g.NumParams()
	vz, vt, u := randVec(rng, n), randVec(rng, p), randVec(rng, n)

	jv := make([]float64, n)
	g.JVP(jv, 0, z, m, vz, vt)
	dz, dth := make([]float64, n), make([]float64, p)
	g.VJP(dz, dth, 0, z, m, u)
	assert.InDelta(t, dot(u, jv), dot(dz, vz)+dot(dth, vt), 1e-12)

	// Adding: a second call doubles.
	dz2, dth2 := append([]float64(nil), dz...), append([]float64(nil), dth...)
	g.VJP(dz2, dth2, 0, z, m, u)
	assert.InDeltaSlice(t, scaled(2, dz), dz2, 1e-14)
	assert.InDeltaSlice(t, scaled(2, dth), dth2, 1e-14)

	// nil dtheta: same dz; nil vtheta: the θ part is dropped.
	dz3 := make([]float64, n)
	g.VJP(dz3, nil, 0, z, m, u)
	assert.Equal(t, dz, dz3)
	jz, jt := make([]float64, n), make([]float64, n)
	g.JVP(jz, 0, z, m, vz, nil)
	g.JVP(jt, 0, z, m, make([]float64, n), vt)
	for i := range jv {
		assert.InDelta(t, jv[i], jz[i]+jt[i], 1e-13)
	}
}

func TestNamesAndGroups(t *testing.T) {
	g3 := nbody.Gravity{Bodies: 2, Dims: 3}
	assert.Equal(t, []string{"x1", "y1", "z1", "x2", "y2", "z2", "vx1", "vy1", "vz1", "vx2", "vy2", "vz2"}, g3.StateNames())
	assert.Equal(t, []string{"m1", "m2"}, g3.ParamNames())
	assert.Equal(t, []string{"x1", "y1", "x2", "y2", "x3", "y3", "vx1", "vy1", "vx2", "vy2", "vx3", "vy3"},
		nbody.Gravity{Bodies: 3, Dims: 2}.StateNames())
	assert.Equal(t, []string{"x1", "x2", "vx1", "vx2"}, nbody.Gravity{Bodies: 2, Dims: 1}.StateNames())
	g4 := nbody.Gravity{Bodies: 2, Dims: 4}
	names := g4.StateNames()
	require.Len(t, names, g4.Dim())
	assert.Equal(t, []string{"r1_1", "r1_4", "r2_1", "v1_1", "v2_4"}, []string{names[0], names[3], names[4], names[8], names[15]})

	pos, ok := g3.Group("positions")
	require.True(t, ok)
	assert.Equal(t, []int{0, 1, 2, 3, 4, 5}, pos)
	vel, ok := g3.Group("velocities")
	require.True(t, ok)
	assert.Equal(t, []int{6, 7, 8, 9, 10, 11}, vel)
	for _, i := range vel {
		assert.Equal(t, "v", g3.StateNames()[i][:1])
	}
	_, ok = g3.Group("masses")
	assert.False(t, ok)
	assert.Equal(t, []string{"positions", "velocities"}, g3.GroupNames())

	z := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	assert.Equal(t, []float64{1, 2, 3, 4, 5, 6}, g3.Positions(z))
	assert.Equal(t, []float64{7, 8, 9, 10, 11, 12}, g3.Velocities(z))
}

func TestWrongLengthsPanic(t *testing.T) {
	g := nbody.Gravity{Bodies: 3, Dims: 3}
	z, m := make([]float64, g.Dim()), make([]float64, 3)
	assert.PanicsWithValue(t, "nbody: Func: len(theta) = 2, want 3", func() { g.Func(make([]float64, g.Dim()), 0, z, m[:2]) })
	assert.PanicsWithValue(t, "nbody: VJP: len(dtheta) = 4, want 3", func() {
		g.VJP(make([]float64, g.Dim()), make([]float64, 4), 0, z, m, z)
	})
	assert.Panics(t, func() { g.JVP(make([]float64, g.Dim()), 0, z, m, z[:5], nil) })
}

// TestNoAllocations guards the hot path: Func, JVP, VJP and CheckState run at
// every solver stage and must not allocate.
func TestNoAllocations(t *testing.T) {
	g, m, z := nbody.PaperThreeBody()
	n := g.Dim()
	dst, dz, dth, v := make([]float64, n), make([]float64, n), make([]float64, 3), make([]float64, n)
	aug, dpos := make([]float64, nbody.AugmentedDim(3, 3)), make([]float64, 9)
	p3 := make([]float64, 3)
	for name, f := range map[string]func(){
		"Func":       func() { g.Func(dst, 0, z, m) },
		"JVP":        func() { g.JVP(dst, 0, z, m, v, m) },
		"JVPnil":     func() { g.JVP(dst, 0, z, m, v, nil) },
		"VJP":        func() { g.VJP(dz, dth, 0, z, m, v) },
		"VJPnil":     func() { g.VJP(dz, nil, 0, z, m, v) },
		"CheckState": func() { _ = g.CheckState(0, z, m) },
		"Energy":     func() { _ = g.Energy(z, m) },
		"Momentum":   func() { g.Momentum(p3, z, m) },
		"CoM":        func() { g.CenterOfMass(p3, z, m) },
		"Augment":    func() { g.Augment(aug, g.Positions(z)) },
		"AugmentJVP": func() { g.AugmentJVP(aug, g.Positions(z), g.Velocities(z)) },
		"AugmentVJP": func() { g.AugmentVJP(dpos, g.Positions(z), aug) },
	} {
		assert.Zero(t, testing.AllocsPerRun(100, f), name)
	}
}

func BenchmarkFuncThreeBody(b *testing.B) {
	g, m, z := nbody.PaperThreeBody()
	dst := make([]float64, g.Dim())
	b.ReportAllocs()
	for b.Loop() {
		g.Func(dst, 0, z, m)
	}
}

func BenchmarkVJPThreeBody(b *testing.B) {
	g, m, z := nbody.PaperThreeBody()
	dz, dth := make([]float64, g.Dim()), make([]float64, 3)
	b.ReportAllocs()
	for b.Loop() {
		g.VJP(dz, dth, 0, z, m, z)
	}
}

func randVec(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = 2*rng.Float64() - 1
	}
	return v
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func scaled(c float64, a []float64) []float64 {
	out := make([]float64, len(a))
	for i, x := range a {
		out[i] = c * x
	}
	return out
}
