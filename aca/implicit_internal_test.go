package aca

import (
	"fmt"
	"math"
	"testing"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/integrate"
	"github.com/physid/physid/internal/problems"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// replaySteps re-solves each recorded step (t_i, h_i) with its own method
// and a constant step, Newton converged to the rounding floor, and returns
// the loss of the states where steps end on observation times: the discrete
// map ACA differentiates, as a function of θ and z0.
func replaySteps(p *Problem, r *acaRecorder, s *Settings, theta, z0 []float64) float64 {
	n := len(z0)
	z := append([]float64(nil), z0...)
	states := make([]float64, n*len(p.Times))
	for i := 0; i < t0Outputs(p); i++ {
		copy(states[i*n:], z0)
	}
	dst := make([]float64, n)
	for i := range r.t {
		set := &integrate.Settings{Method: r.tb[i], RTol: s.RTol, ATol: s.ATol, Step: math.Abs(r.h[i]),
			Controller: integrate.Constant{}, NewtonTol: 1e-300}
		_, err := integrate.NewSolver(set).Solve(dst, p.Model, theta, r.t[i], z, []float64{r.t[i] + r.h[i]}, nil)
		if err != nil {
			panic(err)
		}
		copy(z, dst)
		if r.out[i] >= 0 {
			copy(states[r.out[i]*n:], z)
		}
	}
	return p.Loss.Eval(make([]float64, len(states)), states)
}

// stiffCases are the stiff problems of the implicit gradient tests: Robertson
// observed on a logarithmic grid to t = 1e5 (y2 weighted up by 1e4 so that
// it counts), and the stiff linear system z' = Az with eigenvalues −1, −1000.
func stiffCases() []struct {
	name string
	p    *Problem
	s    *Settings
} {
	rt := []float64{1, 10, 100, 1e3, 1e4, 1e5}
	rob := testProblem(problems.Robertson{}, append([]float64(nil), problems.RobertsonTheta...), []float64{1, 0, 0}, rt)
	rob.Loss.(*LeastSquares).Values = make([]float64, 3*len(rt)) // targets 0: L = Σ w_k |z(t_k)|²
	lin := testProblem(dynamics.Linear{N: 2}, []float64{-500.5, 499.5, 499.5, -500.5}, []float64{1, 3}, []float64{0.01, 0.5, 1, 2})
	return []struct {
		name string
		p    *Problem
		s    *Settings
	}{
		{"robertson", rob, &Settings{RTol: 1e-6, ATol: 1e-10, NewtonTol: 1e-300}},
		{"stifflinear", lin, &Settings{RTol: 1e-6, ATol: 1e-9, NewtonTol: 1e-300}},
	}
}

// TestACAImplicitIsExactDerivativeOfDiscreteMap: with the accepted steps
// frozen, central differences of the replayed discrete map agree with ACA's
// gradient through implicit steps to 1e-6 relative, component by component
// (each relative to its own size: Robertson's rate constants span 0.04..3e7).
// Newton runs to the rounding floor in the forward solve and in the replay, so
// the stage equations hold to ~1e-15 and the differences (steps 1e-6
// relative) are good to ~1e-9.
func TestACAImplicitIsExactDerivativeOfDiscreteMap(t *testing.T) {
	for _, c := range stiffCases() {
		for _, tb := range []*integrate.Tableau{integrate.Kvaerno3, integrate.Kvaerno4, integrate.Kvaerno5, integrate.Auto} {
			t.Run(c.name+"/"+tb.Name, func(t *testing.T) {
				s := *c.s
				s.Method = tb
				m := &ACA{}
				res, err := m.Gradient(c.p, &s)
				require.NoError(t, err)
				implicit := 0
				for _, off := range m.rec.koff {
					if off >= 0 {
						implicit++
					}
				}
				require.Positive(t, implicit)
				rec := m.rec // the recorder's slices stay: FD below uses fresh solvers
				lossAt := func(theta, z0 []float64) float64 { return replaySteps(c.p, &rec, &s, theta, z0) }
				assert.InDelta(t, res.Loss, lossAt(c.p.Theta, c.p.Z0), 1e-10*math.Abs(res.Loss))
				fdTheta := centralDiff(func(x []float64) float64 { return lossAt(x, c.p.Z0) }, c.p.Theta)
				fdZ0 := centralDiff(func(x []float64) float64 { return lossAt(c.p.Theta, x) }, c.p.Z0)
				t.Logf("%d steps (%d implicit), %d Jacobians, %d LU; dL/dθ %.6g fd %.6g; max rel diff θ %.2g z0 %.2g",
					len(rec.t), implicit, res.Stats.Jacobians, res.Stats.Factorizations, res.Theta, fdTheta,
					maxRelDiff(fdTheta, res.Theta), maxRelDiff(fdZ0, res.Z0))
				assert.Less(t, maxRelDiff(fdTheta, res.Theta), 1e-6)
				assert.Less(t, maxRelDiff(fdZ0, res.Z0), 1e-6)
			})
		}
	}
}

// maxRelDiff is max_i |want_i − got_i| / max(|want_i|, 1e-12·max|want|).
func maxRelDiff(want, got []float64) float64 {
	top := 0.0
	for _, v := range want {
		top = math.Max(top, math.Abs(v))
	}
	d := 0.0
	for i := range want {
		d = math.Max(d, math.Abs(want[i]-got[i])/math.Max(math.Abs(want[i]), 1e-12*top))
	}
	return d
}

// TestImplicitMethodsAgree: ACA and forward sensitivities through Kvaerno5
// and Auto agree on the stiff problems (both are the exact derivative of the
// same discrete solution, so to rounding; the bound 1e-4 is the tolerance
// the adjoint method is held to). The adjoint method reconstructs z backward,
// which for a strongly stiff problem is unstable in exact arithmetic (the
// decayed modes grow backward as e^{1000 t}); it is compared on a mildly stiff
// system (eigenvalues −1, −10, to t = 1: the backward growth e^{10} keeps
// the reconstruction within ~1e4 tolerance units), where it agrees to 1e-4.
func TestImplicitMethodsAgree(t *testing.T) {
	cases := stiffCases()
	mild := testProblem(dynamics.Linear{N: 2}, []float64{-5.5, 4.5, 4.5, -5.5}, []float64{1, 3}, []float64{0.1, 0.5, 1})
	for _, c := range append(cases, struct {
		name string
		p    *Problem
		s    *Settings
	}{"mildlinear", mild, &Settings{}}) {
		for _, tb := range []*integrate.Tableau{integrate.Kvaerno5, integrate.Auto} {
			s := &Settings{Method: tb, RTol: 1e-8, ATol: 1e-8 * c.s.ATol / math.Max(c.s.RTol, 1e-6)}
			if c.s.ATol == 0 {
				s.ATol = 1e-10
			}
			aca, err := (&ACA{}).Gradient(c.p, s)
			require.NoError(t, err)
			methods := []Method{&Forward{WithZ0: true}}
			if c.name == "mildlinear" {
				methods = append(methods, &Adjoint{})
			}
			for _, m := range methods {
				t.Run(fmt.Sprintf("%s/%s/%s", c.name, tb.Name, m.Name()), func(t *testing.T) {
					res, err := m.Gradient(c.p, s)
					require.NoError(t, err)
					t.Logf("aca %.8g / %.8g; %s %.8g / %.8g; stats %+v", aca.Theta, aca.Z0, m.Name(), res.Theta, res.Z0, res.Stats)
					assert.Less(t, maxRelDiff(aca.Theta, res.Theta), 1e-4)
					assert.Less(t, maxRelDiff(aca.Z0, res.Z0), 1e-4)
				})
			}
		}
	}
}

// TestNaiveRefusesImplicit: naive tapes explicit stages only and says so.
func TestNaiveRefusesImplicit(t *testing.T) {
	p := testProblem(dynamics.VanDerPol{}, []float64{1}, []float64{2, 0}, []float64{1})
	for _, tb := range []*integrate.Tableau{integrate.Kvaerno5, integrate.Auto} {
		_, err := (&Naive{}).Gradient(p, &Settings{Method: tb})
		assert.ErrorIs(t, err, ErrUnsupported)
		assert.ErrorContains(t, err, "use aca, adjoint or forward")
	}
}

func TestImplicitBackwardStepAllocatesNothing(t *testing.T) {
	var w dirkAdjoint
	tb := integrate.Kvaerno5
	w.setup(tb, 3)
	z, lam, dth := []float64{0.9, 1e-5, 0.1}, []float64{1, 1, 1}, []float64{0, 0, 0}
	k := make([]float64, 3*tb.Stages())
	var m dynamics.Dynamics = problems.Robertson{}
	theta := problems.RobertsonTheta
	allocs := testing.AllocsPerRun(20, func() {
		w.step(m, theta, 0, 0.1, z, k, lam, dth)
	})
	assert.Zero(t, allocs)
}

// TestAdjointOnStiffSaysWhy: the adjoint method's backward reconstruction of
// Robertson fails (z solved backward from z(T) blows up along the decayed
// modes); the error says so and points to aca and forward.
func TestAdjointOnStiffSaysWhy(t *testing.T) {
	c := stiffCases()[0]
	_, err := (&Adjoint{}).Gradient(c.p, &Settings{Method: integrate.Kvaerno5, RTol: 1e-6, ATol: 1e-10})
	require.Error(t, err)
	assert.ErrorContains(t, err, "unstable for a stiff system")
	assert.ErrorContains(t, err, "use aca or forward")
}
