package integrate_test

import (
	"errors"
	"math"
	"testing"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/integrate"
	"github.com/physid/physid/internal/problems"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat"
)

func TestTableauxConsistent(t *testing.T) {
	for _, tb := range integrate.Tableaux {
		t.Run(tb.Name, func(t *testing.T) {
			require.NoError(t, tb.Validate())
			got, err := integrate.ByName(tb.Name)
			require.NoError(t, err)
			assert.Same(t, tb, got)
		})
	}
	fsal := map[string]bool{"rk23": true, "dopri5": true, "tsit5": true}
	for _, tb := range integrate.Tableaux {
		assert.Equal(t, fsal[tb.Name], tb.FSAL(), tb.Name)
	}
	_, err := integrate.ByName("rk78")
	assert.ErrorContains(t, err, "allowed: auto, dopri5, euler, heuneuler, kvaerno3, kvaerno4, kvaerno5, rk2, rk23, rk4, rk45, tsit5")
}

// fixedVersion drops the embedded estimate so the propagated solution can be
// stepped with a constant h.
func fixedVersion(tb *integrate.Tableau) *integrate.Tableau {
	f := *tb
	f.BErr = nil
	return &f
}

// TestConvergenceOrder measures each method's order as the log-log slope of the
// global error against the step size, on two problems with closed forms: the
// non-autonomous nonlinear y' = θ y cos t (θ=1, solution y0·exp(θ sin t)) up to t=1,
// and a damped rotation z' = Az (solution e^{−0.1t}(cos t, −sin t)) up to t=1.
// The slopes must be within ±0.25 of the nominal orders.
func TestConvergenceOrder(t *testing.T) {
	es := problems.ExpSin{}
	for _, p := range []struct {
		name  string
		m     dynamics.Dynamics
		theta []float64
		z0    []float64
		T     float64
		exact []float64
	}{
		{"expsin", es, []float64{1}, []float64{1}, 1, []float64{es.Exact(1, 1, 1)}},
		{"rotation", dynamics.Linear{N: 2}, []float64{-0.1, 1, -1, -0.1}, []float64{1, 0}, 1,
			[]float64{math.Exp(-0.1) * math.Cos(1), -math.Exp(-0.1) * math.Sin(1)}},
	} {
		for _, tb := range integrate.Tableaux {
			t.Run(p.name+"/"+tb.Name, func(t *testing.T) {
				// Step counts keep the error well above rounding (1e-13) and in the
				// asymptotic range for every order.
				ns := []float64{16, 32, 64, 128}
				switch tb.Order {
				case 4:
					ns = []float64{8, 12, 16, 24}
				case 5:
					ns = []float64{24, 32, 48, 64}
				}
				var lh, le []float64
				for _, n := range ns {
					got, _, err := integrate.Solve(p.m, p.theta, 0, p.z0, []float64{p.T},
						&integrate.Settings{Method: fixedVersion(tb), Step: p.T / n})
					require.NoError(t, err)
					e := 0.0
					for i := range p.exact {
						e = math.Max(e, math.Abs(got[0][i]-p.exact[i]))
					}
					lh = append(lh, math.Log(p.T/n))
					le = append(le, math.Log(e))
				}
				_, slope := stat.LinearRegression(lh, le, nil, false)
				t.Logf("%s %s: order %d, measured slope %.3f", p.name, tb.Name, tb.Order, slope)
				assert.InDelta(t, float64(tb.Order), slope, 0.25)
			})
		}
	}
}

// TestArenstorfPeriodic solves the Arenstorf orbit over one period with every
// adaptive method: the orbit returns to its start (HNW I, II.0), so the final
// state's distance from z0 is the global error. A tolerance of 1e-9 on this
// sensitive orbit gives errors near 1e-5; the bound is 1e-3 (the orbit spans ~2).
func TestArenstorfPeriodic(t *testing.T) {
	m := problems.Arenstorf{}
	z0 := problems.ArenstorfZ0()
	theta := []float64{problems.ArenstorfMu}
	for _, tb := range integrate.Tableaux {
		if !tb.Adaptive() || tb.Order < 3 {
			continue
		}
		t.Run(tb.Name, func(t *testing.T) {
			got, st, err := integrate.Solve(m, theta, 0, z0, []float64{problems.ArenstorfPeriod},
				&integrate.Settings{Method: tb, RTol: 1e-9, ATol: 1e-9, MaxSteps: 1e6})
			require.NoError(t, err)
			dist := 0.0
			for i := range z0 {
				dist = math.Max(dist, math.Abs(got[0][i]-z0[i]))
			}
			t.Logf("%s: |z(T)-z0|=%.3g, nfe=%d accepted=%d rejected=%d", tb.Name, dist, st.NFE, st.Accepted, st.Rejected)
			assert.Less(t, dist, 1e-3)
			assert.Positive(t, st.Rejected, "the orbit's close approaches force rejections")
		})
	}
}

