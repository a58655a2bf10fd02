package nbody

import (
	"fmt"
	"math"

	"github.com/physid/physid/dynamics"
)

// DefaultMinSeparation is the close-encounter threshold, in position units, that a
// zero Gravity.MinSeparation stands for.
const DefaultMinSeparation = 1e-6

// Gravity is N point masses in d-dimensional space attracting each other by
// Newton's law of gravitation, written in scaled units:
//
//	dr_i/dt = K2·v_i,   dv_i/dt = K1·Σ_{j≠i} m_j (r_j − r_i)/|r_j − r_i|³,
//
// with K1 = Gravity, K2 = VelocityScale and the masses as the parameters,
// θ = [m1 … mN]. The state holds all positions, then all velocities:
//
//	z = [r_1, r_2, …, r_N, v_1, v_2, …, v_N],  r_i = (x_i, y_i, z_i) for d = 3,
//
// so position component k of body i (both 0-based) is z[i·d+k] and velocity
// component k is z[N·d+i·d+k]; see StateNames for the names.
//
// Func, JVP and VJP cost O(N²·d), allocate nothing and do not soften the force:
// at coincident bodies they return ±Inf or NaN. CheckState, which solvers call
// after every accepted step, stops the solve with ErrCloseEncounter before that
// happens. dst must not share memory with the inputs.
//
// A Gravity holds no workspace and is safe for concurrent use.
type Gravity struct {
	// Bodies is the number of bodies N (at least 1).
	Bodies int
	// Dims is the dimension d of space (at least 1; the paper's system has 3).
	Dims int
	// Gravity is K1, the gravitational constant in the model's units; 0 means 1.
	Gravity float64
	// VelocityScale is K2, the factor between the velocity state and dr/dt
	// (K2 = v_nd·t_nd/r_nd for the paper's units); 0 means 1.
	VelocityScale float64
	// MinSeparation is the distance, in position units, below which two bodies
	// count as a close encounter: CheckState and Validate report ErrCloseEncounter.
	// It does not change the force. 0 means DefaultMinSeparation (1e-6).
	MinSeparation float64
}

var (
	_ dynamics.Dynamics     = Gravity{}
	_ dynamics.Named        = Gravity{}
	_ dynamics.StateChecker = Gravity{}
)

// Dim returns 2·Bodies·Dims: a position and a velocity per body.
func (g Gravity) Dim() int { return 2 * g.Bodies * g.Dims }

// NumParams returns Bodies: one mass per body.
func (g Gravity) NumParams() int { return g.Bodies }

// Positions returns the positions part of z, z[:Bodies·Dims], as a view.
func (g Gravity) Positions(z []float64) []float64 { return z[:g.Bodies*g.Dims] }

// Velocities returns the velocities part of z, z[Bodies·Dims:], as a view.
func (g Gravity) Velocities(z []float64) []float64 { return z[g.Bodies*g.Dims : 2*g.Bodies*g.Dims] }

// k1 is K1 with its default resolved.
func (g Gravity) k1() float64 {
	if g.Gravity == 0 {
		return 1
	}
	return g.Gravity
}

// k2 is K2 with its default resolved.
func (g Gravity) k2() float64 {
	if g.VelocityScale == 0 {
		return 1
	}
	return g.VelocityScale
}

// minSeparation is MinSeparation with its default resolved.
func (g Gravity) minSeparation() float64 {
	if g.MinSeparation == 0 {
		return DefaultMinSeparation
	}
	return g.MinSeparation
}

// checkLen panics with a programmer-error message when a slice has the wrong length.
func checkLen(op, name string, got, want int) {
	if got != want {
		panic(fmt.Sprintf("nbody: %s: len(%s) = %d, want %d", op, name, got, want))
	}
}

