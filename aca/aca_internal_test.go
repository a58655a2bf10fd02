package aca

import (
	"math"
	"testing"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/integrate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/diff/fd"
)

// replay applies tableau tb along the frozen steps (t_i, h_i) from z0 and
// returns the loss of the states where the steps end on observation times.
func replay(p *Problem, tb *integrate.Tableau, theta, z0 []float64, t, h []float64, out []int, inside []int32) float64 {
	n := len(z0)
	z := append([]float64(nil), z0...)
	k := make([][]float64, tb.Stages())
	for i := range k {
		k[i] = make([]float64, n)
	}
	y := make([]float64, n)
	bw := make([]float64, tb.Stages())
	states := make([]float64, n*len(p.Times))
	for i := 0; i < t0Outputs(p); i++ {
		copy(states[i*n:], z0)
	}
	next := t0Outputs(p) // the first observation after t[i]
	for i := range t {
		for s := range k {
			combineStages(y, z, h[i], tb.A[s], k)
			p.Model.Func(k[s], t[i]+tb.C[s]*h[i], y, theta)
		}
		// Observations inside the step: the dense output of its stages.
		in := 0
		if i < len(inside) {
			in = int(inside[i])
		}
		for j := next; j < next+in; j++ {
			tb.DenseWeights(bw, (p.Times[j]-t[i])/h[i])
			combineStages(states[j*n:(j+1)*n], z, h[i], bw, k)
		}
		next += in
		combineStages(z, z, h[i], tb.B, k)
		if out[i] >= 0 {
			copy(states[out[i]*n:], z)
			next = out[i] + 1
		}
	}
	return p.Loss.Eval(make([]float64, len(states)), states)
}

// combineStages writes z + h Σ_s w[s] K_s into dst, as a Runge–Kutta step
// combines its stages.
func combineStages(dst, z []float64, h float64, w []float64, k [][]float64) {
	copy(dst, z)
	for s, ws := range w {
		if ws != 0 {
			axpy(dst, h*ws, k[s])
		}
	}
}

func testProblem(m dynamics.Dynamics, theta, z0 []float64, times []float64) *Problem {
	n := m.Dim()
	// Observations: a smooth made-up target, so the loss gradient is generic.
	vals := make([]float64, n*len(times))
	for i := range vals {
		vals[i] = math.Sin(float64(i))
	}
	loss, err := NewLeastSquares(n, nil, vals, TimeWeights(times, 0.8))
	if err != nil {
		panic(err)
	}
	return &Problem{Model: m, Theta: theta, Z0: z0, Times: times, Loss: loss}
}

// TestACAIsExactDerivativeOfDiscreteMap: with the accepted step sequence frozen,
// central differences of the fixed-grid loss must agree with ACA's dL/dθ and
// dL/dz0 to 1e-6 relative. Differences with step 1e-6 on these smooth maps are
// good to ~1e-9, so any error in the adjoint step shows up.
func TestACAIsExactDerivativeOfDiscreteMap(t *testing.T) {
	cases := []struct {
		name string
		p    *Problem
	}{
		{"vanderpol", testProblem(dynamics.VanDerPol{}, []float64{1.3}, []float64{2, 0}, []float64{0, 0.7, 1.5, 3})},
		{"lotka_volterra", testProblem(dynamics.LotkaVolterra{}, []float64{1.1, 0.4, 0.1, 0.4}, []float64{10, 5}, []float64{0.5, 1, 2.5})},
	}
	for _, c := range cases {
		for _, tb := range integrate.Tableaux {
			t.Run(c.name+"/"+tb.Name, func(t *testing.T) {
				s := &Settings{Method: tb, RTol: 1e-5, ATol: 1e-5, Step: 0.05}
				if tb.Adaptive() {
					s.Step = 0
				}
				m := &ACA{}
				res, err := m.Gradient(c.p, s)
				require.NoError(t, err)
				r := m.rec
				tt, hh, out := append([]float64(nil), r.t...), append([]float64(nil), r.h...), append([]int(nil), r.out...)
				inside := append([]int32(nil), r.inside...)
				lossAt := func(theta, z0 []float64) float64 { return replay(c.p, tb, theta, z0, tt, hh, out, inside) }
				assert.InDelta(t, res.Loss, lossAt(c.p.Theta, c.p.Z0), 1e-12*math.Max(1, res.Loss))
				fdTheta := centralDiff(func(x []float64) float64 { return lossAt(x, c.p.Z0) }, c.p.Theta)
				fdZ0 := centralDiff(func(x []float64) float64 { return lossAt(c.p.Theta, x) }, c.p.Z0)
				assertRelClose(t, fdTheta, res.Theta, 1e-6)
				assertRelClose(t, fdZ0, res.Z0, 1e-6)
			})
		}
	}
}

