package nbody_test

import (
	"math"
	"testing"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/nbody"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rk4 advances z in place by steps classical Runge–Kutta steps of size h from t0,
// calling each (if not nil) after every step. It is here rather than in package
// integrate so that these tests depend on nothing but the model.
func rk4(m dynamics.Dynamics, z, theta []float64, t0, h float64, steps int, each func(t float64, z []float64)) {
	n := len(z)
	k1, k2, k3, k4, y := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	t := t0
	for range steps {
		m.Func(k1, t, z, theta)
		for i := range y {
			y[i] = z[i] + h/2*k1[i]
		}
		m.Func(k2, t+h/2, y, theta)
		for i := range y {
			y[i] = z[i] + h/2*k2[i]
		}
		m.Func(k3, t+h/2, y, theta)
		for i := range y {
			y[i] = z[i] + h*k3[i]
		}
		m.Func(k4, t+h, y, theta)
		for i := range z {
			z[i] += h / 6 * (k1[i] + 2*k2[i] + 2*k3[i] + k4[i])
		}
		t += h
		if each != nil {
			each(t, z)
		}
	}
}

// drift integrates the paper's three-body system over [0, 1] (a close approach
// at s ≈ 0.053 near t ≈ 0.5 included) with the given number of RK4 steps and
// returns the largest relative energy error, the largest momentum error and the
// largest error of the centre of mass against its straight line.
func drift(t *testing.T, steps int) (energy, momentum, center float64) {
	g, m, z := nbody.PaperThreeBody()
	e0 := g.Energy(z, m)
	p0, c0 := make([]float64, 3), make([]float64, 3)
	g.Momentum(p0, z, m)
	g.CenterOfMass(c0, z, m)
	total := m[0] + m[1] + m[2]
	p, c := make([]float64, 3), make([]float64, 3)
	rk4(g, z, m, 0, 1/float64(steps), steps, func(tt float64, z []float64) {
		require.NoError(t, g.CheckState(tt, z, m))
		energy = math.Max(energy, math.Abs(g.Energy(z, m)/e0-1))
		g.Momentum(p, z, m)
		g.CenterOfMass(c, z, m)
		for k := range p {
			momentum = math.Max(momentum, math.Abs(p[k]-p0[k]))
			line := c0[k] + g.VelocityScale*p0[k]/total*tt
			center = math.Max(center, math.Abs(c[k]-line))
		}
	})
	return energy, momentum, center
}

// TestConservation integrates the paper's system with RK4 and checks the three
// invariants. Momentum and the centre of mass's straight line are linear
// invariants, which every Runge–Kutta method keeps exactly (Hairer, Lubich &
// Wanner, Sec. IV.1), so only rounding remains: O(steps·ε·|m v|) ≈ 4000·1e-16,
// hence 1e-12. The energy error of RK4 is O(h⁴): we check that halving h divides
// it by about 16 (an observed order between 3.5 and 5) and bound it at h = 1/4000
// by 1e-7 (measured 2.9e-8; the close approach dominates).
func TestConservation(t *testing.T) {
	e1, p1, c1 := drift(t, 2000)
	e2, p2, c2 := drift(t, 4000)
	t.Logf("relative energy drift %.2g (h=1/2000), %.2g (h=1/4000); momentum %.2g, centre %.2g", e1, e2, p2, c2)
	order := math.Log2(e1 / e2)
	assert.Greater(t, order, 3.5)
	assert.Less(t, order, 5.0)
	assert.Less(t, e2, 1e-7)
	for _, x := range []float64{p1, p2, c1, c2} {
		assert.Less(t, x, 1e-12)
	}
}

// circular returns a two-body circular orbit in the plane spanned by the unit
// vectors e1 and e2: bodies of mass m1, m2 a apart, centre of mass at rest at the
// origin. The relative coordinate r = r2 − r1 obeys r̈ = −K1·K2·(m1+m2)·r/|r|³,
// a Kepler problem with μ = K1·K2·(m1+m2), so the angular rate is √(μ/a³), the
// period 2π√(a³/μ), and the relative velocity state w = v2 − v1 has speed ω·a/K2.
func circular(g nbody.Gravity, m1, m2, a float64, e1, e2 []float64) (z []float64, period float64) {
	total := m1 + m2
	mu := g.Gravity * g.VelocityScale * total
	omega := math.Sqrt(mu / (a * a * a))
	w := omega * a / g.VelocityScale
	d := g.Dims
	z = make([]float64, g.Dim())
	for k := range d {
		z[k] = -m2 / total * a * e1[k]
		z[d+k] = m1 / total * a * e1[k]
		z[2*d+k] = -m2 / total * w * e2[k]
		z[3*d+k] = m1 / total * w * e2[k]
	}
	return z, 2 * math.Pi / omega
}

// TestCircularOrbit integrates one analytic period of a circular orbit with RK4
// and checks that the state returns to its start and is opposite it at half a
// period. The global RK4 error with 2000 steps per period is ≈ C·(2π/2000)⁴ ≈
// 1e-10·C for an O(1) constant C (measured 2e-11); 1e-8 leaves room for C, while a
// period off by even 1e-6 would leave an error of about ω·a·1e-6 ≈ 1e-6.
func TestCircularOrbit(t *testing.T) {
	s := 1 / math.Sqrt(2)
	for _, tc := range []struct {
		name   string
		g      nbody.Gravity
		e1, e2 []float64
	}{
		{"unit, d=2", nbody.Gravity{Bodies: 2, Dims: 2, Gravity: 1, VelocityScale: 1}, []float64{1, 0}, []float64{0, 1}},
		{"paper units, tilted, d=3", nbody.PaperUnits().Gravity(2, 3), []float64{s, 0, s}, []float64{0, 1, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			z0, period := circular(tc.g, 1.1, 0.9, 0.5, tc.e1, tc.e2)
			const steps = 2000
			half := append([]float64(nil), z0...)
			rk4(tc.g, half, []float64{1.1, 0.9}, 0, period/steps, steps/2, nil)
			full := append([]float64(nil), half...)
			rk4(tc.g, full, []float64{1.1, 0.9}, period/2, period/steps, steps/2, nil)
			assert.InDeltaSlice(t, z0, full, 1e-8)
			assert.InDeltaSlice(t, scaled(-1, z0), half, 1e-8)
			worst := 0.0
			for i := range z0 {
				worst = math.Max(worst, math.Abs(full[i]-z0[i]))
			}
			t.Logf("period %.6g, return error %.2g", period, worst)
		})
	}
}

// TestEnergyByHand checks the diagnostics on a configuration worked out by hand.
func TestEnergyByHand(t *testing.T) {
	// Masses 2 and 3, 4 apart, speeds 1 and 2; K1 = 5, K2 = 7:
	// kinetic ½·7·(2·1 + 3·4) = 49, potential −5·2·3/4 = −7.5.
	g := nbody.Gravity{Bodies: 2, Dims: 2, Gravity: 5, VelocityScale: 7}
	z := []float64{0, 0, 0, 4, 1, 0, 0, -2}
	m := []float64{2, 3}
	assert.InDelta(t, 49, g.KineticEnergy(z, m), 1e-14)
	assert.InDelta(t, -7.5, g.PotentialEnergy(z, m), 1e-14)
	assert.InDelta(t, 41.5, g.Energy(z, m), 1e-14)
	p, c := make([]float64, 2), make([]float64, 2)
	g.Momentum(p, z, m)
	g.CenterOfMass(c, z, m)
	assert.InDeltaSlice(t, []float64{2, -6}, p, 1e-15)
	assert.InDeltaSlice(t, []float64{0, 2.4}, c, 1e-15)
}
