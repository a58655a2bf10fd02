package scenarios

import (
	"fmt"
	"math"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/identify"
)

// Simulation is a [data.simulate] table: observations made by simulating the
// model at the parameters' true values.
type Simulation struct {
	// T0 and T1 span the observation times (T0 default: the initial time).
	T0, T1 float64
	// Points is the number of equally spaced observation times (default 100).
	Points int
	// Noise is the standard deviation of Gaussian noise added (default 0).
	Noise float64
	// Seed seeds the noise (default 1).
	Seed uint64
	// RTol and ATol are the simulation's tolerances (default 1e-10 each).
	RTol, ATol float64
}

// maxPoints bounds data.simulate.points and extrapolate.points.
const maxPoints = 10_000_000

// simulate reads [data.simulate] and makes the observations.
func (d *decoder) simulate(dt *table, sc *Scenario) {
	st, _ := dt.sub("simulate")
	st.allow("t0", "t1", "points", "noise", "seed", "rtol", "atol")
	sim := &Simulation{}
	sim.T0 = st.time("t0", sc.T0)
	if !st.has("t1") {
		d.fail(st.at("t1"), "missing key: the last observation time")
		return
	}
	sim.T1 = st.time("t1", 0)
	sim.Points = st.integer("points", 100)
	sim.Noise = st.nonNegative("noise")
	seed := st.integer("seed", 1)
	sim.RTol, sim.ATol = st.rtol("rtol", "1e-10"), st.nonNegative("atol")
	st.done()
	if d.err != nil {
		return
	}
	switch {
	case sim.T0 < sc.T0:
		d.failf(st.at("t0"), "%g is before the initial time t0 = %g", sim.T0, sc.T0)
	case !(sim.T1 > sim.T0):
		d.failf(st.at("t1"), "%g is not after t0 = %g", sim.T1, sim.T0)
	case sim.Points < 1 || sim.Points > maxPoints:
		d.failf(st.at("points"), "%d is out of range; want 1 to %d", sim.Points, maxPoints)
	case seed < 0:
		d.failf(st.at("seed"), "%d is negative", seed)
	}
	if d.err != nil {
		return
	}
	sim.Seed = uint64(seed)
	if sim.RTol == 0 {
		sim.RTol = 1e-10
	}
	if sim.ATol == 0 {
		sim.ATol = 1e-10
	}
	truth := make([]float64, len(sc.Params))
	for i, p := range sc.Params {
		if !p.HasValue {
			d.failf(p.path+".value", "missing: [data.simulate] simulates at the true values; parameter %q has none", p.Name)
			return
		}
		truth[i] = p.Value
	}
	sc.Simulate = sim
	sc.Times = identify.Linspace(sim.T0, sim.T1, sim.Points)
	if sim.Points == 1 {
		sc.Times = []float64{sim.T1}
	}
	states, err := identify.Simulate(sc.Model, truth, sc.T0, sc.Z0, sc.Times, sim.Settings(sc.Solver))
	if err != nil {
		d.fail(st.path, fmt.Sprintf("simulating the observations at the true values failed: %v", err))
		return
	}
	sc.Values = identify.Observe(states, sc.Model.Dim(), sc.Observed)
	identify.AddNoise(sc.Values, sim.Noise, sim.Seed)
	for i, v := range sc.Values {
		if math.IsInf(v, 0) || math.IsNaN(v) {
			n := len(sc.Values) / len(sc.Times)
			d.failf(st.at("noise"), "%g makes observation %d (t = %g) %v; the noisy data must be finite",
				sim.Noise, i/n, sc.Times[i/n], v)
			return
		}
	}
}

// Settings returns the solver settings of the simulation: the scenario's
// method with the simulation's tolerances.
func (sim *Simulation) Settings(base aca.Settings) *aca.Settings {
	s := base
	s.RTol, s.ATol, s.Step = sim.RTol, sim.ATol, 0
	// A reference lands on every output time: each is then a step end, not
	// an interpolated value one order less accurate.
	s.Land = true
	if s.MaxSteps < 10_000_000 {
		s.MaxSteps = 10_000_000
	}
	return &s
}
