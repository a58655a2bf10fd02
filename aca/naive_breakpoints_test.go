package aca

import (
	"math"
	"testing"

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

func TestNaiveAcrossBreakpointsMeasure(t *testing.T) {
	for _, w := range []float64{0, 0.3} {
		p := tanksProblem(t, w)
		for _, tb := range []*integrate.Tableau{integrate.Dopri5, integrate.BogackiShampine, integrate.Fehlberg, integrate.HeunEuler} {
			for _, tol := range []float64{1e-4, 1e-10} {
				if tb == integrate.HeunEuler && tol < 1e-8 {
					continue
				}
				s := &Settings{Method: tb, RTol: tol, ATol: tol, Step: 0.01}
				res, err := (&Naive{}).Gradient(p, s)
				require.NoError(t, err)
				a, err := (&ACA{}).Gradient(p, s)
				require.NoError(t, err)
				fdTheta, fdZ0 := adaptiveDiff(t, p, s)
				want := append(fdTheta, fdZ0...)
				got := append(res.Theta, res.Z0...)
				t.Logf("w=%g %s tol=%g: naive vs fd %.3g, naive vs aca %.3g, aca vs fd %.3g (acc %d rej %d)", w, tb.Name, tol,
					maxRelErr(want, got), maxRelErr(append(a.Theta, a.Z0...), got), maxRelErr(want, append(a.Theta, a.Z0...)), res.Stats.Accepted, res.Stats.Rejected)
			}
		}
	}
	assert.True(t, true)
}