// TestToleranceControlsError checks that the adaptive solvers' global error
// shrinks with the tolerance: the error at rtol=1e-10 is below that at 1e-6.
func TestToleranceControlsError(t *testing.T) {
	m := problems.ExpSin{}
	theta := []float64{2.0}
	exact := m.Exact(3, 1, 2)
	for _, tb := range integrate.Tableaux {
		if !tb.Adaptive() {
			continue
		}
		t.Run(tb.Name, func(t *testing.T) {
			var errs []float64
			for _, tol := range []float64{1e-6, 1e-10} {
				got, _, err := integrate.Solve(m, theta, 0, []float64{1}, []float64{3},
					&integrate.Settings{Method: tb, RTol: tol, ATol: tol, MaxSteps: 1e6})
				require.NoError(t, err)
				rel := math.Abs(got[0][0]-exact) / exact
				// Global error is the sum of local errors: allow 100× the tolerance.
				assert.Less(t, rel, 100*tol)
				errs = append(errs, rel)
			}
			assert.Less(t, errs[1], errs[0])
		})
	}
}

// TestBackwardUndoesForward solves van der Pol forward to T, then backward from
// z(T) to 0: the start must be recovered to about the tolerance times the
// problem's error growth.
func TestBackwardUndoesForward(t *testing.T) {
	m := dynamics.VanDerPol{}
	theta, z0 := []float64{1}, []float64{2, 0}
	s := &integrate.Settings{RTol: 1e-10, ATol: 1e-10}
	fwd, _, err := integrate.Solve(m, theta, 0, z0, []float64{1, 2, 3}, s)
	require.NoError(t, err)
	back, _, err := integrate.Solve(m, theta, 3, fwd[2], []float64{2, 1, 0}, s)
	require.NoError(t, err)
	assert.InDeltaSlice(t, fwd[1], back[0], 1e-7)
	assert.InDeltaSlice(t, fwd[0], back[1], 1e-7)
	assert.InDeltaSlice(t, z0, back[2], 1e-7)
}

func TestOutputTimes(t *testing.T) {
	m := problems.ExpSin{}
	times := []float64{0, 0.1, 0.5, 0.51, 2}
	got, _, err := integrate.Solve(m, []float64{1}, 0, []float64{1}, times, &integrate.Settings{RTol: 1e-10, ATol: 1e-12})
	require.NoError(t, err)
	for i, ti := range times {
		assert.InDelta(t, m.Exact(ti, 1, 1), got[i][0], 1e-8, "t=%g", ti)
	}
}

