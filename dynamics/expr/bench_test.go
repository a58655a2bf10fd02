package expr_test

import (
	"slices"
	"testing"
	"time"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/dynamics/expr"
)

// BenchmarkExprVanDerPol times the expression model of van der Pol against the
// hand-written dynamics.VanDerPol. Each expr sub-benchmark also reports
// "x-handwritten": the median ratio of the two over interleaved rounds, which
// survives a noisy machine better than dividing two separate ns/op figures.
func BenchmarkExprVanDerPol(b *testing.B) {
	benchPair(b, vanDerPolSpec, dynamics.VanDerPol{})
}

// BenchmarkExprLotkaVolterra is BenchmarkExprVanDerPol for Lotka–Volterra.
func BenchmarkExprLotkaVolterra(b *testing.B) {
	benchPair(b, lotkaVolterraSpec, dynamics.LotkaVolterra{})
}

// BenchmarkExprLorenz shows a three-state model; its hand-written twin lives
// here since dynamics has no Lorenz system.
func BenchmarkExprLorenz(b *testing.B) {
	benchPair(b, lorenzSpec, lorenz{})
}

type method int

const (
	funcMethod method = iota
	jvpMethod
	vjpMethod
)

// point is an evaluation point with its buffers.
type point struct {
	z, theta, v, u, dst, dz, dtheta []float64
}

func newPoint(n, p int) *point {
	fill := func(k int, x float64) []float64 {
		s := make([]float64, k)
		for i := range s {
			s[i] = x + 0.1*float64(i)
		}
		return s
	}
	return &point{z: fill(n, 0.7), theta: fill(p, 1.1), v: fill(n, -0.3), u: fill(n, 0.4),
		dst: make([]float64, n), dz: make([]float64, n), dtheta: make([]float64, p)}
}

// calls evaluates m n times; it is not inlined, so that both models pay the
// same loop and the same interface call.
//
//go:noinline
func calls(m dynamics.Dynamics, how method, n int, x *point) {
	switch how {
	case funcMethod:
		for range n {
			m.Func(x.dst, 0.1, x.z, x.theta)
		}
	case jvpMethod:
		for range n {
			m.JVP(x.dst, 0.1, x.z, x.theta, x.v, x.theta)
		}
	case vjpMethod:
		for range n {
			m.VJP(x.dz, x.dtheta, 0.1, x.z, x.theta, x.u)
		}
	}
}

func benchPair(b *testing.B, spec expr.Spec, hand dynamics.Dynamics) {
	m, err := expr.New(spec)
	if err != nil {
		b.Fatal(err)
	}
	x := newPoint(m.Dim(), m.NumParams())
	for _, how := range []struct {
		name string
		m    method
	}{{"Func", funcMethod}, {"JVP", jvpMethod}, {"VJP", vjpMethod}} {
		b.Run(how.name+"/expr", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				calls(m, how.m, 1, x)
			}
			b.StopTimer()
			b.ReportMetric(ratio(m, hand, how.m, x), "x-handwritten")
		})
		b.Run(how.name+"/go", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				calls(hand, how.m, 1, x)
			}
		})
	}
}

// ratio is the median over interleaved rounds of time(m)/time(hand).
func ratio(m, hand dynamics.Dynamics, how method, x *point) float64 {
	const rounds, n = 101, 5000
	r := make([]float64, rounds)
	for k := range r {
		t0 := time.Now()
		calls(m, how, n, x)
		t1 := time.Now()
		calls(hand, how, n, x)
		r[k] = float64(t1.Sub(t0)) / float64(time.Since(t1))
	}
	slices.Sort(r)
	return r[rounds/2]
}

// lorenz is the Lorenz system written by hand: state [x y z], θ = [σ ρ β].
type lorenz struct{}

func (lorenz) Dim() int       { return 3 }
func (lorenz) NumParams() int { return 3 }

func (lorenz) Func(dst []float64, _ float64, z, theta []float64) {
	x, y, w := z[0], z[1], z[2]
	s, r, be := theta[0], theta[1], theta[2]
	dst[0] = s * (y - x)
	dst[1] = x*(r-w) - y
	dst[2] = x*y - be*w
}

func (lorenz) JVP(dst []float64, _ float64, z, theta, vz, vt []float64) {
	x, y, w := z[0], z[1], z[2]
	s, r, be := theta[0], theta[1], theta[2]
	dst[0] = s*(vz[1]-vz[0]) + (y-x)*vt[0]
	dst[1] = (r-w)*vz[0] - vz[1] - x*vz[2] + x*vt[1]
	dst[2] = y*vz[0] + x*vz[1] - be*vz[2] - w*vt[2]
}

func (lorenz) VJP(dz, dt []float64, _ float64, z, theta, u []float64) {
	x, y, w := z[0], z[1], z[2]
	s, r, be := theta[0], theta[1], theta[2]
	dz[0] += -s*u[0] + (r-w)*u[1] + y*u[2]
	dz[1] += s*u[0] - u[1] + x*u[2]
	dz[2] += -x*u[1] - be*u[2]
	dt[0] += (y - x) * u[0]
	dt[1] += x * u[1]
	dt[2] -= w * u[2]
}

// TestHandwrittenLorenz keeps the benchmark's hand-written twin honest.
func TestHandwrittenLorenz(t *testing.T) {
	worst, err := dynamics.CheckDerivatives(lorenz{}, 0, []float64{0.3, -0.2, 0.9}, []float64{10, 28, 8.0 / 3})
	if err != nil || worst > 1e-6 {
		t.Fatalf("worst %g, err %v", worst, err)
	}
}
