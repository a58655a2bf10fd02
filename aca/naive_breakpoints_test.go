package aca

import (
	"fmt"
	"math"
	"testing"
	"unsafe"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/integrate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// heldTanks is the two-tank model of scenarios/tanks.toml written by hand,
// θ = [k1, k2, k3, k4]:
//
//	h1' = −k1·√h1 + k4·u(t)·(1 + w·sin t),   h2' = k2·√h1 − k3·√h2
//
// with the pump u a zero-order-hold signal, so f jumps at its sample times
// (dynamics.Breakpointer). With w = 0 f is autonomous between the jumps; w ≠ 0
// adds a smooth time dependence (and DfDt) so that stage times matter too.
type heldTanks struct {
	u *dynamics.Signal
	w float64
}

var (
	_ dynamics.Breakpointer   = (*heldTanks)(nil)
	_ dynamics.TimeDerivative = (*heldTanks)(nil)
)

func (*heldTanks) Dim() int       { return 2 }
func (*heldTanks) NumParams() int { return 4 }

func (m *heldTanks) Breakpoints() []float64 { return m.u.Breakpoints() }

func (m *heldTanks) drive(t float64) float64 { return m.u.At(t) * (1 + m.w*math.Sin(t)) }

func (m *heldTanks) Func(dst []float64, t float64, z, th []float64) {
	s1, s2 := math.Sqrt(z[0]), math.Sqrt(z[1])
	dst[0] = -th[0]*s1 + th[3]*m.drive(t)
	dst[1] = th[1]*s1 - th[2]*s2
}

func (m *heldTanks) JVP(dst []float64, t float64, z, th, vz, vt []float64) {
	s1, s2 := math.Sqrt(z[0]), math.Sqrt(z[1])
	dst[0] = -th[0] * vz[0] / (2 * s1)
	dst[1] = th[1]*vz[0]/(2*s1) - th[2]*vz[1]/(2*s2)
	if vt != nil {
		dst[0] += -vt[0]*s1 + vt[3]*m.drive(t)
		dst[1] += vt[1]*s1 - vt[2]*s2
	}
}

func (m *heldTanks) VJP(dz, dth []float64, t float64, z, th, u []float64) {
	s1, s2 := math.Sqrt(z[0]), math.Sqrt(z[1])
	dz[0] += (-th[0]*u[0] + th[1]*u[1]) / (2 * s1)
	dz[1] += -th[2] * u[1] / (2 * s2)
	dth[0] -= u[0] * s1
	dth[1] += u[1] * s1
	dth[2] -= u[1] * s2
	dth[3] += u[0] * m.drive(t)
}

func (m *heldTanks) DfDt(dst []float64, t float64, _, th []float64) {
	dst[0] = th[3] * m.u.At(t) * m.w * math.Cos(t)
	dst[1] = 0
}

// tanksProblem is heldTanks pumped by 16 held samples over [0, 12], observed
// at 9 times: some between the jumps, some (3, 6, 9, 12) on them, so steps
// end on breakpoints both with and without an output there.
func tanksProblem(t *testing.T, w float64) *Problem {
	n := 16
	ts, us := make([]float64, n+1), make([]float64, n+1)
	for i := range ts {
		ts[i] = 0.75 * float64(i)
		us[i] = 3 + 2*math.Sin(float64(i*i)) // jumps of order 1
	}
	u, err := dynamics.NewSignal("pump", ts, us, dynamics.Hold)
	require.NoError(t, err)
	times := []float64{1.1, 2.3, 3, 4.9, 6, 7.7, 9, 10.4, 12}
	return testProblem(&heldTanks{u: u, w: w}, []float64{0.5, 0.5, 0.4, 0.3}, []float64{3, 4}, times)
}

// TestNaiveAcrossBreakpointsIsExactDerivativeOfAdaptiveProgram is
// TestNaiveIsExactDerivativeOfAdaptiveProgram for a model whose f jumps: a
// step that would cross a breakpoint b ends 8ε before it (h = b − 8ε − t, a
// function of t like the landing rule), the next starts on b with f evaluated
// afresh (no FSAL stage carried over) and the solve resumes the step it had
// proposed. At rtol = atol = 1e-4 central differences of the whole adaptive
// solve (step 1e-6, good to ~1e-9) agree with naive to 1e-5; measured ≤ 1e-9,
// and 9e-7 for heuneuler with w = 0.3, whose first-order controller loop
// makes the adaptive loss wiggle below the FD step (see
// TestNaiveNonAutonomousIsExactDerivativeOfAdaptiveProgram). Carrying the FSAL
// stage across the jumps and treating the cut steps as the controller's, as
// naive did before, was off by 3.5 (dopri5, w = 0) to 6e3 (dopri5, w = 0.3)
// here: the breakpoint steps are most of the steps.
func TestNaiveAcrossBreakpointsIsExactDerivativeOfAdaptiveProgram(t *testing.T) {
	for _, w := range []float64{0, 0.3} {
		for _, tb := range []*integrate.Tableau{integrate.Dopri5, integrate.BogackiShampine, integrate.Fehlberg, integrate.HeunEuler} {
			t.Run(fmt.Sprintf("w=%g/%s", w, tb.Name), func(t *testing.T) {
				p := tanksProblem(t, w)
				s := &Settings{Method: tb, RTol: 1e-4, ATol: 1e-4, Step: 0.01, Land: true} // the program naive differentiates lands
				m := &Naive{}
				res, err := m.Gradient(p, s)
				require.NoError(t, err)
				require.Len(t, m.tape.bps, 16, "every jump cuts a step short")
				fdTheta, fdZ0 := adaptiveDiff(t, p, s)
				assertRelClose(t, append(fdTheta, fdZ0...), append(res.Theta, res.Z0...), 1e-5)
			})
		}
	}
}

// TestNaiveAcrossBreakpointsMatchesACAAndFD: at rtol = atol = 1e-10 the
// step-size terms vanish, so naive agrees with ACA (the exact derivative of
// the same discrete solution with its steps fixed), with central differences
// of the whole adaptive solve at the same settings and with FiniteDifferences
// on 1e-12 solves (good to ~1e-8, FDStep's doc), each to 1e-6 relative;
// measured ≤ 5e-8 (rk23, 1300–2900 steps), ≤ 4e-10 for the others. Naive
// carrying the FSAL stage across the jumps was off by 3e6 (dopri5, w = 0)
// here, and by 7e-5 on scenarios/tanks.toml.
func TestNaiveAcrossBreakpointsMatchesACAAndFD(t *testing.T) {
	for _, w := range []float64{0, 0.3} {
		for _, tb := range []*integrate.Tableau{integrate.Dopri5, integrate.BogackiShampine, integrate.Fehlberg} {
			t.Run(fmt.Sprintf("w=%g/%s", w, tb.Name), func(t *testing.T) {
				p := tanksProblem(t, w)
				s := &Settings{Method: tb, RTol: 1e-10, ATol: 1e-10, Land: true} // naive always lands; ACA the same program
				naive, err := (&Naive{}).Gradient(p, s)
				require.NoError(t, err)
				aca, err := (&ACA{}).Gradient(p, s)
				require.NoError(t, err)
				require.Equal(t, aca.Loss, naive.Loss, "one forward solve")
				got := append(naive.Theta, naive.Z0...)
				assertRelClose(t, append(aca.Theta, aca.Z0...), got, 1e-6)
				fdTheta, fdZ0 := adaptiveDiff(t, p, s)
				assertRelClose(t, append(fdTheta, fdZ0...), got, 1e-6)
				fdr, err := FiniteDifferences(p, &Settings{Method: tb, RTol: 1e-12, ATol: 1e-12}, 0)
				require.NoError(t, err)
				assertRelClose(t, append(fdr.Theta, fdr.Z0...), got, 1e-6)
			})
		}
	}
}

// TestNaiveWithoutBreakpointsKeepsItsBytes: a model without breakpoints
// leaves no breakpoint records, so naive's tape and Stats are as before.
func TestNaiveWithoutBreakpointsKeepsItsBytes(t *testing.T) {
	p := testProblem(dynamics.VanDerPol{}, []float64{1.3}, []float64{2, 0}, []float64{0.7, 1.5, 3})
	m := &Naive{}
	res, err := m.Gradient(p, nil)
	require.NoError(t, err)
	assert.Empty(t, m.tape.bps)
	want := 8*len(m.tape.data) + len(m.tape.at)*int(unsafe.Sizeof(integrate.Attempt{})) + m.fwd.bytes()
	assert.Equal(t, want, res.Stats.Bytes)
}
