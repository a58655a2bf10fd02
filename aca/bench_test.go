package aca_test

import (
	"testing"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/integrate"
)

// benchProblem is van der Pol on [0, 10] observed at 20 times.
func benchProblem(b *testing.B) *aca.Problem {
	times := make([]float64, 20)
	for i := range times {
		times[i] = 0.5 * float64(i+1)
	}
	loss, err := aca.NewLeastSquares(2, nil, make([]float64, 40), nil)
	if err != nil {
		b.Fatal(err)
	}
	return &aca.Problem{Model: dynamics.VanDerPol{}, Theta: []float64{1}, Z0: []float64{2, 0}, Times: times, Loss: loss}
}

// linear18 is an 18-dimensional damped linear system (324 parameters).
func linear18(b *testing.B) *aca.Problem {
	const n = 18
	theta := make([]float64, n*n)
	for i := 0; i < n; i++ {
		theta[i*n+i] = -0.1
		theta[i*n+(i+1)%n] = 1
		theta[((i+1)%n)*n+i] = -1
	}
	z0 := make([]float64, n)
	for i := range z0 {
		z0[i] = float64(i%3) - 1
	}
	times := []float64{1, 2, 3, 4, 5}
	loss, err := aca.NewLeastSquares(n, nil, make([]float64, n*len(times)), nil)
	if err != nil {
		b.Fatal(err)
	}
	return &aca.Problem{Model: dynamics.Linear{N: n}, Theta: theta, Z0: z0, Times: times, Loss: loss}
}

func BenchmarkDopri5Forward(b *testing.B) {
	p := benchProblem(b)
	s := integrate.NewSolver(&aca.Settings{RTol: 1e-7, ATol: 1e-7})
	dst := make([]float64, 2*len(p.Times))
	var st integrate.Stats
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if st, err = s.Solve(dst, p.Model, p.Theta, 0, p.Z0, p.Times, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(st.NFE), "nfe/op")
}

func benchGradient(b *testing.B, p *aca.Problem, m aca.Method) {
	s := &aca.Settings{RTol: 1e-7, ATol: 1e-7}
	var res *aca.Result
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if res, err = m.Gradient(p, s); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(res.Stats.NFEForward+res.Stats.NFEBackward), "nfe/op")
	b.ReportMetric(float64(res.Stats.Bytes), "held-bytes")
}

func BenchmarkGradientVanDerPol(b *testing.B) {
	for _, m := range aca.Methods() {
		b.Run(m.Name(), func(b *testing.B) { benchGradient(b, benchProblem(b), m) })
	}
}

func BenchmarkGradientLinear18(b *testing.B) {
	for _, m := range aca.Methods() {
		b.Run(m.Name(), func(b *testing.B) { benchGradient(b, linear18(b), m) })
	}
}

// BenchmarkGradientDense is van der Pol on [0, 10] at 1000 observations:
// with dense output (the default) the observations do not dictate the
// steps; Land is the behaviour before it.
func BenchmarkGradientDense(b *testing.B) {
	times := make([]float64, 1000)
	for i := range times {
		times[i] = 0.01 * float64(i+1)
	}
	loss, err := aca.NewLeastSquares(2, nil, make([]float64, 2*len(times)), nil)
	if err != nil {
		b.Fatal(err)
	}
	p := &aca.Problem{Model: dynamics.VanDerPol{}, Theta: []float64{1}, Z0: []float64{2, 0}, Times: times, Loss: loss}
	for _, land := range []bool{false, true} {
		name := "dense"
		if land {
			name = "land"
		}
		b.Run(name, func(b *testing.B) {
			s := &aca.Settings{RTol: 1e-8, ATol: 1e-8, Land: land}
			m := &aca.ACA{}
			var res *aca.Result
			b.ReportAllocs()
			for b.Loop() {
				if res, err = m.Gradient(p, s); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(res.Stats.Accepted), "steps/op")
			b.ReportMetric(float64(res.Stats.NFEForward+res.Stats.NFEBackward), "nfe/op")
		})
	}
}

// long6 is a damped 6-dimensional rotation over [0, 100] with RK4 at
// h = 1e-3: 10⁵ steps, observed at t = 1, …, 100 (the checkpoint test's
// problem).
func long6(b *testing.B) (*aca.Problem, *aca.Settings) {
	const n = 6
	theta := make([]float64, n*n)
	for i := range n {
		theta[i*n+i] = -0.01
		theta[i*n+(i+1)%n] = 1
		theta[((i+1)%n)*n+i] = -1
	}
	times := make([]float64, 100)
	for i := range times {
		times[i] = float64(i + 1)
	}
	loss, err := aca.NewLeastSquares(n, nil, make([]float64, n*len(times)), nil)
	if err != nil {
		b.Fatal(err)
	}
	return &aca.Problem{Model: dynamics.Linear{N: n}, Theta: theta, Z0: []float64{1, 0, -1, 0.5, 0, 0.2}, Times: times, Loss: loss},
		&aca.Settings{Method: integrate.RK4, Step: 1e-3}
}

// BenchmarkACAModes compares ACA's memory modes on 10⁵ steps: every state
// (the paper's ACA), the forward pass's stages kept too, and at most 100
// states with replays (time ratio to "all" = the cost of bounded memory).
func BenchmarkACAModes(b *testing.B) {
	for _, tc := range []struct {
		name string
		m    *aca.ACA
	}{
		{"all", &aca.ACA{}},
		{"stages", &aca.ACA{StageBudget: 1 << 30}},
		{"ckpt100", &aca.ACA{Checkpoints: 100}},
		{"ckpt1000", &aca.ACA{Checkpoints: 1000}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			p, s := long6(b)
			res, err := tc.m.Gradient(p, s) // grow the buffers: allocs/op is then a call's own
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if res, err = tc.m.Gradient(p, s); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(res.Stats.NFEForward+res.Stats.NFEBackward), "nfe/op")
			b.ReportMetric(float64(res.Stats.Recomputed), "recomputed/op")
			b.ReportMetric(float64(res.Stats.Bytes), "held-bytes")
		})
	}
}
