package integrate_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/integrate"
)

// held is dz/dt = θ·u(t) with u a zero-order-hold signal: z is piecewise
// linear, so any Runge–Kutta method is exact between jumps.
type held struct{ u *dynamics.Signal }

func (*held) Dim() int       { return 1 }
func (*held) NumParams() int { return 1 }
func (m *held) Func(dst []float64, t float64, _, th []float64) {
	dst[0] = th[0] * m.u.At(t)
}
func (m *held) JVP(dst []float64, t float64, _, th, _, vt []float64) {
	dst[0] = 0
	if vt != nil {
		dst[0] = vt[0] * m.u.At(t)
	}
}
func (m *held) VJP(_, dth []float64, t float64, _, _, u []float64) {
	if dth != nil {
		dth[0] += u[0] * m.u.At(t)
	}
}

type heldBP struct{ held }

func (m *heldBP) Breakpoints() []float64 { return m.u.Breakpoints() }

func TestBreakpointsStopAtHoldJumps(t *testing.T) {
	n := 50
	times, vals := make([]float64, n+1), make([]float64, n+1)
	for i := range times {
		times[i] = 0.37 * float64(i)
		vals[i] = math.Sin(float64(i * i)) // jumps of order 1
	}
	u, err := dynamics.NewSignal("u", times, vals, dynamics.Hold)
	require.NoError(t, err)
	exact := 0.0
	for i := 0; i < n; i++ {
		exact += vals[i] * (times[i+1] - times[i])
	}
	out := []float64{times[n] / 3, times[n]}
	s := &integrate.Settings{RTol: 1e-8, ATol: 1e-10}
	with := &heldBP{held{u: u}}
	got, stWith, err := integrate.Solve(with, []float64{1}, 0, []float64{0}, out, s)
	require.NoError(t, err)
	// Exact up to the skipped rounding gaps (8ε each) and summation.
	assert.InDelta(t, exact, got[1][0], 1e-12)
	without := &held{u: u.Clone()}
	got2, stWithout, err := integrate.Solve(without, []float64{1}, 0, []float64{0}, out, s)
	require.NoError(t, err)
	t.Logf("with breakpoints: %d steps %d rejected, %d nfe, err %.2g; without: %d steps %d rejected, %d nfe, err %.2g",
		stWith.Accepted, stWith.Rejected, stWith.NFE, got[1][0]-exact, stWithout.Accepted, stWithout.Rejected, stWithout.NFE, got2[1][0]-exact)
	assert.Zero(t, stWith.Rejected, "no step straddles a jump")
	assert.Less(t, stWith.NFE, stWithout.NFE)
}

func TestBreakpointSolveAllocatesNothing(t *testing.T) {
	times := []float64{0, 1, 2, 3, 4}
	u, err := dynamics.NewSignal("u", times, []float64{1, -1, 2, 0, 3}, dynamics.Hold)
	require.NoError(t, err)
	m := &heldBP{held{u: u}}
	solver := integrate.NewSolver(nil)
	dst := make([]float64, 2)
	out, theta, z0 := []float64{2.5, 4}, []float64{1}, []float64{0}
	_, err = solver.Solve(dst, m, theta, 0, z0, out, nil)
	require.NoError(t, err)
	assert.Zero(t, testing.AllocsPerRun(20, func() {
		_, _ = solver.Solve(dst, m, theta, 0, z0, out, nil)
	}))
	assert.InDelta(t, 2.0, dst[1], 1e-13) // ∫u = 1 − 1 + 2 + 0
}

// bpLog records attempts and the breakpoints the solver reports after them.
type bpLog struct {
	at  []integrate.Attempt
	bps map[int]float64 // attempt index → breakpoint
}

func (r *bpLog) Record(a *integrate.Attempt) {
	c := *a
	c.Z, c.ZNew, c.K = nil, nil, nil
	r.at = append(r.at, c)
}

func (r *bpLog) RecordBreakpoint(b float64) { r.bps[len(r.at)-1] = b }

// TestBreakpointRecorderHearsEachCutStep: every attempt cut short by a
// breakpoint b is reported with b, ends 8ε·max(1, |b|) before it, and when
// accepted the next attempt starts exactly on b with the step proposed
// before the cut.
func TestBreakpointRecorderHearsEachCutStep(t *testing.T) {
	times := []float64{0, 0.7, 1.3, 2, 2.9, 4}
	u, err := dynamics.NewSignal("u", times, []float64{1, -1, 2, 0, 3, 1}, dynamics.Hold)
	require.NoError(t, err)
	m := &heldBP{held{u: u}}
	rec := &bpLog{bps: map[int]float64{}}
	_, err = integrate.NewSolver(&integrate.Settings{RTol: 1e-6, ATol: 1e-9}).Solve(make([]float64, 2), m, []float64{1}, 0, []float64{0}, []float64{2, 4}, rec)
	require.NoError(t, err)
	seen := map[float64]bool{}
	for i, b := range rec.bps {
		a := rec.at[i]
		assert.InDelta(t, b-8*2.220446049250313e-16*math.Max(1, math.Abs(b)), a.T+a.H, 1e-15, "attempt %d", i)
		assert.Equal(t, b == 2 || b == 4, a.Landing, "attempt %d lands only on an output time", i)
		if a.Accepted {
			seen[b] = true
			if i+1 < len(rec.at) {
				assert.Equal(t, b, rec.at[i+1].T)
				assert.Equal(t, a.HProposed, rec.at[i+1].HProposed)
			}
		}
	}
	assert.Equal(t, map[float64]bool{0.7: true, 1.3: true, 2: true, 2.9: true, 4: true}, seen)
}