// Func writes f(t, z, θ): K2·v_i into the position rows and the gravitational
// acceleration of each body into the velocity rows.
func (g Gravity) Func(dst []float64, _ float64, z, theta []float64) {
	g.checkFunc(dst, z, theta)
	n, d := g.Bodies, g.Dims
	nd := n * d
	k1, k2 := g.k1(), g.k2()
	r, v := z[:nd], z[nd:]
	dr, dv := dst[:nd], dst[nd:]
	for i, vi := range v {
		dr[i] = k2 * vi
	}
	clear(dv)
	// Each pair once: with Δ = r_j − r_i, body i gains K1 m_j Δ/s³ and body j
	// loses K1 m_i Δ/s³.
	for i := 0; i < n; i++ {
		ri, ai := r[i*d:i*d+d], dv[i*d:i*d+d]
		for j := i + 1; j < n; j++ {
			rj, aj := r[j*d:j*d+d], dv[j*d:j*d+d]
			s2 := dist2(ri, rj)
			inv3 := 1 / (s2 * math.Sqrt(s2))
			pairFunc(ai, aj, ri, rj, k1*theta[j]*inv3, k1*theta[i]*inv3)
		}
	}
}

// JVP writes ∂f/∂z·vz + ∂f/∂θ·vtheta into dst; a nil vtheta means zero.
//
// With Δ = r_j − r_i, s = |Δ| and δ = vr_j − vr_i (the position part of vz), the
// acceleration of body i changes by K1 m_j M(Δ)δ + K1 vθ_j Δ/s³, where
// M(Δ) = (I − 3ΔΔᵀ/s²)/s³ is the (symmetric) Jacobian of Δ/s³.
func (g Gravity) JVP(dst []float64, _ float64, z, theta, vz, vtheta []float64) {
	g.checkJVP(dst, z, theta, vz, vtheta)
	n, d := g.Bodies, g.Dims
	nd := n * d
	k1, k2 := g.k1(), g.k2()
	r, vr, vv := z[:nd], vz[:nd], vz[nd:]
	dr, dv := dst[:nd], dst[nd:]
	for i, x := range vv {
		dr[i] = k2 * x
	}
	clear(dv)
	for i := 0; i < n; i++ {
		ri, wi, ai := r[i*d:i*d+d], vr[i*d:i*d+d], dv[i*d:i*d+d]
		for j := i + 1; j < n; j++ {
			rj, wj, aj := r[j*d:j*d+d], vr[j*d:j*d+d], dv[j*d:j*d+d]
			s2, dot := 0.0, 0.0
			for k, x := range ri {
				e := rj[k] - x
				s2 += e * e
				dot += e * (wj[k] - wi[k])
			}
			inv3 := 1 / (s2 * math.Sqrt(s2))
			c := 3 * dot / s2
			mi, mj := k1*theta[i], k1*theta[j]
			var ti, tj float64 // K1·vθ_j acts on body i, K1·vθ_i on body j
			if vtheta != nil {
				ti, tj = k1*vtheta[j], k1*vtheta[i]
			}
			pairJVP(ai, aj, ri, rj, wi, wj, c, inv3, mi, mj, ti, tj)
		}
	}
}

// VJP adds uᵀ∂f/∂z to dz and uᵀ∂f/∂θ to dtheta; a nil dtheta skips the masses.
//
// For a pair, the velocity rows u_i, u_j see T = c·Δ/s³ with
// c = K1(m_j u_i − m_i u_j) and Δ = r_j − r_i, so r_j gains M(Δ)c, r_i loses it,
// m_j gains K1 u_i·Δ/s³ and m_i loses K1 u_j·Δ/s³.
func (g Gravity) VJP(dz, dtheta []float64, _ float64, z, theta, u []float64) {
	g.checkVJP(dz, dtheta, z, theta, u)
	n, d := g.Bodies, g.Dims
	nd := n * d
	k1, k2 := g.k1(), g.k2()
	r, ur, uv := z[:nd], u[:nd], u[nd:]
	dr, dv := dz[:nd], dz[nd:]
	for i, x := range ur {
		dv[i] += k2 * x
	}
	for i := 0; i < n; i++ {
		ri, ui, gi := r[i*d:i*d+d], uv[i*d:i*d+d], dr[i*d:i*d+d]
		for j := i + 1; j < n; j++ {
			rj, uj, gj := r[j*d:j*d+d], uv[j*d:j*d+d], dr[j*d:j*d+d]
			s2, uiD, ujD := 0.0, 0.0, 0.0
			for k, x := range ri {
				e := rj[k] - x
				s2 += e * e
				uiD += ui[k] * e
				ujD += uj[k] * e
			}
			inv3 := 1 / (s2 * math.Sqrt(s2))
			mi, mj := k1*theta[i], k1*theta[j]
			cD := 3 * (mj*uiD - mi*ujD) / s2 // 3(c·Δ)/s²
			pairVJP(gi, gj, ri, rj, ui, uj, cD, inv3, mi, mj)
			if dtheta != nil {
				dtheta[j] += k1 * uiD * inv3
				dtheta[i] -= k1 * ujD * inv3
			}
		}
	}
}

