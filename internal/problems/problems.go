// Package problems holds test problems with known answers, shared by the tests
// of several packages so that each reference lives in one place.
package problems

import (
	"math"

	"github.com/physid/physid/dynamics"
)

// ExpSin is y' = θ·y·cos(t) with solution y(t) = y0·exp(θ·sin t): scalar,
// non-autonomous and smooth, for measuring convergence orders.
type ExpSin struct{}

var (
	_ dynamics.Dynamics       = ExpSin{}
	_ dynamics.TimeDerivative = ExpSin{}
)

// Exact returns y(t) for y(0) = y0.
func (ExpSin) Exact(t, y0, theta float64) float64 { return y0 * math.Exp(theta*math.Sin(t)) }

// Dim returns 1.
func (ExpSin) Dim() int { return 1 }

// NumParams returns 1.
func (ExpSin) NumParams() int { return 1 }

// Func writes θ·y·cos t.
func (ExpSin) Func(dst []float64, t float64, z, theta []float64) {
	dst[0] = theta[0] * z[0] * math.Cos(t)
}

// JVP writes θ cos t·vz + y cos t·vθ.
func (ExpSin) JVP(dst []float64, t float64, z, theta, vz, vtheta []float64) {
	c := math.Cos(t)
	dst[0] = theta[0] * c * vz[0]
	if vtheta != nil {
		dst[0] += z[0] * c * vtheta[0]
	}
}

// VJP adds u·θ cos t to dz and u·y cos t to dtheta.
func (ExpSin) VJP(dz, dtheta []float64, t float64, z, theta, u []float64) {
	c := math.Cos(t)
	dz[0] += u[0] * theta[0] * c
	if dtheta != nil {
		dtheta[0] += u[0] * z[0] * c
	}
}

// DfDt writes ∂f/∂t = −θ·y·sin t.
func (ExpSin) DfDt(dst []float64, t float64, z, theta []float64) {
	dst[0] = -theta[0] * z[0] * math.Sin(t)
}

// DrivenOscillator is x” = −k·x − c·x' + F·sin(ω·t) as a first-order system,
// state [x v], θ = [k c ω], with the forcing amplitude F fixed: the model of
// scenarios/damped_driven_oscillator.toml (F = 0.3), written by hand, so that
// gradient methods can be checked on a non-autonomous system without
// dynamics/expr.
type DrivenOscillator struct{ F float64 }

var (
	_ dynamics.Dynamics       = DrivenOscillator{}
	_ dynamics.TimeDerivative = DrivenOscillator{}
)

// Dim returns 2.
func (DrivenOscillator) Dim() int { return 2 }

// NumParams returns 3.
func (DrivenOscillator) NumParams() int { return 3 }

// Func writes (v, −k·x − c·v + F·sin(ω·t)).
func (d DrivenOscillator) Func(dst []float64, t float64, z, theta []float64) {
	x, v, k, c, w := z[0], z[1], theta[0], theta[1], theta[2]
	dst[0] = v
	dst[1] = -k*x - c*v + d.F*math.Sin(w*t)
}

// JVP writes ∂f/∂z·vz + ∂f/∂θ·vθ.
func (d DrivenOscillator) JVP(dst []float64, t float64, z, theta, vz, vtheta []float64) {
	k, c, w := theta[0], theta[1], theta[2]
	dst[0] = vz[1]
	dst[1] = -k*vz[0] - c*vz[1]
	if vtheta != nil {
		dst[1] += -z[0]*vtheta[0] - z[1]*vtheta[1] + d.F*t*math.Cos(w*t)*vtheta[2]
	}
}

// VJP adds uᵀ∂f/∂z to dz and uᵀ∂f/∂θ to dtheta.
func (d DrivenOscillator) VJP(dz, dtheta []float64, t float64, z, theta, u []float64) {
	k, c, w := theta[0], theta[1], theta[2]
	dz[0] -= u[1] * k
	dz[1] += u[0] - u[1]*c
	if dtheta != nil {
		dtheta[0] -= u[1] * z[0]
		dtheta[1] -= u[1] * z[1]
		dtheta[2] += u[1] * d.F * t * math.Cos(w*t)
	}
}

// DfDt writes ∂f/∂t = (0, F·ω·cos(ω·t)).
func (d DrivenOscillator) DfDt(dst []float64, t float64, _, theta []float64) {
	w := theta[2]
	dst[0] = 0
	dst[1] = d.F * w * math.Cos(w*t)
}