func TestErrors(t *testing.T) {
	vdp := dynamics.VanDerPol{}
	for _, tc := range []struct {
		name  string
		m     dynamics.Dynamics
		th    []float64
		z0    []float64
		times []float64
		s     *integrate.Settings
		want  error
		msg   string
	}{
		{"max steps", vdp, []float64{1}, []float64{2, 0}, []float64{10}, &integrate.Settings{MaxSteps: 5}, integrate.ErrMaxSteps, "at t="},
		{"times not monotone", vdp, []float64{1}, []float64{2, 0}, []float64{1, 0.5}, nil, integrate.ErrBadInput, "strictly monotone"},
		{"NaN state", vdp, []float64{1}, []float64{math.NaN(), 0}, []float64{1}, nil, integrate.ErrBadInput, "z0[0]"},
		{"blow-up fixed", dynamics.Exponential{}, []float64{1e4}, []float64{1}, []float64{100}, &integrate.Settings{Method: integrate.Euler, Step: 1}, integrate.ErrNonFinite, "t="},
		{"NaN parameter", vdp, []float64{math.NaN()}, []float64{2, 1}, []float64{1}, nil, integrate.ErrNonFinite, "initial state"},
		{"finite-time blow-up", blowUp{}, []float64{1}, []float64{1}, []float64{2}, nil, integrate.ErrStepUnderflow, "at t=1 "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := integrate.Solve(tc.m, tc.th, 0, tc.z0, tc.times, tc.s)
			require.Error(t, err)
			assert.True(t, errors.Is(err, tc.want), "got %v", err)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

// blowUp is z' = θz², whose solution 1/(1−t) leaves every bound at t = 1.
type blowUp struct{ dynamics.Exponential }

func (blowUp) Func(dst []float64, _ float64, z, theta []float64) { dst[0] = theta[0] * z[0] * z[0] }

func TestSolveAllocatesNothingOnceWarm(t *testing.T) {
	s := integrate.NewSolver(&integrate.Settings{RTol: 1e-8})
	m := dynamics.VanDerPol{}
	theta, z0 := []float64{1}, []float64{2, 0}
	times := []float64{1, 2, 3, 4, 5}
	dst := make([]float64, 2*len(times))
	_, err := s.Solve(dst, m, theta, 0, z0, times, nil)
	require.NoError(t, err)
	allocs := testing.AllocsPerRun(10, func() {
		_, _ = s.Solve(dst, m, theta, 0, z0, times, nil)
	})
	assert.Zero(t, allocs)
}

// TestPIFactor checks the PI controller's documented defaults and bounds: the
// zero value equals the defaults written out, WithDefaults is idempotent (a
// negative Beta stays plain integral control), a rejection never grows h and a
// step after a rejection never grows it either.
func TestPIFactor(t *testing.T) {
	def := integrate.PI{Safety: 0.9, MinFactor: 0.2, MaxFactor: 10, Alpha: 0.7, Beta: 0.4}
	assert.Equal(t, def, integrate.PI{}.WithDefaults())
	plain := integrate.PI{Beta: -1}.WithDefaults()
	assert.Equal(t, plain, plain.WithDefaults())
	for _, tc := range []struct {
		err, prev   float64
		afterReject bool
		lo, hi      float64
	}{
		{0.3, 0.5, false, 0.2, 10}, {0.9, 0.2, false, 0.2, 10}, {1e-14, 1, false, 10, 10},
		{2.0, 0.5, false, 0.2, 1}, {1e6, 0.5, false, 0.2, 0.2}, {0.5, 0.5, true, 0.2, 1},
	} {
		f := integrate.PI{}.Factor(tc.err, tc.prev, 4, tc.afterReject)
		assert.GreaterOrEqual(t, f, tc.lo, "%+v", tc)
		assert.LessOrEqual(t, f, tc.hi, "%+v", tc)
		// Plain integral control ignores the previous error.
		assert.Equal(t, plain.Factor(tc.err, tc.prev, 4, tc.afterReject), plain.Factor(tc.err, 0.01, 4, tc.afterReject))
	}
	a := &integrate.Attempt{H: 0.5, HProposed: 0.25, Err: 0.3, ErrPrev: 1}
	assert.Equal(t, 0.5*integrate.PI{}.Factor(0.3, 1, 4, false), integrate.PI{}.Next(a, 4))
	assert.Equal(t, 0.25, integrate.Constant{}.Next(a, 4))
	assert.True(t, integrate.Constant{}.Accept(math.Inf(1)))
	assert.False(t, integrate.PI{}.Accept(1.0000001))
}

// TestControllerIsAValue: a nil controller is PI for adaptive tableaux and
// Constant for fixed ones; Constant on an adaptive tableau steps with a fixed h
// and gives the fixed-step solution of its propagated weights.
func TestControllerIsAValue(t *testing.T) {
	assert.Equal(t, integrate.Controller(integrate.PI{}.WithDefaults()), integrate.NewSolver(nil).Controller())
	assert.Equal(t, integrate.Controller(integrate.Constant{}), integrate.NewSolver(&integrate.Settings{Method: integrate.RK4}).Controller())
	assert.Equal(t, integrate.Controller(integrate.Constant{}),
		integrate.NewSolver(&integrate.Settings{Method: integrate.RK4, Controller: integrate.PI{}}).Controller())
	m, theta, z0 := problems.ExpSin{}, []float64{1}, []float64{1}
	fixed, fst, err := integrate.Solve(m, theta, 0, z0, []float64{1}, &integrate.Settings{Method: fixedVersion(integrate.Dopri5), Step: 0.1})
	require.NoError(t, err)
	cst, cst2, err := integrate.Solve(m, theta, 0, z0, []float64{1}, &integrate.Settings{Controller: integrate.Constant{}, Step: 0.1})
	require.NoError(t, err)
	assert.Equal(t, fixed, cst)
	assert.Equal(t, fst, cst2)
	// A looser PI (smaller safety factor) takes more steps than the default.
	_, def, err := integrate.Solve(m, theta, 0, z0, []float64{3}, nil)
	require.NoError(t, err)
	_, cautious, err := integrate.Solve(m, theta, 0, z0, []float64{3}, &integrate.Settings{Controller: integrate.PI{Safety: 0.5}})
	require.NoError(t, err)
	assert.Greater(t, cautious.Accepted, def.Accepted)
}
