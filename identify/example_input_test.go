package identify_test

import (
	"context"
	"fmt"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/identify"
)

// heater is a first-order thermal model driven by a measured heater power
// u(t): T' = (K·u(t) − T)/τ, θ = [K τ]. The power is a dynamics.Signal held
// between samples, and the model reports its sample times as breakpoints,
// so the solver never steps across a jump of u.
type heater struct{ u *dynamics.Signal }

func (heater) Dim() int       { return 1 }
func (heater) NumParams() int { return 2 }

func (m heater) Func(dst []float64, t float64, z, th []float64) {
	dst[0] = (th[0]*m.u.At(t) - z[0]) / th[1]
}

func (m heater) JVP(dst []float64, t float64, z, th, vz, vth []float64) {
	dst[0] = -vz[0] / th[1]
	if vth != nil {
		dst[0] += vth[0]*m.u.At(t)/th[1] - vth[1]*(th[0]*m.u.At(t)-z[0])/(th[1]*th[1])
	}
}

func (m heater) VJP(dz, dth []float64, t float64, z, th, w []float64) {
	dz[0] -= w[0] / th[1]
	if dth != nil {
		dth[0] += w[0] * m.u.At(t) / th[1]
		dth[1] -= w[0] * (th[0]*m.u.At(t) - z[0]) / (th[1] * th[1])
	}
}

// Breakpoints makes the solver stop at every sample of the held input.
func (m heater) Breakpoints() []float64 { return m.u.Breakpoints() }

// Clone gives each goroutine its own signal lookup position.
func (m heater) Clone() dynamics.Dynamics { return heater{m.u.Clone()} }

// Fit the gain and time constant of a heater from its temperature under a
// stepped power input, with an unknown initial temperature: one experiment,
// a Gaussian observable with a known σ, and the initial state a parameter.
func ExampleFit_input() {
	times := identify.Linspace(0, 40, 81)
	power := make([]float64, len(times))
	for i, t := range times {
		power[i] = []float64{1, 3, 0, 2}[int(t/10)%4]
	}
	u, err := dynamics.NewSignal("power", times, power, dynamics.Hold)
	if err != nil {
		panic(err)
	}
	truth := heater{u}
	s := &aca.Settings{RTol: 1e-10, ATol: 1e-12}
	temps, err := identify.Simulate(truth, []float64{2, 5}, 0, []float64{1.5}, times, s)
	if err != nil {
		panic(err)
	}
	p := &identify.Problem{
		Params: []identify.Parameter{{Name: "K", Init: 1, Min: 0, Max: 100}, {Name: "tau", Init: 1, Min: 0.01, Max: 100},
			{Name: "T0", Init: 0, Min: -10, Max: 10}},
		Solver: *s,
		Experiments: []identify.Experiment{{
			Name: "steps", Model: heater{u}, Theta: []int{0, 1}, Local: []int{2},
			Z0: identify.InitialValues{Values: []float64{0}, Param: []int{2}}, Times: times,
			Observation: identify.StateObservation{0},
			Observables: []identify.Observable{{Name: "temperature", Sigma: 0.1}},
			Values:      temps,
		}},
	}
	res, err := identify.Fit(context.Background(), p, nil, nil)
	if err != nil {
		panic(err)
	}
	fmt.Printf("K = %.4g, tau = %.4g, T0 = %.4g (%s)\n", res.Params[0], res.Params[1], res.Params[2], res.Status)
	fmt.Printf("fit: %.4g%%\n", res.Experiments[0].Observables[0].FitPercent)
	// Output:
	// K = 2, tau = 5, T0 = 1.5 (converged)
	// fit: 100%
}
