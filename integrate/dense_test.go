package integrate_test

import (
	"math"
	"testing"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/integrate"
	"github.com/physid/physid/internal/problems"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOrderConditions checks Σ_s b_s Φ_s(t) = 1/γ(t) for every tree up to
// each method's order (the 17 trees of order ≤ 5 for the fifth-order pairs)
// and, for a dense output, Σ_s b_s(θ) Φ_s(t) = θ^|t|/γ(t) up to DenseOrder at
// several θ, which makes the interpolant of order DenseOrder. Tolerance
// 1e-12: Tsit5's coefficients are 16-digit decimals whose conditions hold to
// ~1e-14.
func TestOrderConditions(t *testing.T) {
	assert.Len(t, treesUpTo(5), 1+1+2+4+9)
	for _, tb := range integrate.Tableaux {
		t.Run(tb.Name, func(t *testing.T) {
			for _, tr := range treesUpTo(tb.Order) {
				ph := weights(tr, fullA(tb))
				sum := 0.0
				for s, b := range tb.B {
					sum += b * ph[s]
				}
				assert.InDelta(t, 1/tr.density(), sum, 1e-12, "order %d", tr.order())
			}
			if !tb.HasDense() {
				assert.Zero(t, tb.DenseOrder)
				return
			}
			w := make([]float64, tb.Stages())
			for _, th := range []float64{0.1, 0.37, 0.5, 0.8, 1} {
				tb.DenseWeights(w, th)
				for _, tr := range treesUpTo(tb.DenseOrder) {
					ph := weights(tr, fullA(tb))
					sum := 0.0
					for s, b := range w {
						sum += b * ph[s]
					}
					assert.InDelta(t, math.Pow(th, float64(tr.order()))/tr.density(), sum, 1e-12, "θ=%g order %d", th, tr.order())
				}
			}
			// The interpolant is not of a higher order than claimed.
			tb.DenseWeights(w, 0.5)
			worst := 0.0
			for _, tr := range treesUpTo(tb.DenseOrder + 1) {
				if tr.order() <= tb.DenseOrder {
					continue
				}
				ph := weights(tr, fullA(tb))
				sum := 0.0
				for s, b := range w {
					sum += b * ph[s]
				}
				worst = math.Max(worst, math.Abs(sum-math.Pow(0.5, float64(tr.order()))/tr.density()))
			}
			assert.Greater(t, worst, 1e-6, "%s's interpolant seems of order %d", tb.Name, tb.DenseOrder+1)
		})
	}
}

// TestDenseOrderAtMidStep measures the order of each interpolant on
// y' = θ y cos t (closed form): one step of size h from the exact y(0.3),
// output at its middle. The error there is O(h^(q+1)) for an interpolant of
// order q, and the log-log slope over h = 0.2 … 0.025 must be within 0.3 of
// q+1.
func TestDenseOrderAtMidStep(t *testing.T) {
	es := problems.ExpSin{}
	const t0 = 0.3
	for _, tb := range integrate.Tableaux {
		if !tb.HasDense() {
			continue
		}
		t.Run(tb.Name, func(t *testing.T) {
			var hs, errs []float64
			for h := 0.2; h > 0.02; h /= 2 {
				s := integrate.NewSolver(&integrate.Settings{Method: tb, Controller: integrate.Constant{}, Step: h})
				dst := make([]float64, 2)
				_, err := s.Solve(dst, es, []float64{1}, t0, []float64{es.Exact(t0, 1, 1)}, []float64{t0 + h/2, t0 + h}, nil)
				require.NoError(t, err)
				hs = append(hs, h)
				errs = append(errs, math.Abs(dst[0]-es.Exact(t0+h/2, 1, 1)))
			}
			n := len(hs) - 1
			slope := math.Log(errs[0]/errs[n]) / math.Log(hs[0]/hs[n])
			t.Logf("%s: mid-step error slope %.2f (interpolant order %d)", tb.Name, slope, tb.DenseOrder)
			assert.InDelta(t, float64(tb.DenseOrder+1), slope, 0.3)
		})
	}
}

// vdpOutputs solves van der Pol on [0, 10] at rtol 1e-8 with n equally
// spaced outputs.
func vdpOutputs(t *testing.T, tb *integrate.Tableau, n int, land bool) ([][]float64, integrate.Stats) {
	times := make([]float64, n)
	for i := range times {
		times[i] = 10 * float64(i+1) / float64(n)
	}
	z, st, err := integrate.Solve(dynamics.VanDerPol{}, []float64{1}, 0, []float64{2, 0}, times,
		&integrate.Settings{Method: tb, RTol: 1e-8, ATol: 1e-8, Land: land})
	require.NoError(t, err)
	return z, st
}

// TestDenseOutputDoesNotDictateSteps: with a dense output, 1000 outputs take
// the steps of one (the last), and agree with a tight landing solve to the
// tolerance; with Land the outputs add steps, as before.
func TestDenseOutputDoesNotDictateSteps(t *testing.T) {
	for _, tb := range []*integrate.Tableau{integrate.Dopri5, integrate.Tsit5, integrate.BogackiShampine} {
		t.Run(tb.Name, func(t *testing.T) {
			_, one := vdpOutputs(t, tb, 1, false)
			z, many := vdpOutputs(t, tb, 1000, false)
			_, landed := vdpOutputs(t, tb, 1000, true)
			t.Logf("%s: 1 output %d steps, 1000 dense %d, 1000 landing %d", tb.Name, one.Accepted, many.Accepted, landed.Accepted)
			assert.Equal(t, one, many)
			assert.Greater(t, landed.Accepted, many.Accepted)
			times := make([]float64, 1000)
			for i := range times {
				times[i] = 10 * float64(i+1) / 1000
			}
			ref, _, err := integrate.Solve(dynamics.VanDerPol{}, []float64{1}, 0, []float64{2, 0}, times,
				&integrate.Settings{RTol: 1e-13, ATol: 1e-13, Land: true, MaxSteps: 1e7})
			require.NoError(t, err)
			worst := 0.0
			for i := range z {
				for c := range z[i] {
					worst = math.Max(worst, math.Abs(z[i][c]-ref[i][c])/(1e-8+1e-8*math.Abs(ref[i][c])))
				}
			}
			t.Logf("%s: worst output error %.3g tolerance units", tb.Name, worst)
			// The global error of the steps themselves is some tens of
			// tolerance units on [0, 10]; the interpolant adds less.
			assert.Less(t, worst, 1000.0)
		})
	}
}

// TestDenseSolveAllocatesNothing: interpolating outputs uses the solver's
// workspace only.
func TestDenseSolveAllocatesNothing(t *testing.T) {
	s := integrate.NewSolver(&integrate.Settings{RTol: 1e-8})
	m := dynamics.VanDerPol{}
	times := make([]float64, 500)
	for i := range times {
		times[i] = 0.01 * float64(i+1)
	}
	dst := make([]float64, 2*len(times))
	theta, z0 := []float64{1}, []float64{2, 0}
	st, err := s.Solve(dst, m, theta, 0, z0, times, nil)
	require.NoError(t, err)
	require.Less(t, st.Accepted, len(times)/2, "most outputs are inside steps")
	assert.Zero(t, testing.AllocsPerRun(10, func() {
		_, _ = s.Solve(dst, m, theta, 0, z0, times, nil)
	}))
}

// stopAt marks output k as a stop.
type stopAt int

func (stopAt) Record(*integrate.Attempt) {}
func (s stopAt) Stop(k int) bool         { return k == int(s) }

// TestStopperLands: an output a Stopper marks is a step end (the value
// equals a landing solve's up to the steps after it), the others are not.
func TestStopperLands(t *testing.T) {
	times := []float64{1, 2, 3, 4}
	s := integrate.NewSolver(nil)
	var ends []float64
	rec := &endRecorder{stopAt: 1, ends: &ends}
	dst := make([]float64, 2*len(times))
	_, err := s.Solve(dst, dynamics.VanDerPol{}, []float64{1}, 0, []float64{2, 0}, times, rec)
	require.NoError(t, err)
	assert.Contains(t, ends, 2.0)
	assert.Contains(t, ends, 4.0)
	assert.NotContains(t, ends, 1.0)
	assert.NotContains(t, ends, 3.0)
}

type endRecorder struct {
	stopAt
	ends *[]float64
}

func (r *endRecorder) Record(a *integrate.Attempt) {
	if a.Accepted && a.Landing {
		*r.ends = append(*r.ends, a.T+a.H)
	}
}

// BenchmarkSolveDense solves van der Pol on [0, 10] at rtol 1e-8 with 1000
// outputs, interpolated (dense) or each a step end (land).
func BenchmarkSolveDense(b *testing.B) {
	times := make([]float64, 1000)
	for i := range times {
		times[i] = 0.01 * float64(i+1)
	}
	theta, z0 := []float64{1}, []float64{2, 0}
	dst := make([]float64, 2*len(times))
	for _, land := range []bool{false, true} {
		name := "dense"
		if land {
			name = "land"
		}
		b.Run(name, func(b *testing.B) {
			s := integrate.NewSolver(&integrate.Settings{RTol: 1e-8, ATol: 1e-8, Land: land})
			var st integrate.Stats
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if st, err = s.Solve(dst, dynamics.VanDerPol{}, theta, 0, z0, times, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(st.Accepted), "steps/op")
			b.ReportMetric(float64(st.NFE), "nfe/op")
		})
	}
}