// centralDiff is gonum's fd.Central derivative of f in each coordinate of x,
// with the step 1e-6·max(1, |x_i|) so that large coordinates move relatively
// as far as small ones.
func centralDiff(f func([]float64) float64, x []float64) []float64 {
	g := make([]float64, len(x))
	xx := append([]float64(nil), x...)
	for i := range x {
		g[i] = fd.Derivative(func(s float64) float64 {
			xx[i] = x[i] + s
			return f(xx)
		}, 0, &fd.Settings{Formula: fd.Central, Step: 1e-6 * math.Max(1, math.Abs(x[i]))})
		xx[i] = x[i]
	}
	return g
}

// assertRelClose compares vectors relative to the larger of their norm and 1e-12.
func assertRelClose(t *testing.T, want, got []float64, tol float64) {
	t.Helper()
	require.Len(t, got, len(want))
	norm := 1e-12
	for _, v := range want {
		norm = math.Max(norm, math.Abs(v))
	}
	for i := range want {
		assert.LessOrEqual(t, math.Abs(want[i]-got[i])/norm, tol, "component %d: want %.12g got %.12g", i, want[i], got[i])
	}
}

// TestNaiveIsExactDerivativeOfAdaptiveProgram: the naive method differentiates
// the whole adaptive program, controller included, so central differences of
// the full adaptive solve (small enough not to flip an accept/reject decision)
// agree with it. At a loose tolerance the step-size terms matter, and ACA,
// which freezes the steps, differs from both by more than the check's tolerance.
func TestNaiveIsExactDerivativeOfAdaptiveProgram(t *testing.T) {
	for _, tb := range []*integrate.Tableau{integrate.Dopri5, integrate.BogackiShampine, integrate.HeunEuler, integrate.Fehlberg} {
		t.Run(tb.Name, func(t *testing.T) {
			p := testProblem(dynamics.VanDerPol{}, []float64{1.3}, []float64{2, 0}, []float64{0.7, 1.5, 3})
			// A given initial step: the automatic one depends on θ and z0, and the
			// naive method holds it fixed. Naive lands on the observations, so
			// ACA and the differences of the full solve do too (Land).
			s := &Settings{Method: tb, RTol: 1e-3, ATol: 1e-3, Step: 0.01, Land: true}
			res, err := (&Naive{}).Gradient(p, s)
			require.NoError(t, err)
			aca, err := (&ACA{}).Gradient(p, s)
			require.NoError(t, err)
			require.Equal(t, aca.Loss, res.Loss)
			fdTheta, fdZ0 := adaptiveDiff(t, p, s)
			t.Logf("theta: fd %.10g naive %.10g aca %.10g", fdTheta[0], res.Theta[0], aca.Theta[0])
			t.Logf("z0: fd %.10g naive %.10g aca %.10g", fdZ0, res.Z0, aca.Z0)
			assertRelClose(t, fdTheta, res.Theta, 1e-5)
			assertRelClose(t, fdZ0, res.Z0, 1e-5)
		})
	}
}

// adaptiveDiff is centralDiff of the loss of the whole adaptive solve at s,
// in θ and in z0: the derivative Naive computes.
func adaptiveDiff(t *testing.T, p *Problem, s *Settings) (theta, z0 []float64) {
	full := func(theta, z0 []float64) float64 {
		q := *p
		q.Theta, q.Z0 = theta, z0
		r, err := (&ACA{}).Gradient(&q, s)
		require.NoError(t, err)
		return r.Loss
	}
	theta = centralDiff(func(x []float64) float64 { return full(x, p.Z0) }, p.Theta)
	z0 = centralDiff(func(x []float64) float64 { return full(p.Theta, x) }, p.Z0)
	return theta, z0
}