// checkFunc panics unless Func's slices fit g.
func (g Gravity) checkFunc(dst, z, theta []float64) {
	checkLen("Func", "dst", len(dst), g.Dim())
	checkLen("Func", "z", len(z), g.Dim())
	checkLen("Func", "theta", len(theta), g.Bodies)
}

// checkJVP panics unless JVP's slices fit g.
func (g Gravity) checkJVP(dst, z, theta, vz, vtheta []float64) {
	checkLen("JVP", "dst", len(dst), g.Dim())
	checkLen("JVP", "z", len(z), g.Dim())
	checkLen("JVP", "theta", len(theta), g.Bodies)
	checkLen("JVP", "vz", len(vz), g.Dim())
	if vtheta != nil {
		checkLen("JVP", "vtheta", len(vtheta), g.Bodies)
	}
}

// checkVJP panics unless VJP's slices fit g.
func (g Gravity) checkVJP(dz, dtheta, z, theta, u []float64) {
	checkLen("VJP", "dz", len(dz), g.Dim())
	checkLen("VJP", "z", len(z), g.Dim())
	checkLen("VJP", "theta", len(theta), g.Bodies)
	checkLen("VJP", "u", len(u), g.Dim())
	if dtheta != nil {
		checkLen("VJP", "dtheta", len(dtheta), g.Bodies)
	}
}

// pairFunc adds one pair's pull to the accelerations ai and aj of bodies i
// and j at ri and rj: ci·Δ to ai and −cj·Δ to aj, Δ = rj − ri. Gravity and
// Cached share it so that their results stay bit-identical.
func pairFunc(ai, aj, ri, rj []float64, ci, cj float64) {
	for k, x := range ri {
		e := rj[k] - x
		ai[k] += ci * e
		aj[k] -= cj * e
	}
}

// pairJVP adds one pair's part of JVP to ai and aj: with Δ = rj − ri,
// δ = wj − wi and c = 3Δ·δ/s², body i gains mj·M(Δ)δ + ti·Δ/s³ and body j
// loses mi·M(Δ)δ + tj·Δ/s³ (inv3 = 1/s³).
func pairJVP(ai, aj, ri, rj, wi, wj []float64, c, inv3, mi, mj, ti, tj float64) {
	for k, x := range ri {
		e := rj[k] - x
		w := (wj[k] - wi[k] - c*e) * inv3 // M(Δ)δ
		ai[k] += mj*w + ti*e*inv3
		aj[k] -= mi*w + tj*e*inv3
	}
}

// pairVJP adds one pair's M(Δ)c to gj and takes it from gi, for the velocity
// rows ui, uj, Δ = rj − ri, cD = 3(c·Δ)/s² and inv3 = 1/s³.
func pairVJP(gi, gj, ri, rj, ui, uj []float64, cD, inv3, mi, mj float64) {
	for k, x := range ri {
		e := rj[k] - x
		w := (mj*ui[k] - mi*uj[k] - cD*e) * inv3 // M(Δ)c
		gj[k] += w
		gi[k] -= w
	}
}

// dist2 is |b − a|², summed in the order every pair loop here sums it, so
// that Gravity, Cached and the state check agree to the bit.
func dist2(a, b []float64) float64 {
	s2 := 0.0
	for k, x := range a {
		e := b[k] - x
		s2 += e * e
	}
	return s2
}
