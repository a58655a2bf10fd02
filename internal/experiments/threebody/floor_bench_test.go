package threebody_test

import (
	"math"
	"testing"
	"time"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/internal/experiments/threebody"
	"github.com/physid/physid/nbody"
)

// floorProblem is the benchmark: the paper's three-body gradient
// with respect to the masses (at their init values, 1) from 1,000 noise-free
// observations of the positions, with the fit's solver (Dopri5, 1e-7).
func floorProblem(b *testing.B, model dynamics.Dynamics) (*aca.Problem, *aca.Settings) {
	p, _ := threebody.PaperProblem(1000, 0, 1)
	loss, err := aca.NewLeastSquares(p.Model.Dim(), p.Observed, p.Values, p.Weights)
	if err != nil {
		b.Fatal(err)
	}
	theta := make([]float64, len(p.Params))
	for i, q := range p.Params {
		theta[i] = q.Init
	}
	s := p.Solver
	return &aca.Problem{Model: model, Theta: theta, T0: p.T0, Z0: p.Z0, Times: p.Times, Loss: loss}, &s
}

// counting counts the calls a method makes to its model.
type counting struct {
	dynamics.Dynamics
	f, jvp, vjp int
}

func (c *counting) Func(dst []float64, t float64, z, theta []float64) {
	c.f++
	c.Dynamics.Func(dst, t, z, theta)
}

func (c *counting) JVP(dst []float64, t float64, z, theta, vz, vt []float64) {
	c.jvp++
	c.Dynamics.JVP(dst, t, z, theta, vz, vt)
}

func (c *counting) VJP(dz, dt []float64, t float64, z, theta, u []float64) {
	c.vjp++
	c.Dynamics.VJP(dz, dt, t, z, theta, u)
}

// perCall measures the ns of one call of f, JVP and VJP of the plain model,
// cycling over the states of a solution so that no call repeats the last.
func perCall(g nbody.Gravity, p *aca.Problem, states []float64) (f, jvp, vjp float64) {
	n, np := g.Dim(), g.NumParams()
	K := len(states) / n
	dst, u, dz, dth, vt := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, np), make([]float64, np)
	for i := range u {
		u[i] = 0.1 * float64(i%5-2)
	}
	vt[0] = 1
	// The fastest of several rounds: on a shared machine a round that another
	// process interrupts would raise the floor and flatter time/floor.
	const rounds, calls = 9, 30000
	measure := func(call func(z []float64)) float64 {
		best := math.Inf(1)
		for range rounds {
			start := time.Now()
			for i := range calls {
				k := i % K
				call(states[k*n : (k+1)*n])
			}
			best = math.Min(best, float64(time.Since(start).Nanoseconds())/calls)
		}
		return best
	}
	f = measure(func(z []float64) { g.Func(dst, 0, z, p.Theta) })
	jvp = measure(func(z []float64) { g.JVP(dst, 0, z, p.Theta, u, vt) })
	vjp = measure(func(z []float64) { g.VJP(dz, dth, 0, z, p.Theta, u) })
	return f, jvp, vjp
}

// BenchmarkThreeBodyGradientFloor reports, beside ns/op and allocs/op, the
// calls of f, JVP and VJP per gradient and the floor: what those calls cost
// at the measured ns per call of the plain nbody.Gravity (floor-ns), and
// time/floor, the overhead of everything else (the solver's vector work, the
// recording, the loss). The "cached" models are nbody.Cached, whose calls at a
// repeated state reuse the pair distances, so their time/floor can go below
// the plain model's. forward-z0 is forward sensitivities with the z0 columns
// (aca.Forward{WithZ0: true}, 21 columns), forward the default θ-only (3).
// aca-stages keeps the forward pass's stages (ACA.StageBudget), aca-ckpt100
// holds at most 100 states (ACA.Checkpoints).
func BenchmarkThreeBodyGradientFloor(b *testing.B) {
	g, _, _ := nbody.PaperThreeBody()
	p0, _ := floorProblem(b, g)
	states, err := aca.Gradient(p0, &aca.Settings{RTol: 1e-7, ATol: 1e-7}, &aca.ACA{})
	if err != nil {
		b.Fatal(err)
	}
	nsF, nsJVP, nsVJP := perCall(g, p0, states.States)
	for _, model := range []struct {
		name string
		m    func() dynamics.Dynamics
	}{
		{"gravity", func() dynamics.Dynamics { return g }},
		{"cached", func() dynamics.Dynamics { return g.Cached() }},
	} {
		for _, method := range []string{"aca", "aca-stages", "aca-ckpt100", "adjoint", "forward", "forward-z0"} {
			b.Run(model.name+"/"+method, func(b *testing.B) {
				m, _ := aca.ByName(method)
				switch method {
				case "aca-stages": // the forward pass's stages kept (64 MiB allowed)
					m = &aca.ACA{StageBudget: 64 << 20}
				case "aca-ckpt100": // at most 100 states held
					m = &aca.ACA{Checkpoints: 100}
				}
				if method == "forward-z0" { // the 18 columns of ∂z/∂z0 too, as grad asks
					m = aca.NeedZ0(&aca.Forward{})
				}
				cnt := &counting{Dynamics: model.m()}
				p, s := floorProblem(b, cnt)
				if _, err := m.Gradient(p, s); err != nil {
					b.Fatal(err)
				}
				p.Model = model.m()
				var res *aca.Result
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					if res, err = m.Gradient(p, s); err != nil {
						b.Fatal(err)
					}
				}
				elapsed := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
				floor := float64(cnt.f)*nsF + float64(cnt.jvp)*nsJVP + float64(cnt.vjp)*nsVJP
				b.ReportMetric(float64(res.Stats.NFEForward+res.Stats.NFEBackward), "nfe/op")
				b.ReportMetric(float64(cnt.f), "f/op")
				b.ReportMetric(float64(cnt.jvp), "jvp/op")
				b.ReportMetric(float64(cnt.vjp), "vjp/op")
				b.ReportMetric(nsF, "ns/f")
				b.ReportMetric(nsVJP, "ns/vjp")
				b.ReportMetric(floor, "floor-ns")
				b.ReportMetric(elapsed/floor, "time/floor")
			})
		}
	}
}