func TestACABackwardStepAllocatesNothing(t *testing.T) {
	var w rkAdjoint
	w.setup(integrate.Dopri5, 2, 1)
	z, lam, dth, theta := []float64{2, 0}, []float64{1, 1}, []float64{0}, []float64{1}
	var m dynamics.Dynamics = dynamics.VanDerPol{}
	allocs := testing.AllocsPerRun(20, func() {
		w.step(m, theta, 0, 0.1, z, nil, lam, dth)
	})
	assert.Zero(t, allocs)
}

// TestPIPartials checks Naive's derivatives of the PI controller against central
// differences of integrate.PI.Factor itself (relative steps 1e-7 on a smooth
// power law: good to ~1e-7), and that they are zero where the factor is clamped.
func TestPIPartials(t *testing.T) {
	for _, tc := range []struct {
		c           integrate.PI
		err, prev   float64
		afterReject bool
		clamped     bool
	}{
		{integrate.PI{}, 0.3, 0.5, false, false},
		{integrate.PI{}, 0.9, 0.2, false, false},
		{integrate.PI{}, 2.0, 0.5, false, false},
		{integrate.PI{}, 0.5, 0.5, true, false},
		{integrate.PI{}, 1e-12, 0.5, false, true},
		{integrate.PI{}, 1e6, 0.5, false, true},
		{integrate.PI{Beta: -1, Safety: 0.8}, 0.4, 0.3, false, false},
	} {
		c := piPartials{tc.c.WithDefaults()}
		f, de, dp := c.factor(tc.err, tc.prev, 4, tc.afterReject)
		assert.Equal(t, tc.c.Factor(tc.err, tc.prev, 4, tc.afterReject), f, "%+v", tc)
		he, hp := 1e-7*tc.err, 1e-7*tc.prev
		fd := func(e, p float64) float64 { return tc.c.Factor(e, p, 4, tc.afterReject) }
		assert.InDelta(t, (fd(tc.err+he, tc.prev)-fd(tc.err-he, tc.prev))/(2*he), de, 1e-6*math.Abs(de)+1e-9, "%+v f=%g", tc, f)
		assert.InDelta(t, (fd(tc.err, tc.prev+hp)-fd(tc.err, tc.prev-hp))/(2*hp), dp, 1e-6*math.Abs(dp)+1e-9, "%+v", tc)
		if tc.clamped {
			assert.Zero(t, de, "%+v", tc)
			assert.Zero(t, dp, "%+v", tc)
		} else {
			assert.NotZero(t, de, "%+v", tc)
		}
	}
}

// TestNaiveNeedsADifferentiableController: a custom controller without
// derivatives is an error, not a silently wrong gradient.
func TestNaiveNeedsADifferentiableController(t *testing.T) {
	p := testProblem(dynamics.VanDerPol{}, []float64{1}, []float64{2, 0}, []float64{1})
	_, err := (&Naive{}).Gradient(p, &Settings{Controller: halving{}})
	assert.ErrorContains(t, err, "has no derivative")
}

type halving struct{}

func (halving) Accept(err float64) bool                  { return err <= 1 }
func (halving) Next(a *integrate.Attempt, _ int) float64 { return a.H / 2 }

// TestSolverCacheTakesAnyController: settings whose controller cannot be
// compared build a new solver instead of panicking in the cache's comparison.
func TestSolverCacheTakesAnyController(t *testing.T) {
	var c solverCache
	s := &Settings{Controller: windowed{hist: []float64{1}}}
	first := c.get(s)
	assert.NotSame(t, first, c.get(s))
	same := &Settings{Controller: integrate.PI{Safety: 0.8}}
	assert.Same(t, c.get(same), c.get(same))
}

// windowed is a controller with a slice field, so values of it are not comparable.
type windowed struct{ hist []float64 }

func (windowed) Accept(err float64) bool                  { return err <= 1 }
func (windowed) Next(a *integrate.Attempt, _ int) float64 { return a.H }