// Arenstorf is the restricted three-body problem of Hairer, Nørsett & Wanner,
// Solving ODEs I, II.0 (eq. 0.1): a light body in the rotating frame of two heavy
// ones with mass ratio θ = [μ]. From ArenstorfZ0 with μ = ArenstorfMu the orbit is
// periodic with period ArenstorfPeriod, so the state returns to its start: a
// standard non-stiff reference with a published answer. State [x y x' y'].
type Arenstorf struct{}

// The published Arenstorf orbit (HNW I, II.0).
const (
	ArenstorfMu     = 0.012277471
	ArenstorfPeriod = 17.0652165601579625588917206249
)

// ArenstorfZ0 returns the periodic orbit's initial state.
func ArenstorfZ0() []float64 { return []float64{0.994, 0, 0, -2.00158510637908252240537862224} }

var _ dynamics.Dynamics = Arenstorf{}

// Dim returns 4.
func (Arenstorf) Dim() int { return 4 }

// NumParams returns 1.
func (Arenstorf) NumParams() int { return 1 }

// Func writes the equations of motion.
func (Arenstorf) Func(dst []float64, _ float64, z, theta []float64) {
	x, y, vx, vy, mu := z[0], z[1], z[2], z[3], theta[0]
	mp := 1 - mu
	d1 := math.Pow((x+mu)*(x+mu)+y*y, 1.5)
	d2 := math.Pow((x-mp)*(x-mp)+y*y, 1.5)
	dst[0] = vx
	dst[1] = vy
	dst[2] = x + 2*vy - mp*(x+mu)/d1 - mu*(x-mp)/d2
	dst[3] = y - 2*vx - mp*y/d1 - mu*y/d2
}

// jacobian writes the 4×5 Jacobian [∂f/∂z ∂f/∂μ] row-major into j.
func (Arenstorf) jacobian(j *[4][5]float64, z, theta []float64) {
	x, y, mu := z[0], z[1], theta[0]
	mp := 1 - mu
	a, b := x+mu, x-mp
	r1 := a*a + y*y
	r2 := b*b + y*y
	i13, i15 := math.Pow(r1, -1.5), math.Pow(r1, -2.5)
	i23, i25 := math.Pow(r2, -1.5), math.Pow(r2, -2.5)
	*j = [4][5]float64{}
	j[0][2], j[1][3] = 1, 1
	// f2 = x + 2vy − mp·a·i13 − mu·b·i23
	j[2][0] = 1 - mp*(i13-3*a*a*i15) - mu*(i23-3*b*b*i25)
	j[2][1] = mp*3*a*y*i15 + mu*3*b*y*i25
	j[2][3] = 2
	// ∂/∂mu: mp' = −1, a' = 1, b' = 1.
	j[2][4] = a*i13 - mp*(i13-3*a*a*i15) - b*i23 - mu*(i23-3*b*b*i25)
	// f3 = y − 2vx − mp·y·i13 − mu·y·i23
	j[3][0] = mp*3*a*y*i15 + mu*3*b*y*i25
	j[3][1] = 1 - mp*(i13-3*y*y*i15) - mu*(i23-3*y*y*i25)
	j[3][2] = -2
	j[3][4] = y*i13 + mp*3*a*y*i15 - y*i23 + mu*3*b*y*i25
}

// JVP writes J·(vz, vθ).
func (ar Arenstorf) JVP(dst []float64, _ float64, z, theta, vz, vtheta []float64) {
	var j [4][5]float64
	ar.jacobian(&j, z, theta)
	for i := range 4 {
		s := 0.0
		for c := range 4 {
			s += j[i][c] * vz[c]
		}
		if vtheta != nil {
			s += j[i][4] * vtheta[0]
		}
		dst[i] = s
	}
}

// VJP adds uᵀJ into (dz, dθ).
func (ar Arenstorf) VJP(dz, dtheta []float64, _ float64, z, theta, u []float64) {
	var j [4][5]float64
	ar.jacobian(&j, z, theta)
	for i := range 4 {
		for c := range 4 {
			dz[c] += u[i] * j[i][c]
		}
		if dtheta != nil {
			dtheta[0] += u[i] * j[i][4]
		}
	}
}
