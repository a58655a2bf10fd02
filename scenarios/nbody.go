package scenarios

import (
	"math"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/nbody"
)

// maxBodies and maxDims bound kind nbody's sizes.
const (
	maxBodies = 1000
	maxDims   = 10
)

// nbodyModel is kind nbody: N bodies in d dimensions, masses as parameters.
func nbodyModel(sys *table) dynamics.Dynamics {
	for _, k := range []string{"bodies", "dims"} {
		if !sys.has(k) {
			sys.d.failf(sys.at(k), "missing: kind nbody needs %s", k)
			return nil
		}
	}
	n := sys.integer("bodies", 0)
	if sys.d.err == nil && (n < 1 || n > maxBodies) {
		sys.d.failf(sys.at("bodies"), "%d is out of range; want 1 to %d", n, maxBodies)
	}
	d := sys.integer("dims", 0)
	if sys.d.err == nil && (d < 1 || d > maxDims) {
		sys.d.failf(sys.at("dims"), "%d is out of range; want 1 to %d", d, maxDims)
	}
	g := nbody.Gravity{Bodies: n, Dims: d}
	g.Gravity = sys.positive("gravity", 1)
	g.VelocityScale = sys.positive("velocity_scale", 1)
	g.MinSeparation = sys.positive("min_separation", nbody.DefaultMinSeparation)
	if sys.d.err != nil {
		return nil
	}
	return g
}

// positive reads a number > 0; def when absent.
func (t *table) positive(key string, def float64) float64 {
	x, ok := t.num(key, def)
	if ok && t.d.err == nil && x <= 0 {
		t.d.failf(t.at(key), "%g is not positive", x)
	}
	return x
}

// nbodyState reads [initial_state] positions and velocities, N rows of d numbers.
func nbodyState(st *table, m dynamics.Dynamics, _ []string) []float64 {
	g := m.(nbody.Gravity)
	z0 := make([]float64, 0, g.Dim())
	for _, key := range []string{"positions", "velocities"} {
		if !st.has(key) {
			st.d.failf(st.at(key), "missing key: %d rows of %d numbers, one per body", g.Bodies, g.Dims)
			return nil
		}
		rows, ok := st.rows(key, g.Dims)
		if !ok {
			return nil
		}
		if len(rows) != g.Bodies {
			st.d.failf(st.at(key), "wrong length: %d rows, want one per body (%d)", len(rows), g.Bodies)
			return nil
		}
		for _, r := range rows {
			z0 = append(z0, r...)
		}
	}
	ones := make([]float64, g.Bodies)
	for i := range ones {
		ones[i] = 1
	}
	if err := g.Validate(z0, ones); err != nil {
		st.d.failf(st.at("positions"), "%v", err)
		return nil
	}
	return z0
}

// checkMasses rejects non-positive masses and bounds of an nbody scenario.
func (d *decoder) checkMasses(sc *Scenario) {
	if _, ok := sc.Model.(nbody.Gravity); !ok || d.err != nil {
		return
	}
	for _, p := range sc.Params {
		field := p.path
		switch {
		case p.HasValue && p.Value <= 0:
			d.failf(field+".value", "mass %s = %g is not positive", p.Name, p.Value)
		case p.Init <= 0:
			d.failf(field+".init", "mass %s starts at %g; masses must be positive", p.Name, p.Init)
		case p.Min <= 0 && !math.IsInf(p.Min, -1):
			d.failf(field+".min", "mass bound %g is not positive", p.Min)
		case p.Max <= 0:
			d.failf(field+".max", "mass bound %g is not positive", p.Max)
		}
		if d.err != nil {
			return
		}
	}
}

// groupsOf returns the model's named groups of states (nbody: positions,
// velocities), for data.observe.
func groupsOf(m dynamics.Dynamics) func(string) ([]int, bool) {
	if g, ok := m.(interface{ Group(string) ([]int, bool) }); ok {
		return g.Group
	}
	return func(string) ([]int, bool) { return nil, false }
}
